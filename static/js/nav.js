/* The main menu's toggle on narrow screens: opens and closes the menu named by the button's
 * aria-controls. Without JavaScript the menu is shown open (css/nojs.css), so this only adds comfort. */
(function () {
  "use strict";
  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    button.addEventListener("click", function () {
      var open = menu.classList.toggle("show");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
})();

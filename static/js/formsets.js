/* Grant request editor, progressive enhancement only: everything works without this file.
 * Warns before leaving a section page with changes that have not been saved yet. */
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-unsaved-warning]");
  if (!forms.length) {
    return;
  }
  var unsaved = false;
  forms.forEach(function (form) {
    form.addEventListener("input", function () { unsaved = true; });
    form.addEventListener("change", function () { unsaved = true; });
    form.addEventListener("submit", function () { unsaved = false; });
  });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();

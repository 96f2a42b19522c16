"""Keyboard only, from the US-HCP gate to a submitted request: Tab, Shift+Tab, Enter and Space, typing,
never the mouse — and on every element the keyboard reaches, a focus indicator a sighted keyboard user
can see (an outline or a focus ring drawn with box-shadow)."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.models import GrantRequest

from . import factories
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Migraine Prevention in Primary Care: An On-Demand Course"
MAX_TABS = 150

# What the keyboard is on now, and whether the browser draws a visible focus indicator on it.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const invisible = (color) => color === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(color);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 && !invisible(style.outlineColor);
  const ring = style.boxShadow !== "none" && style.boxShadow !== "";
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = label || el.getAttribute("aria-label") || el.innerText || el.value || "";
  return {
    name: name.replace(/\\s+/g, " ").replace(/\\*$/, "").trim(),
    tag: el.tagName.toLowerCase(),
    id: el.id,
    visible: outline || ring,
    style: `outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow: ${style.boxShadow}`,
  };
}"""


class Keyboard:
    """The applicant's hands on the keyboard: Tab to a control, type, press Enter or Space."""

    def __init__(self, page):
        self.page = page
        self.reached = 0  # how many focus stops were checked for a visible indicator

    def focused(self):
        return self.page.evaluate(FOCUSED)

    def tab_to(self, name, backwards=False, tags=None):
        """Press Tab (Shift+Tab backwards) until the focused control's name matches ``name`` (a regex
        matched at the start) and, if given, its tag is one of ``tags`` (an error summary's links carry
        the field names too); every control passed on the way must show its focus."""
        pattern = re.compile(name)
        passed = []
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focused = self.focused()
            if focused is None:
                continue
            self.reached += 1
            assert focused["visible"], f"no visible focus on {focused['tag']} “{focused['name']}”: {focused['style']}"
            if pattern.match(focused["name"]) and (tags is None or focused["tag"] in tags):
                return focused
            passed.append(focused["name"][:40])
        raise AssertionError(f"Tab never reached “{name}” on {self.page.url}; passed: {passed}")

    def fill(self, name, text, backwards=False):
        self.tab_to(name, backwards=backwards, tags=("input", "textarea"))
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def choose(self, name, option_text):
        """A closed select picks the option whose text starts with what is typed (no popup, no mouse)."""
        self.tab_to(name, tags=("select",))
        self.page.keyboard.type(option_text)

    def press(self, name, key="Enter"):
        self.tab_to(name)
        self.page.keyboard.press(key)

    def submit(self, name):
        """Enter on a button that sends its form and re-renders or reloads the same address."""
        self.tab_to(name)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def attach(self, kind, path):
        self.choose("Type of document", kind)
        self.tab_to("File to upload", tags=("input",))
        with self.page.expect_file_chooser() as chooser:
            self.page.keyboard.press("Enter")
        chooser.value.set_files(path)
        self.submit("Upload document")


def us_date(day) -> str:
    """What a US user types into a date box: month, day, year."""
    return day.strftime("%m%d%Y")


@pytest.fixture
def keyboard_page(browser, live_server):
    # US date order in date boxes; no transitions, so the focus ring is there the moment focus is.
    context = browser.new_context(locale="en-US", reduced_motion="reduce", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Listening from the start turns on Playwright's file-chooser interception before the first upload,
    # instead of racing the key press that opens the chooser.
    page.on("filechooser", lambda chooser: None)
    yield page
    context.close()


def test_keyboard_only_from_the_gate_to_a_submitted_request(keyboard_page, live_server, tmp_path):
    page = keyboard_page
    keys = Keyboard(page)
    user = factories.applicant(first_name="Morgan", last_name="Lee")
    organisation = user.membership.organisation
    organisation.w9.save("w9.pdf", ContentFile(factories.TINY_PDF), save=False)
    organisation.w9_original_name = "W-9 2026.pdf"
    organisation.save()
    start = timezone.localdate() + timedelta(days=100)
    documents = {}
    for name in ("request-letter.pdf", "detailed-budget.pdf"):
        documents[name] = tmp_path / name
        documents[name].write_bytes(factories.TINY_PDF)

    # --- The gate: the first Tab shows the skip link, then the confirmation button.
    page.goto(live_server.url + "/")
    page.wait_for_url("**/hcp-confirmation/**")
    assert keys.tab_to("Skip to main content")["tag"] == "a"
    keys.press("I confirm, continue")
    page.wait_for_url(live_server.url + "/")

    # --- Sign in: the password first, then back with Shift+Tab to the email.
    keys.press("Sign in")
    page.wait_for_url("**/accounts/login/")
    keys.fill("Password", factories.PASSWORD)
    keys.fill("Email", user.email, backwards=True)
    keys.press("Sign in")
    page.wait_for_url(live_server.url + "/requests/")

    # --- Start a request and fill every section from the keyboard.
    keys.press("Start a new request")
    page.wait_for_url("**/edit/organisation/")
    keys.fill("Requester's name", "Morgan Lee")
    keys.fill("Requester's email", user.email)
    keys.fill("Secondary contact's name", "Avery Chen")
    keys.fill("Secondary contact's email", "avery.chen@learning.example.org")
    keys.fill("Authori[sz]ed signer's name", "Dr. Jordan Ellis")
    keys.fill("Authori[sz]ed signer's title", "Director of Continuing Education")
    keys.fill("Authori[sz]ed signer's email", "jordan.ellis@learning.example.org")
    keys.press("Save and continue")
    page.wait_for_url("**/edit/programme/")

    keys.choose("Type of request", "Non-accredited")
    keys.fill("Program(me)? title", TITLE)
    keys.choose("Therapeutic area", "Migraine")
    keys.choose("Format", "Enduring")
    keys.tab_to("Program(me)? start date", tags=("input",))
    page.keyboard.type(us_date(start))
    keys.tab_to("Program(me)? end date", tags=("input",))
    page.keyboard.type(us_date(start + timedelta(days=180)))
    keys.fill("Program(me)? URL", "https://learn.example.org/migraine")
    keys.fill("Target audience", "Primary care physicians, nurse practitioners and physician assistants")
    keys.fill("Expected number of learners", "1200")
    keys.press("Save and continue")
    page.wait_for_url("**/edit/content/")

    keys.fill("Needs assessment", "Most migraine patients who qualify for prevention never receive it.")
    keys.fill("References", "1. Example A, et al. Headache. 2024;64:1-9.")
    keys.fill("Learning objective 1", "Identify patients who qualify for preventive migraine treatment.")
    keys.fill("Educational design", "Six on-demand case modules with self-assessment questions.")
    keys.fill("Outcomes plan", "Pre/post knowledge test and a 60-day practice survey.")
    keys.choose("Highest Moore outcome level", "Level 4")
    keys.press("Save and continue")
    page.wait_for_url("**/edit/budget/")  # accreditation does not apply to non-accredited education

    keys.choose("Category", "Faculty honoraria")
    keys.fill("Description", "Faculty honoraria, 4 authors")
    keys.fill("Unit cost", "2,500")
    keys.fill("Quantity", "4")
    keys.fill("Amount requested", "10000")
    keys.press("Save and continue")
    page.wait_for_url("**/edit/attachments/")

    # Upload pressed too early: the page says "Error" first and focus is on the (visibly focused) summary.
    keys.submit("Upload document")
    assert page.title().startswith("Error: ")
    focused = keys.focused()
    assert focused["id"] == "error-summary" and focused["visible"], focused
    keys.attach("Request letter", documents["request-letter.pdf"])
    assert "“request-letter.pdf” was added" in page.locator("main").inner_text()
    keys.attach("Detailed budget", documents["detailed-budget.pdf"])
    assert "Every required document is attached." in page.locator("main").inner_text()
    keys.press("Save and continue")
    page.wait_for_url("**/edit/attestations/")

    keys.press("We confirm the education is independent", key="Space")
    keys.press("We will tell Axsome", key="Space")
    assert page.locator("input[type=checkbox]:checked").count() == 2
    keys.press("Save and review")
    page.wait_for_url("**/review/")
    assert page.get_by_role("heading", name="Ready to submit").is_visible()

    keys.press("Submit request$")
    page.wait_for_url(re.compile(r".*/requests/\d+/$"))
    assert "Its reference is" in page.locator("main").inner_text()
    assert_accessible(page, "request page after a keyboard-only submission")

    grant_request = GrantRequest.objects.get()
    assert grant_request.status == "submitted" and grant_request.title == TITLE
    assert grant_request.start_date == start
    line = grant_request.budget_lines.get()
    assert (line.unit_cost, line.quantity) == (2500, 4)
    assert keys.reached > 40  # the focus check really ran, on every stop along the way

"""The applicant's whole journey in Chromium, through the pages only: the US-HCP gate, the eligibility
self-check, signing up and confirming the email from the mailbox (the outbox), registering the
organisation with its W-9, writing a request over two sittings, uploading its documents and submitting
it — with a mistake or two on the way, as real people make them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from grants.models import GrantRequest
from outbox.models import Email

from .conftest import assert_accessible
from .factories import TINY_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "riley.morgan@cns-learning.example.org"
PASSWORD = "Sleep-Medicine-Grants-2026!"
TITLE = "Excessive Daytime Sleepiness: From Screening to Treatment"
DOCUMENTS = [
    ("Request letter on letterhead", "request-letter.pdf"),
    ("Detailed budget", "detailed-budget.pdf"),
    ("Accreditation letter or certificate", "accme-accreditation.pdf"),
    ("Agenda", "draft-agenda.pdf"),
]


def pdf(tmp_path, name, content=TINY_PDF):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def open_the_mailbox_link(pattern: str) -> str:
    """The newest email to the applicant, and the link in it the applicant would click."""
    email = Email.objects.filter(to=[EMAIL]).order_by("-created_at", "-pk").first()
    assert email is not None, "no email was written to the applicant"
    match = re.search(pattern, email.body_text)
    assert match, email.body_text
    return match.group(0)


def sign_in(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    assert_accessible(page, "sign-in page")
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(live_server.url + "/requests/")


def sign_out(page, live_server):
    page.locator("header").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.locator("header").get_by_role("link", name="Sign in").is_visible()
    assert_accessible(page, "first page after signing out")
    page.goto(live_server.url + "/requests/")
    page.wait_for_url("**/accounts/login/**")


def save_and_continue(page, to_section: str):
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**/edit/{to_section}/")
    assert_accessible(page, f"{to_section} section")


def test_provider_applies_from_the_gate_to_a_submitted_request(page, live_server, tmp_path, settings):
    settings.SITE_URL = live_server.url  # where the emailed links point
    page.set_default_timeout(15_000)
    today = timezone.localdate()
    start = today + timedelta(days=100)

    # --- A visitor arrives at the eligibility page and is first asked to confirm the US-HCP gate.
    page.goto(live_server.url + "/eligibility/")
    page.wait_for_url("**/hcp-confirmation/?next=*")
    assert_accessible(page, "US-HCP gate")
    page.get_by_role("button", name="I confirm, continue").click()
    page.wait_for_url(live_server.url + "/eligibility/")
    assert_accessible(page, "eligibility page")

    # --- The self-check, answered for a US hospital planning accredited education in 100 days.
    page.get_by_role("link", name="Go to the self-check").click()
    page.get_by_label("Who would apply for the grant?").select_option(label="Hospital or health system")
    page.get_by_role("group", name="Is the organization based in the United States?").get_by_label("Yes").check()
    page.get_by_label("What kind of education is it?").select_option(label="Accredited IME (CME/CE)")
    page.get_by_role("group", name="For accredited education only").get_by_label("Yes").check()
    page.get_by_label("When will the program start?").fill(start.isoformat())
    page.get_by_label("Faculty honoraria", exact=True).check()
    page.get_by_role("button", name="Check eligibility").click()
    page.wait_for_url("**/eligibility/?*#self-check-answer")
    answer = page.get_by_role("status").filter(has_text="Eligible to apply")
    assert "does not guarantee approval" in answer.inner_text()
    assert_accessible(page, "self-check: eligible")
    answer.get_by_role("link", name="create an account").click()

    # --- Sign up, then open the confirmation link from the mailbox.
    page.wait_for_url("**/accounts/signup/")
    assert heading(page) == "Create an account"
    assert_accessible(page, "sign-up page")
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(live_server.url + "/accounts/confirm-email/")
    assert heading(page) == "Check your email"
    assert_accessible(page, "check your email page")

    page.goto(open_the_mailbox_link(r"https?://\S+/accounts/confirm-email/\S+/"))
    assert heading(page) == "Confirm your email address"
    assert EMAIL in main_text(page)
    assert_accessible(page, "email confirmation page")
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_load_state()
    assert page.locator("header").get_by_role("button", name="Sign out").is_visible()
    assert_accessible(page, "first page after confirming the email")

    # --- Signed in, with no organisation yet: the portal asks for it first.
    page.locator("header").get_by_role("link", name="My requests").click()
    page.wait_for_url(live_server.url + "/organisation/new/")
    assert heading(page) == "Register your organization"
    assert_accessible(page, "organization registration")
    page.get_by_label("Legal name").fill("Great Lakes Sleep Education Institute")
    page.locator("#id_org_type").select_option(label="Hospital or health system")
    page.locator("#id_tax_status").select_option("non_profit")
    page.get_by_label("EIN (US tax ID)").fill("38-2461357")
    page.get_by_label("Street address").fill("1200 Lakeshore Drive")
    page.get_by_label("City").fill("Chicago")
    page.locator("#id_state").select_option("IL")
    page.get_by_label("ZIP code").fill("60611")
    page.locator("#id_accreditation_body").select_option("accme")
    page.locator("#id_accreditation_id").fill("ACCME-7731")
    page.locator("#id_accreditation_expiry").fill((today + timedelta(days=500)).isoformat())
    page.locator("#id_w9_file").set_input_files(pdf(tmp_path, "Great Lakes W-9.pdf"))
    page.get_by_label("Date the W-9 was signed").fill((today - timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Register organization").click()
    page.wait_for_url(live_server.url + "/organisation/")
    assert heading(page) == "Great Lakes Sleep Education Institute"
    assert page.get_by_text("Download Great Lakes W-9.pdf").is_visible()
    assert_accessible(page, "organization page")

    # --- First sitting: start a request, write the contacts and the programme.
    page.locator("header").get_by_role("link", name="My requests").click()
    page.wait_for_url(live_server.url + "/requests/")
    assert "No requests yet" in main_text(page)
    assert_accessible(page, "empty request list")
    page.get_by_role("button", name="Start a new request").click()
    page.wait_for_url("**/edit/organisation/")
    assert_accessible(page, "organization and contacts section")
    page.get_by_label("Requester's name").fill("Riley Morgan")
    page.get_by_label("Requester's phone").fill("312-555-0142")
    page.get_by_label("Requester's email").fill(EMAIL)
    page.get_by_label("Secondary contact's name").fill("Avery Chen")
    page.get_by_label("Secondary contact's email").fill("avery.chen@cns-learning.example.org")
    page.get_by_label("Authorized signer's name").fill("Dr. Jordan Ellis")
    page.get_by_label("Authorized signer's title").fill("Director of Continuing Medical Education")
    page.get_by_label("Authorized signer's email").fill("jordan.ellis@cns-learning.example.org")
    save_and_continue(page, "programme")

    page.get_by_label("Type of request").select_option("accredited")
    page.get_by_label("Program title").fill(TITLE)
    page.get_by_label("Therapeutic area", exact=True).select_option("narcolepsy")
    page.get_by_label("Format").select_option("live_virtual")
    page.get_by_label("Program start date").fill(start.isoformat())
    # A slip of the finger: the end date is typed before the start date.
    page.get_by_label("Program end date").fill((start - timedelta(days=1)).isoformat())
    page.get_by_label("Program URL").fill("https://learn.example.org/eds")
    page.get_by_label("Target audience").fill("Sleep specialists, neurologists and primary care physicians")
    page.get_by_label("Expected number of learners").fill("350")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert "Nothing was saved" in summary.inner_text()
    assert "end date must be the same as or later than the start date" in summary.inner_text()
    assert page.get_by_label("Program title").input_value() == TITLE
    assert page.get_by_label("Expected number of learners").input_value() == "350"
    assert_accessible(page, "program section with an error")
    assert GrantRequest.objects.get().title == ""
    page.get_by_label("Program end date").fill(start.isoformat())
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert "Draft saved at" in main_text(page)
    assert page.locator(".error-summary").count() == 0
    assert_accessible(page, "program section, saved")

    sign_out(page, live_server)

    # --- Second sitting: the draft is listed and everything typed is still there.
    sign_in(page, live_server)
    row = page.get_by_role("row", name=re.compile(re.escape(TITLE)))
    assert "Draft" in row.inner_text() and "Finish and submit" in row.inner_text()
    assert_accessible(page, "request list with the draft")
    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(r".*/requests/\d+/$"))
    assert heading(page) == TITLE
    assert_accessible(page, "draft request page")
    page.get_by_role("link", name="Edit the request").click()
    page.wait_for_url("**/edit/content/")  # resumes at the first section still to do
    nav = page.get_by_role("navigation", name="Request sections")
    assert "2 of 7 sections complete" in nav.inner_text()
    nav.get_by_role("link", name=re.compile("^Organization")).click()
    page.wait_for_url("**/edit/organisation/")
    assert page.get_by_label("Authorized signer's title").input_value() == "Director of Continuing Medical Education"
    assert page.get_by_label("Secondary contact's email").input_value() == "avery.chen@cns-learning.example.org"
    page.get_by_role("navigation", name="Request sections").get_by_role("link", name=re.compile("^Program")).click()
    page.wait_for_url("**/edit/programme/")
    assert page.get_by_label("Program title").input_value() == TITLE
    assert page.get_by_label("Program start date").input_value() == start.isoformat()
    assert page.get_by_label("Program end date").input_value() == start.isoformat()
    assert page.get_by_label("Format").input_value() == "live_virtual"
    save_and_continue(page, "content")

    # --- Educational content, accreditation and budget.
    page.get_by_label("Needs assessment and gap analysis").fill(
        "Narcolepsy goes undiagnosed for eight to ten years on average; our learner survey (n=210) shows "
        "most primary care physicians never use a sleepiness scale."
    )
    page.get_by_label("References").fill("1. Example R, et al. Sleep Med. 2024;110:1-8.")
    page.get_by_role("textbox", name="Learning objective 1").fill("Screen adults with excessive sleepiness.")
    page.get_by_role("textbox", name="Learning objective 2").fill("Refer suspected narcolepsy for a sleep study.")
    page.get_by_label("Educational design").fill("Three live webinars with patient cases and audience polling.")
    page.get_by_label("Outcomes plan").fill("Pre/post knowledge test and a 90-day practice survey.")
    page.get_by_label("Highest Moore outcome level targeted").select_option("5")
    save_and_continue(page, "accreditation")

    assert page.get_by_label("Accredited provider").input_value() == "Great Lakes Sleep Education Institute"
    assert page.get_by_label("Accrediting body").input_value() == "accme"
    page.get_by_label("Credit types").fill("AMA PRA Category 1 Credit™")
    page.get_by_label("Credit hours").fill("3")
    save_and_continue(page, "budget")

    first = page.get_by_role("group", name="Budget line 1")
    first.get_by_label("Category").select_option("faculty_honoraria")
    first.get_by_label("Description").fill("Faculty honoraria, 3 speakers")
    first.get_by_label("Unit cost (USD)").fill("2,000")
    first.get_by_label("Quantity").fill("3")
    second = page.get_by_role("group", name="Budget line 2")
    second.get_by_label("Category").select_option("online_platform")
    second.get_by_label("Description").fill("Webinar platform and production")
    second.get_by_label("Unit cost (USD)").fill("$9,000")
    second.get_by_label("Quantity").fill("1")
    page.get_by_label("Amount requested from Axsome (USD)").fill("14000")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_load_state()
    assert page.locator("#budget-total").inner_text() == "$15,000.00"
    assert page.locator("#amount-exceeds-budget").count() == 0
    assert_accessible(page, "budget section with lines")
    save_and_continue(page, "attachments")

    # --- Documents: a renamed non-PDF is refused first, then the real PDFs go in.
    page.get_by_label("Type of document").select_option(label="Request letter on letterhead")
    page.get_by_label("File to upload").set_input_files(
        pdf(tmp_path, "request-letter-final.pdf", b"PK\x03\x04 this is a zip archive, not a PDF" + b"\x00" * 200)
    )
    page.get_by_role("button", name="Upload document").click()
    page.wait_for_load_state()
    refusal = page.locator(".error-summary").filter(has_text="The document was not added")
    assert "is not a file type we accept" in refusal.inner_text()
    # The refusal is announced first: in the title, and by focus landing on the summary.
    assert page.title().startswith("Error: ")
    assert refusal.evaluate("el => el === document.activeElement")
    assert page.get_by_label("Type of document").input_value() == "request_letter"
    assert_accessible(page, "attachments section with an error")
    for label, filename in DOCUMENTS:
        page.get_by_label("Type of document").select_option(label=label)
        page.get_by_label("File to upload").set_input_files(pdf(tmp_path, filename))
        page.get_by_role("button", name="Upload document").click()
        page.wait_for_load_state()
        assert f"“{filename}” was added" in main_text(page)
    assert "Every required document is attached." in main_text(page)
    assert_accessible(page, "attachments section, complete")
    save_and_continue(page, "attestations")

    page.get_by_label("We confirm the education is independent", exact=False).check()
    page.get_by_label("We will tell Axsome of any payments", exact=False).check()
    page.get_by_role("button", name="Save and review").click()

    # --- Review and submit.
    page.wait_for_url("**/review/")
    assert heading(page) == "Review and submit"
    assert page.get_by_role("heading", name="Ready to submit").is_visible()
    assert page.locator("#problems").count() == 0
    assert TITLE in main_text(page)
    assert_accessible(page, "review page")
    page.get_by_role("button", name="Submit request", exact=True).click()
    page.wait_for_load_state()

    grant_request = GrantRequest.objects.get()
    assert re.fullmatch(rf"IME-{today.year}-\d{{5}}", grant_request.reference)
    assert f"Its reference is {grant_request.reference}" in main_text(page)
    assert grant_request.reference in page.locator(".page-header").inner_text()
    assert "Submitted" in page.locator(".page-header").inner_text()
    assert_accessible(page, "request page after submitting")

    page.locator("header").get_by_role("link", name="My requests").click()
    page.wait_for_url(live_server.url + "/requests/")
    row = page.get_by_role("row", name=re.compile(re.escape(TITLE)))
    assert grant_request.reference in row.inner_text()
    assert "Submitted" in row.inner_text() and "Awaiting screening" in row.inner_text()
    assert_accessible(page, "request list after submitting")

    assert grant_request.status == "submitted"
    assert grant_request.amount_requested == 14000
    assert list(grant_request.learning_objectives.values_list("text", flat=True)) == [
        "Screen adults with excessive sleepiness.",
        "Refer suspected narcolepsy for a sleep study.",
    ]
    assert sorted(grant_request.attachments.values_list("kind", flat=True)) == [
        "accreditation_letter",
        "agenda",
        "budget",
        "request_letter",
    ]
    receipt = Email.objects.get(template="submission_receipt")
    assert EMAIL in receipt.to
    assert grant_request.reference in receipt.subject + receipt.body_text

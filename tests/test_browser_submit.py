"""An applicant attaches the documents to a complete draft, reviews it and submits it in Chromium."""

import re

import pytest
from django.utils import timezone

from grants.models import GrantRequest
from outbox.models import Email

from . import factories
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCUMENTS = [
    ("Request letter on letterhead", "request-letter.pdf"),
    ("Detailed budget", "budget.pdf"),
    ("Accreditation letter or certificate", "accme-letter.pdf"),
    ("Agenda", "agenda.pdf"),
    ("W-9", "w9-2026.pdf"),
]


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_applicant_uploads_documents_reviews_and_submits(gated_page, live_server, tmp_path):
    page = gated_page
    user = factories.applicant(first_name="Dana", last_name="Whitfield")
    draft = factories.GrantRequestFactory(organisation=user.membership.organisation, created_by=user)

    sign_in(page, live_server, user.email)
    page.goto(f"{live_server.url}/requests/{draft.pk}/edit/attachments/")
    assert page.get_by_role("heading", level=1).inner_text() == "Attachments"

    # A renamed executable is refused, with the reason next to the field.
    fake = tmp_path / "letter.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)
    page.get_by_label("Type of document").select_option(label="Request letter on letterhead")
    page.get_by_label("File to upload").set_input_files(str(fake))
    page.get_by_role("button", name="Upload document").click()
    assert "is not a file type we accept" in page.locator("main").inner_text()

    for label, filename in DOCUMENTS:
        pdf = tmp_path / filename
        pdf.write_bytes(factories.TINY_PDF)
        page.get_by_label("Type of document").select_option(label=label)
        page.get_by_label("File to upload").set_input_files(str(pdf))
        page.get_by_role("button", name="Upload document").click()
        page.wait_for_load_state()
        assert f"“{filename}” was added" in page.locator("main").inner_text()
    assert "Every required document is attached." in page.locator("main").inner_text()
    assert_accessible(page, "attachments section")

    page.goto(f"{live_server.url}/requests/{draft.pk}/review/")
    assert page.get_by_role("heading", level=1).inner_text() == "Review and submit"
    assert page.get_by_role("heading", name="Ready to submit").is_visible()
    assert_accessible(page, "review page")
    page.get_by_role("button", name="Submit request", exact=True).click()
    page.wait_for_load_state()

    draft.refresh_from_db()
    year = timezone.localdate().year
    assert draft.status == "submitted" and re.fullmatch(rf"IME-{year}-\d{{5}}", draft.reference)
    main = page.locator("main").inner_text()
    assert f"Its reference is {draft.reference}" in main
    assert Email.objects.filter(template="submission_receipt").count() == 1
    assert_accessible(page, "request page after submitting")

    page.locator("header").get_by_role("link", name="My requests").click()
    page.wait_for_load_state()
    row = page.get_by_role("row", name=re.compile(re.escape(draft.title)))
    assert draft.reference in row.inner_text()
    assert "Awaiting screening" in row.inner_text()
    assert_accessible(page, "request list")
    assert GrantRequest.objects.filter(status="submitted").count() == 1


def test_applicant_withdraws_a_submitted_request(gated_page, live_server):
    page = gated_page
    user = factories.applicant()
    draft = factories.attach_required_documents(
        factories.GrantRequestFactory(organisation=user.membership.organisation, created_by=user)
    )
    from grants.services.submission import submit_request

    submit_request(draft, user)
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server.url}/requests/{draft.pk}/")
    page.get_by_role("link", name="Withdraw this request").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Withdraw request")
    assert_accessible(page, "withdraw confirmation")
    page.get_by_label("Why are you withdrawing this request? (optional)").fill("The symposium was cancelled.")
    page.get_by_role("button", name="Withdraw this request").click()
    page.wait_for_load_state()
    assert "was withdrawn" in page.locator("main").inner_text()
    draft.refresh_from_db()
    assert draft.status == "withdrawn"

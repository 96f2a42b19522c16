"""In Chromium, the applicant's side after approval: the authorized signer reads the Letter of Agreement
from the request page and signs it (after one refused try), a colleague asks for new dates, and once
Axsome has countersigned the executed PDF is downloaded. axe-core checks every page visited."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils.formats import date_format

from grants.models import AgreementTemplate, ChangeRequest
from grants.post_award import current_agreement
from grants.services import post_award as services
from grants.status import GrantStatus as S

from . import factories
from .conftest import assert_accessible
from .workflow_steps import request_at, signer_of, workflow_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIRST_LETTER = Path(__file__).resolve().parent.parent / "grants/migrations/texts/letter_of_agreement_v1.txt"


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page, live_server):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "ime_us_hcp", "value": "yes", "url": live_server.url}])


@pytest.fixture
def letter_sent():
    """Transactional tests empty the tables a migration filled: the role groups and the first template."""
    factories.ensure_role_groups()
    if AgreementTemplate.current() is None:
        AgreementTemplate.objects.create(body=FIRST_LETTER.read_text(), published=True, note="First version")
    return request_at(S.AGREEMENT_SENT)


def test_the_signer_signs_a_colleague_asks_for_new_dates_and_the_executed_pdf_is_downloaded(
    gated_page, live_server, letter_sent
):
    page, grant_request = gated_page, letter_sent
    signer = signer_of(grant_request)

    sign_in(page, live_server, signer.email)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    panel = page.get_by_role("region", name="Letter of Agreement")
    assert "Awaiting the recipient's signature" in panel.inner_text()
    assert "Sign the agreement" in page.locator("main").inner_text()
    assert_accessible(page, "request page, letter awaiting signature")

    panel.get_by_role("link", name="Read and sign the agreement").click()
    page.wait_for_url("**/agreement/1/")
    assert "independent educational grant" in page.locator("article").inner_text()
    assert_accessible(page, "the letter with the sign form")

    page.get_by_role("button", name="Sign the agreement").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    assert "Type your full name: it is your signature." in page.locator("#error-summary").inner_text()
    assert_accessible(page, "the sign form refused")

    page.get_by_label("Your full name").fill("Lee Park")
    page.get_by_label("Your title").fill("Director of CME")
    page.get_by_label("I confirm that I am authorized to sign").check()
    page.get_by_role("button", name="Sign the agreement").click()
    page.wait_for_load_state()
    signatures = page.get_by_role("region", name="Signatures").inner_text()
    assert "Signed by Lee Park, Director of CME" in signatures
    assert current_agreement(grant_request).text_sha256 in signatures
    assert_accessible(page, "the letter signed")

    # A colleague asks for new dates.
    sign_out(page, live_server)
    sign_in(page, live_server, grant_request.created_by.email)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    assert "Waiting for Axsome to countersign the agreement" in page.locator("main").inner_text()
    page.get_by_role("link", name="Request a change").click()
    assert_accessible(page, "choosing the kind of change")
    page.get_by_label("New dates").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert date_format(grant_request.start_date) in page.locator("main").inner_text()
    assert_accessible(page, "the date change form")
    new_start = grant_request.start_date + timedelta(days=7)
    page.get_by_label("New start date").fill(new_start.isoformat())
    page.get_by_label("Why is the change needed?").fill("The venue is booked that week.")
    page.get_by_role("button", name="Send the change request").click()
    page.wait_for_load_state()
    # Moving only the start puts it after the end: the refusal is on the page, the typed reason kept.
    assert "The new end date is before the start date." in page.locator("#error-summary").inner_text()
    assert page.get_by_label("Why is the change needed?").input_value() == "The venue is booked that week."
    assert_accessible(page, "the date change refused")
    page.get_by_label("New end date").fill((grant_request.end_date + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Send the change request").click()
    page.wait_for_load_state()
    changes = page.get_by_role("region", name="Change requests").inner_text()
    assert "New dates · Awaiting a decision" in changes
    assert date_format(new_start) in changes
    assert_accessible(page, "request page with a change request")
    assert ChangeRequest.objects.get().new_start_date == new_start

    # Axsome refuses the change and countersigns; the executed PDF is there to download.
    admin = workflow_admin()
    services.decide_change_request(ChangeRequest.objects.get(), by=admin, approve=False, note="Keep the dates.")
    services.countersign_agreement(grant_request, by=admin, signer_title="Senior Director, Medical Affairs")
    page.reload()
    assert "Keep the dates." in page.get_by_role("region", name="Change requests").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the executed agreement (PDF)").click()
    assert download.value.suggested_filename == f"{grant_request.reference} Letter of Agreement v1.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert_accessible(page, "request page, agreement executed")

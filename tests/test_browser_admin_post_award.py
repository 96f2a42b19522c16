"""In Chromium, with axe-core on every page: staff take an approved grant to paid in the admin — the
coordinator issues the Letter of Agreement, the administrator countersigns once the signer has signed,
finance records a payment (first refused for being too much) — and a change of dates is approved from
its panel, which re-issues the letter."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from grants.models import AgreementTemplate, ChangeKind, GrantRequest
from grants.status import GrantStatus as S
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible, sign_in_as
from .test_admin_post_award import sign
from .workflow_steps import finance_officer, give_current_w9, pending_change, request_at, signer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LETTER_V1 = settings.BASE_DIR / "grants" / "migrations" / "texts" / "letter_of_agreement_v1.txt"


def open_request(page, live_server, grant_request):
    page.goto(f"{live_server.url}/admin/grants/grantrequest/{grant_request.pk}/change/")
    page.wait_for_load_state()


def status_of(grant_request):
    return GrantRequest.objects.get(pk=grant_request.pk).status


def test_staff_take_an_approved_grant_to_paid_and_approve_a_date_change(page, live_server):
    factories.ensure_role_groups()
    # Transactional tests empty every table, the template the migration published included.
    if AgreementTemplate.current() is None:
        AgreementTemplate.objects.create(body=LETTER_V1.read_text(), published=True)
    page.set_default_timeout(15_000)
    grant_request = request_at(S.APPROVED)
    signer_of(grant_request)

    # The coordinator issues the letter.
    sign_in_as(page, live_server, factories.staff_with_role(Role.COORDINATOR))
    open_request(page, live_server, grant_request)
    assert_accessible(page, "request page, approved")
    page.get_by_role("link", name="Issue the Letter of Agreement").click()
    page.wait_for_load_state()
    assert "moves from “Approved” to “Agreement sent”" in page.locator("#content").inner_text()
    assert_accessible(page, "issue confirmation")
    page.get_by_role("button", name="Confirm: issue the letter of agreement").click()
    page.wait_for_load_state()
    assert status_of(grant_request) == S.AGREEMENT_SENT
    assert "Version 1: Awaiting the recipient's signature" in page.locator("#agreement").inner_text()
    assert_accessible(page, "request page, agreement sent")

    # The signer signs; the administrator countersigns from the agreement panel.
    sign(grant_request)
    sign_in_as(page, live_server, factories.staff_with_role(Role.ADMINISTRATOR))
    open_request(page, live_server, grant_request)
    page.locator("#agreement summary").first.click()
    assert_accessible(page, "agreement panel with the letter open")
    page.locator("#agreement").get_by_role("link", name="Countersign").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Confirm: countersign the agreement").click()
    page.wait_for_load_state()
    assert "Error:" in page.title()
    assert "Enter your title" in page.locator("#content").inner_text()
    assert_accessible(page, "countersign form with an error")
    page.get_by_label("Your title").fill("Vice President, Medical Affairs")
    page.get_by_role("button", name="Confirm: countersign the agreement").click()
    page.wait_for_load_state()
    assert status_of(grant_request) == S.AGREEMENT_SIGNED

    # Finance records the payment: too much first, then the approved amount.
    give_current_w9(grant_request.organisation)
    sign_in_as(page, live_server, finance_officer())
    open_request(page, live_server, grant_request)
    assert_accessible(page, "request page, awaiting payment, as finance")
    page.locator("#payments").get_by_role("link", name="Record a payment").click()
    page.wait_for_load_state()
    page.get_by_label("Amount paid (USD)").fill("30000")
    page.get_by_label("Wire transfer").check()
    page.get_by_label("Payment reference").fill("WIRE-7781")
    page.get_by_label("Date paid").fill(str(grant_request.start_date - timedelta(days=30)))
    page.get_by_role("button", name="Confirm: record a payment").click()
    page.wait_for_load_state()
    assert "Error:" in page.title()
    assert "above the approved $25,000.00" in page.locator("#content").inner_text()
    assert page.get_by_label("Payment reference").input_value() == "WIRE-7781"
    assert_accessible(page, "payment form with an error")
    page.get_by_label("Amount paid (USD)").fill("25000")
    page.get_by_role("button", name="Confirm: record a payment").click()
    page.wait_for_load_state()
    assert status_of(grant_request) == S.PAID
    assert "WIRE-7781" in page.locator("#payments").inner_text()

    # The applicant asks for a later end date; the coordinator approves it from the panel.
    pending_change(grant_request, ChangeKind.DATES, new_end_date=grant_request.end_date + timedelta(days=7))
    sign_in_as(page, live_server, factories.staff_with_role(Role.COORDINATOR))
    open_request(page, live_server, grant_request)
    panel = page.locator("#change-requests")
    assert "re-issues the Letter of Agreement" in panel.inner_text()
    assert_accessible(page, "request page with a pending change")
    panel.get_by_label("Approve the change").check()
    panel.get_by_label("Note to the applicant").fill("The new end date is fine.")
    panel.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert status_of(grant_request) == S.AGREEMENT_SENT
    assert "Version 2: Awaiting the recipient's signature" in page.locator("#agreement").inner_text()
    assert "The new end date is fine." in page.locator("#change-requests").inner_text()
    assert grant_request.approved_amount == Decimal("25000.00")
    assert_accessible(page, "request page after the change was approved")

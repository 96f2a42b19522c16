"""The whole post-award journey of issue 9 in Chromium, each step by the person who takes it, with
axe-core on every page: the coordinator issues the Letter of Agreement; the signer follows the link in
their email and signs; the administrator countersigns; finance records the payment; the requester
downloads the executed PDF and asks for a later end date; the coordinator approves it, which re-issues
the letter; the signer signs version 2 from the new email, the administrator countersigns it, and the
grant, already paid in full, is paid again."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from grants.models import AgreementTemplate, GrantRequest
from grants.status import GrantStatus as S
from outbox.models import Email
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible, sign_in_as
from .workflow_steps import finance_officer, give_current_w9, request_at, signer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LETTER_V1 = settings.BASE_DIR / "grants" / "migrations" / "texts" / "letter_of_agreement_v1.txt"


def admin_request_page(page, live_server, grant_request):
    page.goto(f"{live_server.url}/admin/grants/grantrequest/{grant_request.pk}/change/")
    page.wait_for_load_state()


def link_in_latest_mail_to(address, template, live_server):
    mail = Email.objects.filter(template=template, to__contains=[address]).latest("created_at")
    url = re.search(r"https?://\S+/requests/\d+/", mail.body_text).group(0)
    return live_server.url + url[url.index("/requests/"):]


def status_of(grant_request):
    return GrantRequest.objects.get(pk=grant_request.pk).status


def signs_from_the_mail(page, live_server, grant_request, signer, version):
    sign_in_as(page, live_server, signer)
    page.goto(link_in_latest_mail_to(signer.email, "agreement_issued", live_server))
    page.wait_for_load_state()
    assert "Sign the agreement" in page.locator("main").inner_text()
    assert_accessible(page, f"request page from the mail, letter v{version} awaiting signature")
    panel = page.get_by_role("region", name="Letter of Agreement")
    panel.get_by_role("link", name="Read and sign the agreement").click()
    page.wait_for_url(f"**/agreement/{version}/")
    assert_accessible(page, f"letter v{version} with the sign form")
    page.get_by_label("Your full name").fill("Lee Park")
    page.get_by_label("Your title").fill("Director of CME")
    page.get_by_label("I confirm that I am authorized to sign").check()
    page.get_by_role("button", name="Sign the agreement").click()
    page.wait_for_load_state()
    assert "Signed by Lee Park, Director of CME" in page.get_by_role("region", name="Signatures").inner_text()
    assert_accessible(page, f"letter v{version} signed")


def countersigns(page, live_server, grant_request, administrator):
    sign_in_as(page, live_server, administrator)
    admin_request_page(page, live_server, grant_request)
    page.locator("#agreement").get_by_role("link", name="Countersign").click()
    page.wait_for_load_state()
    assert_accessible(page, "countersign confirmation")
    page.get_by_label("Your title").fill("Vice President, Medical Affairs")
    page.get_by_role("button", name="Confirm: countersign the agreement").click()
    page.wait_for_load_state()


def test_from_approval_to_paid_and_through_a_date_change_each_step_by_its_person(page, live_server):
    factories.ensure_role_groups()
    if AgreementTemplate.current() is None:  # transactional tests empty what the migration published
        AgreementTemplate.objects.create(body=LETTER_V1.read_text(), published=True)
    page.set_default_timeout(15_000)
    grant_request = request_at(S.APPROVED)
    requester, signer = grant_request.created_by, signer_of(grant_request)
    coordinator = factories.staff_with_role(Role.COORDINATOR)
    administrator = factories.staff_with_role(Role.ADMINISTRATOR)

    # The coordinator issues the letter.
    sign_in_as(page, live_server, coordinator)
    admin_request_page(page, live_server, grant_request)
    page.get_by_role("link", name="Issue the Letter of Agreement").click()
    page.wait_for_load_state()
    assert_accessible(page, "issue confirmation")
    page.get_by_role("button", name="Confirm: issue the letter of agreement").click()
    page.wait_for_load_state()
    assert status_of(grant_request) == S.AGREEMENT_SENT

    # The signer follows the link in the email and signs; the administrator countersigns.
    signs_from_the_mail(page, live_server, grant_request, signer, version=1)
    countersigns(page, live_server, grant_request, administrator)
    assert status_of(grant_request) == S.AGREEMENT_SIGNED

    # Finance records the payment of the whole amount.
    give_current_w9(grant_request.organisation)
    sign_in_as(page, live_server, finance_officer())
    admin_request_page(page, live_server, grant_request)
    page.locator("#payments").get_by_role("link", name="Record a payment").click()
    page.wait_for_load_state()
    page.get_by_label("Amount paid (USD)").fill("25000")
    page.get_by_label("ACH transfer").check()
    page.get_by_label("Payment reference").fill("ACH-0042")
    page.get_by_label("Date paid").fill(str(grant_request.start_date - timedelta(days=40)))
    assert_accessible(page, "payment form")
    page.get_by_role("button", name="Confirm: record a payment").click()
    page.wait_for_load_state()
    assert status_of(grant_request) == S.PAID

    # The requester downloads the executed PDF and asks for a later end date.
    sign_in_as(page, live_server, requester)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    assert "ACH-0042" in page.locator("main").inner_text()
    assert_accessible(page, "request page, paid")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the executed agreement (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.get_by_role("link", name="Request a change").click()
    page.get_by_label("New dates").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    page.get_by_label("New end date").fill((grant_request.end_date + timedelta(days=7)).isoformat())
    page.get_by_label("Why is the change needed?").fill("A second session was added for rural clinicians.")
    assert_accessible(page, "date change form")
    page.get_by_role("button", name="Send the change request").click()
    page.wait_for_load_state()
    assert "New dates · Awaiting a decision" in page.get_by_role("region", name="Change requests").inner_text()

    # The coordinator approves it: the dates are terms of the letter, so version 2 goes out.
    sign_in_as(page, live_server, coordinator)
    admin_request_page(page, live_server, grant_request)
    panel = page.locator("#change-requests")
    assert "re-issues the Letter of Agreement" in panel.inner_text()
    assert_accessible(page, "request page with the pending change")
    panel.get_by_label("Approve the change").check()
    panel.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert status_of(grant_request) == S.AGREEMENT_SENT
    assert "Version 2: Awaiting the recipient's signature" in page.locator("#agreement").inner_text()

    # Both sign version 2; the grant was paid in full already, so it is paid again at once.
    signs_from_the_mail(page, live_server, grant_request, signer, version=2)
    countersigns(page, live_server, grant_request, administrator)
    assert status_of(grant_request) == S.PAID
    grant_request.refresh_from_db()
    assert grant_request.agreements.get(version=2).is_executed
    assert not grant_request.agreements.get(version=1).is_current

"""The applicant's side of the Letter of Agreement and the payments (SPEC §4a), through the pages: the
panel on the request page, reading and signing, every refusal, the executed PDF's door, and the
payments with the W-9 the applicant is asked for. Every state is reached through the workflow."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import ChangeKind, PaymentMethod
from grants.models.agreements import text_hash
from grants.post_award import current_agreement
from grants.services import post_award as services
from grants.status import GrantStatus as S

from .workflow_steps import finance_officer, give_current_w9, pending_change, request_at, signer_of, workflow_admin

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(user)
    return client


def letter_url(grant_request, name="agreement_detail", version=None):
    version = version or current_agreement(grant_request).version
    return reverse(f"grants:{name}", args=[grant_request.pk, version])


def request_page(grant_request):
    return reverse("grants:request_detail", args=[grant_request.pk])


SIGNATURE = {"signer_name": "Lee  Park", "signer_title": "Director of CME", "authority_confirmed": "on"}


def pay(grant_request, amount, reference="ACH-1", days_ago=0):
    return services.record_payment(
        grant_request, by=finance_officer(), amount=Decimal(amount), method=PaymentMethod.ACH, reference=reference,
        paid_on=timezone.localdate() - timedelta(days=days_ago),
    )  # fmt: skip


def reissue_with_new_dates(grant_request):
    change = pending_change(grant_request, ChangeKind.DATES, new_end_date=grant_request.end_date + timedelta(days=1))
    services.decide_change_request(change, by=workflow_admin(), approve=True, note="New end date accepted.")
    grant_request.refresh_from_db()


# --- The panel on the request page -------------------------------------------------------------------


def test_the_request_page_shows_the_letter_its_state_and_the_signers_next_step():
    grant_request = request_at(S.AGREEMENT_SENT)

    page = client_for(signer_of(grant_request)).get(request_page(grant_request)).content.decode()

    assert "Letter of Agreement" in page
    assert "Awaiting the recipient&#x27;s signature" in page
    assert letter_url(grant_request) in page
    assert "Read and sign the agreement" in page
    assert "Sign the agreement" in page
    assert "The executed PDF can be downloaded once both parties have signed." in page
    assert letter_url(grant_request, "agreement_pdf") not in page


def test_another_member_is_told_whom_the_agreement_waits_for():
    grant_request = request_at(S.AGREEMENT_SENT)

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "Waiting for Dr. Lee Park to sign the agreement" in page
    assert "Read the agreement" in page
    assert "Read and sign the agreement" not in page


def test_once_signed_the_request_page_says_axsome_countersigns_next():
    grant_request = request_at(S.AGREEMENT_SENT)
    client_for(signer_of(grant_request)).post(letter_url(grant_request, "agreement_sign"), SIGNATURE)

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "Waiting for Axsome to countersign the agreement" in page
    assert "Signed by the recipient; awaiting countersignature" in page


def test_an_approved_request_says_the_letter_is_being_prepared():
    grant_request = request_at(S.APPROVED)

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "The IME team is preparing the Letter of Agreement. Dr. Lee Park will get an email" in page
    assert 'id="payments"' not in page


# --- Reading and signing -------------------------------------------------------------------------------


def test_the_signer_reads_the_frozen_letter_and_sees_the_sign_form():
    grant_request = request_at(S.AGREEMENT_SENT)
    letter = current_agreement(grant_request)

    response = client_for(signer_of(grant_request)).get(letter_url(grant_request))

    page = response.content.decode()
    assert response.status_code == 200
    assert "independent educational grant" in page
    assert grant_request.organisation.legal_name in page
    assert letter.text_sha256 in page
    assert 'name="signer_name"' in page and 'name="authority_confirmed"' in page
    assert f"I confirm that I am authorized to sign this agreement for {grant_request.organisation.legal_name}" in page
    assert 'value="Director of CME"' in page  # the title named on the request, to confirm or correct
    assert "<script>" not in page and "style=" not in page


def test_signing_records_the_typed_name_title_time_ip_browser_and_hash():
    grant_request = request_at(S.AGREEMENT_SENT)
    signer = signer_of(grant_request)
    browser = client_for(signer)

    response = browser.post(
        letter_url(grant_request, "agreement_sign"), SIGNATURE, HTTP_USER_AGENT="Mozilla/5.0 (Signer's laptop)",
        REMOTE_ADDR="203.0.113.50",
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == letter_url(grant_request)
    letter = current_agreement(grant_request)
    assert letter.signed_by == signer
    assert letter.signer_name == "Lee Park"
    assert letter.signer_title == "Director of CME"
    assert letter.signer_ip == "203.0.113.50"
    assert letter.signer_user_agent == "Mozilla/5.0 (Signer's laptop)"
    assert letter.signed_sha256 == text_hash(letter.text)
    assert letter.is_signed
    page = browser.get(letter_url(grant_request)).content.decode()
    assert "the agreement is signed" in page
    assert "Signed by <strong>Lee Park</strong>, Director of CME, on" in page
    assert letter.signed_sha256 in page
    assert 'name="signer_name"' not in page


def test_the_ip_recorded_is_the_visitors_behind_the_trusted_proxy(settings):
    settings.IME_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    grant_request = request_at(S.AGREEMENT_SENT)

    client_for(signer_of(grant_request)).post(
        letter_url(grant_request, "agreement_sign"), SIGNATURE, REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )  # fmt: skip

    assert current_agreement(grant_request).signer_ip == "198.51.100.23"


def test_signing_without_name_or_confirmation_is_refused_keeping_what_was_typed():
    grant_request = request_at(S.AGREEMENT_SENT)

    response = client_for(signer_of(grant_request)).post(
        letter_url(grant_request, "agreement_sign"), {"signer_name": "", "signer_title": "Chief Learning Officer"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "The agreement was not signed." in page
    assert "Type your full name: it is your signature." in page
    assert "Confirm that you are authorized to sign for the organization." in page
    assert 'value="Chief Learning Officer"' in page
    assert not current_agreement(grant_request).is_signed


def test_another_member_reads_the_letter_but_is_told_who_may_sign_and_gets_no_form():
    grant_request = request_at(S.AGREEMENT_SENT)
    colleague = grant_request.created_by

    page = client_for(colleague).get(letter_url(grant_request)).content.decode()

    assert "independent educational grant" in page
    assert "Only the authorized signer named on this request, Dr. Lee Park (lee.park@provider.example.org)" in page
    assert 'name="signer_name"' not in page


def test_another_member_posting_a_signature_is_refused_and_nothing_is_signed():
    grant_request = request_at(S.AGREEMENT_SENT)

    response = client_for(grant_request.created_by).post(letter_url(grant_request, "agreement_sign"), SIGNATURE)

    assert response.status_code == 403
    assert "Only the authorized signer named on this request, Dr. Lee Park" in response.content.decode()
    assert not current_agreement(grant_request).is_signed


def test_a_second_signature_changes_nothing_and_shows_the_letter_signed():
    grant_request = request_at(S.AGREEMENT_SENT)
    signer = client_for(signer_of(grant_request))
    signer.post(letter_url(grant_request, "agreement_sign"), SIGNATURE)
    first = current_agreement(grant_request)

    response = signer.post(
        letter_url(grant_request, "agreement_sign"), {**SIGNATURE, "signer_name": "Someone Else"}, follow=True
    )

    again = current_agreement(grant_request)
    assert (again.signed_at, again.signer_name) == (first.signed_at, "Lee Park")
    page = response.content.decode()
    assert "This version of the agreement is already signed; nothing was changed." in page
    assert "Signed by <strong>Lee Park</strong>" in page
    assert grant_request.status_changes.filter(transition="sign_agreement").count() == 1


def test_a_superseded_version_says_a_newer_one_exists_and_cannot_be_signed():
    grant_request = request_at(S.AGREEMENT_SENT)
    old_version = current_agreement(grant_request).version
    reissue_with_new_dates(grant_request)
    signer = client_for(signer_of(grant_request))

    page = signer.get(letter_url(grant_request, version=old_version)).content.decode()
    assert "This version was replaced by a newer version of the agreement" in page
    assert letter_url(grant_request, version=old_version + 1) in page
    assert 'name="signer_name"' not in page
    assert "Superseded" in page

    response = signer.post(letter_url(grant_request, "agreement_sign", version=old_version), SIGNATURE, follow=True)
    assert "Version 1 was replaced by a newer version: nothing was signed." in response.content.decode()
    assert not grant_request.agreements.filter(signed_at__isnull=False).exists()


def test_a_letter_that_is_no_longer_signable_shows_no_form_after_cancellation():
    grant_request = request_at(S.AGREEMENT_SENT)
    services.cancel_grant(grant_request, by=workflow_admin(), reason="The program was called off.")

    page = client_for(signer_of(grant_request)).get(letter_url(grant_request)).content.decode()

    assert 'name="signer_name"' not in page


# --- The executed PDF's door ---------------------------------------------------------------------------


def test_an_unexecuted_letter_has_no_pdf_and_says_so():
    grant_request = request_at(S.AGREEMENT_SENT)
    signer = client_for(signer_of(grant_request))

    assert signer.get(letter_url(grant_request, "agreement_pdf")).status_code == 404
    page = signer.get(letter_url(grant_request)).content.decode()
    assert "The PDF can be downloaded once both parties have signed." in page


def test_the_executed_letter_is_downloaded_by_any_member_as_a_pdf_attachment():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    member = client_for(grant_request.created_by)

    page = member.get(request_page(grant_request)).content.decode()
    assert letter_url(grant_request, "agreement_pdf") in page
    response = member.get(letter_url(grant_request, "agreement_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{grant_request.reference} Letter of Agreement v1.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")


def test_a_second_organization_gets_404_on_every_agreement_url(other_applicant_client):
    grant_request = request_at(S.AGREEMENT_SIGNED)
    urls = [letter_url(grant_request, name) for name in ("agreement_detail", "agreement_pdf")]

    for url in urls:
        assert other_applicant_client.get(url).status_code == 404, url
    assert other_applicant_client.post(letter_url(grant_request, "agreement_sign"), SIGNATURE).status_code == 404
    assert other_applicant_client.get(request_page(grant_request)).status_code == 404


def test_an_unknown_version_is_404():
    grant_request = request_at(S.AGREEMENT_SENT)
    assert client_for(grant_request.created_by).get(letter_url(grant_request, version=9)).status_code == 404


# --- Payments -------------------------------------------------------------------------------------------


def test_the_request_page_lists_the_payments_and_what_remains():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    pay(grant_request, "10000.00", reference="ACH-20270101-01", days_ago=3)
    pay(grant_request, "5000.00", reference="ACH-20270115-02")

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "ACH-20270101-01" in page and "ACH-20270115-02" in page
    assert "$10,000.00" in page and "$5,000.00" in page
    assert "ACH transfer" in page
    assert (timezone.localdate() - timedelta(days=3)).strftime("%B %-d, %Y") in page
    assert "Paid <strong>$15,000.00</strong> of the $25,000.00 approved; <strong>$10,000.00</strong> remains" in page
    assert "Waiting for the rest of the payment" in page


def test_without_a_current_w9_the_applicant_is_asked_for_one_with_a_link_to_the_organization():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    organisation = grant_request.organisation
    give_current_w9(organisation)
    organisation.w9_signed_on = timezone.localdate() - timedelta(days=400)
    organisation.save()

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "Upload a current W-9." in page
    assert "The W-9 on file was signed more than 365 days ago." in page
    assert reverse("grants:organisation_detail") in page
    assert "Upload a current W-9 so the grant can be paid" in page  # the next action


def test_a_current_w9_asks_for_nothing():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "Upload a current W-9" not in page
    assert "No payment has been made yet." in page
    assert "Waiting for payment" in page


def test_a_paid_grant_shows_it_paid_in_full():
    grant_request = request_at(S.PAID)

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "Paid <strong>$25,000.00</strong> of the $25,000.00 approved; <strong>$0.00</strong> remains" in page
    assert "Run the program" in page


# --- Query counts -----------------------------------------------------------------------------------------


def queries_for(client, url) -> int:
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_request_page_costs_the_same_with_one_payment_or_several():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    member = client_for(grant_request.created_by)
    pay(grant_request, "1000.00")
    few = queries_for(member, request_page(grant_request))
    for n in range(4):
        pay(grant_request, "1000.00", reference=f"ACH-{n}")
    many = queries_for(member, request_page(grant_request))

    print(f"request page in agreement signed: {few} queries with 1 payment, {many} with 5")
    assert few == many


def test_the_agreement_page_costs_the_same_with_one_version_or_several():
    grant_request = request_at(S.AGREEMENT_SENT)
    signer = client_for(signer_of(grant_request))
    few = queries_for(signer, letter_url(grant_request))
    reissue_with_new_dates(grant_request)
    reissue_with_new_dates(grant_request)
    many = queries_for(signer, letter_url(grant_request))

    print(f"agreement page: {few} queries with 1 version, {many} with 3")
    assert few == many


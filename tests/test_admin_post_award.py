"""The staff side after approval in the admin (SPEC §4a, issue 9): the action pages for issuing,
countersigning, payments, cancellation and refunds; the request page's panels; deciding change
requests from their panel; the queue's post-award filter; the agreement templates; the read-only
lists. Every state is reached through the workflow."""

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import Agreement, AgreementTemplate, ChangeKind, ChangeStatus, GrantRequest, Payment, Refund
from grants.post_award import current_agreement
from grants.services import post_award as services
from grants.status import GrantStatus as S
from workflow.roles import Role

from .factories import staff_with_role
from .workflow_steps import finance_officer, give_current_w9, pending_change, request_at, signer_of, workflow_admin

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
SIGNERS = itertools.count(1)


def another(status):
    """A request of a new organization whose signer is a person of their own (each has an account)."""
    return request_at(status, signer_email=f"signer{next(SIGNERS)}@provider.example.org")


def page_url(grant_request):
    return reverse("admin:grants_grantrequest_change", args=[grant_request.pk])


def action_url(grant_request, name):
    return reverse("admin:grants_grantrequest_action", args=[grant_request.pk, name])


def decide_url(grant_request, change):
    return reverse("admin:grants_grantrequest_decide_change", args=[grant_request.pk, change.pk])


def flash(response) -> str:
    return " | ".join(str(m) for m in get_messages(response.wsgi_request))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def status_of(grant_request):
    return GrantRequest.objects.get(pk=grant_request.pk).status


def title_of(response) -> str:
    page = response.content.decode()
    return page[page.index("<title>") + 7 : page.index("</title>")]


def sign(grant_request):
    return services.sign_agreement(
        grant_request, current_agreement(grant_request), by=signer_of(grant_request), signer_name="Lee Park",
        signer_title="Director of CME", authority_confirmed=True, ip="203.0.113.7", user_agent="Mozilla/5.0 (pytest)",
    )  # fmt: skip


def payment_form(grant_request, amount, **overrides):
    return {
        "expected_status": grant_request.status, "amount": str(amount), "method": "wire",
        "reference": "WIRE-2027-001", "paid_on": TODAY().isoformat(), **overrides,
    }  # fmt: skip


# --- Which actions are offered -----------------------------------------------------------------


def test_finance_gets_one_record_a_payment_button_not_the_two_rows():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    page = signed_in(finance_officer()).get(page_url(grant_request)).content.decode()

    assert action_url(grant_request, "record_payment") in page
    assert page.count(">Record a payment</a>") == 2  # the actions and the payments panel
    assert action_url(grant_request, "record_instalment") not in page
    assert action_url(grant_request, "record_final_payment") not in page


@pytest.mark.parametrize(
    "name", ["record_instalment", "record_final_payment", "cancel", "cancel_with_refund", "sign_agreement",
             "file_change_request", "confirm_paid", "start_program", "end_program", "approve_change",
             "approve_change_and_reissue", "refuse_change", "no_such_action"],
)  # fmt: skip
def test_rows_that_are_not_staff_buttons_have_no_action_page(name):
    grant_request = request_at(S.AGREEMENT_SIGNED)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR, is_superuser=True))

    assert client.get(action_url(grant_request, name)).status_code == 404
    assert client.post(action_url(grant_request, name), {"expected_status": S.AGREEMENT_SIGNED}).status_code == 404


def test_coordinator_at_approval_may_issue_and_cancel_but_not_countersign_or_pay():
    grant_request = request_at(S.APPROVED)
    page = signed_in(staff_with_role(Role.COORDINATOR)).get(page_url(grant_request)).content.decode()

    shown = {n for n in ("issue_agreement", "cancel_grant", "countersign_agreement", "record_payment")
             if action_url(grant_request, n) in page}  # fmt: skip
    assert shown == {"issue_agreement", "cancel_grant"}


# --- Issuing -------------------------------------------------------------------------------------


def test_issuing_from_its_confirmation_page():
    grant_request = request_at(S.APPROVED)
    coordinator = staff_with_role(Role.COORDINATOR)
    client = signed_in(coordinator)

    confirmation = client.get(action_url(grant_request, "issue_agreement"))
    assert confirmation.status_code == 200
    assert "moves from “Approved” to “Agreement sent”" in confirmation.content.decode()

    response = client.post(
        action_url(grant_request, "issue_agreement"), {"expected_status": S.APPROVED, "note": "Standard terms."}
    )
    assert response.status_code == 302
    assert status_of(grant_request) == S.AGREEMENT_SENT
    letter = current_agreement(grant_request)
    assert (letter.version, letter.issued_by) == (1, coordinator)
    assert "moved from Approved to Agreement sent" in flash(response)


def test_issuing_without_a_published_template_is_refused_on_the_form():
    grant_request = request_at(S.APPROVED)
    AgreementTemplate.objects.update(published=False)
    client = signed_in(staff_with_role(Role.COORDINATOR))

    response = client.post(
        action_url(grant_request, "issue_agreement"), {"expected_status": S.APPROVED, "note": "Kept note"}
    )
    assert response.status_code == 200
    assert title_of(response).startswith("Error:")
    assert "No agreement template is published" in response.content.decode()
    assert "Kept note" in response.content.decode()
    assert status_of(grant_request) == S.APPROVED


@pytest.mark.parametrize("role", [Role.FINANCE, Role.COMPLIANCE, Role.MEDICAL, Role.COMMITTEE])
def test_only_the_grants_office_issues(role):
    grant_request = request_at(S.APPROVED)
    client = signed_in(staff_with_role(role))

    opened = client.get(action_url(grant_request, "issue_agreement"))
    posted = client.post(action_url(grant_request, "issue_agreement"), {"expected_status": S.APPROVED})

    assert opened.status_code == 302 and "You do not have a role" in flash(opened)
    assert posted.status_code == 302 and "You do not have a role" in flash(posted)
    assert status_of(grant_request) == S.APPROVED
    assert not Agreement.objects.filter(grant_request=grant_request).exists()


# --- Countersigning ---------------------------------------------------------------------------------


def test_the_administrator_countersigns_a_signed_letter_and_the_address_is_recorded():
    grant_request = request_at(S.AGREEMENT_SENT)
    sign(grant_request)
    administrator = staff_with_role(Role.ADMINISTRATOR, first_name="Morgan", last_name="Reyes")
    client = signed_in(administrator)

    page = client.get(page_url(grant_request)).content.decode()
    assert action_url(grant_request, "countersign_agreement") in page
    response = client.post(
        action_url(grant_request, "countersign_agreement"),
        {"expected_status": S.AGREEMENT_SENT, "signer_title": "Vice President, Medical Affairs"},
        REMOTE_ADDR="198.51.100.23",
    )

    assert response.status_code == 302
    assert status_of(grant_request) == S.AGREEMENT_SIGNED
    letter = current_agreement(grant_request)
    assert letter.is_executed
    assert (letter.countersigned_by, letter.countersigner_title) == (administrator, "Vice President, Medical Affairs")
    assert letter.countersigner_ip == "198.51.100.23"


def test_countersigning_before_the_recipient_signs_is_explained_not_offered():
    grant_request = request_at(S.AGREEMENT_SENT)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))

    page = client.get(page_url(grant_request)).content.decode()
    assert action_url(grant_request, "countersign_agreement") not in page
    assert "Countersigning is not possible yet" in page and "has not signed this version yet" in page
    opened = client.get(action_url(grant_request, "countersign_agreement"))
    assert opened.status_code == 302 and "has not signed this version yet" in flash(opened)

    posted = client.post(
        action_url(grant_request, "countersign_agreement"),
        {"expected_status": S.AGREEMENT_SENT, "signer_title": "Vice President"},
    )
    assert posted.status_code == 200 and title_of(posted).startswith("Error:")
    assert "has not signed this version yet" in posted.content.decode()
    assert 'value="Vice President"' in posted.content.decode()
    assert status_of(grant_request) == S.AGREEMENT_SENT


def test_countersigning_after_the_program_started_says_why():
    grant_request = request_at(S.AGREEMENT_SENT)
    sign(grant_request)
    GrantRequest.objects.filter(pk=grant_request.pk).update(start_date=TODAY() - timedelta(days=1))
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))

    page = client.get(page_url(grant_request)).content.decode()

    assert "Countersigning is not possible yet" in page and "an agreement must be executed before" in page


def test_countersigning_needs_a_title():
    grant_request = request_at(S.AGREEMENT_SENT)
    sign(grant_request)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))

    response = client.post(action_url(grant_request, "countersign_agreement"), {"expected_status": S.AGREEMENT_SENT})

    assert response.status_code == 200 and title_of(response).startswith("Error:")
    assert "Enter your title" in response.content.decode()
    assert status_of(grant_request) == S.AGREEMENT_SENT


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FINANCE, Role.COMMITTEE])
def test_only_the_administrator_countersigns(role):
    grant_request = request_at(S.AGREEMENT_SENT)
    sign(grant_request)
    client = signed_in(staff_with_role(role))

    page = client.get(page_url(grant_request)).content.decode()
    assert action_url(grant_request, "countersign_agreement") not in page
    response = client.post(
        action_url(grant_request, "countersign_agreement"),
        {"expected_status": S.AGREEMENT_SENT, "signer_title": "Director"},
    )
    assert response.status_code == 302 and "You do not have a role" in flash(response)
    assert current_agreement(grant_request).countersigned_at is None


# --- Payments -------------------------------------------------------------------------------------


def test_finance_records_an_instalment_then_the_final_payment():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    client = signed_in(finance_officer())

    confirmation = client.get(action_url(grant_request, "record_payment"))
    assert confirmation.status_code == 200
    assert "$25,000.00 remains" in confirmation.content.decode()

    first = client.post(action_url(grant_request, "record_payment"), payment_form(grant_request, "10000.00"))
    assert first.status_code == 302
    assert "the request stays Agreement signed" in flash(first)
    assert status_of(grant_request) == S.AGREEMENT_SIGNED

    final = client.post(action_url(grant_request, "record_payment"), payment_form(grant_request, "15000.00"))
    assert final.status_code == 302
    assert status_of(grant_request) == S.PAID
    assert sorted(Payment.objects.filter(grant_request=grant_request).values_list("amount", flat=True)) == [
        Decimal("10000.00"), Decimal("15000.00"),
    ]  # fmt: skip


def test_a_payment_above_the_approved_amount_is_refused_with_the_values_kept():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    client = signed_in(finance_officer())

    response = client.post(action_url(grant_request, "record_payment"), payment_form(grant_request, "30000.00"))

    page = response.content.decode()
    assert response.status_code == 200 and title_of(response).startswith("Error:")
    assert "would take the payments above the approved $25,000.00" in page
    assert 'value="30000.00"' in page and 'value="WIRE-2027-001"' in page
    assert not Payment.objects.exists()


def test_a_payment_without_a_current_w9_is_refused_and_the_panel_says_why():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    grant_request.organisation.w9_signed_on = TODAY() - timedelta(days=400)
    grant_request.organisation.save()
    client = signed_in(finance_officer())

    panel = client.get(page_url(grant_request)).content.decode()
    response = client.post(action_url(grant_request, "record_payment"), payment_form(grant_request, "1000.00"))

    assert "Payments are blocked" in panel and "more than 365 days ago" in panel
    assert response.status_code == 200 and "more than 365 days ago" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_payment_form_with_bad_input_says_so_field_by_field():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    client = signed_in(finance_officer())

    response = client.post(
        action_url(grant_request, "record_payment"),
        payment_form(grant_request, "", method="", reference="", paid_on="not a date"),
    )

    page = response.content.decode()
    assert response.status_code == 200 and title_of(response).startswith("Error:")
    for message in ("Enter the amount paid", "Choose how the payment was made", "Enter the payment reference"):
        assert message in page
    assert 'value="not a date"' in page


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_only_finance_records_payments(role):
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    client = signed_in(staff_with_role(role))

    response = client.post(action_url(grant_request, "record_payment"), payment_form(grant_request, "25000.00"))

    assert response.status_code == 302 and "You do not have a role" in flash(response)
    assert not Payment.objects.exists()


# --- Cancelling and the refund ----------------------------------------------------------------------


def test_cancelling_before_any_payment_ends_the_grant_at_once():
    grant_request = request_at(S.APPROVED)
    client = signed_in(staff_with_role(Role.COORDINATOR))

    confirmation = client.get(action_url(grant_request, "cancel_grant")).content.decode()
    assert "moves from “Approved” to “Cancelled”" in confirmation
    response = client.post(
        action_url(grant_request, "cancel_grant"), {"expected_status": S.APPROVED, "reason": "Program dropped."}
    )

    assert response.status_code == 302 and status_of(grant_request) == S.CANCELLED


def test_cancelling_a_paid_grant_makes_a_refund_due_that_finance_records():
    grant_request = request_at(S.PAID)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))

    assert "Cancelled — refund due" in client.get(action_url(grant_request, "cancel_grant")).content.decode()
    empty = client.post(action_url(grant_request, "cancel_grant"), {"expected_status": S.PAID, "reason": " "})
    assert empty.status_code == 200 and "Write why the grant is cancelled" in empty.content.decode()
    client.post(action_url(grant_request, "cancel_grant"), {"expected_status": S.PAID, "reason": "Hospital closed."})
    grant_request.refresh_from_db()
    assert grant_request.status == S.CANCELLATION_REFUND_DUE and grant_request.refund_due == Decimal("25000.00")

    finance = signed_in(finance_officer())
    panel = finance.get(page_url(grant_request)).content.decode()
    assert "Refund due" in panel and action_url(grant_request, "record_cancellation_refund") in panel
    form = {"expected_status": S.CANCELLATION_REFUND_DUE, "received_on": TODAY().isoformat(), "reference": "CHK-88"}
    short = finance.post(action_url(grant_request, "record_cancellation_refund"), {**form, "amount": "100.00"})
    assert short.status_code == 200 and "the full $25,000.00 paid" in short.content.decode()
    assert 'value="CHK-88"' in short.content.decode()

    done = finance.post(action_url(grant_request, "record_cancellation_refund"), {**form, "amount": "25000.00"})
    assert done.status_code == 302 and status_of(grant_request) == S.CANCELLED
    refund = Refund.objects.get(grant_request=grant_request)
    assert (refund.cause, refund.amount, refund.reference) == (Refund.Cause.CANCELLATION, Decimal("25000.00"), "CHK-88")
    assert "CHK-88" in finance.get(page_url(grant_request)).content.decode()


def test_a_stale_cancel_click_changes_nothing():
    grant_request = request_at(S.APPROVED)
    client = signed_in(staff_with_role(Role.COORDINATOR))
    client.get(action_url(grant_request, "cancel_grant"))
    services.issue_agreement(grant_request, by=workflow_admin())

    response = client.post(
        action_url(grant_request, "cancel_grant"), {"expected_status": S.APPROVED, "reason": "Program dropped."}
    )

    assert response.status_code == 302 and "already moved to “Agreement sent”" in flash(response)
    assert status_of(grant_request) == S.AGREEMENT_SENT


# --- The agreement panel ------------------------------------------------------------------------


def test_the_agreement_panel_shows_every_version_with_its_signatures_and_text():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    change = pending_change(grant_request, ChangeKind.DATES, new_end_date=grant_request.end_date + timedelta(days=2))
    services.decide_change_request(change, by=workflow_admin(), approve=True, note="New end date approved.")
    first, second = Agreement.objects.filter(grant_request=grant_request).order_by("version")

    page = signed_in(staff_with_role(Role.COMPLIANCE)).get(page_url(grant_request)).content.decode()

    assert "Version 2: Awaiting the recipient&#x27;s signature" in page
    assert "Version 1: Superseded" in page
    assert first.text_sha256 in page and second.text_sha256 in page
    assert "Lee Park, Director of CME" in page and "203.0.113.7" in page
    assert "Senior Director, Medical Affairs" in page  # the first version's countersignature
    assert "<details" in page and "Read the text of version 2 as issued" in page
    assert "Re-issued" in page


# --- Change requests --------------------------------------------------------------------------------


def test_the_pending_change_is_shown_side_by_side_and_decided_by_the_grants_office_only():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    pending_change(grant_request, ChangeKind.DATES, new_end_date=grant_request.end_date + timedelta(days=3))

    coordinator_page = signed_in(staff_with_role(Role.COORDINATOR)).get(page_url(grant_request)).content.decode()
    finance_page = signed_in(finance_officer()).get(page_url(grant_request)).content.decode()

    assert "Awaiting a decision: New dates" in coordinator_page
    assert "Current and proposed values" in coordinator_page and "End date" in coordinator_page
    assert "re-issues the Letter of Agreement" in coordinator_page
    assert "Record the decision" in coordinator_page
    assert "Awaiting a decision: New dates" in finance_page and "Record the decision" not in finance_page


def test_approving_a_dates_change_reissues_the_letter_round_trip():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    new_end = grant_request.end_date + timedelta(days=5)
    change = pending_change(grant_request, ChangeKind.DATES, new_end_date=new_end)
    client = signed_in(staff_with_role(Role.COORDINATOR))

    response = client.post(
        decide_url(grant_request, change),
        {"expected_status": S.AGREEMENT_SIGNED, "decision": "approve", "note": "Fine by us."},
    )

    assert response.status_code == 302 and response["Location"].endswith("#change-requests")
    grant_request.refresh_from_db()
    change.refresh_from_db()
    assert grant_request.status == S.AGREEMENT_SENT and grant_request.end_date == new_end
    assert (change.status, change.reissued_agreement) == (ChangeStatus.APPROVED, True)
    assert change.decision_note == "Fine by us."
    assert current_agreement(grant_request).version == 2

    # Both parties sign the new version again; the page follows.
    sign(grant_request)
    administrator = signed_in(staff_with_role(Role.ADMINISTRATOR))
    administrator.post(
        action_url(grant_request, "countersign_agreement"),
        {"expected_status": S.AGREEMENT_SENT, "signer_title": "Vice President"},
    )
    assert status_of(grant_request) == S.AGREEMENT_SIGNED
    page = administrator.get(page_url(grant_request)).content.decode()
    assert "Version 2: Executed" in page and "the letter was re-issued" in page and "Fine by us." in page


def test_refusing_needs_a_note_and_keeps_what_was_typed():
    grant_request = request_at(S.PAID)
    change = pending_change(grant_request)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))

    response = client.post(decide_url(grant_request, change), {"expected_status": S.PAID, "decision": "refuse"})

    assert response.status_code == 200 and title_of(response).startswith("Error:")
    assert "Write why the change is refused" in response.content.decode()
    assert re.search(r'value="refuse"[^>]*checked', response.content.decode())
    change.refresh_from_db()
    assert change.is_pending

    refused = client.post(
        decide_url(grant_request, change), {"expected_status": S.PAID, "decision": "refuse", "note": "No."}
    )
    change.refresh_from_db()
    assert refused.status_code == 302 and change.status == ChangeStatus.REFUSED
    assert status_of(grant_request) == S.PAID
    again = client.post(decide_url(grant_request, change), {"expected_status": S.PAID, "decision": "approve"})
    assert again.status_code == 302 and "already refused" in flash(again)


def test_a_short_notice_start_needs_the_box_ticked():
    grant_request = request_at(S.APPROVED)
    change = pending_change(grant_request, ChangeKind.DATES, new_start_date=TODAY() + timedelta(days=10))
    client = signed_in(staff_with_role(Role.COORDINATOR))
    page = client.get(page_url(grant_request)).content.decode()
    assert "Short notice" in page and "Accept the short notice" in page

    form = {"expected_status": S.APPROVED, "decision": "approve", "note": "Tight but fine."}
    refused = client.post(decide_url(grant_request, change), form)
    assert refused.status_code == 200 and title_of(refused).startswith("Error:")
    assert "Tick “Accept the short notice”" in refused.content.decode()
    assert "Tight but fine." in refused.content.decode()

    accepted = client.post(decide_url(grant_request, change), {**form, "short_notice_accepted": "on"})
    change.refresh_from_db()
    assert accepted.status_code == 302 and change.status == ChangeStatus.APPROVED and change.short_notice_accepted


@pytest.mark.parametrize("role", [Role.FINANCE, Role.COMPLIANCE, Role.COMMITTEE])
def test_other_roles_cannot_decide_a_change(role):
    grant_request = request_at(S.PAID)
    change = pending_change(grant_request)

    response = signed_in(staff_with_role(role)).post(
        decide_url(grant_request, change), {"expected_status": S.PAID, "decision": "approve", "note": ""}
    )

    assert response.status_code == 302 and "You do not have a role" in flash(response)
    change.refresh_from_db()
    assert change.is_pending


def test_a_stale_change_decision_and_other_urls_are_refused():
    grant_request = another(S.AGREEMENT_SIGNED)
    change = pending_change(grant_request)
    other = another(S.APPROVED)
    client = signed_in(staff_with_role(Role.COORDINATOR))

    stale = client.post(decide_url(grant_request, change), {"expected_status": S.APPROVED, "decision": "approve"})
    assert stale.status_code == 302 and "already moved" in flash(stale)
    assert client.get(decide_url(grant_request, change)).status_code == 405
    assert client.post(decide_url(other, change), {"expected_status": S.APPROVED}).status_code == 404
    assert Client().post(decide_url(grant_request, change)).status_code == 302  # to the sign-in page
    applicant = signed_in(grant_request.created_by)
    assert applicant.post(decide_url(grant_request, change), {"decision": "approve"}).status_code == 302
    change.refresh_from_db()
    assert change.is_pending


def test_the_decision_form_is_csrf_protected():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    change = pending_change(grant_request)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_with_role(Role.COORDINATOR))

    response = client.post(decide_url(grant_request, change), {"expected_status": S.AGREEMENT_SIGNED,
                                                                "decision": "refuse", "note": "No."})  # fmt: skip

    assert response.status_code == 403
    change.refresh_from_db()
    assert change.is_pending


# --- The queue -----------------------------------------------------------------------------------


def test_the_post_award_filter_finds_each_stage():
    unsigned = another(S.AGREEMENT_SENT)
    signed = another(S.AGREEMENT_SENT)
    sign(signed)
    executed = another(S.AGREEMENT_SIGNED)
    changing = another(S.PAID)
    pending_change(changing)
    refund = another(S.CANCELLATION_REFUND_DUE)
    client = signed_in(finance_officer())

    def found(value):
        page = client.get(reverse("admin:grants_grantrequest_changelist"), {"post_award": value}).content.decode()
        return {gr for gr in (unsigned, signed, executed, changing, refund) if page_url(gr) in page}

    assert found("awaiting_signature") == {unsigned}
    assert found("awaiting_countersignature") == {signed}
    assert found("awaiting_payment") == {executed}
    assert found("change_pending") == {changing}
    assert found("refund_due") == {refund}
    status_page = client.get(reverse("admin:grants_grantrequest_changelist"), {"status": S.CANCELLATION_REFUND_DUE})
    assert page_url(refund) in status_page.content.decode() and "Cancelled — refund due" in status_page.content.decode()


# --- Agreement templates -------------------------------------------------------------------------


def template_form(**overrides):
    return {"title": "Letter of Agreement", "body": "Grant {{ grant_number }} for {{ approved_amount }}.",
            "published": "on", "note": "Shorter wording", **overrides}  # fmt: skip


def test_a_new_version_starts_from_the_newest_text_and_is_used_once_published():
    newest = AgreementTemplate.objects.order_by("-version").first()
    administrator = staff_with_role(Role.ADMINISTRATOR)
    client = signed_in(administrator)

    add_page = client.get(reverse("admin:grants_agreementtemplate_add")).content.decode()
    assert newest.body.splitlines()[0] in add_page
    assert "{{ grant_number }}" in add_page  # the placeholder list

    response = client.post(reverse("admin:grants_agreementtemplate_add"), template_form())
    assert response.status_code == 302
    created = AgreementTemplate.objects.order_by("-version").first()
    assert (created.version, created.created_by, created.published) == (newest.version + 1, administrator, True)
    assert AgreementTemplate.current() == created
    grant_request = another(S.AGREEMENT_SENT)
    assert current_agreement(grant_request).text.strip() == f"Grant {grant_request.reference} for $25,000.00."


def test_unknown_placeholders_are_refused():
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))
    before = AgreementTemplate.objects.count()

    response = client.post(reverse("admin:grants_agreementtemplate_add"), template_form(body="Pay {{ bank_account }}."))

    assert response.status_code == 200
    assert "Unknown placeholders: bank_account" in response.content.decode()
    assert "Pay {{ bank_account }}." in response.content.decode()
    assert AgreementTemplate.objects.count() == before


def test_a_version_letters_were_issued_from_is_read_only_and_coordinators_only_read():
    request_at(S.AGREEMENT_SENT)
    used = AgreementTemplate.current()
    url = reverse("admin:grants_agreementtemplate_change", args=[used.pk])
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))

    page = client.get(url).content.decode()
    client.post(url, template_form(body="Changed after signing."))

    assert 'name="body"' not in page and 'name="published"' in page
    used.refresh_from_db()
    assert used.body != "Changed after signing."

    coordinator = signed_in(staff_with_role(Role.COORDINATOR))
    assert coordinator.get(url).status_code == 200
    assert 'name="body"' not in coordinator.get(url).content.decode()
    assert coordinator.get(reverse("admin:grants_agreementtemplate_add")).status_code == 403
    assert coordinator.post(reverse("admin:grants_agreementtemplate_add"), template_form()).status_code == 403


# --- Read-only lists and exports ----------------------------------------------------------------


def test_finance_reads_and_exports_payments_with_money_as_numbers():
    grant_request = request_at(S.PAID)
    client = signed_in(finance_officer())

    listing = client.get(reverse("admin:grants_payment_changelist"))
    export = client.get(reverse("admin:grants_payment_export_csv"))

    assert listing.status_code == 200 and "$25,000.00" in listing.content.decode()
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Amount (USD)" in body and "25000.00" in body and grant_request.reference in body
    assert TODAY().isoformat() in body


def test_the_lists_are_read_only():
    grant_request = request_at(S.PAID)
    payment = Payment.objects.get(grant_request=grant_request)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))

    change_page = client.get(reverse("admin:grants_payment_change", args=[payment.pk])).content.decode()
    client.post(reverse("admin:grants_payment_change", args=[payment.pk]), {"amount": "1.00"})

    assert 'name="amount"' not in change_page
    payment.refresh_from_db()
    assert payment.amount == Decimal("25000.00")
    assert client.get(reverse("admin:grants_payment_add")).status_code == 403


LISTS = ["grants_agreement", "grants_payment", "grants_refund", "grants_changerequest", "grants_agreementtemplate"]


def _list_queries(client, name) -> int:
    url = reverse(f"admin:{name}_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more_post_award_records():
    grant_request = another(S.CANCELLATION_REFUND_DUE)
    pending_change(another(S.PAID))
    services.record_cancellation_refund(
        grant_request, by=finance_officer(), amount=grant_request.refund_due, received_on=TODAY(), reference="R-1"
    )
    AgreementTemplate.objects.create(title="Letter", body="Grant {{ grant_number }}.", published=False)


def test_the_post_award_lists_cost_the_same_with_few_and_many_rows():
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))
    _more_post_award_records()
    few = {name: _list_queries(client, name) for name in LISTS}
    for _ in range(3):
        _more_post_award_records()
    many = {name: _list_queries(client, name) for name in LISTS}
    assert many == few


# --- The request page's cost ----------------------------------------------------------------------


def _page_queries(client, grant_request) -> int:
    client.get(page_url(grant_request))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url(grant_request)).status_code == 200
    return len(captured)


def _reissue(grant_request, days):
    change = pending_change(grant_request, ChangeKind.DATES, new_end_date=grant_request.end_date + timedelta(days=days))
    services.decide_change_request(change, by=workflow_admin(), approve=True, note=f"Moved {days} days.")
    sign(grant_request)
    services.countersign_agreement(grant_request, by=workflow_admin(), signer_title="Director")


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.FINANCE])
def test_the_request_page_costs_the_same_with_one_and_several_versions_payments_and_changes(role):
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    client = signed_in(staff_with_role(role))
    services.record_payment(grant_request, by=finance_officer(), amount=Decimal("1000.00"), method="ach",
                            reference="P-1", paid_on=TODAY())  # fmt: skip
    pending_change(grant_request)
    few = _page_queries(client, grant_request)

    services.decide_change_request(pending_change(grant_request), by=workflow_admin(), approve=False, note="No.")
    for n in range(2, 5):
        _reissue(grant_request, n)
        services.record_payment(grant_request, by=finance_officer(), amount=Decimal("1000.00"), method="wire",
                                reference=f"P-{n}", paid_on=TODAY())  # fmt: skip
    pending_change(grant_request)
    assert Agreement.objects.filter(grant_request=grant_request).count() == 4
    many = _page_queries(client, grant_request)

    assert many == few


@pytest.mark.parametrize(
    "status", [S.APPROVED, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, S.PAID, S.IN_PROGRESS, S.RECONCILIATION_DUE,
               S.CANCELLED, S.CANCELLATION_REFUND_DUE],
)  # fmt: skip
def test_the_request_page_opens_in_every_post_award_state(status):
    grant_request = request_at(status)
    for role in (Role.COORDINATOR, Role.ADMINISTRATOR, Role.FINANCE, Role.MEDICAL):
        response = signed_in(staff_with_role(role)).get(page_url(grant_request))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="agreement-heading"' in page and 'id="payments-heading"' in page


@pytest.mark.parametrize("status", [S.APPROVED, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, S.PAID, S.IN_PROGRESS])
def test_the_request_page_costs_the_same_with_one_and_several_change_requests_in_each_state(status):
    grant_request = request_at(status)
    client = signed_in(staff_with_role(Role.COORDINATOR))
    pending_change(grant_request)
    few = _page_queries(client, grant_request)

    for n in range(3):
        change = pending_change(grant_request)
        services.decide_change_request(change, by=workflow_admin(), approve=False, note=f"No {n}.")
    pending_change(grant_request)
    many = _page_queries(client, grant_request)

    assert status_of(grant_request) == status
    assert many == few


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_post_award_list_exports_its_rows(file_format):
    _more_post_award_records()
    client = signed_in(staff_with_role(Role.COMPLIANCE))
    headers = {"grants_agreement": "SHA-256 of the letter", "grants_payment": "Amount (USD)",
               "grants_refund": "Amount received (USD)", "grants_changerequest": "Letter re-issued"}  # fmt: skip

    for name, header in headers.items():
        response = client.get(reverse(f"admin:{name}_export_{file_format}"))
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content)
        if file_format == "csv":
            text = body.decode("utf-8-sig")
            assert header in text and len(text.strip().splitlines()) >= 2, name
        else:
            assert body[:2] == b"PK", name  # a zip container, as every XLSX is
    assert client.get(reverse("admin:grants_payment_export_csv")).status_code == 200
    denied = signed_in(staff_with_role(Role.MEDICAL)).get(reverse("admin:grants_payment_export_csv"))
    assert denied.status_code == 403

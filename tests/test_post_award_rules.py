"""The post-award rules (SPEC §4a) through the services the pages call: signatures, payments, the daily
moves, change requests and cancellation. Every state is reached through the workflow."""

import datetime
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.models import Agreement, ChangeKind, ChangeStatus, GrantRequest, Membership, PaymentMethod, StatusChange
from grants.models.agreements import text_hash
from grants.post_award import amount_paid, current_agreement
from grants.services import post_award as services
from grants.status import GrantStatus as S
from outbox.models import Email
from workflow.engine import NotAllowed

from .factories import applicant
from .workflow_steps import finance_officer, give_current_w9, request_at, signer_of, workflow_admin

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def sign(grant_request, by=None, agreement=None):
    return services.sign_agreement(
        grant_request, agreement or current_agreement(grant_request), by=by or signer_of(grant_request),
        signer_name="Lee Park", signer_title="Director of CME", authority_confirmed=True, ip="203.0.113.7",
        user_agent="Mozilla/5.0 (test)",
    )  # fmt: skip


def countersign(grant_request):
    return services.countersign_agreement(grant_request, by=workflow_admin(), signer_title="Senior Director")


def pay(grant_request, amount, by=None):
    return services.record_payment(
        grant_request, by=by or finance_officer(), amount=Decimal(amount), method=PaymentMethod.WIRE,
        reference="WIRE-001", paid_on=TODAY(),
    )  # fmt: skip


# --- The letter -----------------------------------------------------------------------------------


def test_issuing_freezes_the_letter_with_the_parties_amount_and_terms():
    grant_request = request_at(S.AGREEMENT_SENT)
    letter = current_agreement(grant_request)
    assert letter.version == 1
    assert grant_request.reference in letter.text
    assert grant_request.organisation.legal_name in letter.text
    assert grant_request.organisation.ein in letter.text
    assert "$25,000.00" in letter.text
    assert "independent educational grant" in letter.text
    assert "60 days" in letter.text
    assert letter.text_sha256 == text_hash(letter.text)
    mail = Email.objects.filter(template="agreement_issued").get()
    assert grant_request.signer_email in mail.to


def test_the_email_invites_a_signer_without_an_account_in_the_organization():
    grant_request = request_at(S.AGREEMENT_SENT)
    invitation = grant_request.organisation.invitations.get()
    assert invitation.email == grant_request.signer_email
    mail = Email.objects.get(template="agreement_issued")
    assert mail.carries_secret  # the invitation link is sealed in the outbox


def test_an_issued_letter_text_cannot_be_edited():
    letter = current_agreement(request_at(S.AGREEMENT_SENT))
    letter.text += "An extra clause."
    with pytest.raises(ValueError, match="cannot change"):
        letter.save()


def test_signature_records_name_title_time_ip_browser_and_the_letter_hash():
    grant_request = request_at(S.AGREEMENT_SENT)
    letter = sign(grant_request)
    assert (letter.signer_name, letter.signer_title, letter.signer_ip) == ("Lee Park", "Director of CME", "203.0.113.7")
    assert letter.signer_user_agent == "Mozilla/5.0 (test)"
    assert letter.signed_at is not None and letter.signed_by == signer_of(grant_request)
    assert letter.signed_sha256 == text_hash(letter.text)
    assert Email.objects.filter(template="agreement_signed_alert").count() == 1


def test_another_member_of_the_organization_may_not_sign():
    grant_request = request_at(S.AGREEMENT_SENT)
    other = applicant(organisation=grant_request.organisation, role=Membership.Role.MEMBER)
    with pytest.raises(NotAllowed, match="Only the authorized signer named on this request"):
        sign(grant_request, by=other)
    assert not current_agreement(grant_request).is_signed


def test_signing_twice_keeps_the_first_signature():
    grant_request = request_at(S.AGREEMENT_SENT)
    first = sign(grant_request)
    second = sign(grant_request)
    assert second.signed_at == first.signed_at
    assert StatusChange.objects.filter(grant_request=grant_request, transition="sign_agreement").count() == 1


def test_a_superseded_version_cannot_be_signed():
    grant_request = request_at(S.AGREEMENT_SENT)
    old = current_agreement(grant_request)
    change = services.file_change_request(
        grant_request, by=grant_request.created_by, kind=ChangeKind.DATES, reason="Faculty availability.",
        new_end_date=grant_request.end_date + timedelta(days=2),
    )  # fmt: skip
    services.decide_change_request(change, by=workflow_admin(), approve=True)
    with pytest.raises(ValidationError, match="replaced by a newer version"):
        sign(grant_request, agreement=old)


def test_countersigning_before_the_recipient_signs_is_refused():
    grant_request = request_at(S.AGREEMENT_SENT)
    with pytest.raises(ValidationError, match="has not signed"):
        countersign(grant_request)
    assert GrantRequest.objects.get(pk=grant_request.pk).status == S.AGREEMENT_SENT


def test_executing_after_the_program_started_is_refused_and_says_why():
    grant_request = request_at(S.AGREEMENT_SENT)
    sign(grant_request)
    GrantRequest.objects.filter(pk=grant_request.pk).update(start_date=TODAY())
    grant_request.refresh_from_db()
    with pytest.raises(ValidationError, match="must be executed before the education starts"):
        countersign(grant_request)


def test_countersigning_executes_the_agreement():
    grant_request = request_at(S.AGREEMENT_SENT)
    sign(grant_request)
    countersign(grant_request)
    grant_request.refresh_from_db()
    assert grant_request.status == S.AGREEMENT_SIGNED
    assert current_agreement(grant_request).is_executed
    assert Email.objects.filter(template="agreement_executed").count() == 1


def test_a_letter_whose_text_changed_after_signing_has_no_valid_signature():
    grant_request = request_at(S.AGREEMENT_SENT)
    letter = sign(grant_request)
    Agreement.objects.filter(pk=letter.pk).update(text=letter.text + "Tampered.")  # behind the model's back
    letter.refresh_from_db()
    assert not letter.is_signed
    with pytest.raises(ValidationError, match="has not signed"):
        countersign(grant_request)


# --- Payments -------------------------------------------------------------------------------------


def test_payment_before_execution_is_refused():
    grant_request = request_at(S.AGREEMENT_SENT)
    give_current_w9(grant_request.organisation)
    with pytest.raises(Exception, match="not possible while the request is agreement sent"):
        pay(grant_request, "25000.00")


def test_payments_above_the_approved_amount_are_refused():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    with pytest.raises(ValidationError, match=r"above the approved \$25,000.00: \$25,000.00 remains"):
        pay(grant_request, "25000.01")


def test_payment_without_a_current_w9_is_refused_with_what_to_ask():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    grant_request.organisation.w9_signed_on = TODAY() - timedelta(days=366)
    grant_request.organisation.save()
    with pytest.raises(ValidationError, match="more than 365 days ago. Ask the applicant to upload a current W-9"):
        pay(grant_request, "1000.00")


def test_a_w9_signed_exactly_365_days_ago_is_current():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    grant_request.organisation.w9_signed_on = TODAY() - timedelta(days=365)
    grant_request.organisation.save()
    pay(grant_request, "1000.00")
    assert amount_paid(grant_request) == Decimal("1000.00")


def test_instalments_then_paid_when_the_total_reaches_the_approved_amount():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    pay(grant_request, "10000.00")
    grant_request.refresh_from_db()
    assert grant_request.status == S.AGREEMENT_SIGNED
    pay(grant_request, "15000.00")
    grant_request.refresh_from_db()
    assert grant_request.status == S.PAID
    assert Email.objects.filter(template="payment_recorded").count() == 2


def test_only_finance_records_payments():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    give_current_w9(grant_request.organisation)
    with pytest.raises(NotAllowed):
        pay(grant_request, "1000.00", by=workflow_admin())


# --- The daily moves --------------------------------------------------------------------------------


def test_the_daily_task_run_twice_moves_each_grant_once():
    grant_request = request_at(S.PAID)
    start = grant_request.start_date
    assert services.advance_programs(today=start - timedelta(days=1)) == {"start_program": 0, "end_program": 0}
    assert services.advance_programs(today=start) == {"start_program": 1, "end_program": 0}
    assert services.advance_programs(today=start) == {"start_program": 0, "end_program": 0}
    grant_request.refresh_from_db()
    assert grant_request.status == S.IN_PROGRESS
    assert services.advance_programs(today=grant_request.end_date) == {"start_program": 0, "end_program": 1}
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_DUE
    assert grant_request.reconciliation_due_on == grant_request.end_date + timedelta(days=60)
    assert StatusChange.objects.filter(grant_request=grant_request, transition="start_program").count() == 1
    assert Email.objects.filter(template="reconciliation_opened").count() == 1


def test_the_daily_task_reads_today_in_the_portal_time_zone():
    # TIME_ZONE is America/New_York: at 02:00 UTC on the start date it is still the evening before there.
    grant_request = request_at(S.PAID)
    start = grant_request.start_date
    utc = datetime.UTC
    evening_before = datetime.datetime(start.year, start.month, start.day, 2, 0, tzinfo=utc)
    just_after_midnight = datetime.datetime(start.year, start.month, start.day, 5, 30, tzinfo=utc)
    with mock.patch("django.utils.timezone.now", return_value=evening_before):
        assert services.advance_programs()["start_program"] == 0
    with mock.patch("django.utils.timezone.now", return_value=just_after_midnight):
        assert services.advance_programs()["start_program"] == 1


# --- Change requests and cancellation ---------------------------------------------------------------


def test_a_format_change_is_applied_with_history_and_no_new_letter():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    change = services.file_change_request(
        grant_request, by=grant_request.created_by, kind=ChangeKind.FORMAT_VENUE, reason="Hybrid now.",
        new_program_format="hybrid", new_location="Boston Convention Center, Boston, MA",
    )  # fmt: skip
    assert change.current_values["Format"] == "Live, virtual"
    services.decide_change_request(change, by=workflow_admin(), approve=True, note="Fine.")
    grant_request.refresh_from_db()
    assert grant_request.program_format == "hybrid" and grant_request.status == S.AGREEMENT_SIGNED
    assert grant_request.history.filter(program_format="live_virtual").exists()
    assert grant_request.agreements.count() == 1


def test_a_date_change_of_a_paid_grant_reissues_the_letter_and_both_sign_again():
    grant_request = request_at(S.PAID)
    change = services.file_change_request(
        grant_request, by=grant_request.created_by, kind=ChangeKind.DATES, reason="Venue double-booked.",
        new_start_date=grant_request.start_date + timedelta(days=7),
        new_end_date=grant_request.end_date + timedelta(days=7),
    )  # fmt: skip
    services.decide_change_request(change, by=workflow_admin(), approve=True)
    grant_request.refresh_from_db()
    assert grant_request.status == S.AGREEMENT_SENT
    old, new = grant_request.agreements.order_by("version")
    assert (old.version, new.version) == (1, 2) and not old.is_current and not old.is_executed
    sign(grant_request)
    countersign(grant_request)
    grant_request.refresh_from_db()
    assert grant_request.status == S.PAID  # paid in full already, so back to paid


def test_a_budget_move_beyond_the_limit_touches_the_terms():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    honoraria, platform = grant_request.budget_lines.order_by("pk")
    # Move $10,000 of $30,000 (33 %) from the platform to the honoraria.
    new_budget = [
        {"line": honoraria.pk, "unit_cost": "5833.33", "quantity": "3"},
        {"line": platform.pk, "unit_cost": "12500.01", "quantity": "1"},
    ]
    change = services.file_change_request(
        grant_request, by=grant_request.created_by, kind=ChangeKind.BUDGET, reason="More faculty.",
        new_budget=new_budget,
    )  # fmt: skip
    services.decide_change_request(change, by=workflow_admin(), approve=True)
    grant_request.refresh_from_db()
    assert grant_request.status == S.AGREEMENT_SENT
    assert grant_request.agreements.count() == 2


def test_an_increase_needs_a_new_request():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    line = grant_request.budget_lines.first()
    with pytest.raises(ValidationError, match="more funding needs a new grant request"):
        services.file_change_request(
            grant_request, by=grant_request.created_by, kind=ChangeKind.BUDGET, reason="More.",
            new_budget=[{"line": line.pk, "unit_cost": "99999", "quantity": "1"}],
        )  # fmt: skip


def test_a_start_date_in_the_past_is_refused_and_inside_the_lead_time_needs_staff_acceptance():
    grant_request = request_at(S.APPROVED)
    member = grant_request.created_by
    with pytest.raises(ValidationError, match="in the past"):
        services.file_change_request(grant_request, by=member, kind=ChangeKind.DATES, reason="x",
                                     new_start_date=TODAY() - timedelta(days=1))  # fmt: skip
    soon = TODAY() + timedelta(days=20)
    change = services.file_change_request(grant_request, by=member, kind=ChangeKind.DATES, reason="Earlier slot.",
                                          new_start_date=soon, new_end_date=soon)  # fmt: skip
    with pytest.raises(ValidationError, match="Accept the short notice"):
        services.decide_change_request(change, by=workflow_admin(), approve=True)
    services.decide_change_request(change, by=workflow_admin(), approve=True, short_notice_accepted=True)
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and change.short_notice_accepted


def test_no_change_once_reconciliation_has_started():
    grant_request = request_at(S.RECONCILIATION_DUE)
    with pytest.raises(Exception, match="not possible while the request is reconciliation due"):
        services.file_change_request(grant_request, by=grant_request.created_by, kind=ChangeKind.CANCELLATION,
                                     reason="x")  # fmt: skip


def test_a_refused_change_leaves_the_request_as_it_was():
    grant_request = request_at(S.APPROVED)
    change = services.file_change_request(grant_request, by=grant_request.created_by, kind=ChangeKind.FORMAT_VENUE,
                                          reason="x", new_location="Elsewhere")  # fmt: skip
    services.decide_change_request(change, by=workflow_admin(), approve=False, note="Keep the accessible venue.")
    grant_request.refresh_from_db()
    assert grant_request.location != "Elsewhere"
    assert Email.objects.filter(template="change_request_decided").count() == 1


def test_cancelling_before_payment_is_final_at_once():
    grant_request = request_at(S.AGREEMENT_SENT)
    services.cancel_grant(grant_request, by=workflow_admin(), reason="The hospital cancelled the symposium.")
    grant_request.refresh_from_db()
    assert grant_request.status == S.CANCELLED and grant_request.refund_due is None


def test_cancelling_after_payment_asks_for_the_full_amount_back_then_cancels():
    grant_request = request_at(S.PAID)
    services.cancel_grant(grant_request, by=workflow_admin(), reason="The program was called off.")
    grant_request.refresh_from_db()
    assert grant_request.status == S.CANCELLATION_REFUND_DUE
    assert grant_request.refund_due == Decimal("25000.00")
    with pytest.raises(ValidationError, match="full"):
        services.record_cancellation_refund(grant_request, by=finance_officer(), amount=Decimal("100.00"),
                                            received_on=TODAY(), reference="CHK-1")  # fmt: skip
    services.record_cancellation_refund(grant_request, by=finance_officer(), amount=Decimal("25000.00"),
                                        received_on=TODAY(), reference="CHK-1")  # fmt: skip
    grant_request.refresh_from_db()
    assert grant_request.status == S.CANCELLED


def test_an_applicants_cancellation_request_is_approved_by_cancelling():
    grant_request = request_at(S.APPROVED)
    change = services.file_change_request(grant_request, by=grant_request.created_by, kind=ChangeKind.CANCELLATION,
                                          reason="Our funding from other supporters fell through.")  # fmt: skip
    services.decide_change_request(change, by=workflow_admin(), approve=True, note="Understood.")
    grant_request.refresh_from_db()
    change.refresh_from_db()
    assert grant_request.status == S.CANCELLED and change.status == ChangeStatus.APPROVED


def test_an_amendment_of_a_running_program_may_be_executed_while_it_runs():
    grant_request = request_at(S.IN_PROGRESS)
    GrantRequest.objects.filter(pk=grant_request.pk).update(start_date=TODAY() - timedelta(days=1))
    grant_request.refresh_from_db()
    # The letter executed before the start recorded the start date as it was then; make it match.
    grant_request.agreements.update(program_start=grant_request.start_date)
    change = services.file_change_request(
        grant_request, by=grant_request.created_by, kind=ChangeKind.DATES, reason="One more session.",
        new_end_date=grant_request.end_date + timedelta(days=30),
    )  # fmt: skip
    services.decide_change_request(change, by=workflow_admin(), approve=True)
    sign(grant_request)
    countersign(grant_request)
    grant_request.refresh_from_db()
    assert grant_request.status == S.PAID
    services.advance_programs()
    grant_request.refresh_from_db()
    assert grant_request.status == S.IN_PROGRESS

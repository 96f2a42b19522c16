"""Reconciliation and close-out at the service level (SPEC §4a): the refund arithmetic as a table, the
return-with-questions round trip, close-out refused without the refund or a waiver, and the overdue
block on new requests, end to end through the workflow."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from grants import eligibility
from grants.eligibility import check_request
from grants.models import InformationRequest, OtherSupporter, Reconciliation, Refund
from grants.reconciliation import missing_parts, refund_arithmetic, refund_outstanding
from grants.services.post_award import advance_programs
from grants.status import GrantStatus as S
from grants.workflow import SubmissionRefused
from workflow.engine import perform

from .factories import GrantRequestFactory, attach_required_documents
from .workflow_steps import complete_reconciliation, finance_officer, request_at, workflow_admin

pytestmark = pytest.mark.django_db
D = Decimal

# paid, others' actual support, actual cost → surplus, share %, computed, refund due, waived, capped
REFUND_TABLE = [
    pytest.param("25000", "0", "20000", "5000.00", "100.0", "5000.00", "5000.00", False, False,
                 id="single-supporter-under-spent"),
    pytest.param("20000", "30000", "40000", "10000.00", "40.0", "4000.00", "4000.00", False, False,
                 id="two-other-supporters-pro-rata"),
    pytest.param("25000", "5000", "32000", "-2000.00", "83.3", "0.00", "0.00", False, False, id="over-spent"),
    pytest.param("25000", "0", "24800", "200.00", "100.0", "200.00", "0.00", True, False,
                 id="under-the-threshold-waived"),
    pytest.param("1000", "9000", "0", "10000.00", "10.0", "1000.00", "1000.00", False, False,
                 id="surplus-larger-than-paid-stays-within-paid"),
    # 10,000 × 10,000/30,000 = 3,333.333… → 3,333.33; 1,000.005 × 1/3 … half-up to the cent.
    pytest.param("10000", "20000", "20000", "10000.00", "33.3", "3333.33", "3333.33", False, False,
                 id="cents-rounding-down"),
    pytest.param("10000", "10000", "18999.99", "1000.01", "50.0", "500.01", "500.01", False, False,
                 id="cents-rounding-half-up"),
]  # fmt: skip


@pytest.mark.parametrize("paid, others, cost, surplus, share, computed, due, waived, capped", REFUND_TABLE)
def test_refund_arithmetic(paid, others, cost, surplus, share, computed, due, waived, capped):
    result = refund_arithmetic(D(paid), D(others), D(cost), threshold=D("250"))
    assert (result.surplus, result.share_percent, result.computed, result.refund_due) == (
        D(surplus), D(share), D(computed), D(due),
    )  # fmt: skip
    assert (result.waived, result.capped) == (waived, capped)
    assert result.refund_due >= 0 and result.refund_due <= result.paid


def test_half_a_cent_rounds_up():
    # surplus 0.01 × 50% = 0.005 → 0.01 (half-up), where banker's rounding would give 0.00.
    assert refund_arithmetic(D("100"), D("100"), D("199.99"), threshold=D("0")).refund_due == D("0.01")


def test_the_refund_never_exceeds_what_was_paid_even_with_a_negative_cost_entered_by_mistake():
    result = refund_arithmetic(D("1000"), D("0"), D("-500"), threshold=D("0"))
    assert result.refund_due == D("1000.00") and result.capped


def test_the_threshold_is_a_setting(settings):
    settings.IME_REFUND_THRESHOLD = D("50")
    assert refund_arithmetic(D("25000"), D("0"), D("24800")).refund_due == D("200.00")


# --- Submission stores the refund ------------------------------------------------------------------


def test_submitting_an_incomplete_report_is_refused_with_what_is_missing():
    grant_request = request_at(S.RECONCILIATION_DUE)
    Reconciliation.objects.create(grant_request=grant_request)
    with pytest.raises(ValidationError) as refused:
        perform(grant_request, "submit_reconciliation", by=grant_request.created_by)
    assert "The attestation that the funds paid only for the approved purpose." in refused.value.messages
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_DUE and grant_request.refund_due is None


def test_submission_stores_the_refund_due_with_other_supporters_pro_rata():
    grant_request = request_at(S.RECONCILIATION_DUE)
    OtherSupporter.objects.create(grant_request=grant_request, name="Neuro Foundation", amount=D("25000"))
    complete_reconciliation(grant_request, spent_share=D("0.5"))  # 15,000 of the 30,000 budget spent
    assert missing_parts(grant_request, Reconciliation.objects.get(grant_request=grant_request)) == []
    perform(grant_request, "submit_reconciliation", by=grant_request.created_by)
    grant_request.refresh_from_db()
    # (25,000 paid + 25,000 others) − 15,000 = 35,000 surplus; our half is 17,500.
    assert grant_request.status == S.RECONCILIATION_SUBMITTED
    assert grant_request.refund_due == D("17500.00")


# --- Return with questions, accept, refund, close --------------------------------------------------


def test_the_return_with_questions_round_trip():
    admin = workflow_admin()
    grant_request = request_at(S.RECONCILIATION_SUBMITTED, staff=admin)
    perform(grant_request, "return_reconciliation", by=admin, message="Why did catering cost more?")
    assert grant_request.status == S.RECONCILIATION_RETURNED
    question = InformationRequest.objects.get(grant_request=grant_request, answered_at__isnull=True)
    assert question.message == "Why did catering cost more?"

    # The applicant corrects a figure while answering: the refund due follows the corrected report.
    report = Reconciliation.objects.get(grant_request=grant_request)
    line = report.lines.first()
    line.actual -= D("1000")
    line.save()
    perform(grant_request, "answer_reconciliation", by=grant_request.created_by, answer="More learners came.")
    grant_request.refresh_from_db()
    question.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_SUBMITTED
    assert question.answer == "More learners came." and question.answered_by == grant_request.created_by
    assert grant_request.refund_due == D("2000.00")  # 25,000 − (24,000 − 1,000)

    perform(grant_request, "accept_reconciliation", by=admin, note="")
    assert grant_request.status == S.RECONCILED


def test_close_is_refused_while_the_refund_is_due_and_neither_received_nor_waived():
    admin = workflow_admin()
    grant_request = request_at(S.RECONCILED, staff=admin)
    assert refund_outstanding(grant_request) == D("1000.00")
    with pytest.raises(ValidationError, match=r"refund of \$1,000.00 is still due"):
        perform(grant_request, "close_grant", by=admin, note="", waiver_reason="  ")
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILED

    finance = finance_officer()
    with pytest.raises(ValidationError, match="up to that"):
        perform(grant_request, "record_reconciliation_refund", by=finance, amount=D("1000.01"),
                received_on=grant_request.end_date, reference="CHK-1")  # fmt: skip
    perform(grant_request, "record_reconciliation_refund", by=finance, amount=D("400"),
            received_on=grant_request.end_date, reference="CHK-1")  # fmt: skip
    with pytest.raises(ValidationError, match=r"\$600.00 is still due"):
        perform(grant_request, "close_grant", by=admin, note="")
    perform(grant_request, "record_reconciliation_refund", by=finance, amount=D("600"),
            received_on=grant_request.end_date, reference="CHK-2")  # fmt: skip
    perform(grant_request, "close_grant", by=admin, note="Done.")
    assert grant_request.status == S.CLOSED
    assert list(grant_request.refunds.values_list("cause", flat=True)) == [Refund.Cause.RECONCILIATION] * 2


def test_close_with_a_waiver_records_who_waived_it_and_why():
    admin = workflow_admin()
    grant_request = request_at(S.RECONCILED, staff=admin)
    entry = perform(grant_request, "close_grant", by=admin, note="", waiver_reason="Collection would cost more.")
    report = Reconciliation.objects.get(grant_request=grant_request)
    assert grant_request.status == S.CLOSED and entry.records["waived"] == D("1000.00")
    assert (report.waiver_reason, report.waived_by) == ("Collection would cost more.", admin)


def test_no_refund_can_be_recorded_when_none_is_due():
    admin = workflow_admin()
    grant_request = request_at(S.RECONCILIATION_DUE, staff=admin)
    complete_reconciliation(grant_request, spent_share=D("1.0"))  # spent the whole 30,000 budget
    perform(grant_request, "submit_reconciliation", by=grant_request.created_by)
    perform(grant_request, "accept_reconciliation", by=admin, note="")
    with pytest.raises(ValidationError, match="No reconciliation refund is due"):
        perform(grant_request, "record_reconciliation_refund", by=finance_officer(), amount=D("1"),
                received_on=grant_request.end_date, reference="X")  # fmt: skip
    perform(grant_request, "close_grant", by=admin, note="")
    assert grant_request.status == S.CLOSED


# --- Overdue blocks new requests, end to end -------------------------------------------------------


def test_an_overdue_reconciliation_blocks_the_organisations_new_requests_until_it_is_submitted(
    monkeypatch, client
):
    grant_request = request_at(S.IN_PROGRESS)
    member = grant_request.created_by
    assert advance_programs(today=grant_request.end_date)["end_program"] >= 1
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_DUE
    due_on = grant_request.reconciliation_due_on
    assert due_on == grant_request.end_date + timedelta(days=60)

    later = due_on + timedelta(days=1)
    new = attach_required_documents(GrantRequestFactory(
        organisation=member.membership.organisation, created_by=member,
        start_date=later + timedelta(days=90), end_date=later + timedelta(days=91),
    ))  # fmt: skip
    assert check_request(new, due_on) == []  # due today is not overdue yet
    [problem] = check_request(new, later)
    assert problem.rule == "no_overdue_reconciliation"
    assert grant_request.reference in problem.message and grant_request.title in problem.message

    # Time has passed: the submission and the request's self-check are refused, naming the grant.
    monkeypatch.setattr(eligibility, "timezone", SimpleNamespace(localdate=lambda: later))
    with pytest.raises(SubmissionRefused) as refused:
        perform(new, "submit", by=member)
    assert [p.rule for p in refused.value.problems] == ["no_overdue_reconciliation"]
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(member)
    page = client.get(f"/requests/{new.pk}/review/")
    assert grant_request.reference in page.content.decode()

    complete_reconciliation(grant_request)
    perform(grant_request, "submit_reconciliation", by=member)
    assert check_request(new, later) == []
    perform(new, "submit", by=member)
    assert new.status == S.SUBMITTED

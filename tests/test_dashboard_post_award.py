"""The dashboard's post-award figures against hand-made fixtures: paid (by date paid) and refunded (by
date received) in the money tables and the budget, the cycle times after the decision, and the
waiting lists of overdue reconciliations and unsigned agreements; their query count stays flat."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Agreement, AnnualBudget, Decision, GrantRequest, Payment, Refund, StatusChange
from grants.status import GrantStatus as S
from reviews.dashboard import figures
from workflow.roles import Role

from .factories import applicant, staff_with_role
from .test_dashboard import HOME, queries_for, signed_in, table
from .workflow_steps import finance_officer, request_at, walk, workflow_admin

pytestmark = pytest.mark.django_db
YEAR = 2025


def at(month, day, hour=12):
    return datetime(YEAR, month, day, hour, tzinfo=UTC)


def grant(status, name, staff):
    member = applicant()
    return request_at(status, member=member, staff=staff, title=name, signer_email=f"{name}@provider.example.org")


def dated(grant_request, *, decided, executed=None, paid=None, paid_on=None):
    """Moves the walk's records into 2025: the decision, the letter's countersignature, the move to paid
    and the payment."""
    Decision.objects.filter(grant_request=grant_request).update(decided_at=decided)
    GrantRequest.objects.filter(pk=grant_request.pk).update(submitted_at=decided - timedelta(days=30))
    if executed:
        Agreement.objects.filter(grant_request=grant_request).update(countersigned_at=executed)
    if paid:
        StatusChange.objects.filter(grant_request=grant_request, to_status=S.PAID).update(created_at=paid)
    if paid_on:
        Payment.objects.filter(grant_request=grant_request).update(paid_on=paid_on)


@pytest.fixture
def post_award():
    """Four paid grants of $25,000 (major depressive disorder), the days worked out by hand:

    grant  decided     executed    paid         decision→executed  executed→paid  notes
    P1     Jan 10      Jan 20      Feb 4        10 (Q1)            15 (Q1)
    P2     Feb 1       Mar 3       Apr 2        30 (Q1)            30 (Q2)
    P3     Apr 1       Apr 21      May 1        20 (Q2)            10 (Q2)        ended Aug 31, reconciled
                                                                                  Sep 30 (30 days, Q3);
                                                                                  $2,000 back Oct 15
    P4     Feb 10      Feb 20      Mar 1        10 (Q1)            9 (Q1)         cancelled, $25,000 back
                                                                                  Mar 20
    """
    staff = workflow_admin()
    p1, p2, p3 = (grant(S.PAID, name, staff) for name in ("p1", "p2", "p3"))
    dated(p1, decided=at(1, 10), executed=at(1, 20), paid=at(2, 4), paid_on=date(YEAR, 2, 4))
    dated(p2, decided=at(2, 1), executed=at(3, 3), paid=at(4, 2), paid_on=date(YEAR, 4, 2))
    dated(p3, decided=at(4, 1), executed=at(4, 21), paid=at(5, 1), paid_on=date(YEAR, 5, 1))
    p4 = grant(S.CANCELLATION_REFUND_DUE, "p4", staff)
    walk(p4, ["record_cancellation_refund"], member=p4.created_by)
    dated(p4, decided=at(2, 10), executed=at(2, 20), paid=at(3, 1), paid_on=date(YEAR, 3, 1))
    Refund.objects.filter(grant_request=p4).update(received_on=date(YEAR, 3, 20))
    # P3's reconciliation (no move reaches "reconciled" yet: its log entry written as the move will).
    GrantRequest.objects.filter(pk=p3.pk).update(status=S.RECONCILED, end_date=date(YEAR, 8, 31))
    StatusChange.objects.create(grant_request=p3, actor=staff, transition="reconcile", from_status=S.RECONCILIATION_DUE,
                                to_status=S.RECONCILED)  # fmt: skip
    StatusChange.objects.filter(grant_request=p3, to_status=S.RECONCILED).update(created_at=at(9, 30, hour=0))
    Refund.objects.create(
        grant_request=p3, cause=Refund.Cause.RECONCILIATION, amount=Decimal("2000.00"),
        received_on=date(YEAR, 10, 15), reference="CHK-77", recorded_by=finance_officer(),
    )  # fmt: skip
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4}


def test_paid_by_date_paid_and_refunded_by_date_received(client, post_award):
    signed_in(client, Role.COMPLIANCE)

    page = client.get(HOME, {"year": YEAR}).content.decode()

    # paid, refunded
    assert [row[3:] for row in table(page, "money-quarter-caption")[1:]] == [
        ["$50,000", "$25,000"],  # P1 Feb 4, P4 Mar 1; P4's refund Mar 20
        ["$50,000", "$0"],  # P2 Apr 2, P3 May 1
        ["$0", "$0"],
        ["$0", "$2,000"],  # P3's surplus back Oct 15
        ["$100,000", "$27,000"],
    ]
    by_area = {row[0]: row[3:] for row in table(page, "money-area-caption")[1:]}
    assert by_area["Major depressive disorder"] == ["$100,000", "$27,000"]


def test_the_budget_counts_a_grant_cancelled_for_good_nowhere(client, post_award):
    AnnualBudget.objects.create(year=YEAR, total=Decimal("100000"))
    signed_in(client, Role.ADMINISTRATOR)

    page = client.get(HOME, {"year": YEAR}).content.decode()

    # P1-P3 approved and paid 75,000, 2,000 back; P4 (cancelled, its money back) in neither.
    # committed 0; remaining 100,000 - 0 - (75,000 - 2,000) = 27,000.
    assert table(page, "budget-caption")[-1] == ["All areas, 2025", "$100,000", "$0", "$75,000", "$2,000", "$27,000"]


def test_cycle_times_after_the_decision_median_and_90th_percentile(client, post_award):
    signed_in(client, Role.MEDICAL)

    page = client.get(HOME, {"year": YEAR}).content.decode()
    rows = {(row[0], row[1]): row[2:] for row in table(page, "cycle-after-caption")[1:]}

    # Decision to executed: Q1 10, 10, 30 -> median 10; p90 at 1 + 0.9 x 2 = 2.8 -> 10 + 0.8 x 20 = 26.
    assert rows[("Decision to agreement executed", "Q1 2025")] == ["3", "10.0", "26.0"]
    assert rows[("Decision to agreement executed", "Q2 2025")] == ["1", "20.0", "20.0"]
    # Executed to paid: Q1 15 (P1), 9 (P4) -> median 12, p90 9 + 0.9 x 6 = 14.4; Q2 30, 10 -> 20, 28.
    assert rows[("Agreement executed to paid", "Q1 2025")] == ["2", "12.0", "14.4"]
    assert rows[("Agreement executed to paid", "Q2 2025")] == ["2", "20.0", "28.0"]
    # Program end to reconciled: P3, Aug 31 -> Sep 30.
    assert rows[("Program end to reconciled", "Q3 2025")] == ["1", "30.0", "30.0"]
    assert rows[("Program end to reconciled", "Q1 2025")] == ["0", "—", "—"]


def test_overdue_reconciliations_and_unsigned_agreements(client):
    staff = workflow_admin()
    overdue = grant(S.RECONCILIATION_DUE, "late", staff)
    GrantRequest.objects.filter(pk=overdue.pk).update(reconciliation_due_on=timezone.localdate() - timedelta(days=5))
    not_yet = grant(S.RECONCILIATION_DUE, "ontime", staff)
    GrantRequest.objects.filter(pk=not_yet.pk).update(reconciliation_due_on=timezone.localdate() + timedelta(days=5))
    unsigned = grant(S.AGREEMENT_SENT, "unsigned", staff)
    signed = grant(S.AGREEMENT_SENT, "signed", staff)
    walk(signed, ["sign_agreement"], member=signed.created_by)
    signed_in(client, Role.MEDICAL)

    page = client.get(HOME).content.decode()

    assert [row[0].split(" ")[0] for row in table(page, "overdue-caption")[1:]] == [overdue.reference]
    assert "Reconciliations overdue (1)" in page
    assert [row[0].split(" ")[0] for row in table(page, "unsigned-caption")[1:]] == [unsigned.reference]
    assert table(page, "unsigned-caption")[1][1] == "Version 1"
    assert "Agreements awaiting the recipient's signature (1)" in page
    assert reverse("admin:grants_grantrequest_change", args=[overdue.pk]) in page


def many_paid(n):
    """``n`` grants with a decision, an executed letter, a payment, a refund and the log's move to paid."""
    staff = workflow_admin()
    template = grant(S.PAID, f"bulk{GrantRequest.objects.count()}", staff)
    organisation, author = template.organisation, template.created_by
    start = GrantRequest.objects.count()
    grants = GrantRequest.objects.bulk_create(
        GrantRequest(organisation=organisation, created_by=author, status=S.RECONCILIATION_DUE if i % 2 else S.PAID,
                     reference=f"IME-2025-9{start + i:04d}", submitted_at=at(1, 2), therapeutic_area="depression",
                     amount_requested=Decimal(1000), approved_amount=Decimal(1000), title=f"Paid {i}",
                     end_date=date(YEAR, 6, 1), reconciliation_due_on=date(YEAR, 8, 1))
        for i in range(n)
    )  # fmt: skip
    Decision.objects.bulk_create(Decision(grant_request=g, outcome="approved", decided_by=staff,
                                          approved_amount=Decimal(1000)) for g in grants)  # fmt: skip
    letter = Agreement.objects.get(grant_request=template)
    Agreement.objects.bulk_create(
        Agreement(
            grant_request=g, version=1, template=letter.template, text=letter.text, text_sha256=letter.text_sha256,
            signed_at=at(2, 1), countersigned_at=at(2, 2), issued_by=staff,
        )
        for g in grants
    )  # fmt: skip
    officer = finance_officer()
    Payment.objects.bulk_create(Payment(grant_request=g, amount=Decimal(1000), method="ach", reference="A",
                                        paid_on=date(YEAR, 3, 1), recorded_by=officer) for g in grants)  # fmt: skip
    Refund.objects.bulk_create(Refund(grant_request=g, amount=Decimal(10), cause="reconciliation", reference="R",
                                      received_on=date(YEAR, 9, 1), recorded_by=officer) for g in grants)  # fmt: skip
    StatusChange.objects.bulk_create(
        StatusChange(
            grant_request=g, actor=staff, transition="record_final_payment", from_status=S.AGREEMENT_SIGNED,
            to_status=S.PAID,
        )
        for g in grants
    )  # fmt: skip


def test_the_post_award_figures_cost_the_same_queries_with_few_or_many_grants(client):
    AnnualBudget.objects.create(year=YEAR, total=Decimal("1000000"))
    user = staff_with_role(Role.ADMINISTRATOR)
    many_paid(5)
    few = queries_for(client, user)
    many_paid(200)

    assert queries_for(client, user) == few
    assert len(figures.overdue_reconciliations()) > figures.LIST_LENGTH

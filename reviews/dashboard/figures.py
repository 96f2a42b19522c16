"""The staff dashboard's figures. Every number is a database aggregate (counts, sums, percentiles,
grouped by status, quarter or therapeutic area); Python only lays the few grouped rows out in tables,
so the page costs the same number of queries with ten requests or ten thousand."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DateTimeField, Exists, F, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Cast, ExtractQuarter
from django.utils import timezone

from grants.budgets import ZERO, approved_rows, paid_rows, refunded_rows
from grants.choices import TherapeuticArea
from grants.models import Agreement, Decision, GrantRequest, StatusChange
from grants.status import AWAITING_STAFF, GrantStatus
from grants.workflow import IME_WORKFLOW
from workflow.engine import available_transitions
from workflow.roles import staff_roles_of

from ..admin_views.staff_actions import actions_for
from ..models import Assignment, Review
from .percentiles import DaysBetween, grouped_percentiles

QUARTERS = (1, 2, 3, 4)
LIST_LENGTH = 10  # rows in each "waiting" list; the full lists are a link away


# --- Pipeline -------------------------------------------------------------------------------------


def pipeline() -> list[tuple[GrantStatus, int]]:
    """How many requests stand in each status, in the workflow's order; drafts are the applicants'."""
    counts = dict(
        GrantRequest.objects.exclude(status=GrantStatus.DRAFT).order_by().values_list("status").annotate(Count("pk"))
    )
    return [(status, counts.get(status.value, 0)) for status in GrantStatus if status != GrantStatus.DRAFT]


def years_with_requests() -> list[int]:
    """This year back to the year of the first submission (one indexed MIN, however many requests)."""
    current = timezone.localdate().year
    first = GrantRequest.objects.aggregate(first=Min("submitted_at"))["first"]
    since = timezone.localtime(first).year if first else current
    return list(range(max(current, since), min(current, since) - 1, -1))


# --- Money ----------------------------------------------------------------------------------------


@dataclass
class MoneyRow:
    label: str
    key: object
    requested: Decimal = ZERO
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    refunded: Decimal = ZERO
    count: int = 0


@dataclass
class Money:
    year: int
    by_quarter: list[MoneyRow]
    by_area: list[MoneyRow]
    total: MoneyRow
    approved_rows: list = field(default_factory=list)


def requested_rows(year: int):
    """(quarter, area, amount requested, requests) for requests submitted in ``year``."""
    return (
        GrantRequest.objects.filter(submitted_at__year=year)
        .annotate(quarter=ExtractQuarter("submitted_at"))
        .order_by()
        .values_list("quarter", "therapeutic_area")
        .annotate(Sum("amount_requested"), Count("pk"))
    )


def money(year: int) -> Money:
    """Requested, approved, paid and refunded in ``year``, by quarter and by therapeutic area."""
    quarters = {q: MoneyRow(f"Q{q} {year}", q) for q in QUARTERS}
    areas = {area.value: MoneyRow(area.label, area.value) for area in TherapeuticArea}
    total = MoneyRow(f"All of {year}", None)
    approved = list(approved_rows(year))

    def add(rows, column):
        for quarter, area, amount, *count in rows:
            for line in (quarters[quarter], areas.setdefault(area, MoneyRow(area or "Not given", area)), total):
                setattr(line, column, getattr(line, column) + (amount or ZERO))
                if count:
                    line.count += count[0]

    add(requested_rows(year), "requested")
    add(approved, "approved")
    add(paid_rows(year), "paid")
    add(refunded_rows(year), "refunded")
    return Money(year, list(quarters.values()), list(areas.values()), total, approved)


# --- Cycle times ----------------------------------------------------------------------------------


@dataclass
class CycleTime:
    label: str
    decisions: int = 0
    median_days: float | None = None
    p90_days: float | None = None


def _by_quarter(durations, label: str, year: int) -> "CycleSeries":
    found = grouped_percentiles(durations, "quarter", "days", (0.5, 0.9))
    rows = []
    for q in QUARTERS:
        n, median, p90 = found.get(q, (0, None, None))
        rows.append(CycleTime(f"Q{q} {year}", n, median, p90))
    return CycleSeries(label, rows)


@dataclass
class CycleSeries:
    label: str
    rows: list[CycleTime]

    @property
    def count(self) -> int:
        return sum(row.decisions for row in self.rows)


def _first_status_change(to_status):
    """When the request first reached ``to_status`` (the audit log's entry), as a subquery."""
    return Subquery(
        StatusChange.objects.filter(grant_request=OuterRef("pk"), to_status=to_status)
        .order_by()
        .values("grant_request")
        .annotate(first=Min("created_at"))
        .values("first")
    )


def _first_execution():
    """When the request's Letter of Agreement was first executed (countersigned after the recipient signed)."""
    return Subquery(
        Agreement.objects.filter(grant_request=OuterRef("pk"), countersigned_at__isnull=False)
        .order_by()
        .values("grant_request")
        .annotate(first=Min("countersigned_at"))
        .values("first")
    )


def cycle_times(year: int) -> list[CycleTime]:
    """Submission → decision, in days: the median and the 90th percentile by quarter of the decision."""
    durations = Decision.objects.filter(decided_at__year=year, grant_request__submitted_at__isnull=False).annotate(
        quarter=ExtractQuarter("decided_at"), days=DaysBetween("grant_request__submitted_at", "decided_at")
    )
    return _by_quarter(durations, "Submission to decision", year).rows


def post_award_cycle_times(year: int) -> list[CycleSeries]:
    """The steps after the decision, each by quarter of the step's end (one grouped query each):

    - decision → agreement executed (the first countersignature of a letter);
    - agreement executed → paid (the status change to ``paid``: the final payment, or its confirmation);
    - program end → reconciled (the status change to ``reconciled``), from the program's end date."""
    # Each series first narrows to the requests with such an event in the year (necessary for the first
    # one to fall in it; an index answers it), so the per-request subqueries run for those few rather than
    # for every request ever made (EXPLAIN ANALYZE: 200 ms → a few at 10,000 requests).
    countersigned = Agreement.objects.filter(countersigned_at__year=year).values("grant_request")
    reached_paid = StatusChange.objects.filter(to_status=GrantStatus.PAID, created_at__year=year)
    reached_reconciled = StatusChange.objects.filter(to_status=GrantStatus.RECONCILED, created_at__year=year)
    executed = (
        GrantRequest.objects.filter(decision__isnull=False, pk__in=countersigned)
        .annotate(executed_at=_first_execution())
        .filter(executed_at__year=year)
        .annotate(quarter=ExtractQuarter("executed_at"), days=DaysBetween("decision__decided_at", "executed_at"))
    )
    paid = (
        GrantRequest.objects.filter(pk__in=reached_paid.values("grant_request"))
        .annotate(executed_at=_first_execution(), paid_at=_first_status_change(GrantStatus.PAID))
        .filter(executed_at__isnull=False, paid_at__year=year)
        .annotate(quarter=ExtractQuarter("paid_at"), days=DaysBetween("executed_at", "paid_at"))
    )
    reconciled = (
        GrantRequest.objects.filter(end_date__isnull=False, pk__in=reached_reconciled.values("grant_request"))
        .annotate(reconciled_at=_first_status_change(GrantStatus.RECONCILED))
        .filter(reconciled_at__year=year)
        .annotate(
            quarter=ExtractQuarter("reconciled_at"),
            days=DaysBetween(Cast("end_date", DateTimeField()), "reconciled_at"),
        )
    )
    return [
        _by_quarter(executed, "Decision to agreement executed", year),
        _by_quarter(paid, "Agreement executed to paid", year),
        _by_quarter(reconciled, "Program end to reconciled", year),
    ]


# --- Waiting and overdue work ---------------------------------------------------------------------


def waiting_on_staff():
    """The requests staff owe a move, longest waiting first (the queue's "Waiting for staff" filter)."""
    return (
        GrantRequest.objects.filter(status__in=AWAITING_STAFF)
        .select_related("organisation")
        .only("reference", "status", "status_changed_at", "organisation_id", "organisation__legal_name")
        .order_by("status_changed_at", "pk")
    )


def _open_assignments():
    """Assignments at the request's current stage with no submitted review (a declared conflict counts)."""
    submitted = Review.objects.filter(
        grant_request=OuterRef("grant_request"), reviewer=OuterRef("reviewer"), stage=OuterRef("stage"),
        submitted_at__isnull=False,
    )  # fmt: skip
    return (
        Assignment.objects.filter(grant_request__status=F("stage"))
        .exclude(Exists(submitted))
        .select_related("grant_request", "reviewer")
        .order_by("assigned_at", "pk")
    )


def overdue_reconciliations():
    """Grants whose reconciliation is past its due date, the longest overdue first."""
    return (
        GrantRequest.objects.filter(
            status=GrantStatus.RECONCILIATION_DUE, reconciliation_due_on__lt=timezone.localdate()
        )
        .select_related("organisation")
        .only("reference", "status", "reconciliation_due_on", "organisation_id", "organisation__legal_name")
        .order_by("reconciliation_due_on", "pk")
    )


def unsigned_agreements():
    """Current Letters of Agreement the recipient has not signed yet, the longest waiting first."""
    return (
        Agreement.objects.filter(
            superseded_at__isnull=True, signed_at__isnull=True, grant_request__status=GrantStatus.AGREEMENT_SENT
        )
        .select_related("grant_request__organisation")
        .only(
            "version", "issued_at", "grant_request_id", "grant_request__reference", "grant_request__status",
            "grant_request__signer_name", "grant_request__organisation_id", "grant_request__organisation__legal_name",
        )
        .order_by("issued_at", "pk")
    )  # fmt: skip


def reviews_past_due():
    due_before = timezone.now() - timedelta(days=settings.IME_REVIEW_DUE_DAYS)
    return _open_assignments().filter(assigned_at__lt=due_before)


def my_assignments(user):
    return _open_assignments().filter(reviewer=user)


@dataclass
class Actionable:
    grant_request: GrantRequest
    # The staff actions open now (reviews/admin_views/staff_actions.py), each with a name and a label.
    transitions: list


def my_actions(user, limit: int = LIST_LENGTH) -> list[Actionable]:
    """The oldest requests waiting on staff where ``user``'s roles have a move to make now.

    Only statuses some move of theirs starts from are read, at most ``limit`` of them, so the query
    count is bounded: one query, plus one per request for a committee member's conflict check."""
    roles = staff_roles_of(user)
    statuses = {
        source for rule in IME_WORKFLOW.transitions if rule.roles & roles for source in rule.sources
    } & AWAITING_STAFF
    if not statuses:
        return []
    candidates = waiting_on_staff().filter(status__in=statuses)[:limit]
    found = []
    for grant_request in candidates:
        moves = actions_for(available_transitions(grant_request, user, roles))
        if moves:
            found.append(Actionable(grant_request, moves))
    return found


def status_counts_by_flag() -> dict[str, int]:
    """Totals for the headline: how many requests wait on staff, how many reviews are past due."""
    return {
        "waiting": GrantRequest.objects.filter(status__in=AWAITING_STAFF).count(),
        "past_due": reviews_past_due().count(),
    }

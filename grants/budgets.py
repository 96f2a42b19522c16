"""Budget arithmetic: the year's IME budget beside what is approved, committed, paid and refunded, in
total and per therapeutic area, and what one more approval would leave. Every figure is a database
aggregate; Python only subtracts the handful of totals.

Definitions (calendar years, in the portal's time zone):

- **approved**: the amounts of the year's approvals (decision date), less requests cancelled since;
- **paid** / **refunded**: money paid out (date paid) and refunds received (date received) in the year,
  each one grouped ``Sum`` (``paid_rows`` / ``refunded_rows``); a grant cancelled for good counts in
  neither, as its approval no longer counts;
- **committed**: approved and not yet paid (``approved − paid``);
- **remaining**: ``budget − committed − (paid − refunded)``, which is ``budget − approved + refunded``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractQuarter
from django.utils import timezone

from .choices import DecisionOutcome, TherapeuticArea
from .models import AnnualBudget, AreaBudget, Decision, Payment, Refund
from .status import GrantStatus

ZERO = Decimal("0.00")
APPROVALS = (DecisionOutcome.APPROVED, DecisionOutcome.PARTIALLY_APPROVED)


def money(amount) -> str:
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def approvals_in(year: int):
    """The decisions that spend the year's budget: approvals of that year whose request still stands."""
    return Decision.objects.filter(outcome__in=APPROVALS, decided_at__year=year).exclude(
        grant_request__status=GrantStatus.CANCELLED
    )


def approved_rows(year: int):
    """(quarter, area, amount approved) for the year's approvals: one grouped query."""
    return (
        approvals_in(year)
        .annotate(quarter=ExtractQuarter("decided_at"))
        .order_by()
        .values_list("quarter", "grant_request__therapeutic_area")
        .annotate(Sum("approved_amount"))
    )


def paid_rows(year: int, *, standing: bool = False):
    """(quarter, area, amount paid) for payments made in ``year`` (date paid): one grouped query.

    ``standing``: for the budget's arithmetic, leave out grants cancelled for good, whose approval no
    longer counts either (their money came back, so it is neither spent nor refunded against the year)."""
    payments = Payment.objects.filter(paid_on__year=year)
    if standing:
        payments = payments.exclude(grant_request__status=GrantStatus.CANCELLED)
    return (
        payments.annotate(quarter=ExtractQuarter("paid_on"))
        .order_by()
        .values_list("quarter", "grant_request__therapeutic_area")
        .annotate(Sum("amount"))
    )


def refunded_rows(year: int, *, standing: bool = False):
    """(quarter, area, amount refunded) for refunds received in ``year`` (date received): one grouped query."""
    refunds = Refund.objects.filter(received_on__year=year)
    if standing:
        refunds = refunds.exclude(grant_request__status=GrantStatus.CANCELLED)
    return (
        refunds.annotate(quarter=ExtractQuarter("received_on"))
        .order_by()
        .values_list("quarter", "grant_request__therapeutic_area")
        .annotate(Sum("amount"))
    )


def by_area(rows) -> dict[str, Decimal]:
    """Adds grouped (quarter, area, amount) rows up by area: a few rows, never one per request."""
    totals: dict[str, Decimal] = {}
    for _quarter, area, amount, *_ in rows:
        totals[area] = totals.get(area, ZERO) + (amount or ZERO)
    return totals


@dataclass(frozen=True)
class Standing:
    """One line of the budget: a therapeutic area, or the whole year (``area`` empty)."""

    label: str
    area: str
    budget: Decimal | None
    approved: Decimal = ZERO
    paid: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def committed(self) -> Decimal:
        return self.approved - self.paid

    @property
    def remaining(self) -> Decimal | None:
        if self.budget is None:
            return None
        return self.budget - self.committed - (self.paid - self.refunded)

    @property
    def is_over(self) -> bool:
        return self.remaining is not None and self.remaining < 0


@dataclass(frozen=True)
class YearBudget:
    year: int
    total: Standing
    areas: list[Standing] = field(default_factory=list)

    @property
    def is_set(self) -> bool:
        return self.total.budget is not None

    def area(self, code: str) -> Standing | None:
        return next((line for line in self.areas if line.area == code), None)


def budget_for(year: int, approved=None) -> YearBudget:
    """The year's budget and its standing; five queries whatever the number of requests (four when
    the caller has already read ``approved_rows(year)``)."""
    budget = AnnualBudget.objects.filter(year=year).first()
    area_amounts = dict(AreaBudget.objects.filter(budget__year=year).values_list("therapeutic_area", "amount"))
    approved = by_area(approved_rows(year) if approved is None else approved)
    paid, refunded = by_area(paid_rows(year, standing=True)), by_area(refunded_rows(year, standing=True))
    areas = [
        Standing(
            label=area.label,
            area=area.value,
            budget=area_amounts.get(area.value),
            approved=approved.get(area.value, ZERO),
            paid=paid.get(area.value, ZERO),
            refunded=refunded.get(area.value, ZERO),
        )  # fmt: skip
        for area in TherapeuticArea
        if area.value in area_amounts or area.value in approved or area.value in paid
    ]
    total = Standing(
        label=f"All areas, {year}", area="", budget=budget.total if budget else None,
        approved=sum(approved.values(), ZERO), paid=sum(paid.values(), ZERO), refunded=sum(refunded.values(), ZERO),
    )  # fmt: skip
    return YearBudget(year, total, areas)


@dataclass(frozen=True)
class Impact:
    """What approving ``amount`` now would leave, and the warnings to show and record."""

    amount: Decimal
    year: int
    budget: YearBudget
    area: Standing | None
    area_label: str

    @property
    def year_after(self) -> Decimal | None:
        remaining = self.budget.total.remaining
        return None if remaining is None else remaining - self.amount

    @property
    def area_after(self) -> Decimal | None:
        remaining = self.area.remaining if self.area else None
        return None if remaining is None else remaining - self.amount

    @property
    def headroom(self) -> Decimal | None:
        """The largest amount that stays within both budgets (None when neither is set)."""
        left = [x for x in (self.area.remaining if self.area else None, self.budget.total.remaining) if x is not None]
        return max(min(left), ZERO) if left else None

    @property
    def headroom_is_area(self) -> bool:
        area_left = self.area.remaining if self.area else None
        year_left = self.budget.total.remaining
        return area_left is not None and (year_left is None or area_left <= year_left)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.area_after is not None and self.area_after < 0:
            found.append(
                f"Approving {money(self.amount)} takes the {self.area_label} budget for {self.year} "
                f"{money(-self.area_after)} over its {money(self.area.budget)} "
                f"({money(self.area.remaining)} was left)."
            )
        if self.year_after is not None and self.year_after < 0:
            found.append(
                f"Approving {money(self.amount)} takes the IME budget for {self.year} "
                f"{money(-self.year_after)} over its {money(self.budget.total.budget)} "
                f"({money(self.budget.total.remaining)} was left)."
            )
        return found

    @property
    def warning_text(self) -> str | None:
        return " ".join(self.warnings) or None


def impact_of_approving(grant_request, amount, year: int | None = None) -> Impact:
    year = year or timezone.localdate().year
    budget = budget_for(year)
    area = grant_request.therapeutic_area
    label = TherapeuticArea(area).label if area in TherapeuticArea.values else "unassigned"
    standing = budget.area(area) or Standing(label=label, area=area, budget=None)
    return Impact(Decimal(amount), year, budget, standing, label)

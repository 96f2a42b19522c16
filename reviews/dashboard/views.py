"""The staff dashboard: the admin's home page (``StaffAdminSite.index``). Thin: it reads the year
asked for, asks ``figures`` and ``grants.budgets`` for the numbers the member's permissions allow, and
lays them out as charts and tables."""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from grants.budgets import budget_for
from grants.status import GrantStatus

from ..open_payments import may_review
from . import figures
from .charts import Series, bar_chart, count, days, dollars
from .permissions import MONEY, VIEW_BUDGET


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="Year", coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


def chosen_year(request, years) -> tuple[int, YearForm]:
    current = timezone.localdate().year
    form = YearForm(request.GET or None, years=years, initial={"year": current})
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else current
    if form.is_bound and not form.is_valid():
        form = YearForm(initial={"year": current}, years=years)
    return year, form


def _pipeline(queue_url):
    rows = [
        {"status": status, "count": n, "url": f"{queue_url}?status={status.value}"} for status, n in figures.pipeline()
    ]
    chart = bar_chart(
        "chart-pipeline", "Requests by status",
        f"{sum(r['count'] for r in rows)} submitted requests; the table below gives each status.",
        [r["status"].label for r in rows], [Series("Requests", "chart-series-1", [r["count"] for r in rows])], count,
    )  # fmt: skip
    return {"rows": rows, "chart": chart}


def _money(year):
    money = figures.money(year)

    def chart(chart_id, title, rows):
        series = [
            Series("Requested", "chart-series-1", [r.requested for r in rows]),
            Series("Approved", "chart-series-2", [r.approved for r in rows]),
            Series("Paid", "chart-series-3", [r.paid for r in rows]),
            Series("Refunded", "chart-series-4", [r.refunded for r in rows]),
        ]
        summary = (
            f"{dollars(money.total.requested)} requested and {dollars(money.total.approved)} approved in {year}; "
            "the table gives each figure."
        )
        return bar_chart(chart_id, title, summary, [r.label for r in rows], series, dollars)

    return {
        "data": money,
        "quarter_chart": chart("chart-money-quarter", f"Money by quarter, {year}", money.by_quarter),
        "area_chart": chart("chart-money-area", f"Money by therapeutic area, {year}", money.by_area),
    }


def _budget(year, approved):
    budget = budget_for(year, approved=approved)
    lines = budget.areas
    chart = None
    if budget.is_set:
        shown = [budget.total, *lines]
        chart = bar_chart(
            "chart-budget", f"Budget against commitments, {year}",
            f"{dollars(budget.total.budget)} budgeted for {year}, {dollars(budget.total.remaining)} remaining; "
            "the table gives each area.",
            [line.label for line in shown],
            [
                Series("Budget", "chart-series-5", [line.budget for line in shown]),
                Series("Committed", "chart-series-2", [line.committed for line in shown]),
                Series("Paid", "chart-series-3", [line.paid for line in shown]),
                Series("Remaining", "chart-series-1", [line.remaining for line in shown]),
            ],
            dollars,
        )  # fmt: skip
    return {"data": budget, "chart": chart}


def _cycle_times(year):
    rows = figures.cycle_times(year)
    decided = sum(r.decisions for r in rows)
    chart = bar_chart(
        "chart-cycle", f"Days from submission to decision, {year}",
        f"{decided} decisions in {year}; the table gives the median and 90th percentile of each quarter.",
        [r.label for r in rows],
        [Series("Median", "chart-series-1", [r.median_days for r in rows]),
         Series("90th percentile", "chart-series-4", [r.p90_days for r in rows])],
        days,
    )  # fmt: skip
    after = figures.post_award_cycle_times(year)
    after_chart = bar_chart(
        "chart-cycle-after", f"Days after the decision, {year} (median)",
        "; ".join(f"{series.label}: {series.count} in {year}" for series in after)
        + ". The table gives the median and 90th percentile of each quarter.",
        [r.label for r in after[0].rows],
        [Series(series.label, f"chart-series-{i}", [r.median_days for r in series.rows])
         for i, series in enumerate(after, start=1)],
        days,
    )  # fmt: skip
    return {"rows": rows, "chart": chart, "after": after, "after_chart": after_chart}


def dashboard_context(request) -> dict:
    user = request.user
    if not user.has_perm("grants.view_grantrequest"):
        return {"dashboard": None}
    queue_url = reverse("admin:grants_grantrequest_changelist")
    years = figures.years_with_requests()
    year, year_form = chosen_year(request, years)
    can_see_money = user.has_perm(MONEY)
    money = _money(year) if can_see_money else None
    waiting = figures.waiting_on_staff()
    past_due = figures.reviews_past_due()
    overdue = figures.overdue_reconciliations()
    unsigned = figures.unsigned_agreements()
    dashboard = {
        "year": year,
        "year_form": year_form,
        "queue_url": queue_url,
        "pipeline": _pipeline(queue_url),
        "cycle_times": _cycle_times(year),
        "money": money,
        "budget": _budget(year, money["data"].approved_rows) if money and user.has_perm(VIEW_BUDGET) else None,
        "can_set_budget": user.has_perm("grants.add_annualbudget"),
        "waiting": list(waiting[: figures.LIST_LENGTH]),
        "waiting_total": waiting.count(),
        "waiting_url": f"{queue_url}?status=awaiting_staff",
        "past_due": list(past_due[: figures.LIST_LENGTH]),
        "past_due_total": past_due.count(),
        "overdue_reconciliations": list(overdue[: figures.LIST_LENGTH]),
        "overdue_reconciliations_total": overdue.count(),
        "unsigned_agreements": list(unsigned[: figures.LIST_LENGTH]),
        "unsigned_agreements_total": unsigned.count(),
        "review_due_days": settings.IME_REVIEW_DUE_DAYS,
        "my_assignments": list(figures.my_assignments(user)[: figures.LIST_LENGTH]),
        "my_actions": figures.my_actions(user),
        "statuses": GrantStatus,
        "open_payments_url": reverse("admin:open_payments") if may_review(user) else None,
    }
    return {"dashboard": dashboard}

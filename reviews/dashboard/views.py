"""The staff dashboard: the admin's home page (``StaffAdminSite.index``). Thin: it reads the year
asked for, asks ``figures`` and ``grants.budgets`` for the numbers the member's permissions allow, and
lays them out as charts and tables."""

import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Window
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


# Named after the database too: one Redis serving several databases (staging, the benchmark's sizes) never
# shows one's figures for another.
_DATABASE = settings.DATABASES["default"]["NAME"]
FIGURES_KEY = f"ime:dashboard:{_DATABASE}:figures:{{year}}:{{generation}}"
GENERATION_KEY = f"ime:dashboard:{_DATABASE}:generation"  # changed by forget_figures: every entry is then unused
YEARS_KEY = f"ime:dashboard:{_DATABASE}:years"


def yearly_figures(year) -> dict:
    """The pipeline, money, budget and cycle-time figures of ``year``: about a dozen aggregate queries
    over every request, shared by all staff for IME_DASHBOARD_CACHE_SECONDS (the page says as of when).
    Setting a budget forgets them at once (``forget_figures``); the work lists are never cached."""
    seconds = settings.IME_DASHBOARD_CACHE_SECONDS
    key = FIGURES_KEY.format(year=year, generation=cache.get(GENERATION_KEY, 0) if seconds else 0)
    found = cache.get(key) if seconds else None
    if found is None:
        money = figures.money(year)
        found = {
            "as_of": timezone.now(),
            "pipeline": figures.pipeline(),
            "money": money,
            "budget": budget_for(year, approved=money.approved_rows),
            "cycle_times": figures.cycle_times(year),
            "post_award": figures.post_award_cycle_times(year),
        }
        if seconds:
            cache.set(key, found, seconds)
    return found


def years_offered() -> list[int]:
    seconds = settings.IME_DASHBOARD_CACHE_SECONDS
    years = cache.get(YEARS_KEY) if seconds else None
    if years is None or timezone.localdate().year not in years:
        years = figures.years_with_requests()
        if seconds:
            cache.set(YEARS_KEY, years, seconds)
    return years


def forget_figures() -> None:
    cache.set(GENERATION_KEY, time.time_ns(), None)


def first_rows_and_total(queryset, limit=figures.LIST_LENGTH):
    """The first ``limit`` rows and how many there are in all, in one query (a window count): for lists
    whose rows must all be read to be ordered anyway."""
    rows = list(queryset.annotate(rows_in_all=Window(Count("pk")))[:limit])
    return rows, rows[0].rows_in_all if rows else 0


def _pipeline(queue_url, counts):
    rows = [{"status": status, "count": n, "url": f"{queue_url}?status={status.value}"} for status, n in counts]
    chart = bar_chart(
        "chart-pipeline", "Requests by status",
        f"{sum(r['count'] for r in rows)} submitted requests; the table below gives each status.",
        [r["status"].label for r in rows], [Series("Requests", "chart-series-1", [r["count"] for r in rows])], count,
    )  # fmt: skip
    return {"rows": rows, "chart": chart}


def _money(year, money):

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


def _budget(year, budget):
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


def _cycle_times(year, rows, after):
    decided = sum(r.decisions for r in rows)
    chart = bar_chart(
        "chart-cycle", f"Days from submission to decision, {year}",
        f"{decided} decisions in {year}; the table gives the median and 90th percentile of each quarter.",
        [r.label for r in rows],
        [Series("Median", "chart-series-1", [r.median_days for r in rows]),
         Series("90th percentile", "chart-series-4", [r.p90_days for r in rows])],
        days,
    )  # fmt: skip
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
    year, year_form = chosen_year(request, years_offered())
    found = yearly_figures(year)
    can_see_money = user.has_perm(MONEY)
    money = _money(year, found["money"]) if can_see_money else None
    waiting = figures.waiting_on_staff()  # read in an index's order: faster as a list and a count
    waiting, waiting_total = list(waiting[: figures.LIST_LENGTH]), waiting.count()
    past_due, past_due_total = first_rows_and_total(figures.reviews_past_due())
    overdue, overdue_total = first_rows_and_total(figures.overdue_reconciliations())
    unsigned, unsigned_total = first_rows_and_total(figures.unsigned_agreements())
    dashboard = {
        "year": year,
        "year_form": year_form,
        "as_of": found["as_of"],
        "cache_seconds": settings.IME_DASHBOARD_CACHE_SECONDS,
        "queue_url": queue_url,
        "pipeline": _pipeline(queue_url, found["pipeline"]),
        "cycle_times": _cycle_times(year, found["cycle_times"], found["post_award"]),
        "money": money,
        "budget": _budget(year, found["budget"]) if money and user.has_perm(VIEW_BUDGET) else None,
        "can_set_budget": user.has_perm("grants.add_annualbudget"),
        "waiting": waiting,
        "waiting_total": waiting_total,
        "waiting_url": f"{queue_url}?status=awaiting_staff",
        "past_due": past_due,
        "past_due_total": past_due_total,
        "overdue_reconciliations": overdue,
        "overdue_reconciliations_total": overdue_total,
        "unsigned_agreements": unsigned,
        "unsigned_agreements_total": unsigned_total,
        "review_due_days": settings.IME_REVIEW_DUE_DAYS,
        "my_assignments": list(figures.my_assignments(user)[: figures.LIST_LENGTH]),
        "my_actions": figures.my_actions(user),
        "statuses": GrantStatus,
        "open_payments_url": reverse("admin:open_payments") if may_review(user) else None,
    }
    return {"dashboard": dashboard}

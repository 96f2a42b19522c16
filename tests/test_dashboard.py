"""The staff dashboard (the admin's home) against hand-computed figures: the pipeline, money by quarter
and by area, cycle times (median and 90th percentile), the waiting and overdue lists, "my work", who
sees the money, and that the page costs the same number of queries with 10 requests or 1,000."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.choices import DecisionOutcome
from grants.choices import TherapeuticArea as T
from grants.models import AnnualBudget, AreaBudget, Decision, GrantRequest
from grants.status import GrantStatus as S
from reviews.dashboard import figures
from reviews.dashboard.percentiles import DaysBetween, PercentileCont, ranked_percentiles
from reviews.models import Assignment, Review
from workflow.roles import Role

from .factories import OrganisationFactory, StaffFactory, UserFactory, staff_with_role
from .workflow_steps import decide, request_at, workflow_admin

pytestmark = pytest.mark.django_db
HOME = reverse("admin:index")
YEAR = 2025


def at(month, day, year=YEAR):
    # Noon UTC: the same calendar day in New York, and whole days between any two of them.
    return datetime(year, month, day, 12, tzinfo=UTC)


def decided(area, requested, submitted, outcome, when, approved=None, staff=None):
    """A request walked to a decision through the workflow, then dated into the past (history)."""
    grant_request = request_at(S.COMMITTEE_REVIEW, staff=staff, therapeutic_area=area, amount_requested=requested)
    decide(grant_request, by=staff or workflow_admin(), outcome=outcome, approved_amount=approved,
           reason_codes=["not_aligned"] if outcome != DecisionOutcome.APPROVED else (), message="Decided.")  # fmt: skip
    GrantRequest.objects.filter(pk=grant_request.pk).update(submitted_at=submitted)
    Decision.objects.filter(grant_request=grant_request).update(decided_at=when)
    return grant_request


@pytest.fixture
def history():
    """Seven requests of 2024-2025 whose figures are worked out by hand in the tests below.

    request  area        requested  submitted    decision               decided      days
    A        depression     10,000  2025-01-10   approved 10,000        2025-02-09     30
    B        depression     20,000  2025-02-01   in part 15,000         2025-03-13     40
    C        migraine       30,000  2025-03-01   declined               2025-04-20     50
    D        migraine       28,000  2025-04-01   approved 28,000        2025-04-11     10
    E        ADHD            5,000  2025-04-05   approved 5,000         2025-06-04     60
    F        narcolepsy     12,000  2025-11-20   (in screening)
    G        ADHD            7,000  2024-12-30   approved 7,000         2025-01-09     10
    """
    staff = workflow_admin()
    D = DecisionOutcome
    rows = {
        "A": decided(T.DEPRESSION, Decimal("10000"), at(1, 10), D.APPROVED, at(2, 9), staff=staff),
        "B": decided(T.DEPRESSION, Decimal("20000"), at(2, 1), D.PARTIALLY_APPROVED, at(3, 13), Decimal("15000"),
                     staff=staff),
        "C": decided(T.MIGRAINE, Decimal("30000"), at(3, 1), D.DECLINED, at(4, 20), staff=staff),
        "D": decided(T.MIGRAINE, Decimal("28000"), at(4, 1), D.APPROVED, at(4, 11), staff=staff),
        "E": decided(T.ADHD, Decimal("5000"), at(4, 5), D.APPROVED, at(6, 4), staff=staff),
        "G": decided(T.ADHD, Decimal("7000"), at(12, 30, 2024), D.APPROVED, at(1, 9), staff=staff),
    }  # fmt: skip
    screening = request_at(S.SCREENING, staff=staff, therapeutic_area=T.NARCOLEPSY, amount_requested=Decimal("12000"))
    GrantRequest.objects.filter(pk=screening.pk).update(submitted_at=at(11, 20))
    rows["F"] = screening
    return rows


@pytest.fixture
def budget_2025():
    budget = AnnualBudget.objects.create(year=YEAR, total=Decimal("100000"))
    for area, amount in [(T.DEPRESSION, "30000"), (T.MIGRAINE, "25000"), (T.ADHD, "20000")]:
        AreaBudget.objects.create(budget=budget, therapeutic_area=area, amount=Decimal(amount))
    return budget


def signed_in(client, role):
    user = staff_with_role(role)
    client.force_login(user)
    return user


def table(page, caption_id) -> list[list[str]]:
    """The rows of the data table whose caption has ``caption_id``, as cell texts."""
    start = page.index(f'id="{caption_id}"')
    body = page[start : page.index("</table>", start)]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).split("\n")[0].strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows.append([re.sub(r"\s+", " ", c) for c in cells])
    return rows


# --- The figures, by hand ------------------------------------------------------------------------


def test_pipeline_counts_each_status_and_links_into_the_filtered_queue(client, history):
    signed_in(client, Role.MEDICAL)

    page = client.get(HOME).content.decode()

    rows = dict((r[0], r[1]) for r in table(page, "pipeline-caption")[1:])
    assert rows["Approved"] == "4" and rows["Partially approved"] == "1" and rows["Declined"] == "1"
    assert rows["Screening"] == "1" and rows["Submitted"] == "0" and "Draft" not in rows
    queue = reverse("admin:grants_grantrequest_changelist")
    assert f'<a href="{queue}?status=approved">Approved</a>' in page
    listed = client.get(queue, {"status": "approved"}).content.decode()
    assert all(history[key].reference in listed for key in "ADEG") and history["B"].reference not in listed


def test_money_by_quarter_and_by_area_for_the_chosen_year(client, history):
    signed_in(client, Role.COMPLIANCE)

    page = client.get(HOME, {"year": YEAR}).content.decode()

    assert table(page, "money-quarter-caption")[1:] == [
        ["Q1 2025", "$60,000", "$32,000", "$0", "$0"],  # requested A+B+C; approved A+B(part)+G
        ["Q2 2025", "$33,000", "$33,000", "$0", "$0"],  # requested D+E; approved D+E
        ["Q3 2025", "$0", "$0", "$0", "$0"],
        ["Q4 2025", "$12,000", "$0", "$0", "$0"],  # F, not decided
        ["Total", "$105,000", "$65,000", "$0", "$0"],
    ]
    by_area = {r[0]: r[1:3] for r in table(page, "money-area-caption")[1:]}
    assert by_area["Major depressive disorder"] == ["$30,000", "$25,000"]
    assert by_area["Migraine"] == ["$58,000", "$28,000"]
    assert by_area["ADHD"] == ["$5,000", "$12,000"]  # G was requested in 2024, approved in 2025
    assert by_area["Narcolepsy / excessive daytime sleepiness"] == ["$12,000", "$0"]


def test_cycle_times_median_and_90th_percentile_by_quarter(client, history):
    signed_in(client, Role.MEDICAL)

    page = client.get(HOME, {"year": YEAR}).content.decode()

    # Q1: 10, 30, 40 days -> median 30; p90 at position 1 + 0.9 x 2 = 2.8 -> 30 + 0.8 x 10 = 38.
    # Q2: 10, 50, 60 days -> median 50; p90 -> 50 + 0.8 x 10 = 58.
    assert table(page, "cycle-caption")[1:] == [
        ["Q1 2025", "3", "30.0", "38.0"],
        ["Q2 2025", "3", "50.0", "58.0"],
        ["Q3 2025", "0", "—", "—"],
        ["Q4 2025", "0", "—", "—"],
    ]


def test_the_window_ranking_used_on_sqlite_gives_percentile_conts_figures(history):
    """SQLite lacks percentile_cont; its ranked-window replacement must agree with it exactly."""
    durations = Decision.objects.filter(decided_at__year=YEAR).annotate(
        quarter=figures.ExtractQuarter("decided_at"), days=DaysBetween("grant_request__submitted_at", "decided_at")
    )
    native = {
        row["quarter"]: (row["n"], row["median"], row["p90"], row["p25"])
        for row in durations.order_by().values("quarter").annotate(
            n=figures.Count("pk"), median=PercentileCont("days", 0.5), p90=PercentileCont("days", 0.9),
            p25=PercentileCont("days", 0.25),
        )
    }  # fmt: skip
    ranked = ranked_percentiles(durations, "quarter", "days", (0.5, 0.9, 0.25))

    assert native.keys() == ranked.keys() == {1, 2}
    for quarter in native:
        assert ranked[quarter][0] == native[quarter][0]
        assert ranked[quarter][1:] == pytest.approx(native[quarter][1:])
    assert ranked[1][1:] == pytest.approx((30.0, 38.0, 20.0))


def test_a_year_with_no_requests_shows_zeros_not_errors(client, history):
    signed_in(client, Role.ADMINISTRATOR)

    page = client.get(HOME, {"year": 2019}).content.decode()  # not offered: falls back to this year

    this_year = timezone.localdate().year
    assert f"Money, {this_year}" in page
    assert table(page, "money-quarter-caption")[-1] == ["Total", "$0", "$0", "$0", "$0"]


# --- Budgets ---------------------------------------------------------------------------------------


def test_budget_beside_committed_paid_and_remaining(client, history, budget_2025):
    signed_in(client, Role.COORDINATOR)

    page = client.get(HOME, {"year": YEAR}).content.decode()

    rows = {r[0]: r[1:] for r in table(page, "budget-caption")[1:]}
    # budget, committed (approved, not paid), paid, refunded, remaining
    assert rows["Major depressive disorder"] == ["$30,000", "$25,000", "$0", "$0", "$5,000"]
    assert rows["Migraine"] == ["$25,000", "$28,000", "$0", "$0", "over by $3,000"]
    assert rows["ADHD"] == ["$20,000", "$12,000", "$0", "$0", "$8,000"]
    assert rows["All areas, 2025"] == ["$100,000", "$65,000", "$0", "$0", "$35,000"]


def test_figures_are_shared_from_the_cache_but_a_new_budget_shows_at_once(client, history, budget_2025):
    signed_in(client, Role.COORDINATOR)
    first = client.get(HOME, {"year": YEAR}).content.decode()
    assert "figures are as of" in first

    # A change to the requests waits for the cached figures to expire (the page says as of when) ...
    GrantRequest.objects.filter(submitted_at__year=YEAR).update(amount_requested=Decimal("1"))
    again = client.get(HOME, {"year": YEAR}).content.decode()
    assert table(again, "money-quarter-caption")[-1] == table(first, "money-quarter-caption")[-1]

    # ... but a budget changed by staff is shown on their next page.
    AreaBudget.objects.filter(budget=budget_2025, therapeutic_area=T.ADHD).update(amount=Decimal("21000"))
    area = AreaBudget.objects.get(budget=budget_2025, therapeutic_area=T.ADHD)
    area.save()
    page = client.get(HOME, {"year": YEAR}).content.decode()
    rows = {r[0]: r[1:] for r in table(page, "budget-caption")[1:]}
    assert rows["ADHD"][0] == "$21,000"


def test_no_cache_seconds_means_fresh_figures(client, history, budget_2025, settings):
    settings.IME_DASHBOARD_CACHE_SECONDS = 0
    signed_in(client, Role.COORDINATOR)
    first = client.get(HOME, {"year": YEAR}).content.decode()
    GrantRequest.objects.filter(submitted_at__year=YEAR).update(amount_requested=Decimal("1"))
    page = client.get(HOME, {"year": YEAR}).content.decode()
    assert table(page, "money-quarter-caption")[-1] != table(first, "money-quarter-caption")[-1]
    assert "worked out again" not in page


# --- Who sees what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "money", "budget"),
    [
        (Role.MEDICAL, False, False),
        (Role.COMMITTEE, False, False),
        (Role.COMPLIANCE, True, False),
        (Role.COORDINATOR, True, True),
        (Role.ADMINISTRATOR, True, True),
    ],
)
def test_only_roles_allowed_the_money_see_it(client, history, budget_2025, role, money, budget):
    signed_in(client, role)

    page = client.get(HOME, {"year": YEAR}).content.decode()

    assert 'id="pipeline-caption"' in page and 'id="cycle-caption"' in page and "My work" in page
    assert ('id="money-quarter-caption"' in page) == money
    assert ("$105,000" in page) == money
    assert ('id="budget-caption"' in page) == budget
    assert ("$100,000" in page) == budget


def test_the_admin_app_list_stays_on_the_home_page(client):
    signed_in(client, Role.COORDINATOR)

    page = client.get(HOME).content.decode()

    assert "Work queues and every admin section" in page
    assert reverse("admin:grants_grantrequest_changelist") in page and 'id="content-main"' in page


# --- Waiting and overdue, my work -------------------------------------------------------------------


def test_waiting_on_staff_longest_first_and_reviews_past_due(client, settings):
    settings.IME_REVIEW_DUE_DAYS = 10
    staff = workflow_admin()
    older = request_at(S.SCREENING, staff=staff)
    newer = request_at(S.SUBMITTED, staff=staff)
    applicants_turn = request_at(S.INFORMATION_REQUESTED, staff=staff)
    GrantRequest.objects.filter(pk=older.pk).update(status_changed_at=timezone.now() - timedelta(days=20))
    in_review = request_at(S.MEDICAL_REVIEW, staff=staff)
    late, on_time, done = (
        staff_with_role(Role.MEDICAL, first_name=n, last_name="Reviewer") for n in ("Late", "Fresh", "Done")
    )
    for reviewer, age in ((late, 11), (on_time, 3), (done, 30)):
        assignment = Assignment.objects.create(grant_request=in_review, reviewer=reviewer, stage=S.MEDICAL_REVIEW,
                                               assigned_by=staff)  # fmt: skip
        Assignment.objects.filter(pk=assignment.pk).update(assigned_at=timezone.now() - timedelta(days=age))
    Review.objects.create(grant_request=in_review, reviewer=done, stage=S.MEDICAL_REVIEW, has_conflict=False,
                          submitted_at=timezone.now())  # fmt: skip
    client.force_login(on_time)

    page = client.get(HOME).content.decode()

    waiting = [r[0].split(" ")[0] for r in table(page, "waiting-caption")[1:]]
    assert waiting[0] == older.reference and newer.reference in waiting
    assert applicants_turn.reference not in waiting  # the applicant's turn, not staff's
    past_due = table(page, "past-due-caption")[1:]
    assert [r[1] for r in past_due] == ["Late Reviewer (Medical review)"]
    mine = page[page.index("My open reviews") : page.index("What you can do now")]
    assert in_review.reference in mine


def test_my_work_lists_the_moves_my_role_can_make_now(client):
    staff = workflow_admin()
    screening = request_at(S.SCREENING, staff=staff)
    in_committee = request_at(S.COMMITTEE_REVIEW, staff=staff)
    coordinator = signed_in(client, Role.COORDINATOR)

    page = client.get(HOME).content.decode()
    actions = page[page.index("What you can do now") : page.index('id="waiting-work"')]

    action = reverse("admin:grants_grantrequest_action", args=[screening.pk, "request_information"])
    assert screening.reference in actions and action in actions
    # A coordinator may decline at committee but not approve.
    assert reverse("admin:grants_grantrequest_action", args=[in_committee.pk, "decline"]) in actions
    assert reverse("admin:grants_grantrequest_action", args=[in_committee.pk, "approve"]) not in actions
    assert coordinator  # signed in

    client.force_login(staff_with_role(Role.MEDICAL))
    page = client.get(HOME).content.decode()
    assert "Nothing is waiting for a move your role can make." in page


# --- Queries ---------------------------------------------------------------------------------------


def bulk_requests(n):
    """``n`` requests in every status and area, submitted over 2025, the decided ones with decisions."""
    organisation = OrganisationFactory()
    author = UserFactory()
    decider = StaffFactory()
    reviewer = StaffFactory()
    statuses = [s for s in S if s != S.DRAFT]
    areas = list(T)
    start = GrantRequest.objects.count()
    requests = GrantRequest.objects.bulk_create(
        GrantRequest(
            organisation=organisation, created_by=author, status=statuses[i % len(statuses)],
            reference=f"IME-2025-{start + i + 1:05d}", submitted_at=at(1 + i % 12, 1 + i % 27),
            status_changed_at=at(1 + i % 12, 1 + i % 27), therapeutic_area=areas[i % len(areas)],
            amount_requested=Decimal(1000 + i), title=f"Request {i}",
        )
        for i in range(n)
    )  # fmt: skip
    outcome = {S.APPROVED: DecisionOutcome.APPROVED, S.PARTIALLY_APPROVED: DecisionOutcome.PARTIALLY_APPROVED,
               S.DECLINED: DecisionOutcome.DECLINED}  # fmt: skip
    Decision.objects.bulk_create(
        Decision(grant_request=r, outcome=outcome[r.status], decided_by=decider,
                 approved_amount=None if r.status == S.DECLINED else r.amount_requested)
        for r in requests if r.status in outcome
    )  # fmt: skip
    Assignment.objects.bulk_create(
        Assignment(grant_request=r, reviewer=reviewer, stage=r.status, assigned_by=decider)
        for r in requests if r.status in (S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW)
    )  # fmt: skip
    Decision.objects.update(decided_at=at(6, 30))


def queries_for(client, user):
    client.force_login(user)
    client.get(HOME, {"year": YEAR})  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME, {"year": YEAR})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COORDINATOR, Role.MEDICAL])
def test_the_dashboard_costs_the_same_queries_with_10_or_1000_requests(client, role):
    AnnualBudget.objects.create(year=YEAR, total=Decimal("1000000"))
    user = staff_with_role(role)
    bulk_requests(10)
    with_ten = queries_for(client, user)
    bulk_requests(990)
    assert GrantRequest.objects.count() == 1000

    assert queries_for(client, user) == with_ten
    # Administrator and coordinator: 11 with the yearly figures shared from the cache (34 before issue 13:
    # the figures cached, the staff roles read once, the short lists counted by a window).
    assert with_ten <= 11


def test_a_committee_members_moves_cost_at_most_one_query_per_listed_request(client):
    member = staff_with_role(Role.COMMITTEE)
    bulk_requests(10)
    with_ten = queries_for(client, member)
    bulk_requests(990)

    assert queries_for(client, member) <= with_ten + figures.LIST_LENGTH

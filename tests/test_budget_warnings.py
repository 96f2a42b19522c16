"""The annual budget on the decision page: what approving (in full or in part) would leave of the
area's and the year's budget, the warning when it goes over, and the warning kept with the decision.
Figures are hand-made: a year of $50,000 with $20,000 for depression, $15,000 of it already approved."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.budgets import budget_for, impact_of_approving
from grants.choices import TherapeuticArea as T
from grants.models import AnnualBudget, AreaBudget, Decision
from grants.status import GrantStatus as S
from workflow.roles import Role

from .factories import staff_with_role
from .workflow_steps import decide, request_at, workflow_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_year():
    year = timezone.localdate().year
    budget = AnnualBudget.objects.create(year=year, total=Decimal("50000"))
    AreaBudget.objects.create(budget=budget, therapeutic_area=T.DEPRESSION, amount=Decimal("20000"))
    staff = workflow_admin()
    earlier = request_at(S.COMMITTEE_REVIEW, staff=staff, therapeutic_area=T.DEPRESSION,
                         amount_requested=Decimal("15000"))  # fmt: skip
    decide(earlier, by=staff, outcome="approved")
    return year


def in_committee(area, amount):
    return request_at(S.COMMITTEE_REVIEW, therapeutic_area=area, amount_requested=Decimal(amount))


def test_budget_arithmetic_by_hand(this_year):
    budget = budget_for(this_year)

    assert budget.total.budget == Decimal("50000") and budget.total.committed == Decimal("15000")
    assert budget.total.remaining == Decimal("35000")
    depression = budget.area(T.DEPRESSION)
    assert (depression.budget, depression.committed, depression.paid, depression.remaining) == (
        Decimal("20000"), Decimal("15000"), Decimal("0"), Decimal("5000"),
    )  # fmt: skip
    impact = impact_of_approving(in_committee(T.DEPRESSION, "10000"), Decimal("10000"))
    assert (impact.area_after, impact.year_after, impact.headroom) == (
        Decimal("-5000"), Decimal("25000"), Decimal("5000"),
    )  # fmt: skip


def test_approving_over_the_areas_budget_warns_and_the_warning_is_kept(client, this_year):
    grant_request = in_committee(T.DEPRESSION, "10000")
    client.force_login(staff_with_role(Role.ADMINISTRATOR))
    url = reverse("admin:grants_grantrequest_action", args=[grant_request.pk, "approve"])

    page = client.get(url).content.decode()

    assert "What approving $10,000.00 would leave" in page
    assert '<td class="numeric">-$5,000.00</td>' in page  # left in the area after approving
    expected = (
        f"Approving $10,000.00 takes the Major depressive disorder budget for {this_year} $5,000.00 over its "
        "$20,000.00 ($5,000.00 was left)."
    )
    assert expected in page and "You can still decide" in page

    response = client.post(url, {"expected_status": S.COMMITTEE_REVIEW, "message": "Approved despite the budget."})

    assert response.status_code == 302
    decision = Decision.objects.get(grant_request=grant_request)
    assert decision.approved_amount == Decimal("10000") and decision.budget_warning == expected
    request_page = client.get(reverse("admin:grants_grantrequest_change", args=[grant_request.pk])).content.decode()
    assert "Budget warning" in request_page


def test_a_partial_amount_within_both_budgets_records_no_warning(client, this_year):
    grant_request = in_committee(T.DEPRESSION, "10000")
    client.force_login(staff_with_role(Role.ADMINISTRATOR))
    url = reverse("admin:grants_grantrequest_action", args=[grant_request.pk, "partially_approve"])

    page = client.get(url).content.decode()
    assert "An amount above $5,000.00 takes the Major depressive disorder budget over." in page

    client.post(url, {"expected_status": S.COMMITTEE_REVIEW, "approved_amount": "4000", "message": "Trimmed."})

    decision = Decision.objects.get(grant_request=grant_request)
    assert decision.approved_amount == Decimal("4000") and decision.budget_warning is None


def test_the_partial_amount_entered_is_shown_against_the_years_budget(client, this_year):
    AnnualBudget.objects.filter(year=this_year).update(total=Decimal("40000"))  # $25,000 left
    grant_request = in_committee(T.MIGRAINE, "30000")  # no migraine budget: only the year's applies
    client.force_login(staff_with_role(Role.ADMINISTRATOR))
    url = reverse("admin:grants_grantrequest_action", args=[grant_request.pk, "partially_approve"])

    # The form comes back (no message) with the amount entered: the page shows what it would leave.
    page = client.post(url, {"expected_status": S.COMMITTEE_REVIEW, "approved_amount": "29000"}).content.decode()
    assert "What approving $29,000.00 would leave" in page
    assert f"takes the IME budget for {this_year} $4,000.00 over its $40,000.00" in page

    # An amount no partial approval may have (more than requested) is refused, not costed.
    page = client.post(url, {"expected_status": S.COMMITTEE_REVIEW, "approved_amount": "999999"}).content.decode()
    assert "What approving $999,999.00 would leave" not in page and "less than the $30,000.00 requested" in page

    client.post(url, {"expected_status": S.COMMITTEE_REVIEW, "approved_amount": "29000", "message": "Agreed."})
    warning = Decision.objects.get(grant_request=grant_request).budget_warning
    assert warning == (
        f"Approving $29,000.00 takes the IME budget for {this_year} $4,000.00 over its $40,000.00 "
        "($25,000.00 was left)."
    )


def test_declines_and_years_without_a_budget_record_no_warning(client):
    staff = workflow_admin()
    grant_request = in_committee(T.DEPRESSION, "10000")

    decide(grant_request, by=staff, outcome="approved")

    assert Decision.objects.get(grant_request=grant_request).budget_warning is None


def test_only_the_administrator_sets_the_budget_and_the_coordinator_may_look(client, this_year):
    budgets = reverse("admin:grants_annualbudget_changelist")
    add = reverse("admin:grants_annualbudget_add")
    for role, may_view, may_add in [
        (Role.ADMINISTRATOR, True, True), (Role.COORDINATOR, True, False), (Role.COMPLIANCE, False, False),
        (Role.COMMITTEE, False, False), (Role.MEDICAL, False, False),
    ]:  # fmt: skip
        client.force_login(staff_with_role(role))
        assert (client.get(budgets).status_code == 200) == may_view, role
        assert (client.get(add).status_code == 200) == may_add, role


def test_area_shares_may_not_exceed_the_years_total(client):
    client.force_login(staff_with_role(Role.ADMINISTRATOR))
    form = {
        "year": "2030", "total": "10000",
        "areas-TOTAL_FORMS": "2", "areas-INITIAL_FORMS": "0", "areas-MIN_NUM_FORMS": "0", "areas-MAX_NUM_FORMS": "1000",
        "areas-0-therapeutic_area": "migraine", "areas-0-amount": "6000",
        "areas-1-therapeutic_area": "adhd", "areas-1-amount": "5000",
    }  # fmt: skip

    response = client.post(reverse("admin:grants_annualbudget_add"), form)

    assert response.status_code == 200 and not AnnualBudget.objects.filter(year=2030).exists()
    assert "more than the year" in response.content.decode()
    form["areas-1-amount"] = "4000"
    assert client.post(reverse("admin:grants_annualbudget_add"), form).status_code == 302
    assert AnnualBudget.objects.get(year=2030).areas.count() == 2

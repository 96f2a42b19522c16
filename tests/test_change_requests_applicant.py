"""The applicant asks for a change after approval (SPEC §4a), through the pages: choosing the kind, the
current values beside the proposed ones, the service's refusals on the form with everything typed
kept, and the list of change requests on the request page with their decisions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from grants.models import BudgetLine, ChangeKind, ChangeRequest, ChangeStatus
from grants.services import post_award as services
from grants.status import GrantStatus as S

from .workflow_steps import pending_change, request_at, workflow_admin

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(user)
    return client


def new_change_url(grant_request, kind=None):
    url = reverse("grants:change_request_new", args=[grant_request.pk])
    return f"{url}?kind={kind}" if kind else url


def request_page(grant_request):
    return reverse("grants:request_detail", args=[grant_request.pk])


def with_budget(grant_request, *lines):
    """Replace the request's budget with ``lines`` of (description, unit cost, quantity)."""
    grant_request.budget_lines.all().delete()
    for position, (description, unit_cost, quantity) in enumerate(lines):
        BudgetLine.objects.create(
            grant_request=grant_request, category="faculty", description=description, unit_cost=Decimal(unit_cost),
            quantity=Decimal(quantity), position=position,
        )  # fmt: skip
    return list(grant_request.budget_lines.order_by("position"))


# --- Filing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.APPROVED, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, S.PAID, S.IN_PROGRESS])
def test_the_request_page_offers_a_change_where_one_may_be_filed(status):
    grant_request = request_at(status)

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "Request a change" in page and new_change_url(grant_request) in page


@pytest.mark.parametrize("status", [S.RECONCILIATION_DUE, S.CANCELLED, S.COMMITTEE_REVIEW])
def test_no_change_is_offered_once_reconciliation_started_or_the_grant_ended(status):
    grant_request = request_at(status)
    member = client_for(grant_request.created_by)

    assert new_change_url(grant_request) not in member.get(request_page(grant_request)).content.decode()
    response = member.get(new_change_url(grant_request, "dates"), follow=True)
    assert response.redirect_chain[-1][0] == request_page(grant_request)
    assert "A change cannot be requested now" in response.content.decode()


def test_the_applicant_chooses_what_kind_of_change():
    grant_request = request_at(S.PAID)

    page = client_for(grant_request.created_by).get(new_change_url(grant_request)).content.decode()

    for kind in ChangeKind:
        assert kind.label in page


def test_new_dates_show_the_current_ones_and_are_filed_through_the_workflow():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    member = client_for(grant_request.created_by)
    new_start = grant_request.start_date + timedelta(days=14)
    new_end = grant_request.end_date + timedelta(days=14)

    form = member.get(new_change_url(grant_request, "dates")).content.decode()
    assert date_format(grant_request.start_date) in form and date_format(grant_request.end_date) in form

    response = member.post(new_change_url(grant_request), {
        "kind": "dates", "new_start_date": new_start.isoformat(), "new_end_date": new_end.isoformat(),
        "reason": "The hotel moved our conference by two weeks.",
    })  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == request_page(grant_request) + "#change-requests"
    change = ChangeRequest.objects.get(grant_request=grant_request)
    assert (change.kind, change.status, change.filed_by) == (ChangeKind.DATES, ChangeStatus.PENDING,
                                                             grant_request.created_by)  # fmt: skip
    assert (change.new_start_date, change.new_end_date) == (new_start, new_end)
    assert grant_request.status_changes.filter(transition="file_change_request").count() == 1
    page = member.get(request_page(grant_request)).content.decode()
    assert "has been sent to the IME team" in page
    assert "New dates · Awaiting a decision" in page
    assert "The hotel moved our conference by two weeks." in page
    assert date_format(new_start) in page and date_format(grant_request.start_date) in page
    assert "awaiting the IME team's decision" in page
    assert new_change_url(grant_request) not in page  # one pending change at a time


def test_a_start_date_in_the_past_is_refused_on_the_form_keeping_what_was_typed():
    grant_request = request_at(S.PAID)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client_for(grant_request.created_by).post(new_change_url(grant_request), {
        "kind": "dates", "new_start_date": yesterday.isoformat(), "reason": "We started early, sorry.",
    })  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "The new start date is in the past" in page
    assert f'value="{yesterday.isoformat()}"' in page
    assert "We started early, sorry." in page
    assert not ChangeRequest.objects.exists()


def test_a_change_without_a_reason_or_a_proposal_is_refused():
    grant_request = request_at(S.PAID)

    response = client_for(grant_request.created_by).post(new_change_url(grant_request), {"kind": "format_venue"})

    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert "Say why the change is needed." in page
    assert "Give the new format, venue or URL." in page
    assert not ChangeRequest.objects.exists()


def test_a_new_venue_is_filed_beside_the_current_one():
    grant_request = request_at(S.AGREEMENT_SENT)
    member = client_for(grant_request.created_by)

    form = member.get(new_change_url(grant_request, "format_venue")).content.decode()
    assert "Live, virtual" in form and grant_request.program_url in form

    member.post(new_change_url(grant_request), {
        "kind": "format_venue", "new_program_format": "hybrid", "new_location": "Hyatt Regency, Chicago, IL",
        "reason": "Half the faculty can travel now.",
    })  # fmt: skip

    change = ChangeRequest.objects.get()
    assert (change.new_program_format, change.new_location) == ("hybrid", "Hyatt Regency, Chicago, IL")
    assert change.proposed_values["Format"] == "Hybrid"
    assert change.current_values["Format"] == "Live, virtual"


def test_a_budget_reallocation_has_one_row_per_approved_line():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    faculty, venue = with_budget(grant_request, ("Faculty honoraria", "2000.00", "5"), ("Venue", "5000.00", "1"))
    member = client_for(grant_request.created_by)

    form = member.get(new_change_url(grant_request, "budget")).content.decode()
    assert f'name="unit_cost_{faculty.pk}"' in form and f'name="quantity_{venue.pk}"' in form
    assert "$2,000.00" in form and "Budget total now" in form and "$15,000.00" in form

    response = member.post(new_change_url(grant_request), {
        "kind": "budget", f"unit_cost_{faculty.pk}": "2000.00", f"quantity_{faculty.pk}": "4",
        f"unit_cost_{venue.pk}": "7000.00", f"quantity_{venue.pk}": "1", "reason": "A larger room is needed.",
    })  # fmt: skip

    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.new_budget == [
        {"line": faculty.pk, "unit_cost": "2000.00", "quantity": "4"},
        {"line": venue.pk, "unit_cost": "7000.00", "quantity": "1"},
    ]
    assert change.proposed_values["Total"] == "$15,000.00"


def test_a_budget_increase_is_refused_saying_a_new_request_is_needed():
    grant_request = request_at(S.PAID)
    (faculty,) = with_budget(grant_request, ("Faculty honoraria", "2000.00", "5"))

    response = client_for(grant_request.created_by).post(new_change_url(grant_request), {
        "kind": "budget", f"unit_cost_{faculty.pk}": "2500.00", f"quantity_{faculty.pk}": "5",
        "reason": "Our speakers asked for more.",
    })  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert "more funding needs a new grant request" in page
    assert 'value="2500.00"' in page and "Our speakers asked for more." in page
    assert not ChangeRequest.objects.exists()


def test_a_reallocation_of_a_request_without_budget_lines_is_refused():
    grant_request = request_at(S.PAID)
    with_budget(grant_request)

    response = client_for(grant_request.created_by).post(
        new_change_url(grant_request), {"kind": "budget", "reason": "Move the catering money."}
    )

    assert response.status_code == 200
    assert "This request has no budget lines to move money between." in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_a_cancellation_is_asked_for_with_a_reason():
    grant_request = request_at(S.PAID)

    client_for(grant_request.created_by).post(
        new_change_url(grant_request), {"kind": "cancellation", "reason": "The hospital closed the department."}
    )

    change = ChangeRequest.objects.get()
    assert change.kind == ChangeKind.CANCELLATION
    assert change.proposed_values == {"Program": "Cancelled; any amount paid is returned in full"}


def test_an_unknown_kind_shows_the_choice_again():
    grant_request = request_at(S.PAID)

    page = client_for(grant_request.created_by).get(new_change_url(grant_request, "money")).content.decode()

    assert "What needs to change?" in page


# --- Decisions on the request page ------------------------------------------------------------------


def test_the_request_page_shows_each_decision_with_its_note():
    grant_request = request_at(S.PAID)
    refused = pending_change(grant_request)
    services.decide_change_request(refused, by=workflow_admin(), approve=False, note="The venue must stay accessible.")
    approved = pending_change(grant_request, ChangeKind.FORMAT_VENUE, new_location="Palmer House, Chicago, IL")
    services.decide_change_request(approved, by=workflow_admin(), approve=True, note="Enjoy the program.")

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "New format or venue · Refused" in page and "The venue must stay accessible." in page
    assert "New format or venue · Approved" in page and "Enjoy the program." in page
    assert "Palmer House, Chicago, IL" in page
    assert page.index("Palmer House") < page.index("The venue must stay accessible.")  # newest first


def test_an_approved_date_change_says_the_agreement_was_reissued_and_asks_for_a_new_signature():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    change = pending_change(grant_request, ChangeKind.DATES, new_end_date=grant_request.end_date + timedelta(days=2))
    services.decide_change_request(change, by=workflow_admin(), approve=True, note="Agreed.")

    page = client_for(grant_request.created_by).get(request_page(grant_request)).content.decode()

    assert "The Letter of Agreement was re-issued with this change." in page
    assert "(replaces 1 earlier version)" in page
    assert "Waiting for Dr. Lee Park to sign the agreement" in page


# --- Access and cost ----------------------------------------------------------------------------------


def test_a_second_organization_gets_404_on_the_change_pages(other_applicant_client):
    grant_request = request_at(S.PAID)

    assert other_applicant_client.get(new_change_url(grant_request)).status_code == 404
    assert other_applicant_client.get(new_change_url(grant_request, "dates")).status_code == 404
    response = other_applicant_client.post(new_change_url(grant_request), {"kind": "cancellation", "reason": "x"})
    assert response.status_code == 404
    assert not ChangeRequest.objects.exists()


def queries_for(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_request_page_costs_the_same_with_one_change_request_or_several():
    grant_request = request_at(S.PAID)
    member = client_for(grant_request.created_by)
    admin = workflow_admin()
    services.decide_change_request(pending_change(grant_request), by=admin, approve=False, note="No.")
    few = queries_for(member, request_page(grant_request))
    for n in range(3):
        change = pending_change(grant_request, ChangeKind.FORMAT_VENUE, new_location=f"Venue {n}")
        services.decide_change_request(change, by=admin, approve=n % 2 == 0, note=f"Decision {n}.")
    many = queries_for(member, request_page(grant_request))

    print(f"request page when paid: {few} queries with 1 change request, {many} with 4")
    assert few == many


def test_the_budget_form_costs_the_same_with_one_line_or_several():
    grant_request = request_at(S.PAID)
    member = client_for(grant_request.created_by)
    with_budget(grant_request, ("Faculty", "1000.00", "1"))
    few = queries_for(member, new_change_url(grant_request, "budget"))
    with_budget(grant_request, *[(f"Line {n}", "100.00", "1") for n in range(6)])
    many = queries_for(member, new_change_url(grant_request, "budget"))

    print(f"budget change form: {few} queries with 1 line, {many} with 6")
    assert few == many

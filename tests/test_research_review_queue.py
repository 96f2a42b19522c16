"""The research queue in the admin: its filters (stage, study type, therapeutic area, waiting on, my
reviews), the CSV export through the shared export machinery honoring them, and query counts that do
not grow with the rows, for the list and the export."""

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from research import review
from research.models import ResearchProposal
from research.status import ResearchStatus as R
from reviews.models import ExportLog
from workflow.roles import Role

from .factories import staff_with_role
from .research_steps import concept_draft, investigator, proposal_at, reviewed

pytestmark = pytest.mark.django_db
QUEUE = "admin:research_researchproposal_changelist"
EXPORT = "admin:research_researchproposal_export_csv"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def listed(client, params=None) -> str:
    response = client.get(reverse(QUEUE), params or {})
    assert response.status_code == 200
    return response.content.decode()


def exported(client, params=None) -> list[dict]:
    response = client.get(reverse(EXPORT), params or {})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def other_study(status, **fields):
    proposal = proposal_at(status, user=investigator())
    ResearchProposal.objects.filter(pk=proposal.pk).update(**fields)
    proposal.refresh_from_db()
    return proposal


def test_stage_filter_groups_the_review_states_and_the_closed_ones():
    in_review = proposal_at(R.SCIENTIFIC_REVIEW)
    asked = proposal_at(R.INFORMATION_REQUESTED)
    declined = proposal_at(R.DECLINED)
    concept = proposal_at(R.CONCEPT_SUBMITTED)
    client = signed_in(staff_with_role(Role.COORDINATOR))
    page = listed(client, {"stage": "scientific_review"})
    assert in_review.reference in page and asked.reference in page
    assert declined.reference not in page and concept.reference not in page
    page = listed(client, {"stage": "closed"})
    assert declined.reference in page and in_review.reference not in page
    page = listed(client, {"stage": R.INFORMATION_REQUESTED})
    assert asked.reference in page and in_review.reference not in page


def test_study_type_area_and_waiting_on_filters():
    sleep = proposal_at(R.SCIENTIFIC_REVIEW)
    trial = other_study(R.INFORMATION_REQUESTED, study_type="phase_2", therapeutic_area="mdd")
    client = signed_in(staff_with_role(Role.COORDINATOR))
    page = listed(client, {"study_type": "phase_2"})
    assert trial.reference in page and sleep.reference not in page
    page = listed(client, {"therapeutic_area": "narcolepsy"})
    assert sleep.reference in page and trial.reference not in page
    page = listed(client, {"waiting": "investigator"})
    assert trial.reference in page and sleep.reference not in page
    page = listed(client, {"waiting": "staff"})
    assert sleep.reference in page and trial.reference not in page


def test_my_reviews_filter_lists_only_what_the_reviewer_still_has_to_review():
    mine = proposal_at(R.SCIENTIFIC_REVIEW)
    done = proposal_at(R.SCIENTIFIC_REVIEW)
    not_mine = proposal_at(R.SCIENTIFIC_REVIEW)
    member = staff_with_role(Role.COMMITTEE)
    review.assign_reviewer(mine, reviewer=member, by=staff_with_role(Role.COORDINATOR))
    reviewed(done, reviewer=member)
    page = listed(signed_in(member), {"mine": "to_review"})
    assert mine.reference in page and done.reference not in page and not_mine.reference not in page


def test_csv_export_honors_the_filters_and_is_logged():
    sleep = proposal_at(R.APPROVED)
    trial = other_study(R.SCIENTIFIC_REVIEW, study_type="phase_2", therapeutic_area="mdd")
    concept_draft()  # drafts are never staff's to see, so never exported
    client = signed_in(staff_with_role(Role.COORDINATOR))
    assert "Export CSV" in listed(client)
    rows = exported(client)
    assert {row["Reference"] for row in rows} == {sleep.reference, trial.reference}
    rows = exported(client, {"study_type": "phase_2"})
    assert [row["Reference"] for row in rows] == [trial.reference]
    assert rows[0]["Type of study"] == "Interventional, phase II" and rows[0]["Status"] == "Scientific review"
    rows = exported(client, {"stage": "scientific_review"})
    assert [row["Reference"] for row in rows] == [trial.reference]
    approved = exported(client, {"stage": R.APPROVED})
    assert [row["Reference"] for row in approved] == [sleep.reference]
    assert approved[0]["Approved amount"] == "100000.00"
    log = ExportLog.objects.filter(list_name="research proposals").latest("started_at")
    assert log.row_count == 1 and "stage=approved" in log.query_string


def test_a_role_without_the_export_permission_cannot_export():
    proposal_at(R.SCIENTIFIC_REVIEW)
    client = signed_in(staff_with_role(Role.COMMITTEE))
    assert "Export CSV" not in listed(client)
    assert client.get(reverse(EXPORT)).status_code == 403


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", [QUEUE, EXPORT])
def test_queue_and_export_query_counts_do_not_grow_with_rows(url_name, django_assert_max_num_queries):
    client = signed_in(staff_with_role(Role.COORDINATOR))
    params = {"stage": "scientific_review", "therapeutic_area": "narcolepsy"}
    first = proposal_at(R.SCIENTIFIC_REVIEW)
    reviewed(first)
    few = _queries(client, reverse(url_name), params)
    for _ in range(3):
        reviewed(proposal_at(R.SCIENTIFIC_REVIEW))
        proposal_at(R.INFORMATION_REQUESTED)
    with django_assert_max_num_queries(few):
        response = client.get(reverse(url_name), params)
        if hasattr(response, "streaming_content"):
            assert len(b"".join(response.streaming_content).splitlines()) == 8


def test_xlsx_export_of_the_filtered_queue():
    proposal_at(R.SCIENTIFIC_REVIEW)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))
    response = client.get(reverse("admin:research_researchproposal_export_xlsx"), {"stage": "scientific_review"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"".join(response.streaming_content).startswith(b"PK")

"""Reviewing in the admin: the coordinator assigns reviewers, each reviewer declares conflicts of
interest before scoring, scores once per stage, and the committee sees everything side by side."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import Decision
from grants.status import GrantStatus
from outbox.models import Email
from reviews.choices import RUBRIC, Recommendation, ReviewStage
from reviews.models import Assignment, Review
from reviews.services import assign_reviewer
from workflow.engine import perform
from workflow.roles import Role

from .factories import staff_with_role
from .workflow_steps import request_forced_to

pytestmark = pytest.mark.django_db
COMMITTEE_AGENDA = reverse("admin:reviews_committee")


request_in = request_forced_to  # a page read at a status, with no history before it


def page_url(grant_request):
    return reverse("admin:grants_grantrequest_change", args=[grant_request.pk])


def flash(response) -> str:
    return " | ".join(str(m) for m in get_messages(response.wsgi_request))


def assigned(grant_request, reviewer, stage=None):
    stage = stage or ReviewStage(grant_request.status)
    return Assignment.objects.create(
        grant_request=grant_request, reviewer=reviewer, stage=stage, assigned_by=staff_with_role(Role.COORDINATOR)
    )


def submitted_review(grant_request, reviewer, score, recommendation=Recommendation.APPROVE, stage=None, **extra):
    stage = stage or ReviewStage(grant_request.status)
    assigned(grant_request, reviewer, stage)
    return Review.objects.create(
        grant_request=grant_request,
        reviewer=reviewer,
        stage=stage,
        has_conflict=False,
        recommendation=recommendation,
        submitted_at=timezone.now(),
        **{name: score for name, _ in RUBRIC},
        **extra,
    )


def rubric(score="4", **overrides):
    data = {name: score for name, _ in RUBRIC}
    data.update(comments="Strong needs assessment.", recommendation=Recommendation.APPROVE, recommended_amount="")
    data.update(overrides)
    return data


# --- Assignment -------------------------------------------------------------------------------


def test_assigning_a_medical_reviewer_emails_them(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    reviewer = staff_with_role(Role.MEDICAL, first_name="Morgan", last_name="Medic")
    client.force_login(staff_with_role(Role.COORDINATOR))
    page = client.get(page_url(grant_request)).content.decode()
    assert "Morgan Medic" in page  # offered in the medical reviewer list

    response = client.post(
        reverse("admin:grants_grantrequest_assign", args=[grant_request.pk, "medical_review"]),
        {"medical_review-reviewer": reviewer.pk},
    )

    assert response.status_code == 302
    assert "Morgan Medic is assigned to the medical review and has been emailed." in flash(response)
    assert Assignment.objects.filter(grant_request=grant_request, reviewer=reviewer, stage="medical_review").exists()
    email = Email.objects.get(template="review_assignment")
    assert email.to == [reviewer.email]
    assert grant_request.reference in email.subject + email.body_text


def test_assigning_someone_who_is_not_a_reviewer_is_refused(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    compliance = staff_with_role(Role.COMPLIANCE)
    client.force_login(staff_with_role(Role.COORDINATOR))

    response = client.post(
        reverse("admin:grants_grantrequest_assign", args=[grant_request.pk, "medical_review"]),
        {"medical_review-reviewer": compliance.pk},
    )

    assert response.status_code == 200 and "<title>Error: " in response.content.decode()
    assert "Choose one of the medical reviewers listed" in response.content.decode()
    assert not Assignment.objects.exists()
    assert not Email.objects.exists()
    with pytest.raises(ValidationError, match="is not a medical reviewer"):
        assign_reviewer(
            grant_request, reviewer=compliance, stage="medical_review", by=staff_with_role(Role.COORDINATOR)
        )


def test_only_coordinators_and_administrators_assign(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    reviewer = staff_with_role(Role.MEDICAL)
    client.force_login(staff_with_role(Role.MEDICAL))

    page = client.get(page_url(grant_request)).content.decode()
    response = client.post(
        reverse("admin:grants_grantrequest_assign", args=[grant_request.pk, "medical_review"]),
        {"medical_review-reviewer": reviewer.pk},
    )

    assert "Assign medical reviewer" not in page and "Assign committee member" not in page
    assert "Only a grants coordinator or an administrator assigns reviewers." in flash(response)
    assert not Assignment.objects.exists()


def test_no_reviewer_is_assigned_after_the_decision():
    grant_request = request_in(GrantStatus.DECLINED)
    with pytest.raises(ValidationError, match="awaits a decision"):
        assign_reviewer(
            grant_request,
            reviewer=staff_with_role(Role.MEDICAL),
            stage="medical_review",
            by=staff_with_role(Role.COORDINATOR),
        )


def test_a_reviewer_who_has_not_reviewed_can_be_taken_off(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    idle = assigned(grant_request, staff_with_role(Role.MEDICAL))
    done = submitted_review(grant_request, staff_with_role(Role.MEDICAL), 4)
    done_assignment = Assignment.objects.get(grant_request=grant_request, reviewer=done.reviewer)
    client.force_login(staff_with_role(Role.COORDINATOR))

    client.post(reverse("admin:grants_grantrequest_unassign", args=[grant_request.pk, idle.pk]))
    refused = client.post(reverse("admin:grants_grantrequest_unassign", args=[grant_request.pk, done_assignment.pk]))

    assert not Assignment.objects.filter(pk=idle.pk).exists()
    assert Assignment.objects.filter(pk=done_assignment.pk).exists()
    assert "already submitted their review" in flash(refused)


# --- Conflict of interest, then scores ----------------------------------------------------------


def test_an_assigned_reviewer_is_first_asked_about_conflicts(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    reviewer = staff_with_role(Role.MEDICAL)
    assigned(grant_request, reviewer)
    client.force_login(reviewer)

    page = client.get(page_url(grant_request)).content.decode()

    assert "Your review (medical review)" in page
    assert "Do you have a conflict of interest" in page
    assert "score_educational_need" not in page


def test_scoring_before_declaring_a_conflict_is_refused(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    reviewer = staff_with_role(Role.MEDICAL)
    assigned(grant_request, reviewer)
    client.force_login(reviewer)

    response = client.post(reverse("admin:grants_grantrequest_review", args=[grant_request.pk]), rubric())

    assert "Declare whether you have a conflict of interest before scoring." in flash(response)
    assert Review.objects.get(reviewer=reviewer).submitted_at is None


def test_declaring_a_conflict_needs_details_and_then_blocks_scoring(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    reviewer = staff_with_role(Role.MEDICAL, first_name="Robin", last_name="Conflicted")
    assigned(grant_request, reviewer)
    client.force_login(reviewer)
    conflict_url = reverse("admin:grants_grantrequest_conflict", args=[grant_request.pk])

    missing = client.post(conflict_url, {"has_conflict": "yes", "conflict_details": ""})
    assert missing.status_code == 200
    assert "Describe the conflict briefly" in missing.content.decode()

    client.post(conflict_url, {"has_conflict": "yes", "conflict_details": "I chair their CME committee."})
    review = Review.objects.get(reviewer=reviewer)
    assert review.has_conflict is True
    scoring = client.post(reverse("admin:grants_grantrequest_review", args=[grant_request.pk]), rubric())

    assert "You declared a conflict of interest, so you cannot score this request." in flash(scoring)
    review.refresh_from_db()
    assert review.scores == [None] * 6
    client.force_login(staff_with_role(Role.COORDINATOR))
    page = client.get(page_url(grant_request)).content.decode()
    assert "Declared a conflict of interest: I chair their CME committee." in page


def test_a_reviewer_without_a_conflict_scores_the_rubric_once(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    reviewer = staff_with_role(Role.MEDICAL)
    assigned(grant_request, reviewer)
    client.force_login(reviewer)
    client.post(reverse("admin:grants_grantrequest_conflict", args=[grant_request.pk]), {"has_conflict": "no"})

    form_page = client.get(page_url(grant_request)).content.decode()
    assert "1 — Poor" in form_page and "5 — Excellent" in form_page
    assert "Budget reasonableness" in form_page
    response = client.post(
        reverse("admin:grants_grantrequest_review", args=[grant_request.pk]),
        rubric("4", score_budget="2", recommendation=Recommendation.APPROVE_PARTIALLY, recommended_amount="18000"),
    )
    again = client.post(reverse("admin:grants_grantrequest_review", args=[grant_request.pk]), rubric("1"))

    review = Review.objects.get(reviewer=reviewer)
    assert "is submitted" in flash(response)
    assert review.scores == [4, 4, 4, 4, 2, 4]
    assert review.average_score == Decimal("3.67")
    assert review.recommended_amount == Decimal("18000")
    assert "You have already submitted your review at this stage." in flash(again)
    assert Review.objects.filter(reviewer=reviewer).count() == 1


def test_an_incomplete_rubric_says_which_score_is_missing_and_keeps_the_comments(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    reviewer = staff_with_role(Role.MEDICAL)
    assigned(grant_request, reviewer)
    client.force_login(reviewer)
    client.post(reverse("admin:grants_grantrequest_conflict", args=[grant_request.pk]), {"has_conflict": "no"})
    data = rubric("3", comments="Design is thin on practice.")
    del data["score_budget"]

    response = client.post(reverse("admin:grants_grantrequest_review", args=[grant_request.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Score “Budget reasonableness” from 1 to 5." in page
    assert "Design is thin on practice." in page
    assert Review.objects.get(reviewer=reviewer).submitted_at is None


def test_a_reviewer_who_is_not_assigned_cannot_review(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    client.force_login(staff_with_role(Role.MEDICAL))

    response = client.post(
        reverse("admin:grants_grantrequest_conflict", args=[grant_request.pk]), {"has_conflict": "no"}
    )

    assert "You are not assigned to review this request at this stage." in flash(response)
    assert not Review.objects.exists()


def test_the_page_shows_each_review_and_the_stage_average(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    submitted_review(grant_request, staff_with_role(Role.MEDICAL, first_name="Ada", last_name="One"), 5)
    submitted_review(
        grant_request,
        staff_with_role(Role.MEDICAL, first_name="Bo", last_name="Two"),
        2,
        Recommendation.DECLINE,
        comments="Outcomes plan is weak.",
    )
    conflicted = staff_with_role(Role.MEDICAL, first_name="Cy", last_name="Three")
    assigned(grant_request, conflicted)
    Review.objects.create(
        grant_request=grant_request, reviewer=conflicted, stage="medical_review", has_conflict=True,
        conflict_details="Former faculty.", submitted_at=timezone.now(),
    )  # fmt: skip
    client.force_login(staff_with_role(Role.COORDINATOR))

    page = client.get(page_url(grant_request)).content.decode()

    assert "Medical review — average 3.50 from 2 reviews" in page
    assert "Ada One" in page and "Bo Two" in page and "Outcomes plan is weak." in page
    assert "Decline" in page and "Approve in full" in page
    assert "Declared a conflict of interest: Former faculty." in page


def test_a_reviewer_sees_the_others_scores_only_after_submitting(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    submitted_review(grant_request, staff_with_role(Role.MEDICAL), 5, comments="Excellent design overall.")
    late = staff_with_role(Role.MEDICAL)
    assigned(grant_request, late)
    client.force_login(late)

    before = client.get(page_url(grant_request)).content.decode()
    Review.objects.create(
        grant_request=grant_request, reviewer=late, stage="medical_review", has_conflict=False,
        recommendation=Recommendation.APPROVE, submitted_at=timezone.now(), **{name: 3 for name, _ in RUBRIC},
    )  # fmt: skip
    after = client.get(page_url(grant_request)).content.decode()

    assert "Excellent design overall." not in before
    assert "appear once you submit your own review" in before
    assert "Excellent design overall." in after


# --- Committee agenda -------------------------------------------------------------------------


def test_committee_agenda_sets_recommendations_side_by_side(client):
    alice = staff_with_role(Role.COMMITTEE, first_name="Alice", last_name="Adams")
    bruno = staff_with_role(Role.COMMITTEE, first_name="Bruno", last_name="Baker")
    first = request_in(GrantStatus.COMMITTEE_REVIEW, title="Narcolepsy Grand Rounds", amount_requested=Decimal("30000"))
    second = request_in(GrantStatus.COMMITTEE_REVIEW, title="ADHD in Adults Webinar")
    elsewhere = request_in(GrantStatus.MEDICAL_REVIEW, title="Still in medical review")
    submitted_review(first, staff_with_role(Role.MEDICAL), 4, stage=ReviewStage.MEDICAL)
    submitted_review(first, staff_with_role(Role.MEDICAL), 3, stage=ReviewStage.MEDICAL)
    submitted_review(first, alice, 5, Recommendation.APPROVE)
    submitted_review(first, bruno, 3, Recommendation.APPROVE_PARTIALLY, recommended_amount=Decimal("20000"))
    submitted_review(second, alice, 2, Recommendation.DECLINE)
    assigned(second, bruno)
    client.force_login(alice)

    response = client.get(COMMITTEE_AGENDA)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Narcolepsy Grand Rounds" in page and "ADHD in Adults Webinar" in page
    assert elsewhere.title not in page
    assert page.index("Alice Adams") < page.index("Bruno Baker")
    first_row = page[page.index(first.reference) : page.index(second.reference)]
    assert "$30,000.00" in first_row
    assert "3.50" in first_row  # medical average
    assert "4.00" in first_row  # committee average
    assert first_row.index("Approve in full") < first_row.index("Approve in part")
    assert "$20,000.00" in first_row
    second_row = page[page.index(second.reference) :]
    assert "Decline" in second_row and "Awaiting review" in second_row
    assert reverse("admin:grants_grantrequest_change", args=[first.pk]) in page


def test_committee_agenda_is_linked_from_the_admin_home_and_the_queue(client):
    client.force_login(staff_with_role(Role.COMMITTEE))

    assert COMMITTEE_AGENDA in client.get(reverse("admin:index")).content.decode()
    assert COMMITTEE_AGENDA in client.get(reverse("admin:grants_grantrequest_changelist")).content.decode()


def agenda_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(COMMITTEE_AGENDA)
    assert response.status_code == 200
    return len(queries)


def test_committee_agenda_costs_the_same_queries_for_1_and_20_requests(client):
    members = [staff_with_role(Role.COMMITTEE) for _ in range(2)]
    medical = staff_with_role(Role.MEDICAL)

    def add_request():
        grant_request = request_in(GrantStatus.COMMITTEE_REVIEW)
        submitted_review(grant_request, medical, 4, stage=ReviewStage.MEDICAL)
        submitted_review(grant_request, members[0], 5)
        assigned(grant_request, members[1])

    client.force_login(members[0])
    add_request()
    client.get(COMMITTEE_AGENDA)  # warm caches
    with_one = agenda_queries(client)
    for _ in range(19):
        add_request()
    with_twenty = agenda_queries(client)

    assert with_one == with_twenty
    assert client.get(COMMITTEE_AGENDA).content.decode().count("Awaiting review") == 20


# --- The read-only review records: same queries for few rows and many -------------------------

RECORD_LISTS = ["statuschange", "assignment", "review", "decision"]


def add_records(coordinator):
    grant_request = request_in(GrantStatus.SCREENING)
    perform(grant_request, "send_to_medical_review", by=coordinator)
    submitted_review(grant_request, staff_with_role(Role.MEDICAL), 4)
    Decision.objects.create(
        grant_request=grant_request, outcome="declined", reason_codes=["funds"], decided_by=coordinator
    )


@pytest.mark.parametrize("model_name", RECORD_LISTS)
def test_review_record_lists_cost_the_same_queries_for_1_and_20_rows(client, model_name):
    coordinator = staff_with_role(Role.ADMINISTRATOR, is_superuser=True)
    app = "reviews" if model_name in ("assignment", "review") else "grants"
    url = reverse(f"admin:{app}_{model_name}_changelist")
    client.force_login(coordinator)
    add_records(coordinator)
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    with_one = queries()
    for _ in range(19):
        add_records(coordinator)

    assert queries() == with_one


def test_review_records_cannot_be_edited_in_the_admin(client):
    coordinator = staff_with_role(Role.ADMINISTRATOR, is_superuser=True)
    add_records(coordinator)
    review = Review.objects.get()
    client.force_login(review.reviewer)

    response = client.post(
        reverse("admin:reviews_review_change", args=[review.pk]), {"comments": "rewritten", "score_budget": 1}
    )

    assert response.status_code == 403
    assert Review.objects.get().comments == ""

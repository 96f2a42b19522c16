"""The scientific review of a research proposal: the research rubric on the IME review mechanism
(conflict of interest first, a conflicted reviewer cannot score and counts in no average), the
committee decision refused without a review free of conflict, and the approval page's editable
milestone schedule (refused, with everything typed kept, when it does not add up)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import Email
from research import review
from research.admin_forms import usual_schedule
from research.choices import RESEARCH_RUBRIC
from research.models import Milestone, ResearchReview, ResearchStatusChange
from research.status import ResearchStatus as R
from research.workflow import BY_NAME
from reviews.models import Review
from workflow.engine import NotAllowed, perform
from workflow.roles import Role

from .factories import staff_with_role
from .research_steps import fill_full_proposal, proposal_at, reviewed, standard_schedule

pytestmark = pytest.mark.django_db
ALL_FOURS = {name: 4 for name, _ in RESEARCH_RUBRIC}


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def page_url(proposal):
    return reverse("admin:research_researchproposal_change", args=[proposal.pk])


def test_research_and_ime_reviews_share_the_conflict_first_base_with_their_own_rubric():
    assert [name for name, _ in ResearchReview.RUBRIC] == [
        "score_scientific_merit", "score_feasibility", "score_alignment", "score_budget", "score_safety",
    ]  # fmt: skip
    assert ResearchReview.RUBRIC != Review.RUBRIC
    assert ResearchReview.__mro__[1] is Review.__mro__[1]  # reviews.models.ConflictFirstReview
    assert Review._meta.db_table == "reviews_review"


def test_a_reviewer_must_declare_before_scoring_and_a_conflicted_one_cannot_score():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    member = staff_with_role(Role.COMMITTEE)
    review.assign_reviewer(proposal, reviewer=member, by=staff_with_role(Role.COORDINATOR))
    own = review.review_for(proposal, member)
    with pytest.raises(ValidationError, match="Declare whether you have a conflict"):
        review.submit_review(own, scores=ALL_FOURS, comments="", recommendation="approve")
    with pytest.raises(ValidationError, match="Describe the conflict"):
        review.declare_conflict(own, has_conflict=True, details="  ")
    own = review.declare_conflict(own, has_conflict=True, details="I am a co-investigator.")
    with pytest.raises(ValidationError, match="conflict of interest, so you cannot score"):
        review.submit_review(own, scores=ALL_FOURS, comments="", recommendation="approve")
    own.refresh_from_db()
    assert own.submitted_at and own.has_conflict and own.scores == [None] * 5 and own.average_score is None


def test_scores_must_be_complete_and_1_to_5():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    member = staff_with_role(Role.MEDICAL)
    review.assign_reviewer(proposal, reviewer=member, by=staff_with_role(Role.ADMINISTRATOR))
    own = review.declare_conflict(review.review_for(proposal, member), has_conflict=False)
    with pytest.raises(ValidationError, match="Score every criterion: Safety"):
        review.submit_review(own, scores={**ALL_FOURS, "score_safety": None}, comments="", recommendation="approve")
    with pytest.raises(ValidationError, match="from 1 to 5"):
        review.submit_review(own, scores={**ALL_FOURS, "score_feasibility": 6}, comments="", recommendation="approve")
    done = review.submit_review(own, scores={**ALL_FOURS, "score_safety": 5}, comments="", recommendation="approve")
    assert done.average_score == Decimal("4.20")


def test_the_conflicted_review_is_excluded_from_the_average():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    reviewed(proposal, scores=2)
    reviewed(proposal, conflicted=True)
    reviewed(proposal, scores=4)
    reviews = ResearchReview.objects.filter(proposal=proposal)
    assert review.average_of(reviews) == Decimal("3.00")
    assert sum(r.counts for r in reviews) == 2


def test_only_the_research_office_assigns_and_only_committee_members_review():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    member = staff_with_role(Role.COMMITTEE)
    with pytest.raises(NotAllowed):
        review.assign_reviewer(proposal, reviewer=member, by=staff_with_role(Role.FINANCE))
    with pytest.raises(ValidationError, match="not on the scientific review committee"):
        review.assign_reviewer(proposal, reviewer=staff_with_role(Role.FINANCE), by=staff_with_role(Role.COORDINATOR))
    with pytest.raises(NotAllowed, match="not assigned"):
        review.review_for(proposal, member)
    review.assign_reviewer(proposal, reviewer=member, by=staff_with_role(Role.COORDINATOR))
    with pytest.raises(ValidationError, match="already assigned"):
        review.assign_reviewer(proposal, reviewer=member, by=staff_with_role(Role.COORDINATOR))
    assert Email.objects.filter(template="research_review_assignment", to=[member.email]).count() == 1


def test_reviewers_cannot_be_assigned_outside_scientific_review():
    proposal = proposal_at(R.FULL_PROPOSAL_SUBMITTED)
    with pytest.raises(ValidationError, match="only while the proposal is in scientific review"):
        review.assign_reviewer(proposal, reviewer=staff_with_role(Role.COMMITTEE), by=staff_with_role(Role.COORDINATOR))


@pytest.mark.parametrize("name", ["approve_proposal", "decline_proposal"])
@pytest.mark.parametrize("only_conflicted", [False, True])
def test_the_committee_decision_is_refused_without_a_review_free_of_conflict(name, only_conflicted):
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    if only_conflicted:
        reviewed(proposal, conflicted=True)
    inputs = ({"amount": Decimal("100000.00"), "schedule": standard_schedule()} if name == "approve_proposal"
              else {"reason_codes": ["feasibility"], "message": "Not feasible."})  # fmt: skip
    before = ResearchStatusChange.objects.count()
    with pytest.raises(ValidationError, match="no review has been submitted by a reviewer without a conflict"):
        perform(proposal, name, by=staff_with_role(Role.ADMINISTRATOR), **inputs)
    proposal.refresh_from_db()
    assert proposal.status == R.SCIENTIFIC_REVIEW and ResearchStatusChange.objects.count() == before
    reviewed(proposal)
    perform(proposal, name, by=staff_with_role(Role.ADMINISTRATOR), **inputs)
    assert proposal.status in (R.APPROVED, R.DECLINED)


def test_the_decision_rows_say_they_need_a_review_free_of_conflict():
    for name in ("approve_proposal", "decline_proposal"):
        assert any("conflict of interest" in sentence for sentence in BY_NAME[name].explains)


# --- The staff proposal page ----------------------------------------------------------------------


def test_assign_declare_and_score_through_the_proposal_page():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    member = staff_with_role(Role.COMMITTEE, first_name="Ada", last_name="Reviewer")
    office = signed_in(staff_with_role(Role.COORDINATOR))
    assert "Assign the reviewer" in office.get(page_url(proposal)).content.decode()
    assign_url = reverse("admin:research_researchproposal_assign", args=[proposal.pk])
    response = office.post(assign_url, {"assign-reviewer": ""})
    assert response.status_code == 200 and "Choose the committee member to assign." in response.content.decode()
    response = office.post(assign_url, {"assign-reviewer": member.pk})
    assert response.status_code == 302

    as_member = signed_in(member)
    page = as_member.get(page_url(proposal)).content.decode()
    assert "Record my declaration" in page
    conflict_url = reverse("admin:research_researchproposal_conflict", args=[proposal.pk])
    as_member.post(conflict_url, {"conflict-has_conflict": "no"})
    page = as_member.get(page_url(proposal)).content.decode()
    assert "Scientific merit" in page and "Submit my review" in page
    score_url = reverse("admin:research_researchproposal_score", args=[proposal.pk])
    response = as_member.post(score_url, {"review-score_scientific_merit": "5", "review-recommendation": "approve"})
    assert response.status_code == 200 and "Score “Feasibility” from 1 to 5." in response.content.decode()
    data = {f"review-{name}": "4" for name, _ in RESEARCH_RUBRIC}
    as_member.post(score_url, {**data, "review-recommendation": "approve", "review-comments": "Solid."})
    page = as_member.get(page_url(proposal)).content.decode()
    assert "average 4.00 from 1 review" in page


def test_a_conflicted_reviewer_through_the_page_cannot_score():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    member = staff_with_role(Role.COMMITTEE)
    review.assign_reviewer(proposal, reviewer=member, by=staff_with_role(Role.COORDINATOR))
    client = signed_in(member)
    conflict_url = reverse("admin:research_researchproposal_conflict", args=[proposal.pk])
    response = client.post(conflict_url, {"conflict-has_conflict": "yes", "conflict-conflict_details": ""})
    assert response.status_code == 200 and "Describe the conflict" in response.content.decode()
    client.post(conflict_url, {"conflict-has_conflict": "yes", "conflict-conflict_details": "Former student."})
    data = {f"review-{name}": "5" for name, _ in RESEARCH_RUBRIC}
    client.post(reverse("admin:research_researchproposal_score", args=[proposal.pk]),
                {**data, "review-recommendation": "approve"})  # fmt: skip
    own = ResearchReview.objects.get(proposal=proposal, reviewer=member)
    assert own.has_conflict and own.scores == [None] * 5
    assert "Declared a conflict of interest (not counted)" in client.get(page_url(proposal)).content.decode()


def test_other_scores_are_hidden_until_the_reviewer_submits():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    reviewed(proposal, scores=3)
    late = staff_with_role(Role.COMMITTEE)
    review.assign_reviewer(proposal, reviewer=late, by=staff_with_role(Role.COORDINATOR))
    page = signed_in(late).get(page_url(proposal)).content.decode()
    assert "appear once you submit your own review" in page and "3.00" not in page


# --- Approval with the milestone schedule ---------------------------------------------------------


def approve_url(proposal):
    return reverse("admin:research_researchproposal_action", args=[proposal.pk, "approve_proposal"])


def schedule_post(amount, rows, expected=R.SCIENTIFIC_REVIEW):
    data = {"expected_status": expected, "amount": str(amount), "message": "Congratulations.",
            "schedule-TOTAL_FORMS": str(len(rows)), "schedule-INITIAL_FORMS": "0",
            "schedule-MIN_NUM_FORMS": "0", "schedule-MAX_NUM_FORMS": "12"}  # fmt: skip
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"schedule-{i}-{key}"] = str(value)
    return data


def reviewed_proposal():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    reviewed(proposal)
    return proposal


def test_the_usual_split_adds_up_to_the_amount_to_the_cent():
    rows = usual_schedule(Decimal("100000.01"))
    assert sum(r["amount"] for r in rows) == Decimal("100000.01")
    assert [r["amount"] for r in usual_schedule(Decimal("200000"))] == [60000, 40000, 70000, 30000]


def test_the_approve_page_shows_the_amount_and_the_usual_split_prefilled():
    proposal = reviewed_proposal()
    total = proposal.total_budget()
    page = signed_in(staff_with_role(Role.MEDICAL)).get(approve_url(proposal)).content.decode()
    assert f"Requested: ${total:,.2f}" in page
    assert 'name="schedule-TOTAL_FORMS" value="5"' in page  # four prefilled rows and a spare
    assert str((total * 30 / 100).quantize(Decimal("0.01"))) in page
    assert "Milestone payment schedule" in page and "Expected by" in page


def test_a_schedule_that_does_not_add_up_is_refused_with_everything_typed_kept():
    proposal = reviewed_proposal()
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))
    rows = [{**row, "title": f"Custom {row['title']}"} for row in usual_schedule(Decimal("90000"))]
    response = client.post(approve_url(proposal), schedule_post(Decimal("100000.00"), rows))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The milestones add up to $90,000.00, not the approved $100,000.00" in page
    assert "<title>Error:" in page
    assert "Custom Research agreement executed" in page and 'value="100000.00"' in page and "Congratulations." in page
    proposal.refresh_from_db()
    assert proposal.status == R.SCIENTIFIC_REVIEW and not Milestone.objects.filter(proposal=proposal).exists()


def test_a_milestone_row_with_a_missing_field_is_refused_on_its_row():
    proposal = reviewed_proposal()
    rows = usual_schedule(Decimal("100000"))
    rows[1]["evidence_required"] = ""
    response = signed_in(staff_with_role(Role.ADMINISTRATOR)).post(approve_url(proposal),
                                                                  schedule_post(Decimal("100000"), rows))  # fmt: skip
    assert response.status_code == 200 and "Say what evidence releases it." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == R.SCIENTIFIC_REVIEW


def test_approval_through_the_page_creates_the_edited_schedule_and_emails_the_investigator():
    proposal = reviewed_proposal()
    rows = usual_schedule(Decimal("120000"))
    rows[2]["due_on"] = "2027-06-30"
    rows.append({"kind": "other", "title": "Publication", "evidence_required": "The accepted manuscript",
                 "amount": "5000.00"})  # fmt: skip
    rows[0]["amount"] = rows[0]["amount"] - 5000
    client = signed_in(staff_with_role(Role.MEDICAL))
    response = client.post(approve_url(proposal), schedule_post(Decimal("120000"), rows))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == R.APPROVED and proposal.approved_amount == Decimal("120000.00")
    milestones = list(proposal.milestones.all())
    assert [m.position for m in milestones] == [1, 2, 3, 4, 5]
    assert sum(m.amount for m in milestones) == Decimal("120000.00")
    assert milestones[2].due_on.isoformat() == "2027-06-30" and milestones[4].title == "Publication"
    mail = Email.objects.get(template="research_proposal_approved")
    assert "$120,000.00" in mail.body_text and "Publication" in mail.body_text and "Congratulations." in mail.body_text


def test_approve_page_without_a_review_free_of_conflict_is_refused_with_nothing_lost():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    reviewed(proposal, conflicted=True)
    response = signed_in(staff_with_role(Role.ADMINISTRATOR)).post(
        approve_url(proposal), schedule_post(Decimal("100000"), usual_schedule(Decimal("100000")))
    )
    page = response.content.decode()
    assert response.status_code == 200 and "no review has been submitted by a reviewer without a conflict" in page
    assert 'value="100000"' in page
    warned = signed_in(staff_with_role(Role.ADMINISTRATOR)).get(approve_url(proposal)).content.decode()
    assert "No reviewer free of a conflict of interest has submitted a review yet" in warned
    reviewed(proposal)
    page = signed_in(staff_with_role(Role.ADMINISTRATOR)).get(approve_url(proposal)).content.decode()
    assert "No reviewer free of a conflict of interest has submitted" not in page


def test_decline_with_reason_codes_and_a_message():
    proposal = reviewed_proposal()
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))
    url = reverse("admin:research_researchproposal_action", args=[proposal.pk, "decline_proposal"])
    response = client.post(url, {"expected_status": R.SCIENTIFIC_REVIEW, "message": "Sorry."})
    assert response.status_code == 200 and "Tick at least one reason." in response.content.decode()
    assert "Not aligned with the company" in response.content.decode()
    client.post(url, {"expected_status": R.SCIENTIFIC_REVIEW, "reason_codes": ["safety", "budget"],
                      "message": "The monitoring plan is thin."})  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.status == R.DECLINED and proposal.decision_reasons == ["safety", "budget"]
    mail = Email.objects.get(template="research_proposal_declined")
    assert "Safety monitoring or reporting is not adequate" in mail.body_text
    assert "The monitoring plan is thin." in mail.body_text
    assert "Safety monitoring" in client.get(page_url(proposal)).content.decode()


def test_staff_page_query_count_does_not_grow_with_reviews_and_messages(django_assert_max_num_queries):
    proposal = fill_full_proposal(proposal_at(R.SCIENTIFIC_REVIEW))
    reviewed(proposal)
    client = signed_in(staff_with_role(Role.COORDINATOR))
    with CaptureQueriesContext(connection) as few:
        client.get(page_url(proposal))
    for _ in range(4):
        reviewed(proposal)
    reviewed(proposal, conflicted=True)
    with django_assert_max_num_queries(len(few)):
        assert client.get(page_url(proposal)).status_code == 200


def test_the_spare_row_left_blank_is_skipped():
    proposal = reviewed_proposal()
    rows = [*usual_schedule(Decimal("100000")), {"kind": "", "title": "", "amount": "", "evidence_required": ""}]
    response = signed_in(staff_with_role(Role.ADMINISTRATOR)).post(approve_url(proposal),
                                                                  schedule_post(Decimal("100000"), rows))  # fmt: skip
    assert response.status_code == 302
    assert proposal.milestones.count() == 4


def test_a_reviewer_is_removed_before_reviewing_but_stays_once_submitted():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    pending = staff_with_role(Role.COMMITTEE)
    office = staff_with_role(Role.COORDINATOR)
    assignment = review.assign_reviewer(proposal, reviewer=pending, by=office)
    done = reviewed(proposal)
    client = signed_in(office)
    client.post(reverse("admin:research_researchproposal_unassign", args=[proposal.pk, assignment.pk]))
    assert not proposal.assignments.filter(reviewer=pending).exists()
    kept = proposal.assignments.get(reviewer=done.reviewer)
    response = client.post(reverse("admin:research_researchproposal_unassign", args=[proposal.pk, kept.pk]),
                           follow=True)  # fmt: skip
    assert "already submitted their review" in response.content.decode()
    assert proposal.assignments.filter(reviewer=done.reviewer).exists()
    # A member of the committee cannot take reviewers off.
    with pytest.raises(NotAllowed):
        review.unassign_reviewer(kept, by=staff_with_role(Role.COMMITTEE))

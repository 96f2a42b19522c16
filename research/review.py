"""The scientific review of a full proposal: staff assign committee members, each declares a conflict
of interest first and then scores the research rubric. The rules are the IME ones, from the same
services (``reviews.services.record_conflict`` / ``check_may_score`` / ``clean_scores`` /
``record_scores``); only who may review and when differ. The committee's decision is a row of
``research/workflow.py`` whose check (``has_countable_review``) needs one review without a conflict."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reviews.admin_views.scoring import ReviewRow, mean_score
from reviews.services import check_may_score, clean_scores, record_conflict, record_scores
from workflow.engine import NotAllowed, TransitionError
from workflow.roles import Role, roles_of

from .choices import RESEARCH_RUBRIC
from .models import ResearchAssignment, ResearchProposal, ResearchReview
from .notifications import ResearchEvent, notify
from .status import ResearchStatus as R

# Reviewing goes on while the investigator answers a question: the committee may keep scoring.
REVIEWABLE = frozenset({R.SCIENTIFIC_REVIEW, R.INFORMATION_REQUESTED})
# Who sits on the scientific review committee, and who puts them on a proposal.
REVIEWER_ROLES = frozenset({Role.MEDICAL, Role.COMMITTEE})
ASSIGNERS = frozenset({Role.COORDINATOR, Role.MEDICAL, Role.ADMINISTRATOR})


def committee_members():
    """Active staff who may be asked to review a research proposal."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__role__code__in=REVIEWER_ROLES)
        .order_by("first_name", "last_name", "email")
        .distinct()
    )


def can_assign(user, proposal) -> bool:
    return proposal.status in REVIEWABLE and bool(roles_of(user, proposal) & ASSIGNERS)


def assign_reviewer(proposal, *, reviewer, by) -> ResearchAssignment:
    if not roles_of(by, proposal) & ASSIGNERS:
        raise NotAllowed("Only the research office (coordinator, medical reviewer, administrator) assigns reviewers.")
    if not roles_of(reviewer, proposal) & REVIEWER_ROLES:
        name = reviewer.get_full_name() or reviewer.email
        raise ValidationError(f"{name} is not on the scientific review committee.")
    with transaction.atomic():
        # Under the row lock, so a decision made meanwhile cannot be followed by a new assignment.
        locked = ResearchProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in REVIEWABLE:
            raise ValidationError("Reviewers can be assigned only while the proposal is in scientific review.")
        try:
            with transaction.atomic():
                assignment = ResearchAssignment.objects.create(proposal=locked, reviewer=reviewer, assigned_by=by)
        except IntegrityError:
            raise ValidationError("That reviewer is already assigned to this proposal.") from None
        notify(ResearchEvent.REVIEWER_ASSIGNED, locked, assignment=assignment, reviewer=reviewer, actor=by)
    return assignment


def unassign_reviewer(assignment, *, by) -> None:
    """Take a reviewer off, as long as they have not submitted (a conflict declared counts as submitted)."""
    if not roles_of(by, assignment.proposal) & ASSIGNERS:
        raise NotAllowed("Only the research office removes reviewers.")
    with transaction.atomic():
        reviews = ResearchReview.objects.select_for_update().filter(
            proposal=assignment.proposal, reviewer=assignment.reviewer
        )
        if any(review.submitted_at for review in reviews):
            raise ValidationError("This reviewer has already submitted their review; it stays on record.")
        reviews.delete()
        assignment.delete()


def review_for(proposal, reviewer) -> ResearchReview:
    """The reviewer's review of the proposal (created empty on their first visit)."""
    if proposal.status not in REVIEWABLE:
        raise TransitionError("This proposal is not in scientific review.")
    if not roles_of(reviewer, proposal) & (REVIEWER_ROLES | {Role.ADMINISTRATOR}):
        raise NotAllowed("Only a member of the scientific review committee reviews proposals.")
    if not ResearchAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exists():
        raise NotAllowed("You are not assigned to review this proposal.")
    review, _ = ResearchReview.objects.get_or_create(proposal=proposal, reviewer=reviewer)
    return review


def _locked(review) -> ResearchReview:
    return ResearchReview.objects.select_for_update().select_related("proposal").get(pk=review.pk)


def declare_conflict(review, *, has_conflict: bool, details: str = "") -> ResearchReview:
    with transaction.atomic():
        locked = _locked(review)
        if has_conflict:
            locked.recommendation = ""
        record_conflict(locked, has_conflict=has_conflict, details=details)
        if has_conflict:
            locked.save(update_fields=["recommendation"])
    return locked


def submit_review(review, *, scores: dict, comments: str, recommendation: str) -> ResearchReview:
    with transaction.atomic():
        locked = _locked(review)
        check_may_score(locked)
        if locked.proposal.status not in REVIEWABLE:
            raise ValidationError("The proposal has left scientific review; the committee has decided.")
        clean = clean_scores(locked, scores)
        if not recommendation:
            raise ValidationError("Choose a recommendation.")
        record_scores(locked, clean, comments=comments, extra={"recommendation": recommendation})
    return locked


# The committee's decisions (research/workflow.py), refused until ``has_countable_review``.
DECISION_ROWS = frozenset({"approve_proposal", "decline_proposal"})


def has_countable_review(proposal) -> bool:
    """At least one submitted review by a reviewer without a conflict of interest."""
    return ResearchReview.objects.filter(proposal=proposal, submitted_at__isnull=False, has_conflict=False).exists()


def review_rows(assignments, reviews) -> list[ReviewRow]:
    """Everyone assigned (awaiting or done) and anyone who reviewed, on the research rubric."""
    by_reviewer = {r.reviewer_id: r for r in reviews}
    rows = [ReviewRow(a.reviewer, by_reviewer.pop(a.reviewer_id, None), RESEARCH_RUBRIC) for a in assignments]
    return rows + [ReviewRow(r.reviewer, r, RESEARCH_RUBRIC) for r in by_reviewer.values()]


def average_of(reviews):
    """The committee's average: conflicted and unsubmitted reviews do not count."""
    return mean_score(reviews)

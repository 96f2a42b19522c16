"""Staff work on a grant request that is not a status change: assigning reviewers, and the reviews
themselves (conflict-of-interest declaration first, then the rubric). Status changes and decisions
are rows of ``grants/workflow.py``, made through ``workflow.engine.perform``."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.models import GrantRequest
from grants.notifications import Event, notify
from grants.status import UNDECIDED
from workflow.engine import NotAllowed, TransitionError
from workflow.roles import REVIEWER_ASSIGNERS, Role, roles_of

from .choices import ReviewStage
from .models import Assignment, Review

STAGE_ROLES = {ReviewStage.MEDICAL: Role.MEDICAL, ReviewStage.COMMITTEE: Role.COMMITTEE}


# --- Assignment ------------------------------------------------------------------------------


def assign_reviewer(grant_request, *, reviewer, stage: str, by) -> Assignment:
    required = STAGE_ROLES[ReviewStage(stage)]
    if required not in roles_of(reviewer, grant_request):
        raise ValidationError(f"{reviewer.get_full_name() or reviewer.email} is not a {required.label.lower()}.")
    if not roles_of(by, grant_request) & REVIEWER_ASSIGNERS:
        raise NotAllowed("Only a grants coordinator or an administrator assigns reviewers.")
    with transaction.atomic():
        # Under the row lock, so a decision made meanwhile cannot be followed by a new assignment.
        locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
        if locked.status not in UNDECIDED:
            raise ValidationError("Reviewers can be assigned only while the request awaits a decision.")
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    grant_request=locked, reviewer=reviewer, stage=stage, assigned_by=by
                )
        except IntegrityError:
            raise ValidationError("That reviewer is already assigned at this stage.") from None
        notify(Event.REVIEWER_ASSIGNED, locked, assignment=assignment, reviewer=reviewer)
    return assignment


def unassign_reviewer(assignment: Assignment, *, by) -> None:
    """Take a reviewer off a request, as long as they have not submitted their review."""
    if not roles_of(by, assignment.grant_request) & REVIEWER_ASSIGNERS:
        raise NotAllowed("Only a grants coordinator or an administrator removes reviewers.")
    with transaction.atomic():
        reviews = Review.objects.select_for_update().filter(
            grant_request=assignment.grant_request, reviewer=assignment.reviewer, stage=assignment.stage
        )
        if any(review.submitted_at for review in reviews):
            raise ValidationError("This reviewer has already submitted their review; it stays on record.")
        reviews.delete()
        assignment.delete()


# --- Reviews ---------------------------------------------------------------------------------


def current_stage(grant_request) -> str | None:
    """The review stage a request is at: its status, when that status is a review stage."""
    return grant_request.status if grant_request.status in ReviewStage.values else None


def review_for(grant_request, reviewer) -> Review:
    """The reviewer's review at the request's current stage (created empty on first visit)."""
    stage = current_stage(grant_request)
    if stage is None:
        raise TransitionError("This request is not awaiting review.")
    if not roles_of(reviewer, grant_request) & {STAGE_ROLES[stage], Role.ADMINISTRATOR}:
        raise NotAllowed(f"Only a {STAGE_ROLES[stage].label.lower()} reviews at this stage.")
    if not Assignment.objects.filter(grant_request=grant_request, reviewer=reviewer, stage=stage).exists():
        raise NotAllowed("You are not assigned to review this request at this stage.")
    review, _ = Review.objects.get_or_create(grant_request=grant_request, reviewer=reviewer, stage=stage)
    return review


def _locked(review: Review) -> Review:
    """The review re-read under a row lock: two tabs of one reviewer never overwrite each other."""
    return Review.objects.select_for_update().select_related("grant_request").get(pk=review.pk)


# --- The conflict-first rule, for any rubric (IME reviews here, research reviews in research/review.py) ---


def record_conflict(locked, *, has_conflict: bool, details: str = "") -> None:
    """Record a reviewer's declaration on a review already locked by the caller. A conflict ends the
    review there: no scores, nothing to recommend, submitted as declared."""
    if has_conflict and not details.strip():
        raise ValidationError("Describe the conflict briefly so the coordinator can reassign the review.")
    if locked.submitted_at:
        raise ValidationError("This review has been submitted.")
    locked.has_conflict = has_conflict
    locked.conflict_details = details if has_conflict else ""
    fields = ["has_conflict", "conflict_details", "updated_at"]
    if has_conflict:
        for name, _ in locked.RUBRIC:
            setattr(locked, name, None)
        locked.submitted_at = timezone.now()
        fields += [name for name, _ in locked.RUBRIC] + ["submitted_at"]
    locked.save(update_fields=fields)


def check_may_score(locked) -> None:
    """Refuse to score before the declaration, after a declared conflict, or twice."""
    if locked.has_conflict is None:
        raise ValidationError("Declare whether you have a conflict of interest before scoring.")
    if locked.has_conflict:
        raise ValidationError("You declared a conflict of interest, so you cannot score this request.")
    if locked.submitted_at:
        raise ValidationError("You have already submitted your review at this stage.")


def clean_scores(locked, scores: dict) -> dict:
    """Every criterion of the review's rubric scored 1 to 5; returns the scores as integers by field name."""
    missing = [label for name, label in locked.RUBRIC if not scores.get(name)]
    if missing:
        raise ValidationError(f"Score every criterion: {', '.join(missing)}.")
    clean = {}
    for name, label in locked.RUBRIC:
        try:
            value = int(scores[name])
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise ValidationError(f"Score “{label}” from 1 to 5.")
        clean[name] = value
    return clean


def record_scores(locked, scores: dict, *, comments: str, extra: dict | None = None) -> None:
    """Write cleaned scores (``clean_scores``) and whatever the kind adds (a recommendation…), submitted."""
    extra = extra or {}
    for name, value in {**scores, **extra}.items():
        setattr(locked, name, value)
    locked.comments = comments
    locked.submitted_at = timezone.now()
    locked.save(update_fields=[*scores, *extra, "comments", "submitted_at", "updated_at"])


def declare_conflict(review: Review, *, has_conflict: bool, details: str = "") -> Review:
    if has_conflict and not details.strip():
        raise ValidationError("Describe the conflict briefly so the coordinator can reassign the review.")
    with transaction.atomic():
        locked = _locked(review)
        if has_conflict:
            locked.recommendation = ""
            locked.save(update_fields=["recommendation"])
        record_conflict(locked, has_conflict=has_conflict, details=details)
    return locked


def submit_review(review: Review, *, scores: dict, comments: str, recommendation: str, recommended_amount=None):
    with transaction.atomic():
        locked = _locked(review)
        check_may_score(locked)
        if current_stage(locked.grant_request) != locked.stage:
            raise ValidationError("The request has moved on from this review stage.")
        clean = clean_scores(locked, scores)
        if not recommendation:
            raise ValidationError("Choose a recommendation.")
        record_scores(locked, clean, comments=comments,
                      extra={"recommendation": recommendation, "recommended_amount": recommended_amount})  # fmt: skip
    return locked

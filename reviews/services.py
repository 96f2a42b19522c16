"""Staff actions on a grant request. Each changes state and queues its emails in one transaction, and
every status change goes through ``workflow.transition``."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from grants.models import GrantRequest
from grants.status import UNDECIDED, GrantStatus
from outbox.services import queue_email

from .choices import RUBRIC, DecisionOutcome, DeclineReason, ReviewStage
from .models import Assignment, Decision, InformationRequest, Message, Review
from .roles import REVIEWER_ASSIGNERS, Role, roles_of
from .workflow import NotAllowed, TransitionError, transition

STAGE_ROLES = {ReviewStage.MEDICAL: Role.MEDICAL, ReviewStage.COMMITTEE: Role.COMMITTEE}
OUTCOME_TRANSITIONS = {
    DecisionOutcome.APPROVED: "approve",
    DecisionOutcome.PARTIALLY_APPROVED: "partially_approve",
    DecisionOutcome.DECLINED: "decline",
}


def applicant_recipients(grant_request) -> list[str]:
    """Who is emailed on the applicant's side: the requester and the secondary contact."""
    return list(dict.fromkeys(a for a in (grant_request.requester_email, grant_request.secondary_email) if a))


def _context(grant_request, **extra) -> dict:
    site = settings.SITE_URL
    return {
        "grant_request": grant_request,
        "request_url": site + reverse("grants:request_detail", args=[grant_request.pk]),
        "admin_url": site + reverse("admin:grants_grantrequest_change", args=[grant_request.pk]),
        "mailbox": settings.IME_INQUIRY_MAILBOX,
        **extra,
    }


# --- Requests for information ---------------------------------------------------------------


def request_information(grant_request, *, by, message: str, sections: list[str], expected_status=None):
    """Ask the applicant for more; they may then edit the named sections and reply."""
    if not message.strip():
        raise ValidationError("Write what the applicant needs to provide.")
    with transaction.atomic():
        transition(
            grant_request, "request_information", by=by, note=message,
            expected_status=expected_status or GrantStatus.SCREENING,
        )  # fmt: skip
        rfi = InformationRequest.objects.create(
            grant_request=grant_request, requested_by=by, message=message, sections=list(sections)
        )
        Message.objects.create(
            grant_request=grant_request, author=by, from_staff=True, body=message, information_request=rfi
        )
        queue_email(
            "information_requested",
            applicant_recipients(grant_request),
            _context(grant_request, rfi=rfi, section_titles=section_titles(sections)),
            reply_to=settings.IME_STAFF_MAILBOX,
        )
    return rfi


def open_information_request(grant_request) -> InformationRequest | None:
    return grant_request.information_requests.filter(answered_at__isnull=True).order_by("-created_at").first()


def answer_information_request(grant_request, *, by, answer: str):
    """The applicant replies; the request goes back to screening with the changes visible to staff."""
    if not answer.strip():
        raise ValidationError("Write a short reply describing what you changed or are sending.")
    with transaction.atomic():
        rfi = (
            InformationRequest.objects.select_for_update()
            .filter(grant_request=grant_request, answered_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if rfi is None:
            raise TransitionError("There is no open request for information on this request.")
        transition(grant_request, "resubmit", by=by, note=answer, expected_status=GrantStatus.INFORMATION_REQUESTED)
        rfi.answered_at = timezone.now()
        rfi.answered_by = by
        rfi.answer = answer
        rfi.save(update_fields=["answered_at", "answered_by", "answer"])
        Message.objects.create(
            grant_request=grant_request, author=by, from_staff=False, body=answer, information_request=rfi
        )
        queue_email(
            "information_answered",
            [rfi.requested_by.email or settings.IME_STAFF_MAILBOX],
            _context(grant_request, rfi=rfi),
        )
    return rfi


def section_titles(slugs) -> list[str]:
    from grants.sections import SECTIONS

    titles = {s.slug: s.title for s in SECTIONS}
    return [titles.get(slug, slug) for slug in slugs]


# --- Messages --------------------------------------------------------------------------------


def post_message(grant_request, *, by, body: str, from_staff: bool) -> Message:
    if not body.strip():
        raise ValidationError("The message is empty.")
    with transaction.atomic():
        message = Message.objects.create(grant_request=grant_request, author=by, from_staff=from_staff, body=body)
        if from_staff:
            recipients = applicant_recipients(grant_request)
            template = "message_to_applicant"
        else:
            recipients = [settings.IME_STAFF_MAILBOX]
            template = "message_from_applicant"
        queue_email(template, recipients, _context(grant_request, message=message))
    return message


# --- Assignment and reviews ------------------------------------------------------------------


def assign_reviewer(grant_request, *, reviewer, stage: str, by) -> Assignment:
    required = STAGE_ROLES[ReviewStage(stage)]
    if required not in roles_of(reviewer, grant_request):
        raise ValidationError(f"{reviewer.get_full_name() or reviewer.email} is not a {required.label.lower()}.")
    if not roles_of(by, grant_request) & REVIEWER_ASSIGNERS:
        raise NotAllowed("Only a grants coordinator or an administrator assigns reviewers.")
    if grant_request.status not in UNDECIDED:
        raise ValidationError("Reviewers can be assigned only while the request awaits a decision.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    grant_request=grant_request, reviewer=reviewer, stage=stage, assigned_by=by
                )
        except IntegrityError:
            raise ValidationError("That reviewer is already assigned at this stage.") from None
        queue_email(
            "review_assignment",
            [reviewer.email],
            _context(grant_request, assignment=assignment, reviewer=reviewer),
        )
    return assignment


def unassign_reviewer(assignment: Assignment, *, by) -> None:
    """Take a reviewer off a request, as long as they have not submitted their review."""
    if not roles_of(by, assignment.grant_request) & REVIEWER_ASSIGNERS:
        raise NotAllowed("Only a grants coordinator or an administrator removes reviewers.")
    with transaction.atomic():
        submitted = Review.objects.filter(
            grant_request=assignment.grant_request,
            reviewer=assignment.reviewer,
            stage=assignment.stage,
            submitted_at__isnull=False,
        )
        if submitted.exists():
            raise ValidationError("This reviewer has already submitted their review; it stays on record.")
        Review.objects.filter(
            grant_request=assignment.grant_request, reviewer=assignment.reviewer, stage=assignment.stage
        ).delete()
        assignment.delete()


def current_stage(grant_request) -> str | None:
    try:
        return ReviewStage(grant_request.status)
    except ValueError:
        return None


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


def declare_conflict(review: Review, *, has_conflict: bool, details: str = "") -> Review:
    if review.submitted_at:
        raise ValidationError("This review has been submitted.")
    if has_conflict and not details.strip():
        raise ValidationError("Describe the conflict briefly so the coordinator can reassign the review.")
    review.has_conflict = has_conflict
    review.conflict_details = details if has_conflict else ""
    if has_conflict:
        for name, _ in RUBRIC:
            setattr(review, name, None)
        review.recommendation = ""
        review.submitted_at = timezone.now()
    review.save()
    return review


def submit_review(review: Review, *, scores: dict, comments: str, recommendation: str, recommended_amount=None):
    if review.has_conflict is None:
        raise ValidationError("Declare whether you have a conflict of interest before scoring.")
    if review.has_conflict:
        raise ValidationError("You declared a conflict of interest, so you cannot score this request.")
    if review.submitted_at:
        raise ValidationError("You have already submitted your review at this stage.")
    if current_stage(review.grant_request) != review.stage:
        raise ValidationError("The request has moved on from this review stage.")
    missing = [label for name, label in RUBRIC if not scores.get(name)]
    if missing:
        raise ValidationError(f"Score every criterion: {', '.join(missing)}.")
    if not recommendation:
        raise ValidationError("Choose a recommendation.")
    for name, _ in RUBRIC:
        setattr(review, name, int(scores[name]))
    review.comments = comments
    review.recommendation = recommendation
    review.recommended_amount = recommended_amount
    review.submitted_at = timezone.now()
    review.save()
    return review


# --- Decisions -------------------------------------------------------------------------------


def decide(grant_request, *, by, outcome: str, approved_amount=None, reason_codes=(), message: str = "",
           expected_status=None) -> Decision:  # fmt: skip
    """Record the committee's decision, move the request, and tell the applicant."""
    outcome = DecisionOutcome(outcome)
    requested = grant_request.amount_requested or Decimal("0")
    reason_codes = [DeclineReason(code).value for code in reason_codes]
    if outcome == DecisionOutcome.APPROVED:
        approved_amount = requested
    elif outcome == DecisionOutcome.PARTIALLY_APPROVED:
        if approved_amount is None or not (Decimal("0") < Decimal(approved_amount) < requested):
            raise ValidationError(
                f"A partial approval is for more than $0 and less than the ${requested:,.2f} requested."
            )
        if not message.strip():
            raise ValidationError("Give the applicant the reason for approving only part of the request.")
    else:
        approved_amount = None
        if not reason_codes:
            raise ValidationError("Choose at least one reason for declining.")
        if not message.strip():
            raise ValidationError("Write the message the applicant will receive.")
    with transaction.atomic():
        transition(
            grant_request, OUTCOME_TRANSITIONS[outcome], by=by, note=message or outcome.label,
            expected_status=expected_status,
        )  # fmt: skip
        decision = Decision.objects.create(
            grant_request=grant_request, outcome=outcome, approved_amount=approved_amount,
            reason_codes=reason_codes, message_to_applicant=message, decided_by=by,
        )  # fmt: skip
        GrantRequest.objects.filter(pk=grant_request.pk).update(approved_amount=approved_amount)
        grant_request.approved_amount = approved_amount
        reasons = [DeclineReason(code).label for code in reason_codes]
        queue_email(
            f"decision_{outcome.value}",
            applicant_recipients(grant_request),
            _context(grant_request, decision=decision, reasons=reasons),
            reply_to=settings.IME_STAFF_MAILBOX,
        )
    return decision

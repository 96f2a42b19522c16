"""What the applicant does to a request as a whole: submit it, withdraw it, or delete a draft.

Status changes go through ``reviews.workflow.transition`` (the one door). The emails that go with
submitting and withdrawing are queued here, in the same transaction as the change, which keeps
"one submission, one set of emails" visible in one place.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outbox.services import queue_email
from reviews.workflow import transition

from ..models import GrantRequest, ReferenceCounter
from ..status import GrantStatus
from .attachments import delete_stored_files

# What the receipt tells the applicant to expect (DOMAIN: decisions typically 30-60 days after submission).
DECISION_TIMELINE = "Most requests receive a decision within 30 to 60 days of submission."


class SubmissionRefused(Exception):
    """The request does not pass every eligibility rule; ``problems`` lists them."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) prevent submission.")


class NotADraft(Exception):
    """Only drafts may be deleted; sent requests are withdrawn instead."""


@dataclass(frozen=True)
class SubmissionResult:
    grant_request: GrantRequest
    newly_submitted: bool


def _applicant_recipients(grant_request, fallback_user=None) -> list[str]:
    recipients = [grant_request.requester_email, grant_request.secondary_email]
    if not any(recipients) and fallback_user is not None:
        recipients.append(fallback_user.email)
    return [address for address in recipients if address]


def _links(grant_request) -> dict:
    site = settings.SITE_URL
    return {
        "request_url": site + reverse("grants:request_detail", args=[grant_request.pk]),
        "admin_url": f"{site}/admin/grants/grantrequest/{grant_request.pk}/change/",
    }


def submit_request(grant_request, user, today=None) -> SubmissionResult:
    """Submit a draft once. A second call (double click, replayed POST, a parallel request) finds the
    request already submitted and returns it without a second reference, status change or email."""
    from ..eligibility import check_request

    with transaction.atomic():
        locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
        if locked.status != GrantStatus.DRAFT:
            return SubmissionResult(locked, newly_submitted=False)
        problems = check_request(locked, today=today)
        if problems:
            raise SubmissionRefused(problems)
        now = timezone.now()
        locked.reference = ReferenceCounter.next_reference(timezone.localdate(now).year)
        locked.submitted_at = now
        locked.save(update_fields=["reference", "submitted_at", "updated_at"])
        transition(locked, "submit", by=user, expected_status=GrantStatus.DRAFT)
        _queue_submission_emails(locked, user)
    return SubmissionResult(locked, newly_submitted=True)


def _queue_submission_emails(grant_request, user) -> None:
    grant_request = GrantRequest.objects.select_related("organisation").get(pk=grant_request.pk)
    context = {
        "grant_request": grant_request,
        "organisation": grant_request.organisation,
        "timeline": DECISION_TIMELINE,
        "mailbox": settings.IME_STAFF_MAILBOX,
        **_links(grant_request),
    }
    queue_email(
        "submission_receipt",
        _applicant_recipients(grant_request, user),
        context,
        reply_to=settings.IME_STAFF_MAILBOX,
    )
    queue_email(
        "submission_alert",
        settings.IME_STAFF_MAILBOX,
        {**context, "submitted_by": user},
        reply_to=_applicant_recipients(grant_request, user),
    )


def withdraw_request(grant_request, user, *, reason: str = "", expected_status: str | None = None):
    """Withdraw a request that has not been decided. Raises reviews.workflow.TransitionError if the
    request moved on meanwhile or may not be withdrawn; nothing is sent in that case."""
    reason = reason.strip()
    with transaction.atomic():
        change = transition(grant_request, "withdraw", by=user, note=reason, expected_status=expected_status)
        grant_request = GrantRequest.objects.select_related("organisation").get(pk=grant_request.pk)
        context = {
            "grant_request": grant_request,
            "organisation": grant_request.organisation,
            "reason": reason,
            "previous_status": change.get_from_status_display(),
            "withdrawn_by": user,
            "mailbox": settings.IME_STAFF_MAILBOX,
            **_links(grant_request),
        }
        queue_email(
            "withdrawal_acknowledged",
            _applicant_recipients(grant_request, user),
            context,
            reply_to=settings.IME_STAFF_MAILBOX,
        )
        queue_email("withdrawal_alert", settings.IME_STAFF_MAILBOX, context)
    return change


def delete_draft(grant_request) -> None:
    """Delete a draft that was never sent, with its documents. Raises NotADraft otherwise."""
    with transaction.atomic():
        locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
        if locked.status != GrantStatus.DRAFT:
            raise NotADraft(
                f"This request is {locked.get_status_display().lower()}; only drafts can be deleted. "
                "A submitted request can be withdrawn until a decision is made."
            )
        attachments = list(locked.attachments.all())
        names = [a.file.name for a in attachments]
        storage = attachments[0].file.storage if attachments else None
        locked.delete()
        if storage is not None:
            transaction.on_commit(lambda: delete_stored_files(names, storage))

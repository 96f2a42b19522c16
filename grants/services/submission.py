"""What the applicant does to a request as a whole: submit it, withdraw it, or delete a draft.

Status changes go through ``workflow.engine.perform`` (the one door); the rows of
``grants/workflow.py`` carry the reference number, the audit entry and the emails with each move.
"""

from dataclasses import dataclass

from django.db import transaction

from workflow.engine import perform

from ..models import GrantRequest
from ..status import GrantStatus
from ..workflow import SubmissionRefused
from .attachments import delete_stored_files

__all__ = ["NotADraft", "SubmissionRefused", "SubmissionResult", "delete_draft", "submit_request", "withdraw_request"]


class NotADraft(Exception):
    """Only drafts may be deleted; sent requests are withdrawn instead."""


@dataclass(frozen=True)
class SubmissionResult:
    grant_request: GrantRequest
    newly_submitted: bool


def submit_request(grant_request, user) -> SubmissionResult:
    """Submit a draft once. A second call (double click, replayed POST, a parallel request) finds the
    request already submitted and returns it without a second reference, status change or email."""
    with transaction.atomic():
        locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
        if locked.status != GrantStatus.DRAFT:
            return SubmissionResult(locked, newly_submitted=False)
        perform(locked, "submit", by=user, expected_status=GrantStatus.DRAFT)
    return SubmissionResult(locked, newly_submitted=True)


def withdraw_request(grant_request, user, *, reason: str = "", expected_status: str | None = None):
    """Withdraw a request that has not been decided. Raises workflow.engine.TransitionError if the
    request moved on meanwhile or may not be withdrawn; nothing is sent in that case."""
    return perform(grant_request, "withdraw", by=user, reason=reason.strip(), expected_status=expected_status)


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

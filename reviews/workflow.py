"""The grant-request workflow as data (SPEC §4): every legal move, and who may make it.

Read it against the process on paper: one row per transition. ``transition()`` below is the only
code that writes ``GrantRequest.status``.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from grants.status import GrantStatus as S

from .roles import Role, roles_of

STAFF_SCREENERS = {Role.COORDINATOR, Role.COMPLIANCE, Role.ADMINISTRATOR}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: S
    roles: frozenset
    label: str
    note_required: bool = False
    # Notes on internal hand-offs (screening → medical review…) are for staff; the rest the applicant reads.
    applicant_sees_note: bool = True


def _t(name, sources, target, roles, label, note_required=False, internal=False):
    sources = frozenset([sources] if isinstance(sources, str) else sources)
    return Transition(name, sources, target, frozenset(roles), label, note_required, not internal)


TRANSITIONS: list[Transition] = [
    # name                     from                                  to                       who
    _t("submit", S.DRAFT, S.SUBMITTED, {Role.APPLICANT}, "Submit"),
    _t("start_screening", S.SUBMITTED, S.SCREENING, STAFF_SCREENERS, "Start screening", internal=True),
    _t("request_information", S.SCREENING, S.INFORMATION_REQUESTED, STAFF_SCREENERS,
       "Request information", note_required=True),
    _t("resubmit", S.INFORMATION_REQUESTED, S.SCREENING, {Role.APPLICANT}, "Send answer"),
    _t("send_to_medical_review", S.SCREENING, S.MEDICAL_REVIEW, STAFF_SCREENERS, "Send to medical review",
       internal=True),
    _t("send_to_committee", S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW,
       {Role.COORDINATOR, Role.MEDICAL, Role.ADMINISTRATOR}, "Send to committee", internal=True),
    _t("approve", S.COMMITTEE_REVIEW, S.APPROVED, {Role.COMMITTEE, Role.ADMINISTRATOR}, "Approve"),
    _t("partially_approve", S.COMMITTEE_REVIEW, S.PARTIALLY_APPROVED, {Role.COMMITTEE, Role.ADMINISTRATOR},
       "Approve in part", note_required=True),
    _t("decline", {S.SCREENING, S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW}, S.DECLINED,
       {Role.COMMITTEE, Role.COORDINATOR, Role.ADMINISTRATOR}, "Decline", note_required=True),
    _t("withdraw", {S.SUBMITTED, S.SCREENING, S.INFORMATION_REQUESTED, S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW},
       S.WITHDRAWN, {Role.APPLICANT}, "Withdraw"),
]  # fmt: skip

BY_NAME = {t.name: t for t in TRANSITIONS}


class TransitionError(Exception):
    """A transition that may not happen; the message is written for the person who tried."""


class IllegalTransition(TransitionError):
    pass


class NotAllowed(TransitionError):
    pass


class AlreadyMoved(TransitionError):
    pass


class NoteRequired(TransitionError):
    pass


def available_transitions(grant_request, user, roles: set[Role] | None = None) -> list[Transition]:
    """The moves ``user`` may make now; pass ``roles`` when the caller already has them (saves a query)."""
    if roles is None:
        roles = roles_of(user, grant_request)
    return [t for t in TRANSITIONS if grant_request.status in t.sources and roles & t.roles]


def transition(grant_request, name: str, *, by, note: str = "", expected_status: str | None = None):
    """Make the named transition: check it, lock the row, change the status and log it.

    Callers that send mail with the move wrap this call and ``queue_email`` in one ``transaction.atomic``.

    ``expected_status`` is the status the actor saw; if someone moved the request meanwhile the call is
    refused with who did it, instead of applying a decision made on stale information.
    """
    from grants.models import GrantRequest

    from .models import StatusChange

    rule = BY_NAME.get(name)
    if rule is None:
        raise IllegalTransition(f"Unknown action “{name}”.")
    with transaction.atomic():
        locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
        if expected_status is not None and locked.status != expected_status:
            last = StatusChange.objects.filter(grant_request=locked).select_related("actor").last()
            who = last.actor_display if last else "someone else"
            raise AlreadyMoved(
                f"This request was already moved to “{locked.get_status_display()}” by {who}; nothing was changed."
            )
        if locked.status not in rule.sources:
            raise IllegalTransition(
                f"“{rule.label}” is not possible while the request is {locked.get_status_display().lower()}."
            )
        if not roles_of(by, locked) & rule.roles:
            raise NotAllowed(f"You do not have a role that may “{rule.label.lower()}” this request.")
        if rule.note_required and not note.strip():
            raise NoteRequired(f"“{rule.label}” needs a note or reason.")
        previous = locked.status
        locked.status = rule.target
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        change = StatusChange.objects.create(
            grant_request=locked, transition=name, from_status=previous, to_status=rule.target, actor=by, note=note
        )
    grant_request.status = locked.status
    grant_request.status_changed_at = locked.status_changed_at
    return change

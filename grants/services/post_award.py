"""What the post-award pages call (SPEC §4a). Each function makes one move through the workflow's one
door (``workflow.engine.perform``); where one intention maps to two rows (an instalment or the final
payment; cancelling with or without money to return), it picks the row, and the row's check still
refuses anything that does not fit."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from workflow.engine import TransitionError, perform
from workflow.models import system_actor

from .. import post_award as award
from ..models import ChangeKind, ChangeRequest, GrantRequest
from ..status import GrantStatus as S

log = logging.getLogger(__name__)


def issue_agreement(grant_request, *, by, note="", expected_status=None):
    return perform(grant_request, "issue_agreement", by=by, note=note, expected_status=expected_status)


def sign_agreement(grant_request, agreement, *, by, signer_name, signer_title, authority_confirmed, ip=None,
                   user_agent=""):  # fmt: skip
    """The authorized signer signs the current letter. Signing twice is harmless: the first signature
    stands and the second call returns it."""
    try:
        perform(
            grant_request, "sign_agreement", by=by, agreement=agreement, signer_name=signer_name,
            signer_title=signer_title, authority_confirmed=authority_confirmed, ip=ip, user_agent=user_agent,
        )  # fmt: skip
    except award.AlreadySigned:
        pass
    agreement.refresh_from_db()
    return agreement


def countersign_agreement(grant_request, *, by, signer_title, ip=None, expected_status=None):
    """The supporter's signatory countersigns. An amended letter of a grant already paid in full puts
    the grant straight back to paid."""
    with transaction.atomic():
        entry = perform(
            grant_request, "countersign_agreement", by=by, signer_title=signer_title, ip=ip,
            expected_status=expected_status,
        )  # fmt: skip
        if award.amount_paid(grant_request) and award.amount_paid(grant_request) == grant_request.approved_amount:
            perform(grant_request, "confirm_paid", by=system_actor())
    return entry


def record_payment(grant_request, *, by, amount, method, reference, paid_on, expected_status=None):
    """An instalment, or the final payment when it completes the approved amount (then ``paid``)."""
    remaining = (grant_request.approved_amount or award.ZERO) - award.amount_paid(grant_request)
    name = "record_final_payment" if amount == remaining else "record_instalment"
    return perform(
        grant_request, name, by=by, amount=amount, method=method, reference=reference, paid_on=paid_on,
        expected_status=expected_status,
    )  # fmt: skip


def file_change_request(grant_request, *, by, kind, reason, **proposed) -> ChangeRequest:
    change = ChangeRequest(kind=kind, reason=reason, **proposed)
    entry = perform(grant_request, "file_change_request", by=by, change=change)
    return entry.records["change_request"]


def decide_change_request(change, *, by, approve: bool, note="", short_notice_accepted=False, expected_status=None):
    """Approve (updating the request, re-issuing the letter when the terms change) or refuse a change.
    Approving a cancellation cancels the grant."""
    grant_request = change.grant_request
    if not approve:
        return perform(
            grant_request, "refuse_change", by=by, change_request=change, note=note, expected_status=expected_status
        )
    if change.kind == ChangeKind.CANCELLATION:
        return cancel_grant(grant_request, by=by, reason=note or change.reason, change_request=change,
                            expected_status=expected_status)  # fmt: skip
    reissue = award.touches_terms(grant_request, change) and award.current_agreement(grant_request) is not None
    return perform(
        grant_request, "approve_change_and_reissue" if reissue else "approve_change", by=by, change_request=change,
        note=note, short_notice_accepted=short_notice_accepted, expected_status=expected_status,
    )  # fmt: skip


def cancel_grant(grant_request, *, by, reason, change_request=None, expected_status=None):
    """Cancelled at once when nothing was paid; otherwise the amount paid becomes a refund due."""
    name = "cancel_with_refund" if award.amount_paid(grant_request) else "cancel"
    return perform(
        grant_request, name, by=by, reason=reason, change_request=change_request, expected_status=expected_status
    )


def record_cancellation_refund(grant_request, *, by, amount, received_on, reference, expected_status=None):
    return perform(
        grant_request, "record_cancellation_refund", by=by, amount=amount, received_on=received_on,
        reference=reference, expected_status=expected_status,
    )  # fmt: skip


def advance_programs(today=None) -> dict[str, int]:
    """The daily moves, as the portal itself: paid programs whose start date has come are in progress,
    programs whose end date has come are due for reconciliation. Idempotent: a second run finds nothing
    left to move, and a request moved meanwhile by someone else is skipped."""
    today = today or timezone.localdate()
    actor = system_actor()
    moved = {"start_program": 0, "end_program": 0}
    for name, status, field in (("start_program", S.PAID, "start_date"), ("end_program", S.IN_PROGRESS, "end_date")):
        due = GrantRequest.objects.filter(status=status, **{f"{field}__lte": today}).order_by("pk")
        for grant_request in due.iterator():
            try:
                perform(grant_request, name, by=actor, today=today, expected_status=status)
            except (TransitionError, ValidationError) as refusal:
                log.info("%s skipped for %s: %s", name, grant_request.display_reference, refusal)
                continue
            moved[name] += 1
    return moved

"""What the applicant sees of a grant after approval (SPEC §4a): its Letter of Agreement, the payments,
the change requests, and the next step in plain words for the person looking.

Each list is read in one query whatever its length, so the request page costs the same with one
payment or ten (``tests/test_agreement_applicant.py`` pins it)."""

from django.conf import settings
from django.utils import timezone

from workflow.engine import why_not

from .. import post_award as award
from ..models import ChangeStatus
from ..status import NEXT_ACTIONS
from ..status import GrantStatus as S
from ..workflow import BY_NAME

# The states in which an approval stands (or stood) behind the request: the post-award panels show.
AFTER_APPROVAL = frozenset({
    S.APPROVED, S.PARTIALLY_APPROVED, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, S.PAID, S.IN_PROGRESS,
    S.RECONCILIATION_DUE, S.RECONCILED, S.CLOSED, S.CANCELLED, S.CANCELLATION_REFUND_DUE,
})  # fmt: skip
# The grant waits on finance here; a W-9 problem would hold the payment up.
WAITING_ON_PAYMENT = frozenset({S.AGREEMENT_SENT, S.AGREEMENT_SIGNED})


def signer_label(grant_request) -> str:
    return grant_request.signer_name or grant_request.signer_email or "your authorized signer"


def signing_refusal(grant_request, user) -> str | None:
    """Why ``user`` may not sign this request's letter (the workflow guard's own words); None for the signer."""
    return award.only_the_authorized_signer(grant_request, user, frozenset())


def w9_request(organisation, today=None) -> str | None:
    """What the applicant must do about the W-9 before a payment can be made; None when nothing."""
    problem = award.w9_problem(organisation, today or timezone.localdate())
    if problem is None:
        return None
    days = settings.IME_W9_MAX_AGE_DAYS
    if not organisation.w9:
        on_file = "There is no W-9 on file for your organization."
    elif organisation.w9_signed_on is None:
        on_file = "The W-9 on file has no signature date."
    else:
        on_file = f"The W-9 on file was signed more than {days} days ago."
    return f"{on_file} Payment needs a W-9 signed within the last {days} days: upload a current one with its date."


def _next_step(grant_request, user, agreement, paid, w9_needed) -> str:
    status = grant_request.status
    if status == S.AGREEMENT_SENT and agreement is not None:
        if agreement.is_signed:
            return "Waiting for Axsome to countersign the agreement"
        if signing_refusal(grant_request, user) is None:
            return "Sign the agreement"
        return f"Waiting for {signer_label(grant_request)} to sign the agreement"
    if status == S.AGREEMENT_SIGNED:
        if w9_needed:
            return "Upload a current W-9 so the grant can be paid"
        return "Waiting for the rest of the payment" if paid else "Waiting for payment"
    return NEXT_ACTIONS.get(status, "")


def side_by_side(change) -> list[tuple[str, str, str]]:
    """(label, value before, value proposed) for each value the change touches."""
    labels = list(change.current_values) + [k for k in change.proposed_values if k not in change.current_values]
    return [(label, change.current_values.get(label, ""), change.proposed_values.get(label, "")) for label in labels]


def post_award_facts(grant_request, user) -> dict | None:
    """Everything the post-award panels show; None before an approval."""
    if grant_request.status not in AFTER_APPROVAL:
        return None
    agreements = list(grant_request.agreements.order_by("-version"))
    agreement = next((a for a in agreements if a.is_current), None)
    payments = list(grant_request.payments.order_by("paid_on", "pk"))
    paid = sum((p.amount for p in payments), award.ZERO)
    approved = grant_request.approved_amount or award.ZERO
    changes = list(grant_request.change_requests.order_by("-filed_at", "-pk"))
    for change in changes:
        change.side_by_side = side_by_side(change)
    w9_needed = w9_request(grant_request.organisation) if grant_request.status in WAITING_ON_PAYMENT else None
    file_rule = BY_NAME["file_change_request"]
    pending = next((c for c in changes if c.status == ChangeStatus.PENDING), None)
    return {
        "agreement": agreement,
        "superseded_count": sum(1 for a in agreements if not a.is_current),
        "is_signer": signing_refusal(grant_request, user) is None,
        "signer_label": signer_label(grant_request),
        "payments": payments,
        "paid": paid,
        "approved": approved,
        "remaining": approved - paid,
        "w9_request": w9_needed,
        "change_requests": changes,
        "pending_change": pending,
        "can_request_change": pending is None and why_not(grant_request, user, file_rule) is None,
        "next_step": _next_step(grant_request, user, agreement, paid, w9_needed),
    }

"""The request page's panels after approval (SPEC §4a): the Letter of Agreement in every version, the
payments against the approved amount and the W-9 they need, the change requests (the pending one
decided here) and the refunds. Each panel's records are read in one query, whatever their number."""

from django.utils import timezone

from grants import post_award as award
from grants.status import GrantStatus as S
from grants.workflow import BY_NAME
from workflow.engine import why_not

from ..forms import ChangeDecisionForm
from .staff_actions import STAFF_ACTIONS

# Statuses from which a request has (or may have) a letter, money or change requests to show.
AFTER_APPROVAL = {
    S.APPROVED, S.PARTIALLY_APPROVED, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, S.PAID, S.IN_PROGRESS,
    S.RECONCILIATION_DUE, S.RECONCILED, S.CLOSED, S.CANCELLED, S.CANCELLATION_REFUND_DUE,
}  # fmt: skip


def _agreement_panel(grant_request, agreements, user, roles, open_rows):
    current = next((a for a in agreements if a.is_current), None)
    countersign = STAFF_ACTIONS["countersign_agreement"]
    may_countersign = "countersign_agreement" in open_rows
    note = ""
    if current is not None and grant_request.status == S.AGREEMENT_SENT and may_countersign:
        note = countersign.blocked(grant_request) or ""
    return {
        "agreements": agreements,
        "current": current,
        "countersign_url": countersign.url(grant_request) if may_countersign and not note else "",
        "countersign_note": note,
    }


def _payments_panel(grant_request, payments, open_rows):
    paid = sum((p.amount for p in payments), award.ZERO)
    approved = grant_request.approved_amount
    organisation = grant_request.organisation
    record = STAFF_ACTIONS["record_payment"]
    return {
        "payments": payments,
        "paid": paid,
        "approved": approved,
        "remaining": (approved - paid) if approved is not None else None,
        "w9_on_file": bool(organisation.w9),
        "w9_signed_on": organisation.w9_signed_on,
        "w9_problem": award.w9_problem(organisation, timezone.localdate()),
        "record_url": record.url(grant_request) if set(record.rows) & open_rows else "",
    }


def _change_panel(grant_request, changes, user, roles, bound):
    pending = next((c for c in changes if c.is_pending), None)
    panel = {"pending": pending, "decided": [c for c in changes if not c.is_pending]}
    if pending is None:
        return panel
    pending.touches_terms = award.touches_terms(grant_request, pending)
    pending.reissues = pending.touches_terms and award.current_agreement(grant_request) is not None
    pending.short_notice = award.short_notice(grant_request, pending)
    pending.values = [
        (label, value, pending.proposed_values.get(label, "")) for label, value in pending.current_values.items()
    ]
    may_decide = why_not(grant_request, user, BY_NAME["refuse_change"], roles) is None
    if may_decide:
        panel["form"] = bound.get("change_form") or ChangeDecisionForm(
            short_notice=pending.short_notice, initial={"expected_status": grant_request.status}
        )
    return panel


def post_award_panels(grant_request, user, roles, open_rows, bound) -> dict | None:
    """The panels' context, or None before approval (nothing to show)."""
    if grant_request.status not in AFTER_APPROVAL:
        return None
    agreements = list(grant_request.agreements.select_related("issued_by", "signed_by", "countersigned_by"))
    payments = list(grant_request.payments.select_related("recorded_by"))
    refunds = list(grant_request.refunds.select_related("recorded_by"))
    changes = list(grant_request.change_requests.select_related("filed_by", "decided_by"))
    return {
        "agreement": _agreement_panel(grant_request, agreements, user, roles, open_rows),
        "payments": _payments_panel(grant_request, payments, open_rows),
        "changes": _change_panel(grant_request, changes, user, roles, bound),
        "refunds": {
            "refunds": refunds,
            "refund_due": grant_request.refund_due,
            "received": sum((r.amount for r in refunds), award.ZERO),
            "record_url": STAFF_ACTIONS["record_cancellation_refund"].url(grant_request)
            if "record_cancellation_refund" in open_rows
            else "",
        },
    }

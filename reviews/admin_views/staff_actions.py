"""The buttons staff press, read off the transition table. Most are one row each. Two intentions map to
two rows and a service picks the row (SPEC §4a): "Record a payment" (an instalment, or the final
payment that makes the grant paid) and "Cancel the grant" (at once, or with the amount paid due back).
Rows nobody on staff clicks are never offered: the applicant's (signing, filing a change), the portal's
own (daily moves, paid in full again) and the change decisions, made from the change-request panel."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import reverse

from grants import post_award as award
from grants.services import post_award as services
from grants.workflow import BY_NAME, TRANSITIONS
from portal.client_ip import client_ip
from workflow.engine import perform, why_not
from workflow.roles import Role

# Decided on the request page's change-request panel, through grants.services.post_award.decide_change_request.
CHANGE_DECISIONS = frozenset({"approve_change", "approve_change_and_reissue", "refuse_change"})
STAFF = frozenset(Role) - {Role.APPLICANT, Role.SYSTEM}


@dataclass(frozen=True)
class StaffAction:
    name: str
    label: str
    rows: tuple[str, ...]
    # Called as service(grant_request, by=user, expected_status=..., **inputs); raises ValidationError
    # (shown on the form) or TransitionError (stale, not allowed: back to the request page).
    service: Callable
    # Which row the action will make now, for the confirmation page; None when it depends on the input.
    pick: Callable | None = None
    # Inputs read from the HTTP request rather than typed (the signatory's address).
    from_request: Callable | None = None
    # Why it cannot be done yet although the workflow allows it (shown instead of the button).
    blocked: Callable | None = None
    # What the confirmation page says when the row depends on the input.
    explains: Callable | None = None

    @property
    def rules(self):
        return [BY_NAME[name] for name in self.rows]

    def rule_now(self, grant_request):
        """The row the confirmation page describes."""
        return BY_NAME[self.pick(grant_request)] if self.pick else self.rules[0]

    def refusal(self, grant_request, user, roles=None) -> str | None:
        """Why ``user`` may not take this action now; None when at least one of its rows is open to them."""
        reasons = [why_not(grant_request, user, rule, roles) for rule in self.rules]
        if any(reason is None for reason in reasons):
            return None
        return why_not(grant_request, user, self.rule_now(grant_request), roles)

    def url(self, grant_request) -> str:
        return reverse("admin:grants_grantrequest_action", args=[grant_request.pk, self.name])


def _one_row(name):
    def call(grant_request, *, by, expected_status, **inputs):
        return perform(grant_request, name, by=by, expected_status=expected_status, **inputs)

    return call


def _countersign_blocked(grant_request) -> str | None:
    try:
        award.check_countersignature(grant_request, {})
    except ValidationError as refusal:
        return " ".join(refusal.messages)
    return None


def _payment_explains(grant_request) -> list[str]:
    paid = award.amount_paid(grant_request)
    approved = grant_request.approved_amount or award.ZERO
    remaining = approved - paid
    return [
        f"Paid so far: ${paid:,.2f} of the ${approved:,.2f} approved; ${remaining:,.2f} remains.",
        f"A payment of the whole ${remaining:,.2f} moves the request to “Paid”; a smaller one is recorded as an "
        f"instalment and the request stays “{grant_request.get_status_display()}”.",
        "The requester is emailed about each payment.",
    ]


_SPECIAL = [
    StaffAction("issue_agreement", BY_NAME["issue_agreement"].label, ("issue_agreement",), services.issue_agreement),
    StaffAction(
        "countersign_agreement", BY_NAME["countersign_agreement"].label, ("countersign_agreement",),
        services.countersign_agreement, from_request=lambda request: {"ip": client_ip(request)},
        blocked=_countersign_blocked,
    ),
    StaffAction(
        "record_payment", "Record a payment", ("record_instalment", "record_final_payment"), services.record_payment,
        explains=_payment_explains,
    ),
    StaffAction(
        "cancel_grant", "Cancel the grant", ("cancel", "cancel_with_refund"), services.cancel_grant,
        pick=lambda grant_request: "cancel_with_refund" if award.amount_paid(grant_request) else "cancel",
    ),
    StaffAction(
        "record_cancellation_refund", BY_NAME["record_cancellation_refund"].label, ("record_cancellation_refund",),
        services.record_cancellation_refund,
    ),
]  # fmt: skip
_SERVED = {row for action in _SPECIAL for row in action.rows}


def _offered(rule) -> bool:
    return bool(rule.roles & STAFF) and rule.name not in CHANGE_DECISIONS


STAFF_ACTIONS: dict[str, StaffAction] = {}
for _rule in TRANSITIONS:
    if not _offered(_rule):
        continue
    if _rule.name in _SERVED:
        action = next(a for a in _SPECIAL if _rule.name in a.rows)
        STAFF_ACTIONS.setdefault(action.name, action)
    else:
        STAFF_ACTIONS[_rule.name] = StaffAction(_rule.name, _rule.label, (_rule.name,), _one_row(_rule.name))


def actions_for(rules) -> list[StaffAction]:
    """The staff actions that make any of ``rules`` (the moves the engine allows someone now), in table order."""
    names = {rule.name for rule in rules}
    return [action for action in STAFF_ACTIONS.values() if names & set(action.rows)]


def available_actions(grant_request, rules) -> list[dict]:
    """The request page's buttons: the actions of the open ``rules``, minus those blocked for a reason
    the page explains in its panels (countersigning a letter not signed yet)."""
    return [
        {"action": action, "url": action.url(grant_request)}
        for action in actions_for(rules)
        if not (action.blocked and action.blocked(grant_request))
    ]

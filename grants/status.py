"""The states a grant request can be in (SPEC §4), each with the flags every screen and rule reads.

The legal moves between them are in ``grants/workflow.py``. Read a row as: in this state, whose turn
is it, is it still undecided, may the applicant edit, can messages still be exchanged, is it the end.
"""

from django.db import models

from workflow.engine import State


class GrantStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SCREENING = "screening", "Screening"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    MEDICAL_REVIEW = "medical_review", "Medical review"
    COMMITTEE_REVIEW = "committee_review", "Committee review"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    AGREEMENT_SENT = "agreement_sent", "Agreement sent"
    AGREEMENT_SIGNED = "agreement_signed", "Agreement signed"
    PAID = "paid", "Paid"
    IN_PROGRESS = "in_progress", "In progress"
    RECONCILIATION_DUE = "reconciliation_due", "Reconciliation due"
    RECONCILIATION_SUBMITTED = "reconciliation_submitted", "Reconciliation submitted"
    RECONCILIATION_RETURNED = "reconciliation_returned", "Reconciliation returned with questions"
    RECONCILED = "reconciled", "Reconciled"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    CANCELLATION_REFUND_DUE = "cancellation_refund_due", "Cancelled — refund due"


S = GrantStatus


def _state(value, next_action, **flags):
    state = State(value, **flags)
    NEXT_ACTIONS[value] = next_action
    return state


# What the applicant should do (or wait for) next, by status.
NEXT_ACTIONS: dict[str, str] = {}

STATES = [
    # state                     next step, as the applicant reads it                       flags
    _state(S.DRAFT, "Finish and submit", applicant_turn=True, applicant_editable=True, conversation_open=False),
    _state(S.SUBMITTED, "Awaiting screening", awaiting_staff=True, undecided=True),
    _state(S.SCREENING, "Being screened by the IME team", awaiting_staff=True, undecided=True),
    _state(S.INFORMATION_REQUESTED, "Answer the request for information", applicant_turn=True, undecided=True,
           applicant_editable=True),
    _state(S.MEDICAL_REVIEW, "In medical review", awaiting_staff=True, undecided=True),
    _state(S.COMMITTEE_REVIEW, "With the grants committee", awaiting_staff=True, undecided=True),
    _state(S.APPROVED, "Approved — agreement to follow", awaiting_staff=True),
    _state(S.PARTIALLY_APPROVED, "Approved in part — agreement to follow", awaiting_staff=True),
    _state(S.DECLINED, "Declined (final)", terminal=True, conversation_open=False),
    _state(S.WITHDRAWN, "None — withdrawn", terminal=True, conversation_open=False),
    _state(S.AGREEMENT_SENT, "Sign the agreement", applicant_turn=True),
    _state(S.AGREEMENT_SIGNED, "Awaiting payment", awaiting_staff=True),
    _state(S.PAID, "Run the program"),
    _state(S.IN_PROGRESS, "Run the program; report any change before it happens"),
    _state(S.RECONCILIATION_DUE, "Send the reconciliation and outcomes report", applicant_turn=True),
    _state(S.RECONCILIATION_SUBMITTED, "Awaiting review of the reconciliation", awaiting_staff=True),
    _state(S.RECONCILIATION_RETURNED, "Answer the questions on the reconciliation", applicant_turn=True),
    _state(S.RECONCILED, "Return any refund due; the grant then closes", awaiting_staff=True),
    _state(S.CLOSED, "None — closed", terminal=True, conversation_open=False),
    _state(S.CANCELLED, "None — cancelled", terminal=True, conversation_open=False),
    _state(S.CANCELLATION_REFUND_DUE, "Return the funds paid; the grant then closes as cancelled", applicant_turn=True),
]  # fmt: skip

_BY_VALUE = {state.value: state for state in STATES}


def state_of(status: str) -> State:
    return _BY_VALUE[status]


def statuses_where(flag: str) -> frozenset:
    return frozenset(GrantStatus(s.value) for s in STATES if getattr(s, flag))


# Named groupings, derived from the flags above (never listed by hand elsewhere).
UNDECIDED = statuses_where("undecided")
AWAITING_STAFF = statuses_where("awaiting_staff")
APPLICANT_TURN = statuses_where("applicant_turn")
APPLICANT_EDITABLE = statuses_where("applicant_editable")
CONVERSATION_OVER = frozenset(GrantStatus) - statuses_where("conversation_open")
TERMINAL = statuses_where("terminal")

"""The states of a research proposal (SPEC §4b), from concept draft to close-out.

Each state carries the same flags as an IME request's (``workflow.engine.State``), so every screen and
rule reads the flags instead of keeping lists of its own. The moves between them are in
``research/workflow.py``.
"""

from django.db import models

from workflow.engine import State


class ResearchStatus(models.TextChoices):
    CONCEPT_DRAFT = "concept_draft", "Concept draft"
    CONCEPT_SUBMITTED = "concept_submitted", "Concept submitted"
    CONCEPT_REVIEW = "concept_review", "Concept review"
    CONCEPT_DECLINED = "concept_declined", "Concept declined"
    FULL_PROPOSAL_INVITED = "full_proposal_invited", "Full proposal invited"
    FULL_PROPOSAL_SUBMITTED = "full_proposal_submitted", "Full proposal submitted"
    SCIENTIFIC_REVIEW = "scientific_review", "Scientific review"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    AGREEMENT_SENT = "agreement_sent", "Agreement sent"
    AGREEMENT_SIGNED = "agreement_signed", "Agreement signed"
    ACTIVE = "active", "Active (milestones)"
    FINAL_REPORT_DUE = "final_report_due", "Final report due"
    CLOSED = "closed", "Closed"
    TERMINATED = "terminated", "Terminated"
    WITHDRAWN = "withdrawn", "Withdrawn"


R = ResearchStatus

# What the investigator should do (or wait for) next, by status.
NEXT_ACTIONS: dict[str, str] = {}


def _state(value, next_action, **flags):
    NEXT_ACTIONS[value] = next_action
    return State(value, **flags)


STATES = [
    _state(R.CONCEPT_DRAFT, "Finish and submit the concept", applicant_turn=True, applicant_editable=True,
           conversation_open=False),
    _state(R.CONCEPT_SUBMITTED, "Awaiting acknowledgment (about 10 business days)", awaiting_staff=True,
           undecided=True),
    _state(R.CONCEPT_REVIEW, "Concept under review (a decision on interest in about 30 days)", awaiting_staff=True,
           undecided=True),
    _state(R.CONCEPT_DECLINED, "None — concept declined", terminal=True, conversation_open=False),
    _state(R.FULL_PROPOSAL_INVITED, "Write and submit the full proposal before its deadline", applicant_turn=True,
           undecided=True, applicant_editable=True),
    _state(R.FULL_PROPOSAL_SUBMITTED, "Full proposal received (a decision in about 90 days)", awaiting_staff=True,
           undecided=True),
    _state(R.SCIENTIFIC_REVIEW, "Under scientific review by the committee", awaiting_staff=True, undecided=True),
    _state(R.INFORMATION_REQUESTED, "Answer the committee's questions", applicant_turn=True, undecided=True,
           applicant_editable=True),
    _state(R.APPROVED, "Approved — the research agreement follows", awaiting_staff=True),
    _state(R.DECLINED, "None — proposal declined", terminal=True, conversation_open=False),
    _state(R.AGREEMENT_SENT, "Sign the research agreement", applicant_turn=True),
    _state(R.AGREEMENT_SIGNED, "Agreement executed — milestone payments follow the schedule", awaiting_staff=True),
    _state(R.ACTIVE, "Upload the evidence for each milestone as it is reached", applicant_turn=True),
    _state(R.FINAL_REPORT_DUE, "Submit the final study report and results registration", applicant_turn=True),
    _state(R.CLOSED, "None — study closed", terminal=True, conversation_open=False),
    # Not terminal: finance still records the unearned funds received back (research/post_award.py).
    _state(R.TERMINATED, "None — study terminated (return any refund due)", conversation_open=False),
    _state(R.WITHDRAWN, "None — withdrawn", terminal=True, conversation_open=False),
]  # fmt: skip

_BY_VALUE = {state.value: state for state in STATES}


def statuses_where(flag: str) -> frozenset:
    return frozenset(ResearchStatus(s.value) for s in STATES if getattr(s, flag))


UNDECIDED = statuses_where("undecided")
AWAITING_STAFF = statuses_where("awaiting_staff")
APPLICANT_TURN = statuses_where("applicant_turn")
TERMINAL = statuses_where("terminal")

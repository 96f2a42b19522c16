"""The research-proposal workflow as data (SPEC §4b): every legal move of an investigator-initiated
study, who may make it, what it needs, what it records and which emails it sends.

How the two kinds share one engine
----------------------------------
There is one engine, ``workflow/engine.py``, and one door, ``workflow.engine.perform``. The IME table
is ``grants/workflow.py`` (registered for ``grants.GrantRequest``); this module is the research table,
registered for ``research.ResearchProposal`` with ``workflow.engine.register``. ``perform`` finds the
table from the object it is given, locks the row, refuses a stale click, an illegal move, a role that
may not make it or missing input, writes the kind's audit entry (``ResearchStatusChange`` here,
``grants.StatusChange`` there), the new status and the effect's records, and queues the event's mail
through the kind's own map (``research/notifications.py``) into the one outbox. Who may act comes from
the same ``workflow.roles.roles_of``: the applicant role is membership of the proposal's
organization (the institution), staff roles come from their groups. The admin's table-driven action
page (``research/admin_actions.py``) reads its rows the way the IME one reads the IME rows.

Why a separate model rather than a wider ``GrantRequest``
---------------------------------------------------------
A research proposal shares almost none of an IME request's content (no learners, accreditation,
Moore levels or educational budget categories; instead a protocol, endpoints, sample size, drug supply,
IRB status), its own numbering (``IIS-YYYY-NNNNN``), its own states and, later, its own money
(milestone payments instead of one grant). Widening ``GrantRequest`` would leave half of every row
empty, make every IME rule, query, export and dashboard figure filter by kind, and let a research
state leak into IME screens. What the two really share is behavior: the engine, roles, the outbox,
upload checks (``grants/uploads.py``), downloads (``grants/downloads.py``), organizations and the
admin patterns. So ``ResearchProposal`` is its own model that reuses those services; only the
organization model is shared (institution types were added to ``grants.choices.OrganisationType``).

The table: concept draft → concept submitted → concept review → full proposal invited (with a
deadline) | concept declined; full proposal invited → full proposal submitted → scientific review
(⇄ information requested) → approved (with its milestone schedule) | declined; withdrawn from any
undecided state. Still to come here: agreement sent → signed → active (milestones) → final report due
→ closed; terminated.

The scientific review stage
---------------------------
Reviews are the IME mechanism with the research rubric: ``research.ResearchAssignment`` and
``ResearchReview`` (research/review_models.py) stand on the abstract bases of ``reviews.models``, and
``research/review.py`` applies the same conflict-first services. The committee's rows
(``approve_proposal``, ``decline_proposal``) check that at least one reviewer without a conflict of
interest has submitted a review. ``request_information`` / ``answer_information`` open and answer a
``ResearchInformationRequest`` (research/conversation.py, on the IME ``QuestionBase``); while it is open
the investigator may change the full proposal. Staff pages: research/admin_review.py (reviews,
messages) and research/admin_actions.py with research/admin_forms.py (the approval's milestone
schedule); investigator pages: research/views_review.py. Reminders: research/reminders.py.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from workflow.engine import Input, TransitionError, Workflow, register, row
from workflow.roles import Role

from . import rules
from .choices import ConceptDeclineReason, ProposalDeclineReason
from .conversation import ask_investigator, record_answer
from .models import Milestone, ResearchProposal, ResearchReferenceCounter, ResearchStatusChange
from .notifications import ResearchEvent, notify
from .review import has_countable_review
from .status import STATES, UNDECIDED
from .status import ResearchStatus as R

# Who handles research: the grants office takes a concept into review; the scientific reviewer (the
# medical reviewer role) and the administrator decide whether the company is interested.
RESEARCH_OFFICE = {Role.COORDINATOR, Role.MEDICAL, Role.ADMINISTRATOR}
CONCEPT_DECIDERS = {Role.MEDICAL, Role.ADMINISTRATOR}
NOTE = Input("note", required=False)


class ProposalIncomplete(TransitionError):
    """The concept or full proposal does not meet every rule; ``problems`` lists them (research/rules.py)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) prevent submission.")


# --- Checks ---------------------------------------------------------------------------------------


def _concept_complete(proposal, inputs):
    problems = rules.concept_problems(proposal)
    if problems:
        raise ProposalIncomplete(problems)


def _deadline_ahead(proposal, inputs):
    due = inputs["due_on"]
    if not isinstance(due, date):
        raise ValidationError("Give the full proposal's deadline as a date.")
    if due <= timezone.localdate():
        raise ValidationError(f"The deadline must be after today; {date_format(due)} is not.")


def _decline_reasons(proposal, inputs):
    for code in inputs.get("reason_codes") or []:
        if code not in ConceptDeclineReason.values:
            raise ValidationError(f"Unknown reason “{code}”.")


def _proposal_decline_reasons(proposal, inputs):
    for code in inputs.get("reason_codes") or []:
        if code not in ProposalDeclineReason.values:
            raise ValidationError(f"Unknown reason “{code}”.")


def _committee_has_reviewed(proposal, inputs):
    # The committee decides on the science: at least one review by someone free of conflicts.
    if not has_countable_review(proposal):
        raise ValidationError(
            "The committee cannot decide yet: no review has been submitted by a reviewer without a conflict "
            "of interest. Assign a reviewer and wait for their scores."
        )


def _decision_check(*checks):
    def check(proposal, inputs):
        for one in checks:
            one(proposal, inputs)

    return check


def _full_proposal_in_time_and_complete(proposal, inputs):
    late = rules.deadline_problem(proposal)
    if late:
        raise ProposalIncomplete([rules.Problem("", late)])
    problems = rules.full_proposal_problems(proposal)
    if problems:
        raise ProposalIncomplete(problems)


def _schedule_sums_to_amount(proposal, inputs):
    amount = inputs["amount"]
    if not isinstance(amount, Decimal) or amount <= 0:
        raise ValidationError("Give the approved amount in US dollars, above zero.")
    schedule = list(inputs["schedule"])
    if not schedule:
        raise ValidationError("Set at least one milestone of the payment schedule.")
    total = sum((Decimal(m["amount"]) for m in schedule), Decimal("0.00"))
    if total != amount:
        raise ValidationError(
            f"The milestones add up to ${total:,.2f}, not the approved ${amount:,.2f}; "
            "the schedule must pay exactly the approved amount."
        )


# --- Effects --------------------------------------------------------------------------------------


def _number_the_concept(move):
    now = timezone.now()
    move.subject.reference = ResearchReferenceCounter.next_reference(timezone.localdate(now).year)
    move.subject.submitted_at = now
    return {"submitted_by": move.actor}


def _invite(move):
    move.subject.full_proposal_due_on = move.inputs["due_on"]
    return {"due_on": move.inputs["due_on"]}


def _decline(move):
    codes = list(move.inputs["reason_codes"])
    move.subject.concept_decline_reasons = codes
    move.subject.concept_decision_message = move.inputs["message"]
    return {"reasons": [ConceptDeclineReason(code).label for code in codes]}


def _stamp_full_proposal(move):
    move.subject.full_proposal_submitted_at = timezone.now()
    return {"submitted_by": move.actor}


def _approve_with_schedule(move):
    proposal = move.subject
    proposal.approved_amount = move.inputs["amount"]
    proposal.decided_at = timezone.now()
    for position, milestone in enumerate(move.inputs["schedule"], start=1):
        Milestone.objects.create(proposal=proposal, position=position, **milestone)
    return {"amount": proposal.approved_amount, "milestones": len(move.inputs["schedule"])}


def _decline_proposal(move):
    codes = list(move.inputs["reason_codes"])
    move.subject.decided_at = timezone.now()
    move.subject.decision_reasons = codes
    move.subject.decision_message = move.inputs["message"]
    return {"reasons": [ProposalDeclineReason(code).label for code in codes]}


def _ask(move):
    return {"question": ask_investigator(move.subject, by=move.actor, message=move.inputs["message"])}


def _answer(move):
    return {"question": record_answer(move.subject, by=move.actor, answer=move.inputs["answer"],
                                      attachment=move.inputs.get("attachment"))}  # fmt: skip


def _withdrawal(move):
    return {"withdrawn_by": move.actor, "previous_status": R(move.log_entry.from_status).label}


# --- The table ------------------------------------------------------------------------------------

TRANSITIONS = [
    row("submit_concept", R.CONCEPT_DRAFT, R.CONCEPT_SUBMITTED, {Role.APPLICANT}, "Submit the concept",
        check=_concept_complete, effect=_number_the_concept, event=ResearchEvent.CONCEPT_SUBMITTED),
    row("start_concept_review", R.CONCEPT_SUBMITTED, R.CONCEPT_REVIEW, RESEARCH_OFFICE, "Start concept review",
        inputs=(NOTE,), applicant_sees_note=False,
        explains="The investigator sees the new status on the proposal page; no email is sent."),
    row("invite_full_proposal", R.CONCEPT_REVIEW, R.FULL_PROPOSAL_INVITED, CONCEPT_DECIDERS,
        "Interested: invite the full proposal", inputs=(Input("due_on"), Input("message", required=False)),
        note_input="message", check=_deadline_ahead, effect=_invite, event=ResearchEvent.FULL_PROPOSAL_INVITED,
        explains=("The investigator may then write the full proposal; it is refused after the deadline you set.",
                  "Interest in a concept is not approval: the full proposal is reviewed on its own.")),
    row("decline_concept", {R.CONCEPT_SUBMITTED, R.CONCEPT_REVIEW}, R.CONCEPT_DECLINED, CONCEPT_DECIDERS,
        "Decline the concept", inputs=(Input("reason_codes"), Input("message")), note_input="message",
        check=_decline_reasons, effect=_decline, event=ResearchEvent.CONCEPT_DECLINED,
        explains=("Declining is final for this concept; the investigator may propose a different study.",
                  "The email lists the reasons you tick and your message.")),
    row("submit_full_proposal", R.FULL_PROPOSAL_INVITED, R.FULL_PROPOSAL_SUBMITTED, {Role.APPLICANT},
        "Submit the full proposal", check=_full_proposal_in_time_and_complete, effect=_stamp_full_proposal,
        event=ResearchEvent.FULL_PROPOSAL_SUBMITTED),
    row("start_scientific_review", R.FULL_PROPOSAL_SUBMITTED, R.SCIENTIFIC_REVIEW, RESEARCH_OFFICE,
        "Start scientific review", inputs=(NOTE,), applicant_sees_note=False,
        explains="The proposal goes to the scientific review committee; the investigator sees the new status."),
    row("request_information", R.SCIENTIFIC_REVIEW, R.INFORMATION_REQUESTED, RESEARCH_OFFICE,
        "Request information", inputs=(Input("message"),), note_input="message", effect=_ask,
        event=ResearchEvent.INFORMATION_REQUESTED,
        explains=("The investigator is emailed your question and may change the full proposal while answering.",
                  "The review resumes when they answer; reviewers may keep scoring meanwhile.")),
    row("answer_information", R.INFORMATION_REQUESTED, R.SCIENTIFIC_REVIEW, {Role.APPLICANT},
        "Send the answer", inputs=(Input("answer"), Input("attachment", required=False)), note_input="answer",
        effect=_answer, event=ResearchEvent.INFORMATION_ANSWERED),
    row("approve_proposal", R.SCIENTIFIC_REVIEW, R.APPROVED, CONCEPT_DECIDERS,
        "Approve, with the milestone schedule",
        inputs=(Input("amount"), Input("schedule"), Input("message", required=False)), note_input="message",
        check=_decision_check(_committee_has_reviewed, _schedule_sums_to_amount), effect=_approve_with_schedule,
        event=ResearchEvent.PROPOSAL_APPROVED,
        explains=("Refused until at least one reviewer without a conflict of interest has submitted a review.",
                  "The milestones must add up to the approved amount; each is paid only once its evidence is "
                  "verified.")),
    row("decline_proposal", R.SCIENTIFIC_REVIEW, R.DECLINED, CONCEPT_DECIDERS, "Decline the proposal",
        inputs=(Input("reason_codes"), Input("message")), note_input="message",
        check=_decision_check(_committee_has_reviewed, _proposal_decline_reasons), effect=_decline_proposal,
        event=ResearchEvent.PROPOSAL_DECLINED,
        explains=("Refused until at least one reviewer without a conflict of interest has submitted a review.",
                  "Declining is final for this proposal; the email lists the reasons you tick and your message.")),
    row("withdraw", UNDECIDED, R.WITHDRAWN, {Role.APPLICANT}, "Withdraw",
        inputs=(Input("reason", required=False),), note_input="reason", effect=_withdrawal,
        event=ResearchEvent.WITHDRAWN),
]  # fmt: skip

RESEARCH_WORKFLOW = Workflow(
    kind="research_proposal",
    states=STATES,
    transitions=TRANSITIONS,
    log_model=ResearchStatusChange,
    log_subject="proposal",
    notify=notify,
)
register(ResearchProposal, RESEARCH_WORKFLOW)
BY_NAME = RESEARCH_WORKFLOW.by_name

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
undecided state; then agreement sent → agreement signed → active (milestones) → final report due →
closed; terminated.

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

After approval
--------------
Rules and effects in ``research/post_award.py``, the pages in
``research/views_post_award.py`` and ``research/admin_post_award.py``. Staff issue the research
agreement (approved → agreement sent); the institution's authorized signer signs it (an event, the
status stays); the company's signatory countersigns (→ agreement signed), which executes it and
verifies the execution milestone; the study is active on execution (the portal's own row
``start_study``, made in the same transaction by ``research/services_post_award.py``: nothing is
waited for in between). While active the investigator uploads each milestone's evidence, staff verify
or return it and finance pays verified milestones (events). When the last milestone before the final
report is paid the portal moves the study to final report due (``request_final_report``, chosen over
the ``final_report_on`` date because the report comes after the work it reports, not by the
calendar; the date drives the reminder instead). The investigator submits the final study report,
the results registration and publication links; staff verify the final-report milestone, finance
pays it and staff accept the report (→ closed). Staff may terminate from agreement sent onward, with
a reason; unearned payments become a refund due, recorded by finance while terminated. Amendments
(protocol, budget, timeline) are filed and decided as events, applied on approval.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from workflow.engine import STAY, Input, TransitionError, Workflow, register, row
from workflow.roles import Role

from . import post_award as award
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
# After approval: the grants office issues and decides, the administrator countersigns, finance pays.
RESEARCH_GRANTS_OFFICE = {Role.COORDINATOR, Role.ADMINISTRATOR}
SIGNATORIES = {Role.ADMINISTRATOR}
FINANCE = {Role.FINANCE}
UNDER_AGREEMENT = {R.AGREEMENT_SENT, R.AGREEMENT_SIGNED, R.ACTIVE, R.FINAL_REPORT_DUE}
RUNNING = {R.ACTIVE, R.FINAL_REPORT_DUE}
PAYABLE = {R.AGREEMENT_SIGNED, R.ACTIVE, R.FINAL_REPORT_DUE}
SIGNATURE = (Input("agreement"), Input("signer_name"), Input("signer_title"), Input("authority_confirmed"),
             Input("ip", required=False), Input("user_agent", required=False))  # fmt: skip
EVIDENCE = (Input("milestone"), Input("evidence"), Input("evidence_type", required=False),
            Input("nct_number", required=False), Input("enrolled", required=False), NOTE)  # fmt: skip
PAYMENT = (Input("milestone"), Input("method"), Input("reference"), Input("paid_on"))


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
    # --- After approval (SPEC §4b; checks and effects in research/post_award.py) ---
    row("issue_research_agreement", R.APPROVED, R.AGREEMENT_SENT, RESEARCH_GRANTS_OFFICE,
        "Issue the research agreement", inputs=(NOTE,), check=award.check_can_issue, effect=award.issue_agreement,
        event=ResearchEvent.AGREEMENT_ISSUED,
        explains="The agreement is made from the newest published research agreement template and the schedule."),
    row("sign_research_agreement", R.AGREEMENT_SENT, STAY, {Role.APPLICANT}, "Sign the research agreement",
        inputs=SIGNATURE, guard=award.only_the_authorized_signer, check=award.check_signature,
        effect=award.record_signature, event=ResearchEvent.AGREEMENT_SIGNED),
    row("countersign_research_agreement", R.AGREEMENT_SENT, R.AGREEMENT_SIGNED, SIGNATORIES,
        "Countersign the research agreement", inputs=(Input("signer_title"), Input("ip", required=False)),
        check=award.check_countersignature, effect=award.record_countersignature,
        event=ResearchEvent.AGREEMENT_EXECUTED,
        explains=("The agreement is executed: the study becomes active and the execution milestone is payable.",)),
    row("start_study", R.AGREEMENT_SIGNED, R.ACTIVE, {Role.SYSTEM}, "The study is active (agreement executed)",
        check=award.check_executed),
    row("submit_milestone_evidence", R.ACTIVE, STAY, {Role.APPLICANT}, "Submit a milestone's evidence",
        inputs=EVIDENCE, check=award.check_evidence, effect=award.record_evidence,
        event=ResearchEvent.MILESTONE_EVIDENCE_SUBMITTED),
    row("verify_milestone", RUNNING, STAY, RESEARCH_GRANTS_OFFICE, "Verify a milestone's evidence",
        inputs=(Input("milestone"), NOTE), check=award.check_verifiable, effect=award.verify,
        event=ResearchEvent.MILESTONE_VERIFIED, explains="Finance may then pay the milestone."),
    row("return_milestone_evidence", RUNNING, STAY, RESEARCH_GRANTS_OFFICE, "Return a milestone's evidence",
        inputs=(Input("milestone"), Input("reason")), note_input="reason", check=award.check_verifiable,
        effect=award.return_evidence, event=ResearchEvent.MILESTONE_RETURNED,
        explains="The investigator is told why and uploads the evidence again."),
    row("record_milestone_payment", PAYABLE, STAY, FINANCE, "Record a milestone payment", inputs=PAYMENT,
        check=award.check_payment, effect=award.record_payment, event=ResearchEvent.MILESTONE_PAID),
    row("request_final_report", R.ACTIVE, R.FINAL_REPORT_DUE, {Role.SYSTEM},
        "Every milestone before the final report is paid", check=award.check_ready_for_final_report,
        event=ResearchEvent.FINAL_REPORT_DUE),
    row("submit_final_report", R.FINAL_REPORT_DUE, STAY, {Role.APPLICANT}, "Submit the final study report",
        inputs=(Input("report"), Input("report_type", required=False), Input("results_nct_number"),
                Input("publication_links", required=False)),
        check=award.check_final_report, effect=award.record_final_report,
        event=ResearchEvent.FINAL_REPORT_SUBMITTED),
    row("accept_final_report", R.FINAL_REPORT_DUE, R.CLOSED, RESEARCH_GRANTS_OFFICE,
        "Accept the final report and close the study", inputs=(NOTE,), check=award.check_closable,
        effect=award.close, event=ResearchEvent.STUDY_CLOSED,
        explains="Every milestone must be verified and paid first."),
    row("terminate_study", UNDER_AGREEMENT, R.TERMINATED, RESEARCH_GRANTS_OFFICE, "Terminate the study",
        inputs=(Input("reason"),), note_input="reason", effect=award.terminate, event=ResearchEvent.TERMINATED,
        explains=("Payments for milestones not earned become a refund due (research/post_award.py says how).",
                  "Nothing more is paid; pending amendments are declined.")),
    row("record_research_refund", R.TERMINATED, STAY, FINANCE, "Record the refund received",
        inputs=(Input("amount"), Input("received_on"), Input("reference")), check=award.check_refund,
        effect=award.refund_received, event=ResearchEvent.REFUND_RECEIVED),
    row("file_amendment", RUNNING, STAY, {Role.APPLICANT}, "File an amendment", inputs=(Input("amendment"),),
        check=award.check_amendment, effect=award.file_amendment, event=ResearchEvent.AMENDMENT_FILED),
    row("approve_amendment", RUNNING, STAY, RESEARCH_GRANTS_OFFICE, "Approve the amendment",
        inputs=(Input("amendment"), NOTE), check=award.check_pending_amendment, effect=award.approve_amendment,
        event=ResearchEvent.AMENDMENT_DECIDED, explains="The change applies to the study at once."),
    row("decline_amendment", RUNNING, STAY, RESEARCH_GRANTS_OFFICE, "Decline the amendment",
        inputs=(Input("amendment"), Input("note")), check=award.check_pending_amendment,
        effect=award.decline_amendment, event=ResearchEvent.AMENDMENT_DECIDED),
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

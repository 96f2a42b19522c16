"""The grant-request workflow as data (SPEC §4): every legal move, who may make it, what it needs,
what it records and which event (and so which emails, ``grants/notifications.py``) it raises.

Read it against the process on paper: one row per transition. ``workflow.engine.perform`` carries a
row out in one transaction; it is the only code that writes ``GrantRequest.status``.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from workflow.engine import STAY, Input, TransitionError, Workflow, register, row
from workflow.roles import Role

from . import post_award as award
from . import reconciliation as recon
from . import sections
from .budgets import impact_of_approving
from .choices import DecisionOutcome, DeclineReason
from .eligibility import check_request
from .models import Decision, GrantRequest, InformationRequest, ReferenceCounter, StatusChange
from .notifications import Event, notify
from .status import STATES, UNDECIDED
from .status import GrantStatus as S

SCREENERS = {Role.COORDINATOR, Role.COMPLIANCE, Role.ADMINISTRATOR}
DECIDERS = {Role.COMMITTEE, Role.ADMINISTRATOR}
# Issue letters, decide change requests, cancel: the grants office (SPEC §1).
GRANTS_OFFICE = {Role.COORDINATOR, Role.ADMINISTRATOR}
# Countersigning binds the company, so only its signatory may (the administrator role: a medical-affairs
# director); a coordinator prepares the letter but does not sign it.
SIGNATORIES = {Role.ADMINISTRATOR}
FINANCE = {Role.FINANCE}
NOTE = Input("note", required=False)
# After approval and before reconciliation starts: the states in which the program may still change.
CHANGEABLE = {S.APPROVED, S.PARTIALLY_APPROVED, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, S.PAID, S.IN_PROGRESS}
WITH_LETTER = CHANGEABLE - {S.APPROVED, S.PARTIALLY_APPROVED}
# Paid and in progress always have money paid; a letter awaiting signatures may (after a re-issue).
NOTHING_PAID_YET = CHANGEABLE - {S.PAID, S.IN_PROGRESS}
PAYMENT = (Input("amount"), Input("method"), Input("reference"), Input("paid_on"))
REFUND = (Input("amount"), Input("received_on"), Input("reference"))
CANCELLATION = (Input("reason"), Input("change_request", required=False))
CHANGE_DECISION = (
    Input("change_request"), Input("note", required=False), Input("short_notice_accepted", required=False),
)


class SubmissionRefused(TransitionError):
    """The request does not pass every eligibility rule; ``problems`` lists them."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) prevent submission.")


# --- Checks: refuse bad input before anything is written -----------------------------------------


def _eligible(grant_request, inputs):
    problems = check_request(grant_request)
    if problems:
        raise SubmissionRefused(problems)


def _known_sections(grant_request, inputs):
    known = {s.slug for s in sections.SECTIONS}
    unknown = set(inputs.get("sections") or []) - known
    if unknown:
        raise ValidationError(f"Unknown sections: {', '.join(sorted(unknown))}.")


def _partial_amount(grant_request, inputs):
    requested = grant_request.amount_requested or Decimal("0")
    amount = Decimal(inputs["approved_amount"])
    if not Decimal("0") < amount < requested:
        raise ValidationError(f"A partial approval is for more than $0 and less than the ${requested:,.2f} requested.")
    _decline_reasons(grant_request, inputs)


def _decline_reasons(grant_request, inputs):
    for code in inputs.get("reason_codes") or []:
        if code not in DeclineReason.values:
            raise ValidationError(f"Unknown reason “{code}”.")


# --- Guards: who may not make a move even with the role -------------------------------------------


def _no_conflict_declared(grant_request, user, roles):
    """A committee member decides only after declaring, on their own review, that they have no
    conflict of interest; an administrator acting as such is not bound by a committee seat."""
    if Role.ADMINISTRATOR in roles or Role.COMMITTEE not in roles:
        return None
    if grant_request.status != S.COMMITTEE_REVIEW:
        return None
    declared = grant_request.reviews.filter(reviewer=user, stage=S.COMMITTEE_REVIEW).values_list(
        "has_conflict", flat=True
    )
    if False in declared:
        return None
    if True in declared:
        return "You declared a conflict of interest with this request, so you cannot decide it."
    return "Declare on your review whether you have a conflict of interest before deciding this request."


# --- Effects: the records each move writes --------------------------------------------------------


def _number_the_submission(move):
    now = timezone.now()
    move.subject.reference = ReferenceCounter.next_reference(timezone.localdate(now).year)
    move.subject.submitted_at = now
    return {"submitted_by": move.actor}


def _open_information_request(move):
    rfi = InformationRequest.open(
        move.subject, by=move.actor, message=move.inputs["message"], sections=move.inputs["sections"] or ()
    )
    return {"rfi": rfi, "section_titles": sections.section_titles(rfi.sections)}


def _answer_information_request(move):
    rfi = InformationRequest.answer_open(
        move.subject, by=move.actor, answer=move.inputs["answer"],
        none_open="There is no open request for information on this request.",
    )  # fmt: skip
    return {"rfi": rfi}


def _record_decision(outcome):
    def effect(move):
        grant_request, inputs = move.subject, move.inputs
        if outcome == DecisionOutcome.APPROVED:
            amount = grant_request.amount_requested
        elif outcome == DecisionOutcome.PARTIALLY_APPROVED:
            amount = Decimal(inputs["approved_amount"])
        else:
            amount = None
        codes = list(inputs.get("reason_codes") or [])
        # Staff may approve beyond the budget; what the decision page warned about stays with the decision.
        warning = impact_of_approving(grant_request, amount).warning_text if amount is not None else None
        decision = Decision.objects.create(
            grant_request=grant_request, outcome=outcome, approved_amount=amount, reason_codes=codes,
            message_to_applicant=inputs.get("message") or "", decided_by=move.actor, budget_warning=warning,
        )  # fmt: skip
        grant_request.approved_amount = amount
        return {"decision": decision, "reasons": [DeclineReason(code).label for code in codes]}

    return effect


def _withdrawal(move):
    return {"withdrawn_by": move.actor, "previous_status": S(move.log_entry.from_status).label}


# --- The table --------------------------------------------------------------------------------------

TRANSITIONS = [
    row("submit", S.DRAFT, S.SUBMITTED, {Role.APPLICANT}, "Submit",
        check=_eligible, effect=_number_the_submission, event=Event.SUBMITTED),
    row("start_screening", S.SUBMITTED, S.SCREENING, SCREENERS, "Start screening", inputs=(NOTE,),
        applicant_sees_note=False,
        explains="The applicant sees the new status on their request page; no email is sent."),
    row("request_information", S.SCREENING, S.INFORMATION_REQUESTED, SCREENERS, "Request information",
        inputs=(Input("message"), Input("sections", required=False)), note_input="message",
        check=_known_sections, effect=_open_information_request, event=Event.INFORMATION_REQUESTED,
        explains="They can change the sections you tick and send an answer; the request waits until they do."),
    row("resubmit", S.INFORMATION_REQUESTED, S.SCREENING, {Role.APPLICANT}, "Send answer",
        inputs=(Input("answer"),), note_input="answer",
        effect=_answer_information_request, event=Event.INFORMATION_ANSWERED),
    row("send_to_medical_review", S.SCREENING, S.MEDICAL_REVIEW, SCREENERS, "Send to medical review",
        inputs=(NOTE,), applicant_sees_note=False,
        explains="Assign one or more medical reviewers on the request page; each is emailed when assigned."),
    row("send_to_committee", S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW,
        {Role.COORDINATOR, Role.MEDICAL, Role.ADMINISTRATOR}, "Send to committee",
        inputs=(NOTE,), applicant_sees_note=False,
        explains="Assign committee members on the request page; each is emailed when assigned."),
    row("approve", S.COMMITTEE_REVIEW, S.APPROVED, DECIDERS, "Approve",
        inputs=(Input("message", required=False),), note_input="message", guard=_no_conflict_declared,
        effect=_record_decision(DecisionOutcome.APPROVED), event=Event.APPROVED,
        explains=("The full amount requested, {requested}, is approved.", "The Letter of Agreement follows.")),
    row("partially_approve", S.COMMITTEE_REVIEW, S.PARTIALLY_APPROVED, DECIDERS, "Approve in part",
        inputs=(Input("approved_amount"), Input("message"), Input("reason_codes", required=False)),
        note_input="message", guard=_no_conflict_declared,
        check=_partial_amount, effect=_record_decision(DecisionOutcome.PARTIALLY_APPROVED),
        event=Event.PARTIALLY_APPROVED,
        explains="You approve less than the {requested} requested; the applicant is told the amount and your reason."),
    row("decline", {S.SCREENING, S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW}, S.DECLINED,
        {Role.COMMITTEE, Role.COORDINATOR, Role.ADMINISTRATOR}, "Decline",
        inputs=(Input("reason_codes"), Input("message")), note_input="message", guard=_no_conflict_declared,
        check=_decline_reasons, effect=_record_decision(DecisionOutcome.DECLINED), event=Event.DECLINED,
        explains=("A decline is final: the request cannot be changed, reopened or resubmitted afterwards.",
                  "The email lists the reasons you tick and your message.")),
    row("withdraw", UNDECIDED, S.WITHDRAWN, {Role.APPLICANT}, "Withdraw",
        inputs=(Input("reason", required=False),), note_input="reason",
        effect=_withdrawal, event=Event.WITHDRAWN),

    # --- After approval (SPEC §4a; rules in grants/post_award.py) ---
    row("issue_agreement", {S.APPROVED, S.PARTIALLY_APPROVED}, S.AGREEMENT_SENT, GRANTS_OFFICE,
        "Issue the Letter of Agreement", inputs=(NOTE,), check=award.check_can_issue, effect=award.issue_letter,
        event=Event.AGREEMENT_ISSUED,
        explains=("The letter is made from the published agreement template and the approved request, and frozen.",
                  "The authorized signer signs it on the request page; an administrator then countersigns.")),
    row("sign_agreement", S.AGREEMENT_SENT, STAY, {Role.APPLICANT}, "Sign the agreement",
        inputs=(Input("agreement"), Input("signer_name"), Input("signer_title"), Input("authority_confirmed"),
                Input("ip", required=False), Input("user_agent", required=False)), note_input="signer_name",
        guard=award.only_the_authorized_signer, check=award.check_signature, effect=award.record_signature,
        event=Event.AGREEMENT_SIGNED_BY_RECIPIENT),
    row("countersign_agreement", S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, SIGNATORIES, "Countersign the agreement",
        inputs=(Input("signer_title"), Input("ip", required=False)), check=award.check_countersignature,
        effect=award.record_countersignature, event=Event.AGREEMENT_EXECUTED,
        explains="Your name, title and the time are recorded with the letter's SHA-256; payment can then be made."),
    row("record_instalment", S.AGREEMENT_SIGNED, STAY, FINANCE, "Record a payment (instalment)", inputs=PAYMENT,
        check=award.check_payment(final=False), effect=award.record_payment, event=Event.PAYMENT_RECORDED),
    row("record_final_payment", S.AGREEMENT_SIGNED, S.PAID, FINANCE, "Record the final payment", inputs=PAYMENT,
        check=award.check_payment(final=True), effect=award.record_payment, event=Event.PAYMENT_RECORDED),
    # A re-issued letter countersigned when the grant was already paid in full puts it back where it was.
    row("confirm_paid", S.AGREEMENT_SIGNED, S.PAID, {Role.SYSTEM}, "Paid in full under the amended agreement",
        check=award.check_fully_paid),
    row("start_program", S.PAID, S.IN_PROGRESS, {Role.SYSTEM}, "Program started",
        inputs=(Input("today"),), check=award.check_started),
    row("end_program", S.IN_PROGRESS, S.RECONCILIATION_DUE, {Role.SYSTEM}, "Program ended",
        inputs=(Input("today"),), check=award.check_ended, effect=award.open_reconciliation,
        event=Event.RECONCILIATION_OPENED),
    row("file_change_request", CHANGEABLE, STAY, {Role.APPLICANT}, "File a change request",
        inputs=(Input("change"),), check=award.check_change, effect=award.file_change,
        event=Event.CHANGE_REQUESTED),
    row("approve_change", CHANGEABLE, STAY, GRANTS_OFFICE, "Approve the change", inputs=CHANGE_DECISION,
        check=award.check_approve_change(reissue=False), effect=award.approve_change(reissue=False),
        event=Event.CHANGE_APPROVED,
        explains="The request is updated (its history keeps the old values); the agreement's terms are not touched."),
    row("approve_change_and_reissue", WITH_LETTER, S.AGREEMENT_SENT, GRANTS_OFFICE,
        "Approve the change and re-issue the agreement", inputs=CHANGE_DECISION,
        check=award.check_approve_change(reissue=True), effect=award.approve_change(reissue=True),
        event=Event.CHANGE_APPROVED_REISSUED,
        explains=("The change touches the agreement's terms: a new version of the letter replaces the old one, "
                  "whose signatures are void.", "Both parties sign again; payment waits until they have.")),
    row("refuse_change", CHANGEABLE, STAY, GRANTS_OFFICE, "Refuse the change",
        inputs=(Input("change_request"), Input("note")), check=award.check_refuse_change,
        effect=award.refuse_change, event=Event.CHANGE_REFUSED),
    row("cancel", NOTHING_PAID_YET, S.CANCELLED, GRANTS_OFFICE, "Cancel the grant",
        inputs=CANCELLATION, note_input="reason", check=award.check_cancel, effect=award.cancel, event=Event.CANCELLED,
        explains="Nothing was paid, so the grant ends at once. Cancelling is final."),
    row("cancel_with_refund", WITH_LETTER, S.CANCELLATION_REFUND_DUE, GRANTS_OFFICE,
        "Cancel the grant and ask for the funds back", inputs=CANCELLATION, note_input="reason",
        check=award.check_cancel_with_refund, effect=award.cancel,
        event=Event.CANCELLED_REFUND_DUE,
        explains=("The full amount paid becomes a refund due.",
                  "Finance records the refund when it is received; the grant is then cancelled.")),
    row("record_cancellation_refund", S.CANCELLATION_REFUND_DUE, S.CANCELLED, FINANCE,
        "Record the refund received", inputs=REFUND, note_input="reference",
        check=award.check_cancellation_refund, effect=award.record_cancellation_refund, event=Event.REFUND_RECEIVED),

    # --- Reconciliation and close-out (SPEC §4a; rules in grants/reconciliation.py) ---
    row("submit_reconciliation", S.RECONCILIATION_DUE, S.RECONCILIATION_SUBMITTED, {Role.APPLICANT},
        "Submit the reconciliation", check=recon.check_report_complete, effect=recon.store_submission,
        event=Event.RECONCILIATION_SUBMITTED),
    row("return_reconciliation", S.RECONCILIATION_SUBMITTED, S.RECONCILIATION_RETURNED, GRANTS_OFFICE,
        "Return the reconciliation with questions", inputs=(Input("message"),), note_input="message",
        effect=recon.ask_questions, event=Event.RECONCILIATION_RETURNED,
        explains="They may correct the report and answer on the request page; it then comes back to you."),
    row("answer_reconciliation", S.RECONCILIATION_RETURNED, S.RECONCILIATION_SUBMITTED, {Role.APPLICANT},
        "Send the answer", inputs=(Input("answer"),), note_input="answer", check=recon.check_report_complete,
        effect=recon.answer_questions, event=Event.RECONCILIATION_ANSWERED),
    row("accept_reconciliation", S.RECONCILIATION_SUBMITTED, S.RECONCILED, GRANTS_OFFICE,
        "Accept the reconciliation", inputs=(NOTE,), event=Event.RECONCILIATION_ACCEPTED,
        explains="The report and its refund due are accepted; finance records any refund, then you close the grant."),
    row("record_reconciliation_refund", S.RECONCILED, STAY, FINANCE, "Record the reconciliation refund received",
        inputs=REFUND, note_input="reference", check=recon.check_reconciliation_refund,
        effect=recon.record_reconciliation_refund, event=Event.REFUND_RECEIVED),
    row("close_grant", S.RECONCILED, S.CLOSED, GRANTS_OFFICE, "Close the grant",
        inputs=(NOTE, Input("waiver_reason", required=False)), check=recon.check_close, effect=recon.close_out,
        event=Event.GRANT_CLOSED,
        explains=("Closing needs the refund due received in full, or waived with a reason (kept with the report).",
                  "Closing is final.")),
]  # fmt: skip

IME_WORKFLOW = Workflow(
    kind="ime_grant_request",
    states=STATES,
    transitions=TRANSITIONS,
    log_model=StatusChange,
    log_subject="grant_request",
    notify=notify,
)
register(GrantRequest, IME_WORKFLOW)
BY_NAME = IME_WORKFLOW.by_name

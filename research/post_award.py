"""What the post-award rows of ``research/workflow.py`` check and write (SPEC §4b): the research
agreement and its signatures, milestone evidence, verification and payment, termination with the
refund of unearned funds, amendments and close-out. Each function is a row's ``check``, ``guard`` or
``effect``; the rows say who may make the move and which event (emails) it raises.

Money, in one place
-------------------
* A milestone is **paid** when finance recorded its ``MilestonePayment`` (exactly its amount, once).
* A milestone with evidence (IRB approval and registration, enrollment, the final report…) is
  **earned** when staff verified its evidence.
* The payment on execution is an **advance**: it pays for work not yet shown, so it is earned in
  proportion to the evidence milestones verified (verified evidence amounts over all evidence
  amounts). With the standard schedule (30 % on execution, then 20 / 35 / 15 %), after IRB approval
  is verified 30 % × 20/70 of the advance is earned.
* On termination the **refund due** is what was paid minus what was earned, never below zero.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from grants.agreement_terms import long_date, money, render_letter
from grants.models import Membership
from grants.uploads import clean_filename
from portal.people import person_name
from workflow.engine import TransitionError

from .agreement_terms import facts_of
from .choices import AmendmentKind, AmendmentStatus, EvidenceState, MilestoneKind
from .models import Milestone, MilestonePayment, ResearchAgreement, ResearchAgreementTemplate, ResearchRefund

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
NCT_NUMBER = re.compile(r"^NCT\d{8}$")
ADVANCE_KINDS = {MilestoneKind.EXECUTION}


# --- Money on file ---------------------------------------------------------------------------------


def amount_paid(proposal) -> Decimal:
    return proposal.payments.aggregate(total=Sum("amount"))["total"] or ZERO


def amount_refunded(proposal) -> Decimal:
    return proposal.refunds.aggregate(total=Sum("amount"))["total"] or ZERO


def earned_amount(milestones) -> Decimal:
    """What the institution has earned of ``milestones`` (the module's docstring says how)."""
    milestones = list(milestones)
    evidence = [m for m in milestones if m.kind not in ADVANCE_KINDS]
    evidence_total = sum((m.amount for m in evidence), ZERO)
    verified = sum((m.amount for m in evidence if m.is_verified), ZERO)
    advances = sum((m.amount for m in milestones if m.kind in ADVANCE_KINDS and m.is_paid), ZERO)
    share = (verified / evidence_total) if evidence_total else Decimal(1)
    return (verified + advances * share).quantize(CENT, rounding=ROUND_HALF_UP)


def unearned_amount(proposal) -> Decimal:
    milestones = proposal.milestones.select_related("payment")
    return max(amount_paid(proposal) - earned_amount(milestones), ZERO)


def current_agreement(proposal):
    return proposal.agreements.filter(superseded_at__isnull=True).first()


def nct_problem(value: str) -> str | None:
    if not NCT_NUMBER.match((value or "").strip()):
        return f"“{value}” is not an NCT number: it is NCT followed by 8 digits, like NCT01234567."
    return None


# --- Issuing, signing and countersigning the agreement ---------------------------------------------


def check_can_issue(proposal, inputs):
    if ResearchAgreementTemplate.current() is None:
        raise ValidationError("No research agreement template is published. Publish one in the admin first.")
    if not proposal.milestones.exists():
        raise ValidationError("The proposal has no milestone schedule, so the agreement could not state its payments.")


def issue_agreement(move):
    proposal = move.subject
    template = ResearchAgreementTemplate.current()
    version = (proposal.agreements.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    now = timezone.now()
    proposal.agreements.filter(superseded_at__isnull=True).update(superseded_at=now)
    facts = facts_of(proposal, version=version, issued_on=timezone.localdate(now))
    agreement = ResearchAgreement.objects.create(
        proposal=proposal, version=version, template=template, issued_by=move.actor, reason="Issued after approval",
        text=render_letter(template.body, facts), amount=proposal.approved_amount,
    )  # fmt: skip
    return {"agreement": agreement}


def only_the_authorized_signer(proposal, user, roles):
    """The institution's owner account (whoever registered it, normally its research or contracts
    office) signs for the institution; other members read the agreement and are told who signs."""
    membership = getattr(user, "membership", None)
    if (
        membership is not None
        and membership.organisation_id == proposal.organisation_id
        and (membership.role == Membership.Role.OWNER)
    ):
        return None
    return (
        f"Only the authorized signer of {proposal.organisation.legal_name} (the account that registered the "
        "institution) may sign the research agreement. Ask them to sign in and sign it."
    )


class AlreadySigned(TransitionError):
    """A second signature of the same agreement: the first stands, nothing is recorded twice."""


def _the_current_agreement(proposal, inputs) -> ResearchAgreement:
    agreement = inputs["agreement"]
    if agreement.proposal_id != proposal.pk:
        raise ValidationError("That agreement belongs to another proposal.")
    fresh = ResearchAgreement.objects.select_for_update().get(pk=agreement.pk)
    if not fresh.is_current:
        raise ValidationError(f"Version {fresh.version} of this agreement was replaced; sign the current one.")
    return fresh


def check_signature(proposal, inputs):
    fresh = _the_current_agreement(proposal, inputs)
    if fresh.signed_at is not None:
        raise AlreadySigned("This version of the agreement is already signed; nothing was changed.")
    if inputs.get("authority_confirmed") is not True:
        raise ValidationError("Confirm that you are authorized to sign for the institution.")
    inputs["agreement"] = fresh


def record_signature(move):
    agreement, inputs = move.inputs["agreement"], move.inputs
    agreement.sign(move.actor, name=inputs["signer_name"], title=inputs["signer_title"], ip=inputs.get("ip"),
                   user_agent=inputs.get("user_agent"))  # fmt: skip
    return {"agreement": agreement}


def check_countersignature(proposal, inputs):
    agreement = current_agreement(proposal)
    if agreement is None:
        raise ValidationError("There is no current agreement to countersign.")
    if not agreement.is_signed:
        raise ValidationError("The institution has not signed this version yet; countersign after it has.")
    inputs["agreement"] = agreement


def record_countersignature(move):
    """Executes the agreement. Its evidence is the agreement itself, so the execution milestones are
    verified at once and finance may pay them."""
    agreement = ResearchAgreement.objects.select_for_update().get(pk=move.inputs["agreement"].pk)
    agreement.countersign(move.actor, name=person_name(move.actor), title=move.inputs["signer_title"],
                          ip=move.inputs.get("ip"))  # fmt: skip
    now = timezone.now()
    move.subject.milestones.filter(kind=MilestoneKind.EXECUTION).update(
        evidence_state=EvidenceState.VERIFIED, verified_at=now, verified_by=move.actor, evidence_submitted_at=now,
        evidence_note=f"The research agreement, version {agreement.version}, executed.",
    )  # fmt: skip
    return {"agreement": agreement}


def check_executed(proposal, inputs=None):
    agreement = current_agreement(proposal)
    if agreement is None or not agreement.is_executed:
        raise ValidationError("The research agreement is not executed yet: nothing is paid before both signatures.")


# --- Milestones ------------------------------------------------------------------------------------


def _milestone_of(proposal, inputs) -> Milestone:
    milestone = inputs["milestone"]
    if milestone.proposal_id != proposal.pk:
        raise ValidationError("That milestone belongs to another proposal.")
    fresh = Milestone.objects.select_for_update().get(pk=milestone.pk)
    inputs["milestone"] = fresh
    return fresh


def check_evidence(proposal, inputs):
    milestone = _milestone_of(proposal, inputs)
    if milestone.kind == MilestoneKind.EXECUTION:
        raise ValidationError("The executed agreement is this milestone's evidence; nothing needs uploading.")
    if milestone.evidence_state in (EvidenceState.SUBMITTED, EvidenceState.VERIFIED):
        raise ValidationError(
            f"The evidence of “{milestone.title}” is already {milestone.get_evidence_state_display().lower()}."
        )
    if not inputs.get("evidence"):
        raise ValidationError("Upload the evidence document.")
    if milestone.needs_registration:
        problem = nct_problem(inputs.get("nct_number") or "")
        if problem:
            raise ValidationError(problem)
    if milestone.counts_enrollment and not inputs.get("enrolled"):
        raise ValidationError("Give the number of participants enrolled so far.")


def record_evidence(move):
    milestone, inputs = move.inputs["milestone"], move.inputs
    upload, kind = inputs["evidence"], inputs["evidence_type"]
    milestone.evidence_original_name = clean_filename(upload.name)
    milestone.evidence_content_type = kind.content_type if kind else ""
    milestone.evidence.save(milestone.evidence_original_name, upload, save=False)
    milestone.nct_number = (inputs.get("nct_number") or "").strip()
    milestone.enrolled = inputs.get("enrolled")
    milestone.evidence_note = inputs.get("note") or ""
    milestone.evidence_state = EvidenceState.SUBMITTED
    milestone.evidence_submitted_at = timezone.now()
    milestone.evidence_submitted_by = move.actor
    milestone.return_reason = ""
    milestone.save()
    return {"milestone": milestone}


def check_verifiable(proposal, inputs):
    milestone = _milestone_of(proposal, inputs)
    if milestone.evidence_state != EvidenceState.SUBMITTED:
        raise ValidationError(
            f"“{milestone.title}” has no evidence awaiting verification "
            f"({milestone.get_evidence_state_display().lower()})."
        )


def verify(move):
    milestone = move.inputs["milestone"]
    milestone.evidence_state = EvidenceState.VERIFIED
    milestone.verified_at = timezone.now()
    milestone.verified_by = move.actor
    milestone.save()
    return {"milestone": milestone}


def return_evidence(move):
    milestone = move.inputs["milestone"]
    milestone.evidence_state = EvidenceState.RETURNED
    milestone.return_reason = move.inputs["reason"]
    milestone.save()
    return {"milestone": milestone}


def check_payment(proposal, inputs):
    check_executed(proposal)
    milestone = _milestone_of(proposal, inputs)
    if MilestonePayment.objects.filter(milestone=milestone).exists():
        raise ValidationError(f"“{milestone.title}” is already paid; a milestone is paid once.")
    if not milestone.is_verified:
        raise ValidationError(
            f"“{milestone.title}” is not verified yet: finance pays a milestone after staff verify it."
        )
    paid = amount_paid(proposal)
    approved = proposal.approved_amount or ZERO
    if paid + milestone.amount > approved:
        raise ValidationError(
            f"Paying {money(milestone.amount)} would take the payments above the approved {money(approved)} "
            f"({money(paid)} is paid already)."
        )


def record_payment(move):
    milestone, inputs = move.inputs["milestone"], move.inputs
    payment = MilestonePayment.objects.create(
        proposal=move.subject, milestone=milestone, amount=milestone.amount, method=inputs["method"],
        reference=inputs["reference"].strip(), paid_on=inputs["paid_on"], recorded_by=move.actor,
    )  # fmt: skip
    paid = amount_paid(move.subject)
    return {"milestone": milestone, "payment": payment, "paid_total": paid,
            "remaining": (move.subject.approved_amount or ZERO) - paid}  # fmt: skip


def before_the_final_report(proposal):
    return proposal.milestones.exclude(kind=MilestoneKind.FINAL_REPORT)


def check_ready_for_final_report(proposal, inputs):
    unpaid = before_the_final_report(proposal).filter(payment__isnull=True)
    if unpaid.exists():
        raise ValidationError(f"{unpaid.count()} milestone(s) before the final report are not paid yet.")


# --- Close-out -------------------------------------------------------------------------------------


def check_final_report(proposal, inputs):
    if not inputs.get("report"):
        raise ValidationError("Upload the final study report.")
    problem = nct_problem(inputs.get("results_nct_number") or "")
    if problem:
        raise ValidationError(problem)
    if (
        proposal.final_report_submitted_at
        and proposal.milestones.filter(kind=MilestoneKind.FINAL_REPORT, evidence_state=EvidenceState.SUBMITTED).exists()
    ):
        raise ValidationError("The final study report is already awaiting verification.")


def record_final_report(move):
    """The report is also the evidence of the final-report milestone, which staff then verify."""
    proposal, inputs = move.subject, move.inputs
    upload, kind = inputs["report"], inputs["report_type"]
    proposal.final_report_original_name = clean_filename(upload.name)
    proposal.final_report_content_type = kind.content_type if kind else ""
    proposal.final_report.save(proposal.final_report_original_name, upload, save=False)
    proposal.results_nct_number = inputs["results_nct_number"].strip()
    proposal.publication_links = list(inputs.get("publication_links") or [])
    proposal.final_report_submitted_at = timezone.now()
    proposal.milestones.filter(kind=MilestoneKind.FINAL_REPORT).exclude(evidence_state=EvidenceState.VERIFIED).update(
        evidence_state=EvidenceState.SUBMITTED, evidence_submitted_at=proposal.final_report_submitted_at,
        evidence_submitted_by=move.actor, evidence_note="The final study report.", return_reason="",
    )  # fmt: skip
    return {}


def check_closable(proposal, inputs):
    if not proposal.final_report_submitted_at:
        raise ValidationError("No final study report is on file yet.")
    unpaid = proposal.milestones.filter(payment__isnull=True)
    if unpaid.exists():
        titles = ", ".join(unpaid.values_list("title", flat=True))
        raise ValidationError(f"Every milestone is verified and paid before the study closes; not yet: {titles}.")


def close(move):
    move.subject.closed_at = timezone.now()
    return {}


# --- Termination and the refund --------------------------------------------------------------------


def terminate(move):
    proposal = move.subject
    refund = unearned_amount(proposal)
    proposal.termination_reason = move.inputs["reason"]
    proposal.terminated_at = timezone.now()
    proposal.refund_due = refund or None
    proposal.amendments.filter(status=AmendmentStatus.PENDING).update(
        status=AmendmentStatus.DECLINED, decided_by=move.actor, decided_at=proposal.terminated_at,
        decision_note="The study was terminated.",
    )  # fmt: skip
    return {"refund_due": refund, "paid_total": amount_paid(proposal)}


def check_refund(proposal, inputs):
    amount = Decimal(inputs["amount"])
    outstanding = (proposal.refund_due or ZERO) - amount_refunded(proposal)
    if outstanding <= 0:
        raise ValidationError("No refund is due on this study.")
    if amount <= 0 or amount > outstanding:
        raise ValidationError(f"The refund still due is {money(outstanding)}; record at most that amount.")


def refund_received(move):
    refund = ResearchRefund.objects.create(
        proposal=move.subject, amount=Decimal(move.inputs["amount"]), received_on=move.inputs["received_on"],
        reference=move.inputs["reference"].strip(), recorded_by=move.actor,
    )  # fmt: skip
    return {"refund": refund, "outstanding": (move.subject.refund_due or ZERO) - amount_refunded(move.subject)}


# --- Amendments ------------------------------------------------------------------------------------


def _amendment_values(proposal, amendment) -> tuple[dict, dict]:
    if amendment.kind == AmendmentKind.PROTOCOL:
        return ({"Protocol": proposal.protocol_original_name or "(none)"},
                {"Protocol": amendment.protocol_original_name})  # fmt: skip
    if amendment.kind == AmendmentKind.TIMELINE:
        current = {"Last patient out": long_date(proposal.last_patient_out),
                   "Final study report": long_date(proposal.final_report_on)}  # fmt: skip
        proposed = {
            "Last patient out": long_date(amendment.new_last_patient_out or proposal.last_patient_out),
            "Final study report": long_date(amendment.new_final_report_on or proposal.final_report_on),
        }
        return current, proposed
    milestones = list(proposal.milestones.all())
    new = {int(pk): Decimal(value) for pk, value in amendment.new_amounts.items()}
    current = {str(m): money(m.amount) for m in milestones}
    proposed = {str(m): money(new.get(m.pk, m.amount)) for m in milestones}
    current["Approved amount"] = money(proposal.approved_amount)
    proposed["Approved amount"] = money(sum((new.get(m.pk, m.amount) for m in milestones), ZERO))
    return current, proposed


def check_amendment(proposal, inputs):
    amendment = inputs["amendment"]
    if proposal.amendments.filter(status=AmendmentStatus.PENDING).exists():
        raise ValidationError("An amendment is already awaiting a decision; wait for it before filing another.")
    if not (amendment.reason or "").strip():
        raise ValidationError("Say what changes and why.")
    if amendment.kind == AmendmentKind.PROTOCOL and not amendment.protocol:
        raise ValidationError("Upload the amended protocol.")
    if amendment.kind == AmendmentKind.TIMELINE:
        if not (amendment.new_last_patient_out or amendment.new_final_report_on):
            raise ValidationError("Give the new last-patient-out date, the new final report date, or both.")
        lpo = amendment.new_last_patient_out or proposal.last_patient_out
        report = amendment.new_final_report_on or proposal.final_report_on
        if lpo and report and report < lpo:
            raise ValidationError("The final study report cannot come before the last patient out.")
    if amendment.kind == AmendmentKind.BUDGET:
        milestones = {m.pk: m for m in proposal.milestones.select_related("payment")}
        if not amendment.new_amounts:
            raise ValidationError("Give the new amount of at least one milestone.")
        for pk, value in amendment.new_amounts.items():
            milestone = milestones.get(int(pk))
            if milestone is None:
                raise ValidationError("That milestone belongs to another proposal.")
            if milestone.is_paid:
                raise ValidationError(f"“{milestone.title}” is paid already; its amount can no longer change.")
            if Decimal(value) <= 0:
                raise ValidationError(f"The new amount of “{milestone.title}” must be above $0.")


def file_amendment(move):
    amendment = move.inputs["amendment"]
    amendment.proposal = move.subject
    amendment.filed_by = move.actor
    amendment.current_values, amendment.proposed_values = _amendment_values(move.subject, amendment)
    amendment.save()
    return {"amendment": amendment}


def check_pending_amendment(proposal, inputs):
    from_db = type(inputs["amendment"]).objects.select_for_update().get(pk=inputs["amendment"].pk)
    if from_db.proposal_id != proposal.pk:
        raise ValidationError("That amendment belongs to another proposal.")
    if not from_db.is_pending:
        raise ValidationError(f"This amendment was already {from_db.get_status_display().lower()}.")
    inputs["amendment"] = from_db


def _decide(amendment, move, status):
    amendment.status = status
    amendment.decided_by = move.actor
    amendment.decided_at = timezone.now()
    amendment.decision_note = move.inputs.get("note") or ""
    amendment.save()


def approve_amendment(move):
    """Applies the amendment: the new protocol replaces the old (kept in the proposal's history), the
    new dates replace the old, the new milestone amounts replace the old and the approved amount
    becomes their sum."""
    proposal, amendment = move.subject, move.inputs["amendment"]
    if amendment.kind == AmendmentKind.PROTOCOL:
        proposal.protocol = amendment.protocol.name
        proposal.protocol_original_name = amendment.protocol_original_name
        proposal.protocol_content_type = amendment.protocol_content_type
    elif amendment.kind == AmendmentKind.TIMELINE:
        proposal.last_patient_out = amendment.new_last_patient_out or proposal.last_patient_out
        proposal.final_report_on = amendment.new_final_report_on or proposal.final_report_on
    else:
        for milestone in proposal.milestones.filter(pk__in=[int(pk) for pk in amendment.new_amounts]):
            milestone.amount = Decimal(amendment.new_amounts[str(milestone.pk)])
            milestone.save(update_fields=["amount"])
        proposal.approved_amount = proposal.milestones.aggregate(total=Sum("amount"))["total"]
    _decide(amendment, move, AmendmentStatus.APPROVED)
    return {"amendment": amendment}


def decline_amendment(move):
    _decide(move.inputs["amendment"], move, AmendmentStatus.DECLINED)
    return {"amendment": move.inputs["amendment"]}

"""Research proposals at every stage-one state, reached through the real engine (never by writing a status)."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.choices import OrganisationType
from grants.uploads import PDF
from research import post_award as award
from research import review as research_review
from research.choices import RESEARCH_RUBRIC, EvidenceState, MilestoneKind
from research.models import Amendment, ResearchBudgetLine, ResearchProposal
from research.status import ResearchStatus as R
from research.workflow import BY_NAME
from workflow.engine import perform
from workflow.models import system_actor
from workflow.roles import Role

from .factories import OrganisationFactory, applicant, staff_with_role, text_pdf

PDF_BYTES = text_pdf("Study protocol", ["RESEARCH-PROTOCOL-MARKER: a protocol written for the tests."])

CV_BYTES = text_pdf("Curriculum vitae", ["RESEARCH-CV-MARKER: a CV written for the tests."])


def institution(**kwargs):
    return OrganisationFactory(org_type=OrganisationType.ACADEMIC, **kwargs)


def investigator(organisation=None, **kwargs):
    return applicant(organisation=organisation or institution(), **kwargs)


def concept_draft(user=None, **fields) -> ResearchProposal:
    user = user or investigator()
    values = {
        "title": "Sleep architecture in narcolepsy type 1", "rationale": "Little is known about it.",
        "objectives": "Describe the change.", "design": "Single-center prospective cohort.",
        "pi_name": "Dana Rivera", "pi_email": "dana.rivera@university.example.edu", "therapeutic_area": "narcolepsy",
        "study_type": "prospective_observational", "estimated_sample_size": 80, "estimated_duration_months": 18,
        "estimated_budget": Decimal("150000"), "study_drug_needed": False, **fields,
    }  # fmt: skip
    return ResearchProposal.objects.create(organisation=user.membership.organisation, created_by=user, **values)


def fill_full_proposal(proposal):
    proposal.protocol.save("protocol.pdf", ContentFile(PDF_BYTES), save=False)
    proposal.protocol_original_name, proposal.protocol_content_type = "protocol.pdf", "application/pdf"
    proposal.pi_cv.save("cv.pdf", ContentFile(CV_BYTES), save=False)
    proposal.pi_cv_original_name, proposal.pi_cv_content_type = "cv.pdf", "application/pdf"
    today = timezone.localdate()
    for name in ("objectives_and_endpoints", "population", "sample_size_justification", "statistical_plan", "sites",
                 "safety_plan", "publication_plan", "coi_disclosures"):  # fmt: skip
        setattr(proposal, name, f"The {name.replace('_', ' ')}.")
    proposal.sample_size = 80
    proposal.first_patient_in = today + timedelta(days=120)
    proposal.last_patient_out = today + timedelta(days=500)
    proposal.final_report_on = today + timedelta(days=600)
    proposal.overhead_pct = Decimal("25")
    proposal.irb_status = "submitted"
    proposal.save()
    ResearchBudgetLine.objects.create(proposal=proposal, category="personnel", description="Coordinator", amount=60000)
    return proposal


STAFF_INPUTS = {
    "start_concept_review": {},
    "invite_full_proposal": lambda: {"due_on": timezone.localdate() + timedelta(days=60)},
    "decline_concept": {"reason_codes": ["outside_areas"], "message": "Outside our areas."},
    "withdraw": {"reason": "Changed plans."},
    "start_scientific_review": {},
    "request_information": {"message": "Please justify the sample size."},
    "answer_information": {"answer": "The power calculation is now in the synopsis."},
    "approve_proposal": lambda: {"amount": Decimal("100000.00"), "schedule": standard_schedule()},
    "decline_proposal": {"reason_codes": ["scientific_merit"], "message": "The design cannot answer the question."},
}


def standard_schedule(total=Decimal("100000.00")):
    """The usual split (DOMAIN): 30 % on execution, 20 % on IRB and registration, 35 % by enrollment, 15 % final."""
    shares = [("execution", "Agreement executed", "The executed research agreement", 30),
              ("irb_and_registration", "IRB approval and registration", "IRB approval letter and NCT number", 20),
              ("enrollment", "Enrollment complete", "Enrollment log", 35),
              ("final_report", "Final study report", "The final study report", 15)]  # fmt: skip
    return [
        {"kind": kind, "title": title, "evidence_required": evidence, "amount": total * pct / 100}
        for kind, title, evidence, pct in shares
    ]


def reviewed(proposal, *, conflicted=False, reviewer=None, scores=4):
    """A committee member assigned and their review submitted (or a conflict declared) through the services."""
    office = staff_with_role(Role.COORDINATOR)
    reviewer = reviewer or staff_with_role(Role.COMMITTEE)
    research_review.assign_reviewer(proposal, reviewer=reviewer, by=office)
    review = research_review.review_for(proposal, reviewer)
    if conflicted:
        return research_review.declare_conflict(review, has_conflict=True, details="I co-authored with the PI.")
    research_review.declare_conflict(review, has_conflict=False)
    return research_review.submit_review(
        review, scores={name: scores for name, _ in RESEARCH_RUBRIC}, comments="Sound design.", recommendation="approve"
    )


# The committee decides only on at least one review without a conflict (research/workflow.py).
DECISIONS = research_review.DECISION_ROWS


# --- After approval: inputs made from the proposal (preparing what the move needs, as the IME steps do) ---

EVIDENCE_PDF = text_pdf("IRB approval", ["RESEARCH-EVIDENCE-MARKER: an approval letter written for the tests."])
REPORT_PDF = text_pdf("Final study report", ["RESEARCH-REPORT-MARKER: a final report written for the tests."])
NCT = "NCT01234567"


def owner_of(proposal):
    return proposal.organisation.memberships.get(role="owner").user


def pdf_upload(name="evidence.pdf", content=EVIDENCE_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _signature(proposal):
    return {"agreement": award.current_agreement(proposal), "signer_name": "Morgan Lee",
            "signer_title": "Director, Office of Sponsored Research", "authority_confirmed": True,
            "ip": "198.51.100.7", "user_agent": "Tests/1.0"}  # fmt: skip


def _countersignature(proposal):
    if not award.current_agreement(proposal).is_signed:
        perform(proposal, "sign_research_agreement", by=owner_of(proposal), **_signature(proposal))
    return {"signer_title": "Vice President, Medical Affairs", "ip": "198.51.100.9"}


def _evidence(proposal):
    milestone = (proposal.milestones.filter(evidence_state__in=[EvidenceState.AWAITED, EvidenceState.RETURNED])
                 .exclude(kind__in=[MilestoneKind.EXECUTION, MilestoneKind.FINAL_REPORT]).first())  # fmt: skip
    return {"milestone": milestone, "evidence": pdf_upload(), "evidence_type": PDF, "nct_number": NCT, "enrolled": 80}


def _submitted(proposal):
    milestone = proposal.milestones.filter(evidence_state=EvidenceState.SUBMITTED).first()
    if milestone is None:
        if proposal.status == R.FINAL_REPORT_DUE:
            perform(proposal, "submit_final_report", by=owner_of(proposal), **_final_report(proposal))
        else:
            perform(proposal, "submit_milestone_evidence", by=owner_of(proposal), **_evidence(proposal))
        milestone = proposal.milestones.get(evidence_state=EvidenceState.SUBMITTED)
    return milestone


def _payment(proposal):
    milestone = proposal.milestones.filter(evidence_state=EvidenceState.VERIFIED, payment__isnull=True).first()
    if milestone is None:
        milestone = _submitted(proposal)
        perform(proposal, "verify_milestone", by=staff_with_role(Role.COORDINATOR), milestone=milestone)
    return {"milestone": milestone, "method": "ach", "reference": f"ACH-{milestone.pk}",
            "paid_on": timezone.localdate()}  # fmt: skip


def pay_next(proposal):
    perform(proposal, "record_milestone_payment", by=staff_with_role(Role.FINANCE), **_payment(proposal))


def _all_but_final_paid(proposal):
    while award.before_the_final_report(proposal).filter(payment__isnull=True).exists():
        pay_next(proposal)
    return {}


def _final_report(proposal):
    return {"report": pdf_upload("final-report.pdf", REPORT_PDF), "report_type": PDF, "results_nct_number": NCT,
            "publication_links": ["https://doi.org/10.1000/example.2027.1"]}  # fmt: skip


def _everything_paid(proposal):
    if not proposal.final_report_submitted_at:
        perform(proposal, "submit_final_report", by=owner_of(proposal), **_final_report(proposal))
    while proposal.milestones.filter(payment__isnull=True).exists():
        pay_next(proposal)
    return {}


def _refund(proposal):
    return {"amount": Decimal("1000.00"), "received_on": timezone.localdate(), "reference": "WIRE-REFUND-1"}


def timeline_amendment():
    return Amendment(kind="timeline", reason="Enrollment is slower than planned at two sites.",
                     new_final_report_on=timezone.localdate() + timedelta(days=800))  # fmt: skip


def _pending_amendment(proposal):
    amendment = proposal.amendments.filter(status="pending").first()
    if amendment is None:
        perform(proposal, "file_amendment", by=owner_of(proposal), amendment=timeline_amendment())
        amendment = proposal.amendments.get(status="pending")
    return {"amendment": amendment, "note": "Agreed: the new date stands."}


POST_AWARD_INPUTS = {
    "issue_research_agreement": lambda p: {},
    "sign_research_agreement": _signature,
    "countersign_research_agreement": _countersignature,
    "start_study": lambda p: {},
    "submit_milestone_evidence": _evidence,
    "verify_milestone": lambda p: {"milestone": _submitted(p)},
    "return_milestone_evidence": lambda p: {"milestone": _submitted(p), "reason": "The letter is not signed."},
    "record_milestone_payment": _payment,
    "request_final_report": lambda p: _all_but_final_paid(p),
    "submit_final_report": _final_report,
    "accept_final_report": _everything_paid,
    "terminate_study": lambda p: {"reason": "Enrollment stalled at every site."},
    "record_research_refund": _refund,
    "file_amendment": lambda p: {"amendment": timeline_amendment()},
    "approve_amendment": _pending_amendment,
    "decline_amendment": _pending_amendment,
}


def inputs_for(name, proposal=None):
    """The inputs of move ``name`` on ``proposal``; without a proposal (a move refused by state), stand-ins."""
    if name in POST_AWARD_INPUTS:
        if proposal is None:
            return {spec.name: "stand-in" for spec in BY_NAME[name].inputs if spec.required}
        return POST_AWARD_INPUTS[name](proposal)
    value = STAFF_INPUTS.get(name, {})
    return value() if callable(value) else dict(value)


REACHABLE = [R.CONCEPT_DRAFT, R.CONCEPT_SUBMITTED, R.CONCEPT_REVIEW, R.CONCEPT_DECLINED, R.FULL_PROPOSAL_INVITED,
             R.FULL_PROPOSAL_SUBMITTED, R.SCIENTIFIC_REVIEW, R.INFORMATION_REQUESTED, R.APPROVED, R.DECLINED,
             R.WITHDRAWN, R.AGREEMENT_SENT, R.AGREEMENT_SIGNED, R.ACTIVE, R.FINAL_REPORT_DUE, R.CLOSED,
             R.TERMINATED]  # fmt: skip


def proposal_at(status, user=None) -> ResearchProposal:
    proposal = concept_draft(user)
    member = proposal.created_by
    office = staff_with_role(Role.ADMINISTRATOR)
    path = {
        R.CONCEPT_DRAFT: [],
        R.CONCEPT_SUBMITTED: [("submit_concept", member)],
        R.CONCEPT_REVIEW: [("submit_concept", member), ("start_concept_review", office)],
        R.CONCEPT_DECLINED: [("submit_concept", member), ("decline_concept", office)],
        R.FULL_PROPOSAL_INVITED: [("submit_concept", member), ("start_concept_review", office),
                                  ("invite_full_proposal", office)],
        R.FULL_PROPOSAL_SUBMITTED: [("submit_concept", member), ("start_concept_review", office),
                                    ("invite_full_proposal", office), ("submit_full_proposal", member)],
        R.WITHDRAWN: [("submit_concept", member), ("withdraw", member)],
    }  # fmt: skip
    full = path[R.FULL_PROPOSAL_SUBMITTED]
    path[R.SCIENTIFIC_REVIEW] = [*full, ("start_scientific_review", office)]
    path[R.INFORMATION_REQUESTED] = [*path[R.SCIENTIFIC_REVIEW], ("request_information", office)]
    path[R.APPROVED] = [*path[R.SCIENTIFIC_REVIEW], ("approve_proposal", office)]
    path[R.DECLINED] = [*path[R.SCIENTIFIC_REVIEW], ("decline_proposal", office)]
    path[R.AGREEMENT_SENT] = [*path[R.APPROVED], ("issue_research_agreement", office)]
    path[R.AGREEMENT_SIGNED] = [*path[R.AGREEMENT_SENT], ("sign_research_agreement", member),
                                ("countersign_research_agreement", office)]  # fmt: skip
    path[R.ACTIVE] = [*path[R.AGREEMENT_SIGNED], ("start_study", system_actor())]
    path[R.FINAL_REPORT_DUE] = [*path[R.ACTIVE], ("request_final_report", system_actor())]
    path[R.CLOSED] = [*path[R.FINAL_REPORT_DUE], ("accept_final_report", office)]
    # Terminated after the execution milestone was paid: its 30 % advance is unearned, a refund due.
    path[R.TERMINATED] = [*path[R.ACTIVE], ("record_milestone_payment", staff_with_role(Role.FINANCE)),
                          ("terminate_study", office)]  # fmt: skip
    path = path[status]
    for name, actor in path:
        if name == "submit_full_proposal":
            fill_full_proposal(proposal)
        if name in DECISIONS:
            reviewed(proposal)
        perform(proposal, name, by=actor, **inputs_for(name, proposal))
    proposal.refresh_from_db()
    assert proposal.status == status
    return proposal

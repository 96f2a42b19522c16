"""Research proposals at every stage-one state, reached through the real engine (never by writing a status)."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from grants.choices import OrganisationType
from research import review as research_review
from research.choices import RESEARCH_RUBRIC
from research.models import ResearchBudgetLine, ResearchProposal
from research.status import ResearchStatus as R
from workflow.engine import perform
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


def inputs_for(name):
    value = STAFF_INPUTS.get(name, {})
    return value() if callable(value) else dict(value)


# The states proposal_at can reach so far; the post-award stages add theirs.
REACHABLE = [R.CONCEPT_DRAFT, R.CONCEPT_SUBMITTED, R.CONCEPT_REVIEW, R.CONCEPT_DECLINED, R.FULL_PROPOSAL_INVITED,
             R.FULL_PROPOSAL_SUBMITTED, R.SCIENTIFIC_REVIEW, R.INFORMATION_REQUESTED, R.APPROVED, R.DECLINED,
             R.WITHDRAWN]  # fmt: skip


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
    path = path[status]
    for name, actor in path:
        if name == "submit_full_proposal":
            fill_full_proposal(proposal)
        if name in DECISIONS:
            reviewed(proposal)
        perform(proposal, name, by=actor, **inputs_for(name))
    proposal.refresh_from_db()
    assert proposal.status == status
    return proposal

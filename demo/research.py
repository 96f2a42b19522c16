"""Demo research proposals (investigator-initiated studies) for `make run`: an investigator at an
academic medical center, and proposals standing at each step the research workflow has, from a concept
draft through the scientific review (demo committee members, one of them conflicted) to the study's
agreement, milestones, final report, close-out and termination.

As for the IME requests, nothing here writes ``status``: the investigator's side goes through
research.services and the staff side through ``workflow.engine.perform`` as the demo staff (reviews
through research/review.py, countersigning and payments through research/services_post_award.py, as
the pages do), so each proposal's audit trail and emails are what clicking through would leave.
Idempotent: a proposal is found again by its institution and title.
"""

from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.choices import OrganisationType, TaxStatus
from grants.models import Membership, Organisation
from grants.uploads import PDF
from research import post_award as award
from research import review as research_review
from research import services as research_services
from research import services_post_award as post_award_services
from research.choices import RESEARCH_RUBRIC, MilestoneKind
from research.models import ResearchBudgetLine, ResearchProposal
from research.status import ResearchStatus as R
from workflow.engine import perform

from .passwords import DEMO_PASSWORD
from .requests.documents import text_pdf
from .staff import seed_demo_staff

DEMO_INVESTIGATOR = {
    "email": "investigator@example.com",
    "first_name": "Priya",
    "last_name": "Natarajan",
}
DEMO_INSTITUTION = {
    "legal_name": "Great Lakes University Medical Center",
    "org_type": OrganisationType.ACADEMIC,
    "tax_status": TaxStatus.NON_PROFIT,
    "ein": "38-6004512",
    "address_line1": "1500 East Medical Center Drive",
    "city": "Ann Arbor",
    "state": "MI",
    "postal_code": "48109",
    "country": "US",
    "website": "https://medicine.greatlakes.example.edu",
}
STAFF = "administrator@example.com"

CONCEPTS = {
    "draft": {
        "title": "Agitation trajectories in Alzheimer's disease dementia: a registry feasibility study",
        "rationale": "Agitation affects most people living with Alzheimer's disease dementia at some stage, yet "
        "little is known about how it changes over months in community settings.",
        "therapeutic_area": "alzheimers_agitation",
        "study_type": "prospective_observational",
    },
    "submitted": {
        "title": "Residual sleepiness after switching wake-promoting agents in narcolepsy",
        "therapeutic_area": "narcolepsy",
        "study_type": "retrospective_chart_review",
    },
    "in_review": {
        "title": "Cognitive symptoms in major depressive disorder treated in primary care",
        "therapeutic_area": "depression",
        "study_type": "prospective_observational",
    },
    "invited": {
        "title": "Sleep architecture and daytime function in narcolepsy type 1: a single-center cohort",
        "therapeutic_area": "narcolepsy",
        "study_type": "prospective_observational",
    },
    "declined": {
        "title": "A registry of migraine treatment patterns in adolescents",
        "therapeutic_area": "migraine",
        "study_type": "secondary_data",
    },
    "full_submitted": {
        "title": "Early response as a predictor of remission in treatment-resistant depression",
        "therapeutic_area": "depression",
        "study_type": "phase_4",
        "study_drug_needed": True,
    },
    "information_requested": {
        "title": "Excessive daytime sleepiness in obstructive sleep apnea despite CPAP adherence",
        "therapeutic_area": "narcolepsy",
        "study_type": "prospective_observational",
    },
    "approved": {
        "title": "Functional outcomes after six months of treatment in adults with ADHD",
        "therapeutic_area": "adhd",
        "study_type": "phase_4",
        "study_drug_needed": True,
    },
    "scientific_review": {
        "title": "Long-term weight and metabolic changes in adults with ADHD on stimulant treatment",
        "therapeutic_area": "adhd",
        "study_type": "prospective_observational",
    },
    "agreement_sent": {
        "title": "Quality of sleep and mood in narcolepsy type 2 across a year of treatment",
        "therapeutic_area": "narcolepsy",
        "study_type": "prospective_observational",
    },
    "active": {
        "title": "Caregiver burden and agitation in Alzheimer's disease dementia: a one-year cohort",
        "therapeutic_area": "alzheimers_agitation",
        "study_type": "prospective_observational",
    },
    "final_report_due": {
        "title": "Return to work after remission in major depressive disorder",
        "therapeutic_area": "depression",
        "study_type": "prospective_observational",
    },
    "closed": {
        "title": "Headache days before and after preventive treatment in chronic migraine: a chart review",
        "therapeutic_area": "migraine",
        "study_type": "retrospective_chart_review",
    },
    "terminated": {
        "title": "Adherence to once-daily ADHD medication in college students",
        "therapeutic_area": "adhd",
        "study_type": "phase_4",
        "study_drug_needed": True,
    },
}
# The usual research milestone split (DOMAIN): 30 % on execution, 20 % on IRB approval and registration,
# 35 % by enrollment, 15 % on the final report.
SCHEDULE = [
    (MilestoneKind.EXECUTION, "Research agreement executed", "The executed research agreement", 30),
    (MilestoneKind.IRB_AND_REGISTRATION, "IRB approval and trial registration",
     "IRB approval letter and the ClinicalTrials.gov (NCT) number", 20),
    (MilestoneKind.ENROLLMENT, "Enrollment complete", "Enrollment log showing the target sample size", 35),
    (MilestoneKind.FINAL_REPORT, "Final study report accepted", "The final study report", 15),
]  # fmt: skip


def seed_demo_investigator():
    """A verified investigator who owns an academic medical center's account."""
    User = get_user_model()
    email = DEMO_INVESTIGATOR["email"]
    user, created = User.objects.get_or_create(
        username=email,
        defaults={"email": email, "first_name": DEMO_INVESTIGATOR["first_name"],
                  "last_name": DEMO_INVESTIGATOR["last_name"]},
    )  # fmt: skip
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    institution, _ = Organisation.objects.get_or_create(
        legal_name=DEMO_INSTITUTION["legal_name"], defaults=DEMO_INSTITUTION
    )
    if not Membership.objects.filter(user=user).exists():
        Membership.objects.create(user=user, organisation=institution, role=Membership.Role.OWNER)
    return [("Investigator (research proposals)", email, "/accounts/login/")]


def _concept(investigator, key):
    """The demo concept ``key``: found again if seeded before, else started and filled as the investigator would."""
    fields = CONCEPTS[key]
    institution = investigator.membership.organisation
    found = ResearchProposal.objects.filter(organisation=institution, title=fields["title"]).first()
    if found is not None:
        return found, False
    proposal = research_services.start_concept(investigator)
    values = {
        "rationale": "The question matters to the clinicians who treat these patients and is not yet answered "
        "by published data.",
        "objectives": "Describe the course of the main symptom over 12 months and the factors linked to it.",
        "design": "A prospective cohort at one academic center, with visits at baseline, 3, 6 and 12 months.",
        "pi_department": "Department of Psychiatry",
        "estimated_sample_size": 120,
        "estimated_duration_months": 24,
        "estimated_budget": Decimal("180000.00"),
        "study_drug_needed": False,
        **fields,
    }
    if key == "draft":  # half written: the investigator continues it on `make run`
        values = {name: values[name] for name in ("title", "rationale", "therapeutic_area", "study_type")}
    for name, value in values.items():
        setattr(proposal, name, value)
    proposal.save()
    return proposal, True


def _full_proposal(proposal):
    pdf = text_pdf("Study protocol: " + proposal.title, [
        "Demo document generated for the IME Grants Portal demonstration. It is not a real protocol.",
        "Objectives, endpoints, population, sample size, statistical plan and sites as in the synopsis.",
    ])  # fmt: skip
    proposal.protocol.save("protocol.pdf", ContentFile(pdf), save=False)
    proposal.protocol_original_name, proposal.protocol_content_type = "protocol.pdf", "application/pdf"
    cv = text_pdf("Curriculum vitae: Dr. Priya Natarajan", ["Demo document. Professor of Psychiatry."])
    proposal.pi_cv.save("cv.pdf", ContentFile(cv), save=False)
    proposal.pi_cv_original_name, proposal.pi_cv_content_type = "natarajan-cv.pdf", "application/pdf"
    today = timezone.localdate()
    proposal.objectives_and_endpoints = (
        "Primary endpoint: change from baseline in the main symptom score at 12 months. Secondary: function "
        "and quality of life."
    )
    proposal.population = "Adults 18 to 75 with a confirmed diagnosis; excluded: unstable medical illness, pregnancy."
    proposal.sample_size = 120
    proposal.sample_size_justification = "120 participants give 80 % power to detect a 0.3 SD change (alpha 0.05)."
    proposal.statistical_plan = "Mixed models for repeated measures; missing data handled by multiple imputation."
    proposal.sites = "Great Lakes University Medical Center (lead site); no sub-sites."
    proposal.first_patient_in = today + timedelta(days=120)
    proposal.last_patient_out = today + timedelta(days=600)
    proposal.final_report_on = today + timedelta(days=720)
    proposal.overhead_pct = Decimal("26")
    proposal.irb_status = "submitted"
    proposal.safety_plan = "Adverse events are reported to the company's pharmacovigilance within 24 hours."
    proposal.publication_plan = "Results submitted to a peer-reviewed journal within 12 months of study end."
    proposal.coi_disclosures = "The principal investigator has no financial relationship with the company."
    if proposal.study_drug_needed:
        proposal.drug_product, proposal.drug_quantity = "Study medication", "Twelve months' supply for 120 people"
        proposal.drug_dose, proposal.drug_route = "As labeled", "oral"
    proposal.save()
    for category, description, amount in [
        ("personnel", "Research coordinator, 0.5 FTE for two years", "70000.00"),
        ("patient_care", "Study visits and assessments", "42000.00"),
        ("data", "Data management and statistics", "18000.00"),
        ("irb_fees", "IRB review fees", "3500.00"),
    ]:
        ResearchBudgetLine.objects.create(proposal=proposal, category=category, description=description,
                                          amount=Decimal(amount))  # fmt: skip


INVESTIGATOR_MOVES = {"submit_concept", "submit_full_proposal", "answer_information"}


def _walk(proposal, people, steps):
    """Each step is a row of research/workflow.py made through ``perform``, or one of the few post-award
    steps the pages make through research/services_post_award.py or research/review.py (see ``_STEPS``)."""
    for name in steps:
        if name == "submit_full_proposal":
            _full_proposal(proposal)
        if name in _STEPS:
            _STEPS[name](proposal, people)
            continue
        actor = people["investigator"] if name in INVESTIGATOR_MOVES else people["staff"]
        perform(proposal, name, by=actor, **_inputs(name, proposal))
        proposal.refresh_from_db()


def _review(proposal, people):
    """The scientific review: the medical reviewer declares a conflict, the committee member scores."""
    for reviewer in (people["medical"], people["committee"]):
        research_review.assign_reviewer(proposal, reviewer=reviewer, by=people["coordinator"])
    conflicted = research_review.review_for(proposal, people["medical"])
    research_review.declare_conflict(conflicted, has_conflict=True,
                                     details="I co-authored two papers with the principal investigator last year.")
    review = research_review.review_for(proposal, people["committee"])
    research_review.declare_conflict(review, has_conflict=False)
    research_review.submit_review(
        review, scores={name: 4 for name, _ in RESEARCH_RUBRIC}, recommendation="approve",
        comments="A clear question and a feasible design; the sample size is well justified.",
    )  # fmt: skip


def _sign(proposal, people):
    """The investigator owns the institution's account, so she is its authorized signer."""
    post_award_services.sign_agreement(
        proposal, award.current_agreement(proposal), by=people["investigator"], signer_name="Dr. Priya Natarajan",
        signer_title="Associate Dean for Clinical Research", authority_confirmed=True,
    )  # fmt: skip


def _countersign(proposal, people):
    # Executes the agreement and, in the same transaction, starts the study (active).
    post_award_services.countersign_agreement(proposal, by=people["staff"],
                                              signer_title="Vice President, Medical Affairs")  # fmt: skip
    proposal.refresh_from_db()


def _milestone(proposal, kind):
    return proposal.milestones.get(kind=kind)


def _evidence(kind, title, lines, **extra):
    def submit(proposal, people):
        upload = SimpleUploadedFile(f"{kind}.pdf", text_pdf(title, lines), content_type="application/pdf")
        perform(proposal, "submit_milestone_evidence", by=people["investigator"], milestone=_milestone(proposal, kind),
                evidence=upload, evidence_type=PDF, **extra)  # fmt: skip

    return submit


def _verify(kind):
    def verify(proposal, people):
        perform(proposal, "verify_milestone", by=people["coordinator"], milestone=_milestone(proposal, kind))

    return verify


def _pay(kind):
    def pay(proposal, people):
        milestone = _milestone(proposal, kind)
        # The payment of the last milestone before the final report also asks for the report.
        post_award_services.record_payment(proposal, by=people["finance"], milestone=milestone, method="ach",
                                           reference=f"ACH-{proposal.reference}-{milestone.position}",
                                           paid_on=timezone.localdate())  # fmt: skip
        proposal.refresh_from_db()

    return pay


def _final_report(proposal, people):
    report = text_pdf("Final study report: " + proposal.title, [
        "Demo document generated for the IME Grants Portal demonstration. It is not a real study report.",
        "All 120 participants completed the 12-month visit; the primary endpoint was met.",
    ])  # fmt: skip
    upload = SimpleUploadedFile("final-report.pdf", report, content_type="application/pdf")
    perform(proposal, "submit_final_report", by=people["investigator"], report=upload, report_type=PDF,
            results_nct_number=NCT, publication_links=["https://doi.org/10.1000/demo.2027.42"])  # fmt: skip


K = MilestoneKind
NCT = "NCT05550001"
_STEPS = {
    "review": _review,
    "sign": _sign,
    "countersign": _countersign,
    "irb_evidence": _evidence(K.IRB_AND_REGISTRATION, "IRB approval letter", [
        "Demo document. The Great Lakes University IRB approved the protocol, version 1.0, for 12 months.",
    ], nct_number=NCT),  # fmt: skip
    "enrollment_evidence": _evidence(K.ENROLLMENT, "Enrollment log", [
        "Demo document. 120 of 120 participants enrolled; the log lists enrollment dates by participant code.",
    ], enrolled=120),  # fmt: skip
    "final_report": _final_report,
    **{f"verify_{kind}": _verify(kind) for kind in (K.IRB_AND_REGISTRATION, K.ENROLLMENT, K.FINAL_REPORT)},
    **{f"pay_{kind}": _pay(kind) for kind in (K.EXECUTION, K.IRB_AND_REGISTRATION, K.ENROLLMENT, K.FINAL_REPORT)},
}


def _inputs(name, proposal):
    today = timezone.localdate()
    return {
        "invite_full_proposal": {"due_on": today + timedelta(days=45),
                                 "message": "We are interested in this concept; please send the full proposal."},
        "decline_concept": {"reason_codes": ["overlap"],
                            "message": "The question overlaps a registry that is already under way."},
        "request_information": {"message": "Please justify the 26 % overhead and confirm the IRB submission date."},
        "terminate_study": {"reason": "Enrollment stalled: 9 students enrolled in a year against 200 planned."},
        "approve_proposal": {"amount": Decimal("150000.00"), "schedule": _schedule(Decimal("150000.00")),
                             "message": "The committee approved the study with the standard milestone schedule."},
    }.get(name, {})  # fmt: skip


def _schedule(total):
    return [
        {"kind": kind, "title": title, "evidence_required": evidence, "amount": total * pct / 100}
        for kind, title, evidence, pct in SCHEDULE
    ]


CONCEPT_STEPS = ["submit_concept", "start_concept_review", "invite_full_proposal"]
REVIEW_STEPS = [*CONCEPT_STEPS, "submit_full_proposal", "start_scientific_review"]
APPROVAL_STEPS = [*REVIEW_STEPS, "review", "approve_proposal"]
SENT_STEPS = [*APPROVAL_STEPS, "issue_research_agreement"]
# Countersigning starts the study; the execution milestone is verified by the executed agreement itself.
ACTIVE_STEPS = [*SENT_STEPS, "sign", "countersign", "pay_execution"]
PAID_UP_TO_REPORT = [*ACTIVE_STEPS, "irb_evidence", "verify_irb_and_registration", "pay_irb_and_registration",
                     "enrollment_evidence", "verify_enrollment", "pay_enrollment"]  # fmt: skip
WALKS = {
    "draft": [],
    "submitted": ["submit_concept"],
    "in_review": ["submit_concept", "start_concept_review"],
    "invited": CONCEPT_STEPS,
    "declined": ["submit_concept", "start_concept_review", "decline_concept"],
    "full_submitted": [*CONCEPT_STEPS, "submit_full_proposal"],
    "information_requested": [*REVIEW_STEPS, "request_information"],
    "approved": APPROVAL_STEPS,
    "scientific_review": [*REVIEW_STEPS, "review"],
    "agreement_sent": SENT_STEPS,
    "active": [*ACTIVE_STEPS, "irb_evidence"],
    "final_report_due": PAID_UP_TO_REPORT,
    "closed": [*PAID_UP_TO_REPORT, "final_report", "verify_final_report", "pay_final_report", "accept_final_report"],
    "terminated": [*ACTIVE_STEPS, "terminate_study"],
}
EXPECTED = {
    "draft": R.CONCEPT_DRAFT, "submitted": R.CONCEPT_SUBMITTED, "in_review": R.CONCEPT_REVIEW,
    "invited": R.FULL_PROPOSAL_INVITED, "declined": R.CONCEPT_DECLINED, "full_submitted": R.FULL_PROPOSAL_SUBMITTED,
    "information_requested": R.INFORMATION_REQUESTED, "approved": R.APPROVED,
    "scientific_review": R.SCIENTIFIC_REVIEW, "agreement_sent": R.AGREEMENT_SENT, "active": R.ACTIVE,
    "final_report_due": R.FINAL_REPORT_DUE, "closed": R.CLOSED, "terminated": R.TERMINATED,
}  # fmt: skip
PEOPLE = {"staff": STAFF, "coordinator": "coordinator@example.com", "medical": "medical@example.com",
          "committee": "committee@example.com", "finance": "finance@example.com"}  # fmt: skip


def seed_demo_proposals():
    seed_demo_staff()
    seed_demo_investigator()
    User = get_user_model()
    people = {key: User.objects.get(username=email) for key, email in PEOPLE.items()}
    people["investigator"] = User.objects.get(username=DEMO_INVESTIGATOR["email"])
    for key, steps in WALKS.items():
        proposal, new = _concept(people["investigator"], key)
        if new:
            _walk(proposal, people, steps)

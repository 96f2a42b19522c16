from django.db import models


class StudyType(models.TextChoices):
    PHASE_1 = "phase_1", "Interventional, phase I"
    PHASE_2 = "phase_2", "Interventional, phase II"
    PHASE_3 = "phase_3", "Interventional, phase III"
    PHASE_4 = "phase_4", "Interventional, phase IV"
    PROSPECTIVE_OBSERVATIONAL = "prospective_observational", "Prospective observational"
    RETROSPECTIVE_CHART_REVIEW = "retrospective_chart_review", "Retrospective chart review"
    SECONDARY_DATA = "secondary_data", "Secondary data analysis"


INTERVENTIONAL = {StudyType.PHASE_1, StudyType.PHASE_2, StudyType.PHASE_3, StudyType.PHASE_4}


class ConceptDeclineReason(models.TextChoices):
    OUTSIDE_AREAS = "outside_areas", "Outside the company's areas of interest"
    SCIENTIFIC_MERIT = "scientific_merit", "The scientific question or design is not strong enough"
    FEASIBILITY = "feasibility", "Feasibility (enrollment, sites or timelines) is doubtful"
    OVERLAP = "overlap", "It overlaps research that is already planned or under way"
    BUDGET = "budget", "The estimated budget is outside what we can support"
    DRUG_SUPPLY = "drug_supply", "We cannot supply the study drug requested"
    OTHER = "other", "Other (explained in the message)"


class IrbStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", "Not yet submitted"
    SUBMITTED = "submitted", "Submitted, awaiting decision"
    APPROVED = "approved", "Approved"
    EXEMPT = "exempt", "Exempt (determination letter available)"


class DrugRoute(models.TextChoices):
    ORAL = "oral", "Oral"
    INTRAVENOUS = "intravenous", "Intravenous"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
    INTRAMUSCULAR = "intramuscular", "Intramuscular"
    INTRANASAL = "intranasal", "Intranasal"
    TRANSDERMAL = "transdermal", "Transdermal"
    OTHER = "other", "Other"


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", "Personnel (investigators, coordinators)"
    PATIENT_CARE = "patient_care", "Procedures and patient care"
    PARTICIPANT = "participant", "Participant compensation"
    LABORATORY = "laboratory", "Laboratory and imaging"
    DATA = "data", "Data management and statistics"
    IRB_FEES = "irb_fees", "IRB and regulatory fees"
    PUBLICATION = "publication", "Publication costs"
    OTHER = "other", "Other direct costs"


class MilestoneKind(models.TextChoices):
    """What a milestone payment is tied to (DOMAIN: typical research milestone schedules)."""

    EXECUTION = "execution", "Agreement executed"
    IRB_AND_REGISTRATION = "irb_and_registration", "IRB approval and trial registration"
    FIRST_PATIENT_IN = "first_patient_in", "First patient in"
    ENROLLMENT = "enrollment", "Enrollment target reached"
    FINAL_REPORT = "final_report", "Final study report accepted"
    OTHER = "other", "Other"


class ProposalDeclineReason(models.TextChoices):
    """Why the committee declines a full proposal (the concept has its own list, ConceptDeclineReason)."""

    SCIENTIFIC_MERIT = "scientific_merit", "The scientific question or design cannot answer it well enough"
    FEASIBILITY = "feasibility", "Enrollment, sites or timelines are not feasible"
    ALIGNMENT = "alignment", "Not aligned with the company's areas of interest"
    BUDGET = "budget", "The budget is not at fair market value or exceeds what we can support"
    SAFETY = "safety", "Safety monitoring or reporting is not adequate"
    INCOMPLETE = "incomplete", "Essential information is still missing"
    OTHER = "other", "Other (explained in the message)"


# The scientific review committee's rubric (SPEC §4b, DOMAIN: IIS review): field name, label; 1–5 each.
RESEARCH_RUBRIC = [
    ("score_scientific_merit", "Scientific merit"),
    ("score_feasibility", "Feasibility"),
    ("score_alignment", "Alignment with areas of interest"),
    ("score_budget", "Budget and fair market value"),
    ("score_safety", "Safety"),
]


class ResearchRecommendation(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CHANGES = "approve_with_changes", "Approve once the changes asked for are made"
    DECLINE = "decline", "Decline"
class EvidenceState(models.TextChoices):
    """Where a milestone's evidence stands: the investigator uploads, staff verify or return it."""

    AWAITED = "awaited", "Evidence awaited"
    SUBMITTED = "submitted", "Evidence submitted, awaiting verification"
    RETURNED = "returned", "Returned: evidence to resubmit"
    VERIFIED = "verified", "Verified"


class AmendmentKind(models.TextChoices):
    PROTOCOL = "protocol", "Protocol"
    BUDGET = "budget", "Budget"
    TIMELINE = "timeline", "Timeline"


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"

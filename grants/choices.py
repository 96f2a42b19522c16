from django.db import models


class OrganisationType(models.TextChoices):
    ACCREDITED_PROVIDER = "accredited_provider", "Accredited CME/CE provider"
    ACADEMIC = "academic", "Academic medical center or university"
    HOSPITAL = "hospital", "Hospital or health system"
    RESEARCH_INSTITUTE = "research_institute", "Research institute"
    PROFESSIONAL_SOCIETY = "professional_society", "Professional society"
    MEDICAL_EDUCATION_COMPANY = "medical_education_company", "Medical education company"
    PATIENT_ADVOCACY = "patient_advocacy", "Patient, caregiver or advocacy organization"
    OTHER = "other", "Other education provider"
    # Listed so the self-check can explain the refusal; an organisation cannot be registered as these.
    INDIVIDUAL_PRACTITIONER = "individual_practitioner", "Individual healthcare practitioner"
    MEDICAL_PRACTICE = "medical_practice", "Medical practice or practice group"


INELIGIBLE_ORGANISATION_TYPES = {OrganisationType.INDIVIDUAL_PRACTITIONER, OrganisationType.MEDICAL_PRACTICE}
# Who may propose research (SPEC §4b): investigators at an institution, never an individual on their own.
RESEARCH_INSTITUTION_TYPES = {
    OrganisationType.ACADEMIC, OrganisationType.HOSPITAL, OrganisationType.RESEARCH_INSTITUTE, OrganisationType.OTHER,
}  # fmt: skip


class TaxStatus(models.TextChoices):
    NON_PROFIT = "non_profit", "Non-profit"
    FOR_PROFIT = "for_profit", "For-profit"


class AccreditationBody(models.TextChoices):
    ACCME = "accme", "ACCME (physicians)"
    ACPE = "acpe", "ACPE (pharmacy)"
    ANCC = "ancc", "ANCC (nursing)"
    AANP = "aanp", "AANP (nurse practitioners)"
    STATE_CME = "state_cme", "State medical society (ACCME-recognized)"
    JOINT = "joint", "Joint Accreditation for Interprofessional CE"
    NONE = "none", "Not accredited"


class RequestType(models.TextChoices):
    ACCREDITED = "accredited", "Accredited IME (CME/CE)"
    NON_ACCREDITED = "non_accredited", "Non-accredited HCP education"
    PATIENT_COMMUNITY = "patient_community", "Patient, caregiver or community education"
    WRITTEN_MATERIALS = "written_materials", "Written materials or publication"


class TherapeuticArea(models.TextChoices):
    DEPRESSION = "depression", "Major depressive disorder"
    ALZHEIMERS_AGITATION = "alzheimers_agitation", "Alzheimer's disease agitation"
    NARCOLEPSY = "narcolepsy", "Narcolepsy / excessive daytime sleepiness"
    MIGRAINE = "migraine", "Migraine"
    ADHD = "adhd", "ADHD"
    SMOKING_CESSATION = "smoking_cessation", "Smoking cessation"
    OTHER = "other", "Other CNS condition"


class ProgramFormat(models.TextChoices):
    LIVE_IN_PERSON = "live_in_person", "Live, in person"
    LIVE_VIRTUAL = "live_virtual", "Live, virtual"
    HYBRID = "hybrid", "Hybrid"
    ENDURING = "enduring", "Enduring / on demand"
    GRAND_ROUNDS = "grand_rounds", "Grand rounds"
    PRINT = "print", "Print / written"


class MooreLevel(models.TextChoices):
    PARTICIPATION = "1", "Level 1 — participation"
    SATISFACTION = "2", "Level 2 — satisfaction"
    DECLARATIVE = "3a", "Level 3a — declarative knowledge"
    PROCEDURAL = "3b", "Level 3b — procedural knowledge"
    COMPETENCE = "4", "Level 4 — competence"
    PERFORMANCE = "5", "Level 5 — performance"
    PATIENT_HEALTH = "6", "Level 6 — patient health"
    COMMUNITY_HEALTH = "7", "Level 7 — community health"


class BudgetCategory(models.TextChoices):
    FACULTY_HONORARIA = "faculty_honoraria", "Faculty honoraria"
    FACULTY_TRAVEL = "faculty_travel", "Faculty travel and lodging (coach)"
    VENUE = "venue", "Venue and meeting space"
    AUDIOVISUAL = "audiovisual", "Audiovisual and production"
    ONLINE_PLATFORM = "online_platform", "Online platform and hosting"
    ACCREDITATION_FEES = "accreditation_fees", "Accreditation fees"
    EDUCATIONAL_MATERIALS = "educational_materials", "Educational materials and printing"
    OUTCOMES = "outcomes", "Needs assessment and outcomes measurement"
    PROJECT_MANAGEMENT = "project_management", "Project management"
    PROMOTION = "promotion", "Learner recruitment and activity announcements"
    OTHER = "other", "Other"
    # Categories support may not pay for (IME_EXCLUDED_BUDGET_CATEGORIES); kept so they can be named.
    ATTENDEE_TRAVEL = "attendee_travel", "Attendee travel or lodging"
    ATTENDEE_REGISTRATION = "attendee_registration", "Attendee registration fees"
    SALARIES = "salaries", "Salaries"
    EQUIPMENT = "equipment", "Equipment"
    CAPITAL = "capital", "Capital costs"
    OPERATING = "operating", "Operating costs and overhead"
    ENTERTAINMENT = "entertainment", "Entertainment"
    GIFTS = "gifts", "Gifts"


class AttachmentKind(models.TextChoices):
    REQUEST_LETTER = "request_letter", "Request letter on letterhead"
    NEEDS_ASSESSMENT = "needs_assessment", "Needs assessment"
    AGENDA = "agenda", "Agenda"
    BUDGET = "budget", "Detailed budget"
    ACCREDITATION_LETTER = "accreditation_letter", "Accreditation letter or certificate"
    W9 = "w9", "W-9"
    OTHER = "other", "Other"


US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"),
    ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DECLINED = "declined", "Declined"


class DeclineReason(models.TextChoices):
    LATE = "late", "Submitted with less than the required lead time"
    RETROACTIVE = "retroactive", "Program already started or took place"
    INELIGIBLE_APPLICANT = "ineligible_applicant", "Applicant is not an eligible organization"
    INCOMPLETE = "incomplete", "Request incomplete after a request for information"
    NOT_ALIGNED = "not_aligned", "Outside the areas of educational need we support"
    EDUCATIONAL_QUALITY = "educational_quality", "Needs assessment or design did not meet the review criteria"
    BUDGET = "budget", "Budget not reasonable or includes costs we cannot support"
    COMPLIANCE = "compliance", "Independence or compliance concerns"
    FUNDS = "funds", "Budget for the period is fully committed"
    OTHER = "other", "Other (explained in the message)"

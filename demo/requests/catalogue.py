"""What the demo requests say: one request at each step from draft to decision for the demo applicant's
organisation, then its funded grants (agreement sent, agreement signed, paid, in progress, cancelled), and
one submitted request from a second organisation.

Start dates are days from the day the demo is loaded, all within 90-200 days so submission always
respects IME_MIN_LEAD_DAYS. Budgets hold only categories grant support may pay for.
"""

from dataclasses import dataclass
from decimal import Decimal

from grants.choices import (
    AccreditationBody,
    DeclineReason,
    MooreLevel,
    OrganisationType,
    ProgramFormat,
    RequestType,
    TaxStatus,
)
from grants.choices import AttachmentKind as K
from grants.choices import BudgetCategory as C
from grants.choices import TherapeuticArea as T
from grants.status import GrantStatus as S
from reviews.choices import Recommendation as R

from ..applicant import DEMO_SIGNER

SECOND_APPLICANT = {"email": "sleep@example.com", "first_name": "Priya", "last_name": "Natarajan"}
SECOND_ORGANISATION = {
    "legal_name": "Pacific Sleep Medicine Society",
    "org_type": OrganisationType.PROFESSIONAL_SOCIETY,
    "tax_status": TaxStatus.NON_PROFIT,
    "ein": "94-2867310",
    "address_line1": "450 Sutter Street",
    "address_line2": "Floor 12",
    "city": "San Francisco",
    "state": "CA",
    "postal_code": "94108",
    "country": "US",
    "website": "https://pacific-sleep.example.org",
    "accreditation_body": AccreditationBody.NONE,
}
# The contacts besides the requester (who is the applicant signed in), by organisation legal name.
CONTACTS = {
    "Northeast Neurology Education Institute": {
        "requester_phone": "617-555-0142",
        "secondary_name": "Jamie Chen",
        "secondary_email": "jchen@neuro-education.example.org",
        # The signer has a demo login (demo/applicant.py), so the demo's letters can be signed.
        "signer_name": DEMO_SIGNER["signer_name"],
        "signer_title": DEMO_SIGNER["signer_title"],
        "signer_email": DEMO_SIGNER["email"],
    },
    "Pacific Sleep Medicine Society": {
        "requester_phone": "415-555-0187",
        "secondary_name": "Owen Brooks",
        "secondary_email": "obrooks@pacific-sleep.example.org",
        "signer_name": "Dr. Samuel Ito",
        "signer_title": "President",
        "signer_email": "sito@pacific-sleep.example.org",
    },
}
ACCREDITED = {
    "request_type": RequestType.ACCREDITED,
    "accredited_provider": "Northeast Neurology Education Institute",
    "accreditation_body": AccreditationBody.ACCME,
    "credit_types": "AMA PRA Category 1 Credit™; ANCC nursing contact hours",
}
OWN_FUNDS = "Northeast Neurology Education Institute (own education fund)"
LIVE_DOCUMENTS = (K.REQUEST_LETTER, K.BUDGET, K.AGENDA, K.W9)
ACCREDITED_LIVE_DOCUMENTS = (*LIVE_DOCUMENTS, K.ACCREDITATION_LETTER)
ACCREDITED_ON_DEMAND_DOCUMENTS = (K.REQUEST_LETTER, K.BUDGET, K.W9, K.ACCREDITATION_LETTER)


@dataclass(frozen=True)
class Review:
    scores: tuple  # one score (1-5) per reviews.choices.RUBRIC criterion, in that order
    recommendation: str
    comments: str


@dataclass(frozen=True)
class DemoRequest:
    title: str
    status: str  # where the seeder walks it to, through the real services
    starts_in_days: int
    runs_for_days: int
    fields: dict
    objectives: tuple = ()
    budget: tuple = ()  # (category, description, unit cost, quantity)
    supporters: tuple = ()  # (name, amount, confirmed?)
    documents: tuple = ACCREDITED_LIVE_DOCUMENTS
    information_request: str = ""
    medical_review: Review | None = None
    committee_review: Review | None = None
    decision_message: str = ""
    decline_reasons: tuple = ()
    approved_amount: Decimal | None = None  # for a partial approval
    # Past decisions for the dashboard's history: decided this many days ago, this many days after submission.
    decided_days_ago: int | None = None
    took_days: int = 0
    # After approval: the approved amount is paid in this many payments (the last one completes it).
    instalments: int = 1
    # A cancellation the applicant asks for (a change request) and the grants office approves.
    cancellation_reason: str = ""
    cancellation_note: str = ""
    # A program in progress: once walked to paid today, its whole record moves back in time so that the
    # program started this many days ago; then the daily task starts it.
    started_days_ago: int | None = None


def _budget(*lines):
    return tuple(
        (category, description, Decimal(unit), Decimal(quantity)) for category, description, unit, quantity in lines
    )


NORTHEAST_REQUESTS = [
    DemoRequest(
        "Migraine Prevention in Primary Care: Putting the Newer Preventive Therapies to Work",
        S.DRAFT,
        starts_in_days=200,
        runs_for_days=0,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.MIGRAINE,
            "program_format": ProgramFormat.HYBRID,
            "location": "Conference center, Back Bay, Boston, MA",
            "program_url": "https://learn.neuro-education.example.org/migraine-prevention",
            "target_audience": "Family and internal medicine physicians, nurse practitioners and physician assistants",
            "expected_learners": 250,
            "needs_assessment": "Fewer than half of the primary care clinicians in our 2025 learner survey (n=212) "
            "offer preventive treatment to patients with four or more migraine days a month, and most were unsure "
            "when to refer. [To finish: add the chart-review findings from our two partner practices.]",
        },
        objectives=("Identify patients with episodic migraine who meet the criteria for preventive treatment.",),
        documents=(),
    ),
    DemoRequest(
        "Recognizing Excessive Daytime Sleepiness: A Virtual Case Series on Narcolepsy",
        S.SUBMITTED,
        starts_in_days=95,
        runs_for_days=42,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.NARCOLEPSY,
            "program_format": ProgramFormat.LIVE_VIRTUAL,
            "program_url": "https://learn.neuro-education.example.org/daytime-sleepiness",
            "target_audience": "Primary care physicians, psychiatrists, pediatricians and advanced practice providers",
            "expected_learners": 600,
            "credit_hours": Decimal("3.00"),
            "moore_level": MooreLevel.COMPETENCE,
            "amount_requested": Decimal("38000.00"),
            "needs_assessment": "People with narcolepsy often wait years for a diagnosis and are first treated for "
            "depression or insomnia. In our learner survey 68% of clinicians did not use a validated sleepiness "
            "scale, and few could name the features that should prompt referral for a sleep study.",
            "needs_references": "1. Learner needs survey, Northeast Neurology Education Institute, 2025 (n=212).\n"
            "2. Current clinical practice guideline on central disorders of hypersomnolence from the national sleep "
            "medicine society.",
            "educational_design": "Three 60-minute live webinars, each built on two patient cases and co-taught by a "
            "sleep specialist and a primary care clinician, with audience polling and a downloadable screening tool.",
            "outcomes_plan": "Case vignettes before and after each webinar (competence), and a 90-day follow-up "
            "survey on use of a sleepiness scale and on referrals.",
        },
        objectives=(
            "Screen patients who report daytime sleepiness with a validated scale.",
            "Tell narcolepsy apart from insufficient sleep, depression and obstructive sleep apnea.",
            "Decide when to refer for polysomnography and a multiple sleep latency test.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (6 presenters, one webinar each)", "2000", "6"),
            (C.ONLINE_PLATFORM, "Webinar platform, live captioning and recording (per webinar)", "4500", "3"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "3200", "1"),
            (C.OUTCOMES, "Outcomes survey design and analysis", "6800", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (120 hours at $85)", "85", "120"),
        ),
        supporters=((OWN_FUNDS, "7700", True),),
    ),
    DemoRequest(
        "Agitation in Alzheimer's Disease: Assessment and Management for Long-Term Care Teams",
        S.SCREENING,
        starts_in_days=110,
        runs_for_days=1,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.ALZHEIMERS_AGITATION,
            "program_format": ProgramFormat.LIVE_IN_PERSON,
            "location": "Hotel conference center, Worcester, MA",
            "target_audience": "Long-term care physicians, geriatric psychiatrists, nurse practitioners, directors "
            "of nursing and consultant pharmacists",
            "expected_learners": 180,
            "credit_hours": Decimal("5.50"),
            "moore_level": MooreLevel.PERFORMANCE,
            "amount_requested": Decimal("40000.00"),
            "needs_assessment": "Agitation affects many residents with Alzheimer's disease and is a leading reason "
            "for emergency transfers. Audits at six partner facilities found agitation rarely measured with a "
            "structured scale and non-drug approaches rarely documented before medication was started.",
            "needs_references": "1. Medication audit at six partner long-term care facilities, 2025.\n"
            "2. International consensus definition of agitation in cognitive disorders.\n"
            "3. Current practice guideline on the treatment of neuropsychiatric symptoms of dementia.",
            "educational_design": "A one-day workshop for whole care teams: short talks, then facilitated case "
            "rehearsals using a structured agitation scale and a care-plan template each team takes home.",
            "outcomes_plan": "Competence cases on the day; at 4 months, a re-audit of scale use and non-drug "
            "approaches documented at the participating facilities (performance).",
        },
        objectives=(
            "Measure agitation with a structured scale and track it over time.",
            "Build a care plan that starts with non-drug approaches and caregiver support.",
            "Weigh the benefits and risks of medication and review it on a schedule.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (4 faculty, full day)", "2500", "4"),
            (C.FACULTY_TRAVEL, "Faculty coach travel and one night's lodging", "650", "4"),
            (C.VENUE, "Meeting room and workshop breakout rooms", "9500", "1"),
            (C.AUDIOVISUAL, "Audiovisual equipment hire and technician", "4200", "1"),
            (C.EDUCATIONAL_MATERIALS, "Printed workbook and care-plan template (per learner)", "18", "180"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2500", "1"),
            (C.OUTCOMES, "Facility re-audit and outcomes report", "7500", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (100 hours at $85)", "85", "100"),
        ),
        supporters=(("Bay State Dementia Care Fund", "8040", False),),
    ),
    DemoRequest(
        "Measurement-Based Care for Major Depressive Disorder: A Community Hospital Grand Rounds Series",
        S.INFORMATION_REQUESTED,
        starts_in_days=125,
        runs_for_days=150,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.DEPRESSION,
            "program_format": ProgramFormat.GRAND_ROUNDS,
            "location": "Six partner community hospitals in Massachusetts, New Hampshire and Maine",
            "program_url": "https://learn.neuro-education.example.org/mbc-grand-rounds",
            "target_audience": "Hospital psychiatrists, hospitalists, primary care physicians, psychiatric nurses "
            "and social workers",
            "expected_learners": 420,
            "credit_hours": Decimal("6.00"),
            "moore_level": MooreLevel.PERFORMANCE,
            "amount_requested": Decimal("47300.00"),
            "needs_assessment": "Measurement-based care improves remission in depression, yet at our partner "
            "hospitals a standard symptom scale was recorded at fewer than one in five follow-up visits, and "
            "treatment was seldom changed when patients had not improved after eight weeks.",
            "needs_references": "1. Chart review at six partner hospitals, 2025 (n=600 follow-up visits).\n"
            "2. Current practice guideline for the treatment of major depressive disorder.",
            "educational_design": "Six monthly one-hour grand rounds, one at each hospital and streamed to the "
            "others, each pairing a psychiatrist with a local clinician champion and ending with a practice audit.",
            "outcomes_plan": "Repeat chart review at 6 months on scale use and on treatment changes after "
            "inadequate response (performance).",
        },
        objectives=(
            "Use a validated symptom scale at every depression follow-up visit.",
            "Change treatment when a patient has not responded adequately after an adequate trial.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (6 sessions)", "1500", "6"),
            (C.FACULTY_TRAVEL, "Faculty coach travel to partner hospitals", "400", "6"),
            (C.AUDIOVISUAL, "Streaming and recording (per session)", "900", "6"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2400", "1"),
            (C.OUTCOMES, "Chart review and outcomes analysis", "5600", "1"),
            (C.PROJECT_MANAGEMENT, "Project management", "18000", "1"),
            (C.OTHER, "Miscellaneous program costs", "4500", "1"),
        ),
        information_request="Thank you for this request. Before it goes to medical review we need two budget "
        "clarifications. (1) Project management is a single sum of $18,000: break it down by role, hours and "
        "hourly rate. (2) The line “Miscellaneous program costs” ($4,500) does not say what it pays for: describe "
        "it or remove it. Please also tell us whether other organizations have been asked to support the series. "
        "You can edit the Budget section now; send your answer from the request page when you are done.",
    ),
    DemoRequest(
        "ADHD Across the Lifespan: Recognizing and Treating ADHD in Adults",
        S.MEDICAL_REVIEW,
        starts_in_days=140,
        runs_for_days=365,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.ADHD,
            "program_format": ProgramFormat.ENDURING,
            "program_url": "https://learn.neuro-education.example.org/adult-adhd",
            "target_audience": "Primary care physicians, psychiatrists, psychiatric nurse practitioners, pharmacists",
            "expected_learners": 1500,
            "credit_hours": Decimal("2.00"),
            "moore_level": MooreLevel.COMPETENCE,
            "amount_requested": Decimal("50000.00"),
            "needs_assessment": "Most adults with ADHD are undiagnosed; many were never assessed as children and "
            "present with anxiety, depression or substance use. Our survey found that 72% of primary care "
            "clinicians felt unprepared to assess adult ADHD and that many avoided prescribing altogether.",
            "needs_references": "1. Learner needs survey, Northeast Neurology Education Institute, 2025 (n=212).\n"
            "2. Current national consensus guideline on the diagnosis and treatment of ADHD in adults.",
            "educational_design": "A two-hour on-demand course in four modules: video case consultations, "
            "interactive decision points with feedback, and a clinic toolkit (screening scale, monitoring plan).",
            "outcomes_plan": "Case-based questions before and after each module (competence), and a 60-day "
            "follow-up survey on screening and monitoring in practice.",
        },
        objectives=(
            "Screen adults presenting with anxiety, depression or substance use for ADHD.",
            "Confirm the diagnosis with a structured history that covers childhood symptoms.",
            "Choose, start and monitor treatment, including cardiovascular and misuse risks.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (4 module authors and presenters)", "3000", "4"),
            (C.ONLINE_PLATFORM, "Learning platform hosting for 12 months", "14000", "1"),
            (C.AUDIOVISUAL, "Video production and editing", "9500", "1"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2800", "1"),
            (C.OUTCOMES, "Outcomes measurement and report", "8200", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (140 hours at $85)", "85", "140"),
        ),
        supporters=((OWN_FUNDS, "8400", True),),
        documents=ACCREDITED_ON_DEMAND_DOCUMENTS,
    ),
    DemoRequest(
        "Treatment-Resistant Depression: Next Steps After Two Failed Antidepressant Trials",
        S.COMMITTEE_REVIEW,
        starts_in_days=155,
        runs_for_days=0,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.DEPRESSION,
            "program_format": ProgramFormat.LIVE_VIRTUAL,
            "program_url": "https://learn.neuro-education.example.org/trd-symposium",
            "target_audience": "Psychiatrists, primary care physicians and psychiatric nurse practitioners",
            "expected_learners": 800,
            "credit_hours": Decimal("2.50"),
            "moore_level": MooreLevel.PERFORMANCE,
            "amount_requested": Decimal("45000.00"),
            "needs_assessment": "About a third of patients with major depressive disorder do not reach remission "
            "after two adequate trials. Clinicians in our survey were unsure how to confirm treatment resistance "
            "and which next step (switching, combining, augmenting or neuromodulation) fits which patient.",
            "needs_references": "1. Learner needs survey, Northeast Neurology Education Institute, 2025 (n=212).\n"
            "2. Outcomes report of our 2024 depression symposium (internal).\n"
            "3. Current practice guideline for the treatment of major depressive disorder.",
            "educational_design": "A live virtual symposium: three case-based talks, a debate on sequencing the next "
            "step and a question session, then a recording available for 6 months.",
            "outcomes_plan": "Pre/post case vignettes and a 90-day follow-up survey on confirming adequate trials "
            "and on next-step choices in practice (performance, self-reported).",
        },
        objectives=(
            "Confirm treatment resistance by checking the dose, duration and adherence of earlier trials.",
            "Compare switching, combination, augmentation and neuromodulation for a given patient.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (5 faculty)", "2500", "5"),
            (C.ONLINE_PLATFORM, "Virtual event platform, production and 6-month replay", "11000", "1"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "3000", "1"),
            (C.OUTCOMES, "Outcomes measurement and report", "9500", "1"),
            (C.PROMOTION, "Activity announcements to psychiatry and primary care lists", "6000", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (120 hours at $85)", "85", "120"),
        ),
        supporters=(("A second supporter (request pending)", "7200", False),),
        medical_review=Review(
            (5, 4, 4, 4, 4, 5),
            R.APPROVE,
            "Clear, well-documented gap and sound case-based design. Objectives match the gaps. The outcomes plan "
            "relies on self-report; acceptable for this format.",
        ),
    ),
    DemoRequest(
        "Helping Patients With Serious Mental Illness Quit Smoking: An On-Demand Course and Toolkit",
        S.APPROVED,
        starts_in_days=170,
        runs_for_days=365,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.SMOKING_CESSATION,
            "program_format": ProgramFormat.ENDURING,
            "program_url": "https://learn.neuro-education.example.org/quit-smi",
            "target_audience": "Community mental health psychiatrists, nurse practitioners, pharmacists and primary "
            "care clinicians",
            "expected_learners": 1200,
            "credit_hours": Decimal("1.50"),
            "moore_level": MooreLevel.PERFORMANCE,
            "amount_requested": Decimal("32000.00"),
            "needs_assessment": "People with serious mental illness smoke at far higher rates than the general "
            "population and die years earlier, largely from smoking-related disease. Clinicians at our partner "
            "community mental health centers rarely offered cessation treatment, citing worries about psychiatric "
            "side effects that current evidence does not support.",
            "needs_references": "1. Survey of clinicians at four partner community mental health centers, 2025.\n"
            "2. Current clinical practice guideline on treating tobacco use and dependence.",
            "educational_design": "A 90-minute on-demand course of short case videos and interactive choices, with a "
            "printed pocket guide on cessation medicines for mental health settings.",
            "outcomes_plan": "Pre/post questions, and a record review at two partner centers 6 months after launch "
            "on how often cessation treatment is offered (performance).",
        },
        objectives=(
            "Ask every patient with serious mental illness about tobacco use at each visit.",
            "Offer evidence-based cessation medicine and counseling, and address concerns about side effects.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (3 faculty)", "2500", "3"),
            (C.ONLINE_PLATFORM, "Course hosting for 12 months", "9000", "1"),
            (C.EDUCATIONAL_MATERIALS, "Printed pocket guide (per copy)", "2.75", "2000"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2400", "1"),
            (C.OUTCOMES, "Record review and outcomes report", "7800", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (90 hours at $85)", "85", "90"),
        ),
        supporters=(("Community Mental Health Education Trust", "7850", True),),
        documents=ACCREDITED_ON_DEMAND_DOCUMENTS,
        medical_review=Review(
            (5, 5, 4, 4, 4, 5), R.APPROVE, "Strong need with local data; practical design for busy clinics."
        ),
        committee_review=Review(
            (5, 4, 5, 4, 4, 5), R.APPROVE, "Fits our priorities in CNS care; multi-funded; reasonable budget."
        ),
        decision_message="The committee approved the full amount requested. Your grants coordinator will send the "
        "Letter of Agreement for your authorized signer; the grant is paid once both parties have signed.",
    ),
    DemoRequest(
        "Understanding Migraine: Community Education Evenings at Public Libraries",
        S.DECLINED,
        starts_in_days=185,
        runs_for_days=90,
        fields={
            "request_type": RequestType.PATIENT_COMMUNITY,
            "therapeutic_area": T.MIGRAINE,
            "program_format": ProgramFormat.LIVE_IN_PERSON,
            "location": "Four public libraries in Greater Boston, MA",
            "target_audience": "People living with migraine and their families",
            "expected_learners": 300,
            "moore_level": MooreLevel.SATISFACTION,
            "amount_requested": Decimal("25900.00"),
            "needs_assessment": "Migraine is common and often goes untreated; many people never see a clinician "
            "about their headaches.",
            "needs_references": "1. General prevalence figures from a national headache charity's website.",
            "educational_design": "Four evening talks by a neurologist, with time for questions.",
            "outcomes_plan": "A satisfaction form at the end of each evening.",
        },
        objectives=("Describe what migraine is and when to see a clinician.",),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Speaker honoraria (4 evenings)", "1500", "4"),
            (C.VENUE, "Library room hire (per evening)", "1200", "4"),
            (C.EDUCATIONAL_MATERIALS, "Printed handouts (per attendee)", "12", "300"),
            (C.PROMOTION, "Newspaper and social media announcements", "5500", "1"),
            (C.PROJECT_MANAGEMENT, "Event coordination", "6000", "1"),
        ),
        documents=LIVE_DOCUMENTS,
        medical_review=Review(
            (3, 2, 3, 2, 2, 4),
            R.DECLINE,
            "The need is stated in general terms with no local gap data; outcomes stop at satisfaction; a fifth of "
            "the budget goes to announcements.",
        ),
        committee_review=Review(
            (3, 2, 3, 2, 2, 4), R.DECLINE, "Agree with the medical reviewer: the design does not meet our criteria."
        ),
        decline_reasons=(DeclineReason.EDUCATIONAL_QUALITY,),
        decision_message="Thank you for applying. The committee cannot support this request: the needs assessment "
        "does not show a specific gap in the audience you plan to reach, and the outcomes plan measures only "
        "satisfaction. This decision is final for this request.",
    ),
]

# --- After approval: Letters of Agreement, payments, a program under way, a cancellation -------------
# Each is approved through the same walk as above, then taken on through grants.services.post_award by
# the coordinator (issues the letter), the authorized signer, the administrator (countersigns), finance
# (pays) and the portal's daily task (starts the program).

_GOOD_REVIEW = Review((5, 4, 4, 4, 4, 5), R.APPROVE, "A documented local gap, a practical design and a lean budget.")
_FUNDED_MESSAGE = (
    "The committee approved the full amount requested. Your grants coordinator will send the Letter of Agreement "
    "for your authorized signer; the grant is paid once both parties have signed."
)

POST_AWARD_REQUESTS = [
    DemoRequest(
        "Cataplexy and Beyond: A Narcolepsy Skills Workshop for Sleep Clinic Teams",
        S.AGREEMENT_SENT,
        starts_in_days=120,
        runs_for_days=0,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.NARCOLEPSY,
            "program_format": ProgramFormat.LIVE_IN_PERSON,
            "location": "Hotel conference center, Providence, RI",
            "target_audience": "Sleep physicians, sleep technologists, nurse practitioners and physician assistants",
            "expected_learners": 120,
            "credit_hours": Decimal("5.00"),
            "moore_level": MooreLevel.COMPETENCE,
            "amount_requested": Decimal("32800.00"),
            "needs_assessment": "Sleep clinic staff in our region see many patients referred for sleepiness, yet in "
            "our 2025 survey of four clinics fewer than half of the technologists could describe partial cataplexy, "
            "and the clinics' own audits found sleep studies scheduled without the two weeks of sleep diaries the "
            "test needs.",
            "needs_references": "1. Survey of staff at four partner sleep clinics, 2025 (n=64).\n"
            "2. Current clinical practice guideline on central disorders of hypersomnolence.",
            "educational_design": "A one-day workshop: video cases of cataplexy, hands-on scoring of sleep studies "
            "in small groups, and a session on preparing patients for testing, led by sleep physicians and a "
            "senior technologist.",
            "outcomes_plan": "Video-case questions at the start and end of the day (competence), and a review of "
            "test preparation at the four clinics 3 months later.",
        },
        objectives=(
            "Recognize full and partial cataplexy from the history and on video.",
            "Prepare patients for a sleep study and multiple sleep latency test so the results can be read.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (3 faculty, full day)", "2500", "3"),
            (C.FACULTY_TRAVEL, "Faculty travel and one night's lodging", "600", "3"),
            (C.VENUE, "Meeting room and two breakout rooms", "6000", "1"),
            (C.AUDIOVISUAL, "Audiovisual equipment and technician", "2500", "1"),
            (C.EDUCATIONAL_MATERIALS, "Printed scoring workbook (per learner)", "15", "120"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2000", "1"),
            (C.OUTCOMES, "Outcomes questions and clinic review", "4400", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (80 hours at $85)", "85", "80"),
        ),
        medical_review=_GOOD_REVIEW,
        committee_review=_GOOD_REVIEW,
        decision_message=_FUNDED_MESSAGE,
    ),
    DemoRequest(
        "Migraine in the Emergency Department: Acute Treatment Without Opioids",
        S.AGREEMENT_SIGNED,
        starts_in_days=135,
        runs_for_days=28,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.MIGRAINE,
            "program_format": ProgramFormat.LIVE_VIRTUAL,
            "program_url": "https://learn.neuro-education.example.org/migraine-emergency",
            "target_audience": "Emergency physicians, emergency nurse practitioners, physician assistants and nurses",
            "expected_learners": 400,
            "credit_hours": Decimal("2.00"),
            "moore_level": MooreLevel.PERFORMANCE,
            "amount_requested": Decimal("28900.00"),
            "needs_assessment": "At our three partner emergency departments, a third of visits for migraine in 2025 "
            "ended with an opioid, and return visits within 72 hours were twice as common after opioid treatment as "
            "after guideline-recommended medicines.",
            "needs_references": "1. Record review at three partner emergency departments, 2025 (n=450 visits).\n"
            "2. Current guideline on the acute treatment of migraine in the emergency department.",
            "educational_design": "Two live 60-minute webinars four weeks apart, built on emergency cases, with a "
            "one-page order set each department can adopt.",
            "outcomes_plan": "A repeat record review at the partner departments 6 months later on opioid use and "
            "72-hour returns (performance).",
        },
        objectives=(
            "Treat acute migraine in the emergency department with guideline-recommended, non-opioid medicines.",
            "Plan discharge to prevent early return, including follow-up for preventive treatment.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (4 presenters)", "2000", "4"),
            (C.ONLINE_PLATFORM, "Webinar platform, captioning and recording (per webinar)", "4000", "2"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2600", "1"),
            (C.OUTCOMES, "Record review and outcomes report", "5200", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (60 hours at $85)", "85", "60"),
        ),
        medical_review=Review((5, 4, 5, 5, 3, 5), R.APPROVE_PARTIALLY, "Strong design; the platform line is high."),
        committee_review=Review(
            (5, 4, 5, 5, 3, 5), R.APPROVE_PARTIALLY, "Approve with the platform costs brought in line with others."
        ),
        approved_amount=Decimal("25000.00"),
        decision_message="The committee approved $25,000.00 of the $28,900.00 requested: the webinar platform is "
        "supported at the rate of comparable programs. Your grants coordinator will send the Letter of Agreement "
        "for the approved amount.",
    ),
    DemoRequest(
        "Adult ADHD on Campus: Assessment and Treatment in College Health Services",
        S.PAID,
        starts_in_days=150,
        runs_for_days=0,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.ADHD,
            "program_format": ProgramFormat.HYBRID,
            "location": "University health services auditorium, Amherst, MA",
            "program_url": "https://learn.neuro-education.example.org/adhd-on-campus",
            "target_audience": "College health physicians, nurse practitioners, counselors and pharmacists",
            "expected_learners": 260,
            "credit_hours": Decimal("4.00"),
            "moore_level": MooreLevel.COMPETENCE,
            "amount_requested": Decimal("32000.00"),
            "needs_assessment": "College health services in our region report more students asking to be assessed "
            "for ADHD each year; in our survey of eight services most had no written assessment pathway and "
            "clinicians were unsure how to weigh self-reported symptoms without childhood records.",
            "needs_references": "1. Survey of eight college health services in Massachusetts, 2025 (n=96).\n"
            "2. Current national consensus guideline on the diagnosis and treatment of ADHD in adults.",
            "educational_design": "A half-day symposium on campus and streamed: case-based talks, a panel with "
            "students' counselors, and an assessment pathway template for college services.",
            "outcomes_plan": "Case vignettes before and after (competence), and a 90-day follow-up on services "
            "adopting a written pathway.",
        },
        objectives=(
            "Assess a student for ADHD with a structured history when childhood records are missing.",
            "Choose and monitor treatment with attention to misuse and diversion on campus.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (4 faculty)", "2500", "4"),
            (C.FACULTY_TRAVEL, "Faculty travel", "500", "2"),
            (C.VENUE, "Auditorium and breakout room", "3500", "1"),
            (C.AUDIOVISUAL, "Streaming and recording", "4800", "1"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2400", "1"),
            (C.OUTCOMES, "Outcomes measurement and report", "6000", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (100 hours at $85)", "85", "100"),
        ),
        supporters=((OWN_FUNDS, "4200", True),),
        medical_review=_GOOD_REVIEW,
        committee_review=_GOOD_REVIEW,
        decision_message=_FUNDED_MESSAGE,
        instalments=2,
    ),
    DemoRequest(
        "Depression After Stroke: A Learning Collaborative for Rehabilitation Teams",
        S.IN_PROGRESS,
        starts_in_days=95,
        runs_for_days=120,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.DEPRESSION,
            "program_format": ProgramFormat.LIVE_VIRTUAL,
            "program_url": "https://learn.neuro-education.example.org/post-stroke-depression",
            "target_audience": "Physiatrists, neurologists, rehabilitation nurses, psychologists and social workers",
            "expected_learners": 180,
            "credit_hours": Decimal("8.00"),
            "moore_level": MooreLevel.PERFORMANCE,
            "amount_requested": Decimal("34000.00"),
            "needs_assessment": "Depression follows about one stroke in three and slows recovery, yet at our five "
            "partner rehabilitation units a depression screen was recorded for fewer than half of the patients, "
            "and positive screens were rarely followed by treatment before discharge.",
            "needs_references": "1. Chart review at five partner rehabilitation units, 2025 (n=300 admissions).\n"
            "2. Current guideline on stroke rehabilitation and post-stroke depression.",
            "educational_design": "A four-month collaborative: eight live virtual sessions, each unit running a "
            "small screening-and-treatment project between sessions with coaching from the faculty.",
            "outcomes_plan": "Each unit's screening and treatment rates before and at the end of the collaborative "
            "(performance), shared in the final session.",
        },
        objectives=(
            "Screen every stroke rehabilitation patient for depression with a validated tool.",
            "Start and follow up treatment for post-stroke depression before discharge.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (8 sessions)", "1500", "8"),
            (C.ONLINE_PLATFORM, "Virtual sessions and collaborative workspace", "6500", "1"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2800", "1"),
            (C.OUTCOMES, "Unit data collection and outcomes report", "7200", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (110 hours at $85)", "85", "110"),
        ),
        supporters=((OWN_FUNDS, "3850", True),),
        medical_review=_GOOD_REVIEW,
        committee_review=_GOOD_REVIEW,
        decision_message=_FUNDED_MESSAGE,
        started_days_ago=21,
    ),
    DemoRequest(
        "Tobacco Treatment on Inpatient Psychiatric Units: A Skills Day for Nursing Staff",
        S.CANCELLED,
        starts_in_days=160,
        runs_for_days=0,
        fields={
            **ACCREDITED,
            "therapeutic_area": T.SMOKING_CESSATION,
            "program_format": ProgramFormat.LIVE_IN_PERSON,
            "location": "Teaching hospital conference center, Springfield, MA",
            "target_audience": "Psychiatric nurses, nurse practitioners and pharmacists on inpatient units",
            "expected_learners": 150,
            "credit_hours": Decimal("6.00"),
            "moore_level": MooreLevel.COMPETENCE,
            "amount_requested": Decimal("21550.00"),
            "needs_assessment": "Patients admitted to psychiatric units who smoke are often left in nicotine "
            "withdrawal: at our two partner hospitals fewer than a third were offered nicotine replacement on "
            "admission, and almost none left with a plan to quit.",
            "needs_references": "1. Chart review at two partner hospitals, 2025 (n=200 admissions).\n"
            "2. Current clinical practice guideline on treating tobacco use and dependence.",
            "educational_design": "A skills day for nursing teams: short talks, then rehearsal of brief counseling "
            "and of dosing nicotine replacement, with a unit protocol to take home.",
            "outcomes_plan": "Skills checklists on the day (competence), and a chart review at 4 months.",
        },
        objectives=(
            "Offer nicotine replacement to every patient who smokes on admission.",
            "Give brief counseling and a quit plan at discharge.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (3 faculty)", "2000", "3"),
            (C.AUDIOVISUAL, "Audiovisual equipment", "1800", "1"),
            (C.EDUCATIONAL_MATERIALS, "Printed skills workbook (per learner)", "20", "150"),
            (C.ACCREDITATION_FEES, "Accreditation and credit processing", "2000", "1"),
            (C.OUTCOMES, "Skills checklists and chart review", "4500", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (50 hours at $85)", "85", "50"),
        ),
        medical_review=_GOOD_REVIEW,
        committee_review=_GOOD_REVIEW,
        decision_message=_FUNDED_MESSAGE,
        cancellation_reason="Our partner hospital has closed its conference center for renovation until next "
        "year, and no other venue in the region can host the hands-on sessions on the planned date. We will "
        "apply again once a new date is set.",
        cancellation_note="Cancelled as you asked; nothing was paid, so nothing is to be returned. We look "
        "forward to your new request.",
    ),
]
# They are the demo applicant's organisation's requests too.
NORTHEAST_REQUESTS += POST_AWARD_REQUESTS


SECOND_ORGANISATION_REQUESTS = [
    DemoRequest(
        "Narcolepsy in Adolescents and Young Adults: Shortening the Road to Diagnosis",
        S.SUBMITTED,
        starts_in_days=130,
        runs_for_days=0,
        fields={
            "request_type": RequestType.NON_ACCREDITED,
            "therapeutic_area": T.NARCOLEPSY,
            "program_format": ProgramFormat.LIVE_VIRTUAL,
            "program_url": "https://events.pacific-sleep.example.org/adolescent-narcolepsy",
            "target_audience": "Pediatricians, adolescent medicine specialists and school-based health clinicians",
            "expected_learners": 350,
            "moore_level": MooreLevel.PROCEDURAL,
            "amount_requested": Decimal("20000.00"),
            "needs_assessment": "Narcolepsy usually begins in the teenage years, when sleepiness is easily taken "
            "for poor sleep habits or low motivation. Our members report that adolescents reach a sleep clinic "
            "only after years of falling grades and misdiagnosis.",
            "needs_references": "1. Member survey, Pacific Sleep Medicine Society, 2025 (n=148).\n"
            "2. Current clinical practice guideline on central disorders of hypersomnolence.",
            "educational_design": "A two-hour live webinar with three adolescent case stories, a sleep specialist "
            "panel and a referral checklist for school and primary care settings.",
            "outcomes_plan": "Case questions before and after the webinar (procedural knowledge).",
        },
        objectives=(
            "Recognize the symptoms of narcolepsy in adolescents, including cataplexy.",
            "Refer adolescents with persistent daytime sleepiness for sleep testing.",
        ),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria (4 panelists)", "1500", "4"),
            (C.ONLINE_PLATFORM, "Webinar platform and captioning", "5200", "1"),
            (C.OUTCOMES, "Outcomes survey and report", "4800", "1"),
            (C.PROMOTION, "Announcements to pediatric and school health networks", "2200", "1"),
            (C.PROJECT_MANAGEMENT, "Project management (60 hours at $80)", "80", "60"),
        ),
        supporters=(("Pacific Sleep Medicine Society (own funds)", "3000", True),),
        documents=LIVE_DOCUMENTS,
    ),
]


# --- History for the staff dashboard -------------------------------------------------------------
# Requests decided over the past four quarters, so the dashboard's quarters, areas and cycle times have
# something to show. They walk through the same services as the others; the seeder then dates them
# back (``decided_days_ago`` / ``took_days``).

_HISTORY_REVIEW = Review((4, 4, 4, 3, 4, 5), R.APPROVE, "A clear gap, a sound design and a reasonable budget.")
_HISTORY_DECLINE_REVIEW = Review((2, 3, 3, 2, 2, 4), R.DECLINE, "The gap is not shown for this audience.")


def _past(title, area, amount, status, decided_days_ago, took_days, approved=None):
    amount = Decimal(amount)
    declined = status == S.DECLINED
    return DemoRequest(
        title,
        status,
        starts_in_days=170,
        runs_for_days=0,
        fields={
            **ACCREDITED,
            "therapeutic_area": area,
            "program_format": ProgramFormat.LIVE_VIRTUAL,
            "program_url": "https://learn.neuro-education.example.org/archive",
            "target_audience": "Primary care physicians, psychiatrists and neurologists",
            "expected_learners": 300,
            "credit_hours": Decimal("1.50"),
            "moore_level": MooreLevel.COMPETENCE,
            "amount_requested": amount,
            "needs_assessment": "Our learner survey found gaps in recognizing and managing this condition in "
            "everyday practice.",
            "needs_references": "1. Learner needs survey, Northeast Neurology Education Institute, 2025 (n=212).",
            "educational_design": "A live virtual session built on patient cases, with audience polling.",
            "outcomes_plan": "Case vignettes before and after the session (competence).",
        },
        objectives=("Apply current guidance to the patient cases discussed.",),
        budget=_budget(
            (C.FACULTY_HONORARIA, "Faculty honoraria", str(amount * Decimal("0.4")), "1"),
            (C.ONLINE_PLATFORM, "Virtual platform and production", str(amount * Decimal("0.6")), "1"),
        ),
        documents=ACCREDITED_LIVE_DOCUMENTS,
        medical_review=_HISTORY_DECLINE_REVIEW if declined else _HISTORY_REVIEW,
        committee_review=_HISTORY_DECLINE_REVIEW if declined else _HISTORY_REVIEW,
        decision_message="Thank you for your request." if not declined else "The committee cannot support it.",
        decline_reasons=(DeclineReason.EDUCATIONAL_QUALITY,) if declined else (),
        approved_amount=Decimal(approved) if approved else None,
        decided_days_ago=decided_days_ago,
        took_days=took_days,
    )


HISTORY_REQUESTS = [
    _past("Depression in Older Adults: A Virtual Case Conference", T.DEPRESSION, "32000", S.APPROVED, 330, 45),
    _past("Migraine Acute Treatment Update for Urgent Care", T.MIGRAINE, "18000", S.DECLINED, 300, 28),
    _past("ADHD Medication Monitoring in Primary Care", T.ADHD, "26000", S.PARTIALLY_APPROVED, 250, 62, "20000"),
    _past("Smoking Cessation After Hospital Discharge", T.SMOKING_CESSATION, "15000", S.APPROVED, 200, 35),
    _past("Narcolepsy Diagnosis for Sleep Technologists", T.NARCOLEPSY, "22000", S.APPROVED, 150, 51),
    _past("Agitation in Dementia: Caregiver-Centred Plans", T.ALZHEIMERS_AGITATION, "36000", S.APPROVED, 110, 74),
    _past("Migraine in Women Across the Lifespan", T.MIGRAINE, "28000", S.PARTIALLY_APPROVED, 60, 40, "21000"),
    _past("Suicide Risk Screening in Depression Care", T.DEPRESSION, "24000", S.DECLINED, 35, 22),
    _past("Alzheimer's Agitation: Measuring What Matters", T.ALZHEIMERS_AGITATION, "30000", S.APPROVED, 20, 33),
]

# The annual IME budgets of the demo: (years before this one, total, {area: amount}).
BUDGETS = [
    (0, Decimal("400000"), {T.DEPRESSION: Decimal("110000"), T.ALZHEIMERS_AGITATION: Decimal("60000"),
                            T.MIGRAINE: Decimal("60000"), T.NARCOLEPSY: Decimal("50000"), T.ADHD: Decimal("50000"),
                            T.SMOKING_CESSATION: Decimal("40000")}),
    (1, Decimal("350000"), {T.DEPRESSION: Decimal("100000"), T.MIGRAINE: Decimal("60000"),
                            T.ADHD: Decimal("50000")}),
]  # fmt: skip

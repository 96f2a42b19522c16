"""The named rules a research proposal must meet, in words an investigator understands. The forms, the
proposal page's to-do list and the workflow's checks (research/workflow.py) all use these lists."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from grants.choices import RESEARCH_INSTITUTION_TYPES, OrganisationType

from .choices import INTERVENTIONAL
from .models import CONCEPT_TEXT_MAX, CONCEPT_TEXTS


@dataclass(frozen=True)
class Problem:
    field: str  # the form field to fix ("" for the proposal as a whole)
    message: str


def institution_problem(organisation) -> str | None:
    """Research comes from investigators at an institution: None when ``organisation`` is one."""
    if organisation is None:
        return (
            "Research proposals are accepted from investigators at an institution (an academic medical center, "
            "hospital or research institute), not from individuals. Register your institution, or ask a "
            "colleague who has registered it to invite you, then start the concept."
        )
    if organisation.org_type not in RESEARCH_INSTITUTION_TYPES:
        kinds = ", ".join(OrganisationType(t).label.lower() for t in sorted(RESEARCH_INSTITUTION_TYPES))
        return (
            f"{organisation.legal_name} is registered as “{OrganisationType(organisation.org_type).label}”. "
            f"Research proposals come from institutions ({kinds}); ask the research office of the institution "
            "where the study will run to register it."
        )
    return None


CONCEPT_REQUIRED = {
    "title": "Give the study a title.",
    "rationale": "Explain the scientific rationale.",
    "objectives": "State the study's objectives.",
    "design": "Describe the study design.",
    "pi_name": "Name the principal investigator.",
    "pi_email": "Give the principal investigator's email address.",
    "therapeutic_area": "Choose the therapeutic area.",
    "study_type": "Choose the type of study.",
    "estimated_sample_size": "Estimate the sample size.",
    "estimated_duration_months": "Estimate the study's duration in months.",
    "estimated_budget": "Estimate the budget in US dollars.",
}


def text_too_long(field_label: str, text: str, limit: int = CONCEPT_TEXT_MAX) -> str | None:
    if text and len(text) > limit:
        return (
            f"{field_label} is {len(text):,} characters; the concept allows {limit:,}. "
            f"Shorten it by {len(text) - limit:,}."
        )
    return None


def concept_problems(proposal) -> list[Problem]:
    problems = (
        [Problem("", institution_problem(proposal.organisation))] if institution_problem(proposal.organisation) else []
    )
    for name, message in CONCEPT_REQUIRED.items():
        value = getattr(proposal, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(name, message))
    if proposal.study_drug_needed is None:
        problems.append(Problem("study_drug_needed", "Say whether the study needs study drug."))
    for name in CONCEPT_TEXTS:
        label = proposal._meta.get_field(name).verbose_name.capitalize()
        too_long = text_too_long(label, getattr(proposal, name))
        if too_long:
            problems.append(Problem(name, too_long))
    return problems


FULL_PROPOSAL_REQUIRED = {
    "protocol": "Upload the study protocol.",
    "objectives_and_endpoints": "State the objectives and endpoints.",
    "population": "Describe the population with its inclusion and exclusion criteria.",
    "sample_size": "Give the sample size.",
    "sample_size_justification": "Justify the sample size.",
    "statistical_plan": "Describe the statistical analysis plan.",
    "sites": "List the sites and sub-investigators.",
    "first_patient_in": "Give the planned date of the first patient in.",
    "last_patient_out": "Give the planned date of the last patient out.",
    "final_report_on": "Give the planned date of the final study report.",
    "overhead_pct": "Give the overhead rate (0 if none).",
    "irb_status": "Give the IRB/ethics status.",
    "safety_plan": "Describe the safety-reporting plan.",
    "publication_plan": "Describe the publication plan.",
    "pi_cv": "Upload the principal investigator's CV.",
    "coi_disclosures": "Disclose any conflicts of interest (write “None” if there are none).",
}
DRUG_FIELDS = {
    "drug_product": "Name the study drug product.",
    "drug_quantity": "Give the quantity of study drug needed.",
    "drug_dose": "Give the dose.",
    "drug_route": "Choose the route of administration.",
}


def overhead_problem(overhead_pct) -> str | None:
    cap = settings.IIS_MAX_OVERHEAD_PCT
    if overhead_pct is not None and Decimal(overhead_pct) > cap:
        return (
            f"Overhead of {Decimal(overhead_pct).normalize():f}% is above the {cap}% of direct costs we can support. "
            f"Lower it to {cap}% or less; costs the study needs directly belong in the itemized lines."
        )
    return None


def deadline_problem(proposal, today=None) -> str | None:
    today = today or timezone.localdate()
    due = proposal.full_proposal_due_on
    if due is not None and today > due:
        return (
            f"The deadline for this full proposal was {date_format(due)}, so it can no longer be submitted. "
            "If you still wish to propose the study, write to the research team, quoting "
            f"{proposal.reference}."
        )
    return None


def timeline_problems(proposal) -> list[Problem]:
    fpi, lpo, report = proposal.first_patient_in, proposal.last_patient_out, proposal.final_report_on
    problems = []
    if fpi and lpo and lpo < fpi:
        problems.append(Problem("last_patient_out", "The last patient out cannot come before the first patient in."))
    if lpo and report and report < lpo:
        problems.append(Problem("final_report_on", "The final study report cannot come before the last patient out."))
    return problems


def full_proposal_problems(proposal, budget_lines=None) -> list[Problem]:
    problems = []
    for name, message in FULL_PROPOSAL_REQUIRED.items():
        value = getattr(proposal, name)
        if value is None or value == "" or (isinstance(value, str) and not value.strip()):
            problems.append(Problem(name, message))
    if proposal.study_drug_needed or proposal.study_type in INTERVENTIONAL:
        problems += [Problem(name, msg) for name, msg in DRUG_FIELDS.items() if not getattr(proposal, name)]
    lines = list(proposal.budget_lines.all()) if budget_lines is None else budget_lines
    if not lines:
        problems.append(Problem("budget", "Itemize the budget: add at least one line of direct costs."))
    too_high = overhead_problem(proposal.overhead_pct)
    if too_high:
        problems.append(Problem("overhead_pct", too_high))
    return problems + timeline_problems(proposal)

"""The research agreement's placeholders and how its text is made from a template version and an
approved proposal, as ``grants/agreement_terms.py`` does for the IME letter (same double-brace syntax,
same ``render_letter``). Staff edit the wording (``ResearchAgreementTemplate`` in the admin)."""

from datetime import date

from django.conf import settings

from grants.agreement_terms import RECORD_KEEPING_YEARS, SUPPORTER, SUPPORTER_ADDRESS, long_date, money

PLACEHOLDERS = {
    "reference": "the proposal reference, e.g. IIS-2026-00007",
    "version": "the agreement's version",
    "issue_date": "the date the agreement is issued",
    "supporter": "Axsome Therapeutics, Inc.",
    "supporter_address": "Axsome's address",
    "institution_name": "the institution's legal name",
    "institution_address": "the institution's address",
    "investigator": "the principal investigator's name and email",
    "study_title": "the study title",
    "study_type": "the type of study",
    "approved_amount": "the amount approved, e.g. $100,000.00",
    "milestone_schedule": "the milestone payment schedule, one line per milestone",
    "final_report_on": "the planned date of the final study report",
    "safety_contact": "where adverse events are reported (IIS_SAFETY_REPORTING_CONTACT)",
    "record_years": "years the institution keeps the study records",
}


def _address(org) -> str:
    lines = [org.address_line1, org.address_line2, f"{org.city}, {org.state} {org.postal_code}"]
    return ", ".join(line for line in lines if line)


def schedule_lines(milestones) -> str:
    return "\n".join(
        f"{m.position}. {m.title}: {money(m.amount)}, on {m.evidence_required}"
        + (f" (expected by {long_date(m.due_on)})" if m.due_on else "")
        for m in milestones
    )


def facts_of(proposal, *, version: int, issued_on: date) -> dict[str, str]:
    org = proposal.organisation
    investigator = ", ".join(x for x in [proposal.pi_name, proposal.pi_email] if x)
    return {
        "reference": proposal.display_reference,
        "version": str(version),
        "issue_date": long_date(issued_on),
        "supporter": SUPPORTER,
        "supporter_address": SUPPORTER_ADDRESS,
        "institution_name": org.legal_name,
        "institution_address": _address(org),
        "investigator": investigator or "(not given)",
        "study_title": proposal.title,
        "study_type": proposal.get_study_type_display() or "(not given)",
        "approved_amount": money(proposal.approved_amount),
        "milestone_schedule": schedule_lines(proposal.milestones.all()),
        "final_report_on": long_date(proposal.final_report_on),
        "safety_contact": settings.IIS_SAFETY_REPORTING_CONTACT,
        "record_years": str(RECORD_KEEPING_YEARS),
    }

"""The Letter of Agreement's placeholders and how a letter's text is made from a template version and
an approved request. Staff edit the wording (``AgreementTemplate`` in the admin); the facts of each
grant come from here, so a letter always states the request as it stood when it was issued."""

import re
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.formats import date_format

SUPPORTER = "Axsome Therapeutics, Inc."
SUPPORTER_ADDRESS = "One World Trade Center, 22nd Floor, New York, NY 10007"
RECORD_KEEPING_YEARS = 5
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

# name → what it is filled with (shown to staff under the template's text).
PLACEHOLDERS = {
    "grant_number": "the request reference, e.g. IME-2026-00042",
    "version": "the letter's version (1, then one more per re-issue)",
    "issue_date": "the date the letter is issued",
    "supporter": "Axsome Therapeutics, Inc.",
    "supporter_address": "Axsome's address",
    "recipient_name": "the organization's legal name",
    "recipient_address": "the organization's address",
    "recipient_ein": "the organization's EIN",
    "recipient_contact": "the requester's name and email",
    "accredited_provider_clause": "a sentence naming the accredited provider where it is not the recipient",
    "program_title": "the program title",
    "program_format": "the program format",
    "program_location": "the venue and city, or the program URL",
    "program_dates": "the start and end dates",
    "approved_amount": "the amount approved, e.g. $25,000.00",
    "reconciliation_days": "days after the end the reconciliation is due (IME_RECONCILIATION_DAYS)",
    "record_years": "years the recipient keeps its records",
    "signer_name": "the recipient's authorized signer",
    "signer_title": "the authorized signer's title",
}


def unknown_placeholders(body: str, known: dict | None = None) -> list[str]:
    known = PLACEHOLDERS if known is None else known
    return sorted({name for name in PLACEHOLDER.findall(body or "") if name not in known})


def money(amount: Decimal | None) -> str:
    return f"${amount or 0:,.2f}"


def long_date(day: date | None) -> str:
    return date_format(day) if day else "(to be confirmed)"


def _address(org) -> str:
    lines = [org.address_line1, org.address_line2, f"{org.city}, {org.state} {org.postal_code}"]
    return ", ".join(line for line in lines if line)


def facts_of(grant_request, *, version: int, issued_on: date) -> dict[str, str]:
    """The value of every placeholder for this request."""
    org = grant_request.organisation
    provider = (grant_request.accredited_provider or "").strip()
    if provider and provider.casefold() != org.legal_name.casefold():
        provider_clause = (
            f"The accredited provider of the activity is {provider}, which is responsible for its compliance "
            "with the accreditor's standards and signs this agreement's obligations on accreditation."
        )
    else:
        provider_clause = "The recipient is the accredited provider of the activity, where it is accredited."
    if grant_request.start_date and grant_request.end_date and grant_request.start_date != grant_request.end_date:
        dates = f"{long_date(grant_request.start_date)} to {long_date(grant_request.end_date)}"
    else:
        dates = long_date(grant_request.start_date)
    contact = ", ".join(x for x in [grant_request.requester_name, grant_request.requester_email] if x)
    return {
        "grant_number": grant_request.reference or f"Draft #{grant_request.pk}",
        "version": str(version),
        "issue_date": long_date(issued_on),
        "supporter": SUPPORTER,
        "supporter_address": SUPPORTER_ADDRESS,
        "recipient_name": org.legal_name,
        "recipient_address": _address(org),
        "recipient_ein": org.ein,
        "recipient_contact": contact or "(none given)",
        "accredited_provider_clause": provider_clause,
        "program_title": grant_request.title,
        "program_format": grant_request.get_program_format_display() or "(not given)",
        "program_location": grant_request.location or grant_request.program_url or "(not given)",
        "program_dates": dates,
        "approved_amount": money(grant_request.approved_amount),
        "reconciliation_days": str(settings.IME_RECONCILIATION_DAYS),
        "record_years": str(RECORD_KEEPING_YEARS),
        "signer_name": grant_request.signer_name or "(authorized signer)",
        "signer_title": grant_request.signer_title or "(title)",
    }


def render_letter(body: str, facts: dict[str, str]) -> str:
    """The template's text with every placeholder filled in. Unknown placeholders are refused when the
    template is saved, so none is left here."""
    return PLACEHOLDER.sub(lambda m: facts[m.group(1)], body).strip() + "\n"

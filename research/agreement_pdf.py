"""The executed research agreement as a PDF, by the IME letter's machinery (``grants/agreement_pdf.py``:
the same stylesheet, nothing fetched) with a template naming the study and the institution."""

from django.utils import timezone

from grants.agreement_pdf import render_letter_pdf
from grants.agreement_terms import SUPPORTER, money

TEMPLATE = "research/post_award/agreement_pdf.html"


def filename_of(agreement) -> str:
    return f"{agreement.proposal.display_reference} Research agreement v{agreement.version}.pdf"


def render_agreement_pdf(agreement) -> bytes:
    """Callers check ``agreement.is_executed`` first."""
    proposal = agreement.proposal
    return render_letter_pdf(TEMPLATE, {
        "agreement": agreement, "proposal": proposal, "organisation": proposal.organisation, "supporter": SUPPORTER,
        "amount": money(agreement.amount), "generated_at": timezone.now(),
    })  # fmt: skip

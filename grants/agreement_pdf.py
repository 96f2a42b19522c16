"""The executed Letter of Agreement as a PDF (SPEC §4a): the frozen text as issued, then a signature
page with both parties' signatures, their times and the letter's SHA-256, rendered by WeasyPrint.

The PDF is made from a template and a stylesheet of its own (``templates/grants/agreements/``) and
fetches nothing: every resource request is refused, so nothing in the letter can reach the network or
the file system."""

import re

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML

from .agreement_terms import SUPPORTER, money

TEMPLATE = "grants/agreements/letter_pdf.html"
STYLESHEET = "grants/agreements/letter_pdf.css"


# A numbered clause opens with its heading on a line of its own ("3. Purpose of the grant").
CLAUSE_HEADING = re.compile(r"^\d+\.\s+\S.{0,80}$")


def blocks_of(text: str) -> list[dict]:
    """The letter's paragraphs, each with the clause heading it opens with (if any) set apart."""
    blocks = []
    for block in (b.strip() for b in text.split("\n\n")):
        if not block:
            continue
        first, _, rest = block.partition("\n")
        if CLAUSE_HEADING.match(first) and rest:
            blocks.append({"heading": first, "body": rest})
        else:
            blocks.append({"heading": "", "body": block})
    return blocks


class ResourceRefused(Exception):
    pass


def _no_fetching(url, *args, **kwargs):
    raise ResourceRefused(f"The agreement PDF loads no resources ({url[:60]}).")


def filename_of(agreement) -> str:
    return f"{agreement.grant_request.display_reference} Letter of Agreement v{agreement.version}.pdf"


def render_agreement_pdf(agreement) -> bytes:
    """The executed letter, as PDF bytes. Callers check ``agreement.is_executed`` first."""
    grant_request = agreement.grant_request
    context = {
        "agreement": agreement,
        "grant_request": grant_request,
        "organisation": grant_request.organisation,
        "supporter": SUPPORTER,
        "amount": money(grant_request.approved_amount),
        "blocks": blocks_of(agreement.text),
        "generated_at": timezone.now(),
    }
    return render_letter_pdf(TEMPLATE, context)


def render_letter_pdf(template: str, context: dict) -> bytes:
    """Any signed letter as PDF bytes (the research agreement uses it too), with the letter stylesheet
    and no resource fetched."""
    html = render_to_string(template, {"blocks": blocks_of(context["agreement"].text), **context})
    css = render_to_string(STYLESHEET)
    document = HTML(string=html, url_fetcher=_no_fetching, base_url=None)
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=_no_fetching)])

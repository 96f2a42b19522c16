"""The documents attached to demo requests: small, valid one-page PDFs written here, so the demo needs no
PDF library and every file passes the same content checks as an applicant's upload."""

import textwrap
from decimal import Decimal

from django.utils import dateformat

from grants.choices import AttachmentKind

WRAP_AT = 92  # characters per line of 10-point Helvetica on a US Letter page with 1-inch margins
TITLE_WRAP_AT = 60  # the same for the 15-point bold title
MAX_LINES = 50
DEMO_NOTICE = "Demo document generated for the IME Grants Portal demonstration. It is not a real submission."


def _pdf_string(text: str) -> bytes:
    """A PDF literal string: the standard fonts below read WinAnsi (cp1252), which has ™, × and curly quotes."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252", "replace") + b")"


def text_pdf(title: str, paragraphs: list[str]) -> bytes:
    """One page: a bold title, then the paragraphs wrapped to the page (anything past one page is cut)."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, WRAP_AT) or [""])
    content = [b"BT", b"/F2 15 Tf", b"18 TL", b"72 738 Td"]
    content += [b"T* " + _pdf_string(line) + b" Tj" for line in textwrap.wrap(title, TITLE_WRAP_AT)]
    content += [b"/F1 10 Tf", b"14 TL", b"T*"]
    content += [b"T* " + _pdf_string(line) + b" Tj" for line in lines[:MAX_LINES]]
    content.append(b"ET")
    stream = b"\n".join(content)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        font % b"Helvetica",
        font % b"Helvetica-Bold",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(pdf)


def _money(amount) -> str:
    return f"${Decimal(amount):,.2f}"


def _day(value) -> str:
    return dateformat.format(value, "F j, Y") if value else "to be confirmed"


def _request_letter(grant_request) -> tuple[str, list[str]]:
    organisation = grant_request.organisation
    return "Request for an independent educational grant", [
        f"{organisation.legal_name}, {organisation.address_line1}, {organisation.city}, {organisation.state} "
        f"{organisation.postal_code}",
        "To: US Medical Affairs, Independent Medical Education Grants",
        f"Re: {grant_request.title}",
        "",
        f"On behalf of {organisation.legal_name}, I request an independent educational grant of "
        f"{_money(grant_request.amount_requested)} toward a total program budget of "
        f"{_money(grant_request.budget_total())} for the {grant_request.get_program_format_display().lower()} "
        f"activity named above, planned from {_day(grant_request.start_date)} to {_day(grant_request.end_date)} "
        f"for {grant_request.target_audience.lower()}.",
        grant_request.needs_assessment,
        f"Our organization alone decides the content, selects the faculty and runs the education. We expect "
        f"{grant_request.expected_learners} learners and will report outcomes up to "
        f"{grant_request.get_moore_level_display().lower()}.",
        "",
        f"Sincerely, {grant_request.signer_name}, {grant_request.signer_title}",
    ]


def _budget(grant_request) -> tuple[str, list[str]]:
    lines = [
        f"{line.get_category_display()}: {line.description} - {_money(line.unit_cost)} x "
        f"{line.quantity.normalize():f} = {_money(line.total)}"
        for line in grant_request.budget_lines.all()
    ]
    supporters = [
        f"Other support: {s.name} - {_money(s.amount)} ({s.get_status_display().lower()})"
        for s in grant_request.other_supporters.all()
    ]
    return f"Detailed budget: {grant_request.title}", [
        *lines,
        "",
        f"Total program budget: {_money(grant_request.budget_total())}",
        *supporters,
        f"Amount requested in this application: {_money(grant_request.amount_requested)}",
    ]


def _agenda(grant_request) -> tuple[str, list[str]]:
    sessions = [
        f"Session {number}: {objective.text} (faculty to be confirmed)"
        for number, objective in enumerate(grant_request.learning_objectives.all(), start=1)
    ]
    return f"Draft agenda: {grant_request.title}", [
        f"{_day(grant_request.start_date)} - {grant_request.location or grant_request.program_url}",
        "",
        "Welcome, disclosures of relevant financial relationships and pre-activity questions (15 minutes)",
        *sessions,
        "Case discussion and questions from learners (30 minutes)",
        "Post-activity questions, evaluation and claiming credit (15 minutes)",
    ]


def _accreditation_letter(grant_request) -> tuple[str, list[str]]:
    organisation = grant_request.organisation
    return "Statement of accreditation", [
        f"{organisation.legal_name} is accredited by the {organisation.get_accreditation_body_display()} to provide "
        "continuing medical education for physicians.",
        f"Accreditation ID {organisation.accreditation_id}, valid through {_day(organisation.accreditation_expiry)}.",
        f"Credit offered for this activity: {grant_request.credit_types}, up to {grant_request.credit_hours} hours.",
    ]


def _w9(grant_request) -> tuple[str, list[str]]:
    organisation = grant_request.organisation
    return "Form W-9 (demo placeholder)", [
        "This file stands in for the organization's signed Request for Taxpayer Identification Number.",
        f"Legal name: {organisation.legal_name}",
        f"Tax classification: {organisation.get_tax_status_display()}",
        f"EIN: {organisation.ein}",
        f"Address: {organisation.address_line1}, {organisation.city}, {organisation.state} {organisation.postal_code}",
    ]


WRITERS = {
    AttachmentKind.REQUEST_LETTER: _request_letter,
    AttachmentKind.BUDGET: _budget,
    AttachmentKind.AGENDA: _agenda,
    AttachmentKind.ACCREDITATION_LETTER: _accreditation_letter,
    AttachmentKind.W9: _w9,
}


def demo_document(kind: str, grant_request) -> tuple[str, bytes]:
    """The file name an applicant might have used, and the PDF, for one kind of attachment."""
    title, paragraphs = WRITERS[kind](grant_request)
    file_name = f"{AttachmentKind(kind).label.split(' or ')[0]}.pdf"
    return file_name, text_pdf(title, [*paragraphs, "", DEMO_NOTICE])

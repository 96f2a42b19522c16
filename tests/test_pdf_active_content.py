"""PDFs with active content (scripts, actions run on opening, launched programs, hidden files) are refused
at upload — request documents and the W-9 alike — with the reason on the page and the typed form kept."""

import io
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from grants.models import Attachment, Organisation

from .factories import TINY_PDF, UserFactory

pytestmark = pytest.mark.django_db
REFUSED = "which could run on our reviewers’ computers, so we cannot accept it."


# --- Building the PDFs ------------------------------------------------------------------------


def pdf_made_by_pypdf(change=None) -> bytes:
    """A real one-page PDF written by pypdf, changed by ``change(writer)`` before it is saved."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _name(text):
    return NameObject(text)


def open_action(action: dict):
    def change(writer):
        writer._root_object[_name("/OpenAction")] = DictionaryObject(
            {_name(key): value for key, value in action.items()}
        )

    return change


def javascript_on_open() -> bytes:
    return pdf_made_by_pypdf(open_action({"/S": _name("/JavaScript"), "/JS": TextStringObject("app.alert('hi')")}))


def launch_on_open() -> bytes:
    return pdf_made_by_pypdf(open_action({"/S": _name("/Launch"), "/F": TextStringObject("C:\\Windows\\calc.exe")}))


def with_embedded_file() -> bytes:
    return pdf_made_by_pypdf(lambda writer: writer.add_attachment("payload.txt", b"not a grant document"))


def opening_at_first_page() -> bytes:
    """An ordinary /OpenAction: open at page 1, fit to the window (Word and Acrobat write these)."""

    def change(writer):
        writer._root_object[_name("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")])

    return pdf_made_by_pypdf(change)


def _assemble(objects: dict[int, bytes]) -> tuple[bytes, dict[int, int]]:
    pdf = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(pdf)
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    return bytes(pdf), offsets


def script_in_escaped_names() -> bytes:
    """Names written with #xx escapes: /Open#41ction is /OpenAction, /J#61vaScript is /JavaScript."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Open#41ction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        4: b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
    }
    body, offsets = _assemble(objects)
    xref_at = len(body)
    xref = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, 5))
    trailer = b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return body + xref + trailer


def script_inside_an_object_stream() -> bytes:
    """The JavaScript action sits in a compressed object stream: no raw byte of the file names it."""
    packed = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"4 0 "
    compressed = zlib.compress(header + packed)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        5: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(header), len(compressed), compressed),
    }
    body, offsets = _assemble(objects)
    xref_at = len(body)
    offsets[6] = xref_at
    rows = [(0, 0, 65535), (1, offsets[1], 0), (1, offsets[2], 0), (1, offsets[3], 0), (2, 5, 0)]
    rows += [(1, offsets[5], 0), (1, offsets[6], 0)]
    table = b"".join(
        kind.to_bytes(1, "big") + field.to_bytes(4, "big") + gen.to_bytes(2, "big") for kind, field, gen in rows
    )
    xref = b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        len(table),
        table,
    )
    return body + xref + b"startxref\n%d\n%%%%EOF\n" % xref_at


# --- Request documents ------------------------------------------------------------------------


def section_url(grant_request):
    return reverse("grants:request_section", args=[grant_request.pk, "attachments"])


def upload(client, grant_request, content, name="Agenda.pdf", kind="agenda"):
    return client.post(
        section_url(grant_request), {"action": "upload", "kind": kind, "file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize(
    "build, what",
    [
        (javascript_on_open, "contains JavaScript and an action that runs when the file is opened"),
        (launch_on_open, "contains a command that starts another program and an action that runs when the file"),
        (with_embedded_file, "contains files hidden inside it"),
        (script_in_escaped_names, "contains JavaScript and an action that runs when the file is opened"),
        (script_inside_an_object_stream, "contains JavaScript and an action that runs when the file is opened"),
    ],
)
def test_pdf_with_active_content_is_refused_with_the_reason_on_the_page(applicant_client, draft_request, build, what):
    response = upload(applicant_client, draft_request, build(), name="Agenda final.pdf")

    page = response.content.decode()
    assert response.status_code == 200
    assert "The document was not added." in page
    assert f"“Agenda final.pdf” {what}" in page
    assert REFUSED in page
    assert "print it to a new PDF" in page
    assert not Attachment.objects.exists()


def test_the_object_stream_case_names_nothing_in_its_raw_bytes():
    """Why the check parses the file: a scan of the raw bytes alone would find nothing here."""
    pdf = script_inside_an_object_stream()
    assert b"JavaScript" not in pdf and b"/JS" not in pdf


def test_refused_upload_keeps_the_chosen_kind_of_document(applicant_client, draft_request):
    response = upload(applicant_client, draft_request, javascript_on_open(), kind="budget")

    assert '<option value="budget" selected>' in response.content.decode()


@pytest.mark.parametrize("build", [lambda: TINY_PDF, pdf_made_by_pypdf, opening_at_first_page])
def test_plain_pdfs_are_still_accepted(applicant_client, draft_request, build):
    response = upload(applicant_client, draft_request, build())

    assert response.status_code == 302
    assert Attachment.objects.filter(grant_request=draft_request, kind="agenda").count() == 1


def test_a_link_to_a_web_page_named_like_a_script_is_not_active_content(applicant_client, draft_request):
    from demo.requests.documents import text_pdf

    pdf = text_pdf("Agenda", ["Slides at https://learn.example.org/JS/XFA/Launch (session 2)."])

    assert upload(applicant_client, draft_request, pdf).status_code == 302


def test_a_pdf_restricted_only_by_an_owner_password_is_checked_and_accepted(applicant_client, draft_request):
    pdf = pdf_made_by_pypdf(lambda writer: writer.encrypt("", "owner-secret", algorithm="AES-128"))

    assert upload(applicant_client, draft_request, pdf).status_code == 302


def test_a_pdf_that_needs_a_password_to_open_is_refused(applicant_client, draft_request):
    pdf = pdf_made_by_pypdf(lambda writer: writer.encrypt("open-sesame", "owner-secret", algorithm="AES-128"))

    response = upload(applicant_client, draft_request, pdf)

    assert response.status_code == 200
    assert "protected by a password" in response.content.decode()


def test_a_pdf_that_cannot_be_read_is_refused(applicant_client, draft_request):
    response = upload(applicant_client, draft_request, b"%PDF-1.7\n" + b"\x00garbage" * 50)

    assert response.status_code == 200
    assert "could not be read as a PDF" in response.content.decode()


# --- The W-9 on the organisation form ----------------------------------------------------------


ORGANISATION = {
    "legal_name": "Great Lakes Neurology Education Partners",
    "org_type": "professional_society",
    "tax_status": "non_profit",
    "ein": "36-7654321",
    "address_line1": "200 Randolph Street",
    "address_line2": "Suite 400",
    "city": "Chicago",
    "state": "IL",
    "postal_code": "60601",
    "website": "https://lakes.example.org",
    "accreditation_body": "accme",
    "accreditation_id": "ACCME-0099",
}


@pytest.fixture
def newcomer_client(client):
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(UserFactory())
    return client


@pytest.mark.parametrize("build", [javascript_on_open, launch_on_open, with_embedded_file])
def test_w9_with_active_content_is_refused_and_the_typed_details_are_kept(newcomer_client, build):
    data = {
        **ORGANISATION,
        "accreditation_expiry": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "w9_file": SimpleUploadedFile("W-9 signed.pdf", build()),
        "w9_signed_on": timezone.localdate().isoformat(),
    }

    response = newcomer_client.post(reverse("grants:organisation_create"), data)

    page = response.content.decode()
    assert "“W-9 signed.pdf” contains" in page and REFUSED in page
    assert 'href="#id_w9_file"' in page
    for value in ("Great Lakes Neurology Education Partners", "36-7654321", "200 Randolph Street", "Suite 400"):
        assert f'value="{value}"' in page
    assert 'value="ACCME-0099"' in page
    assert not Organisation.objects.filter(legal_name=ORGANISATION["legal_name"]).exists()


def test_a_plain_w9_is_still_accepted(newcomer_client):
    data = {
        **ORGANISATION,
        "accreditation_expiry": (timezone.localdate() + timedelta(days=365)).isoformat(),
        "w9_file": SimpleUploadedFile("W-9 signed.pdf", opening_at_first_page()),
        "w9_signed_on": timezone.localdate().isoformat(),
    }

    response = newcomer_client.post(reverse("grants:organisation_create"), data)

    assert response.status_code == 302
    assert Organisation.objects.get(legal_name=ORGANISATION["legal_name"]).w9

"""Upload checks shared by every file field: size, emptiness and type judged by content, not name; PDFs
with active content (scripts, actions run on opening, embedded files…) refused (grants/pdf_safety.py)."""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

from .pdf_safety import UnreadablePdf, active_content


@dataclass(frozen=True)
class Accepted:
    content_type: str
    extension: str
    label: str


PDF = Accepted("application/pdf", ".pdf", "PDF")
DOCX = Accepted("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word (.docx)")
XLSX = Accepted("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel (.xlsx)")
PPTX = Accepted("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "PowerPoint")
PNG = Accepted("image/png", ".png", "PNG image")
JPEG = Accepted("image/jpeg", ".jpg", "JPEG image")

DOCUMENT_TYPES = (PDF, DOCX, XLSX, PPTX, PNG, JPEG)
PDF_ONLY = (PDF,)
_OOXML_MARKERS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


def clean_filename(name: str) -> str:
    """The last path component only, so '../../etc/passwd' or 'C:\\x\\y.pdf' can never name a path."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*').strip(" .")
    return base[:200] or "document"


def _sniff(head: bytes, upload) -> Accepted | None:
    if head.startswith(b"%PDF-"):
        return PDF
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.mime == "image/png":
        return PNG
    if kind.mime == "image/jpeg":
        return JPEG
    if kind.mime in {"application/zip", DOCX.content_type, XLSX.content_type, PPTX.content_type}:
        return _sniff_ooxml(upload)
    return None


def _sniff_ooxml(upload) -> Accepted | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for prefix, accepted in _OOXML_MARKERS.items():
        if any(n.startswith(prefix) for n in names):
            return accepted
    return None


def validate_upload(upload, allowed=DOCUMENT_TYPES) -> Accepted:
    """Check an uploaded file; raise ValidationError in words the applicant understands."""
    max_bytes = settings.IME_MAX_UPLOAD_MB * 1024 * 1024
    allowed_labels = ", ".join(a.label for a in allowed)
    if upload.size == 0:
        raise ValidationError("The file is empty. Please choose the document again.", code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is {settings.IME_MAX_UPLOAD_MB} MB.",
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    accepted = _sniff(head, upload)
    if accepted is None or accepted not in allowed:
        raise ValidationError(
            f"“{clean_filename(upload.name)}” is not a file type we accept, whatever its name says. "
            f"Accepted: {allowed_labels}.",
            code="bad_type",
        )
    if accepted is PDF:
        _refuse_active_pdf(upload)
    return accepted


def _refuse_active_pdf(upload) -> None:
    """Refused at upload, while the applicant is there to fix it, rather than flagged to staff later:
    reviewers open these files on their own computers, and re-saving a PDF takes a minute."""
    name = clean_filename(upload.name)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        found = active_content(data)
    except UnreadablePdf as error:
        raise ValidationError(
            f"“{name}” could not be read as a PDF (it may be damaged or protected by a password). "
            "Open it and save or print it as a new PDF without a password, then upload that copy.",
            code="unreadable_pdf",
        ) from error
    if found:
        raise ValidationError(
            f"“{name}” contains {_listed(found)}, which could run on our reviewers’ computers, so we cannot "
            "accept it. Open it and print it to a new PDF (“Save as PDF” or “Microsoft Print to PDF”), "
            "then upload that copy.",
            code="active_content",
        )


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

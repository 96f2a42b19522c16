"""The one way a stored file leaves the portal, for applicants and staff alike.

Callers decide who may have the file (organisation membership on the applicant side, a staff permission
behind two-factor sign-in on the admin side); this module only streams it: as a download, never
rendered inline, never kept by a shared cache or proxy, with its type as detected at upload.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def file_download(field_file, filename: str, content_type: str | None = None) -> FileResponse:
    """Stream ``field_file`` as an attachment named ``filename``; 404 when nothing (or nothing readable) is stored."""
    if not field_file:
        raise Http404("No file is stored.")
    try:
        stored = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as error:
        raise Http404("The stored file is missing.") from error
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=content_type)
    # The browser must not guess a type (an HTML file "detected" inside a PDF) or keep a copy.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def bytes_download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A document made on request (the executed agreement's PDF), sent the same way as a stored file."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

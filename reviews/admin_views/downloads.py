"""Staff downloads of applicants' documents. Files are never at a public URL: they leave storage only
through these views, after the permission check, as private, uncached attachments."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from grants.models import Attachment, Organisation

from .common import staff_requests


def _require_staff_permission(request, permission):
    """Signed-out visitors go to the admin sign-in; signed-in people without the permission get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm(permission)):
        raise PermissionDenied
    return None


def _file_response(field_file, filename, content_type=None):
    if not field_file:
        raise Http404("No file is stored.")
    try:
        stored = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as error:
        raise Http404("The stored file is missing.") from error
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def attachment_download(request, pk, att_pk):
    refused = _require_staff_permission(request, "grants.view_all_requests")
    if refused:
        return refused
    grant_request = get_object_or_404(staff_requests(), pk=pk)
    attachment = get_object_or_404(Attachment, pk=att_pk, grant_request=grant_request)
    return _file_response(attachment.file, attachment.original_name, attachment.content_type)


def w9_download(request, pk):
    refused = _require_staff_permission(request, "grants.view_organisation")
    if refused:
        return refused
    organisation = get_object_or_404(Organisation, pk=pk)
    filename = organisation.w9_original_name or f"W-9 {organisation.legal_name}.pdf"
    return _file_response(organisation.w9, filename, "application/pdf")

"""Staff downloads of applicants' documents. Files are never at a public URL: staff get them only here,
under /admin/ (so behind the second factor, portal/two_factor/middleware.py), after the permission
check, through the same streaming helper as the applicant's downloads (grants/downloads.py)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from grants.agreement_pdf import filename_of, render_agreement_pdf
from grants.downloads import bytes_download, file_download
from grants.models import Agreement, Attachment, Organisation

from .common import staff_requests


def _require_staff_permission(request, permission):
    """Signed-out visitors go to the admin sign-in; signed-in people without the permission get 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not (request.user.is_active and request.user.is_staff and request.user.has_perm(permission)):
        raise PermissionDenied
    return None


def attachment_download(request, pk, att_pk):
    refused = _require_staff_permission(request, "grants.view_all_requests")
    if refused:
        return refused
    grant_request = get_object_or_404(staff_requests(), pk=pk)
    attachment = get_object_or_404(Attachment, pk=att_pk, grant_request=grant_request)
    return file_download(attachment.file, attachment.original_name, attachment.content_type)


def w9_download(request, pk):
    refused = _require_staff_permission(request, "grants.view_organisation")
    if refused:
        return refused
    organisation = get_object_or_404(Organisation, pk=pk)
    filename = organisation.w9_original_name or f"W-9 {organisation.legal_name}.pdf"
    return file_download(organisation.w9, filename, "application/pdf")


def agreement_pdf_download(request, pk, version):
    """The executed Letter of Agreement, the same PDF the applicant downloads; 404 until it is executed."""
    refused = _require_staff_permission(request, "grants.view_all_requests")
    if refused:
        return refused
    grant_request = get_object_or_404(staff_requests().select_related("organisation"), pk=pk)
    agreement = get_object_or_404(Agreement.objects.select_related("template"), grant_request=grant_request,
                                  version=version)  # fmt: skip
    if not agreement.is_executed:
        raise Http404("This letter is not executed.")
    agreement.grant_request = grant_request
    return bytes_download(render_agreement_pdf(agreement), filename_of(agreement), "application/pdf")

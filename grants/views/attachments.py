"""The Attachments section of the request editor, and the applicant's door to the request's documents.

Staff download the same documents through the admin (reviews/admin_views/downloads.py), behind their
second factor; this door serves members of the request's organisation only, staff included.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from .. import sections
from ..downloads import file_download
from ..forms.attachments import AttachmentUploadForm
from ..models import Attachment, GrantRequest
from ..services.attachments import (
    AttachmentsLocked,
    add_attachment,
    can_remove,
    grouped_attachments,
    remove_attachment,
)
from ..services.editing import (
    ONLY_ASKED_SECTIONS_MESSAGE,
    after_last_section_url,
    can_edit_section,
    next_open_section,
    previous_open_section,
)

SECTION_SLUG = "attachments"


def attachments_section(request, grant_request):
    """Section page: the documents attached so far, grouped by kind, and a form to add one.

    Called by the section editor (which has already checked the user belongs to the organisation);
    handles GET, the upload POST and "Save and continue".
    """
    if not grant_request.is_editable_by_applicant:
        messages.info(request, "This request has been submitted, so its documents can no longer be changed.")
        return redirect("grants:request_detail", pk=grant_request.pk)
    if not can_edit_section(grant_request, SECTION_SLUG):
        messages.info(request, ONLY_ASKED_SECTIONS_MESSAGE)
        return redirect("grants:request_detail", pk=grant_request.pk)

    form = AttachmentUploadForm()
    if request.method == "POST":
        if request.POST.get("action") == "continue":
            following = next_open_section(grant_request, SECTION_SLUG)
            if following is None:
                return redirect(after_last_section_url(grant_request))
            return redirect(sections.section_url(grant_request, following.slug))
        form = AttachmentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment = add_attachment(
                    grant_request, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], user=request.user
                )
            except ValidationError as error:
                form.add_error("file", error)
            except AttachmentsLocked as error:
                messages.error(request, str(error))
                return redirect("grants:request_detail", pk=grant_request.pk)
            else:
                messages.success(
                    request, f"“{attachment.original_name}” was added as {attachment.get_kind_display().lower()}."
                )
                return redirect(sections.section_url(grant_request, SECTION_SLUG))

    grant_request = (
        GrantRequest.objects.select_related("organisation").prefetch_related("attachments").get(pk=grant_request.pk)
    )
    groups = grouped_attachments(grant_request)
    context = {
        "grant_request": grant_request,
        "section": sections.get_section(SECTION_SLUG),
        "section_states": sections.section_states(grant_request),
        "current_section": SECTION_SLUG,
        "section_number": sections.section_number(SECTION_SLUG),
        "section_count": len(sections.SECTIONS),
        "groups": groups,
        "removable": {a.pk for g in groups for a in g.attachments if can_remove(a, grant_request)},
        "missing_required": [g for g in groups if g.missing],
        "previous_section": previous_open_section(grant_request, SECTION_SLUG),
        "next_section": next_open_section(grant_request, SECTION_SLUG),
        "form": form,
    }
    return render(request, "grants/requests/attachments_section.html", context)


@login_required
@require_GET
def attachment_download(request, pk, att_pk):
    grant_request = get_object_or_404(GrantRequest.objects.for_user(request.user), pk=pk)
    attachment = get_object_or_404(Attachment, pk=att_pk, grant_request=grant_request)
    return file_download(attachment.file, attachment.original_name, attachment.content_type)


@login_required
@require_POST
def attachment_delete(request, pk, att_pk):
    grant_request = get_object_or_404(GrantRequest.objects.for_user(request.user), pk=pk)
    attachment = get_object_or_404(Attachment, pk=att_pk, grant_request=grant_request)
    if grant_request.is_editable_by_applicant and not can_edit_section(grant_request, SECTION_SLUG):
        messages.error(request, ONLY_ASKED_SECTIONS_MESSAGE)
        return redirect("grants:request_detail", pk=grant_request.pk)
    try:
        remove_attachment(attachment, user=request.user)
    except AttachmentsLocked as error:
        messages.error(request, str(error))
        if not grant_request.is_editable_by_applicant:
            return redirect("grants:request_detail", pk=grant_request.pk)
    else:
        messages.success(request, f"“{attachment.original_name}” was removed.")
    return redirect(reverse("grants:request_section", args=[grant_request.pk, SECTION_SLUG]))


urlpatterns = [
    path("requests/<int:pk>/attachments/<int:att_pk>/download/", attachment_download, name="attachment_download"),
    path("requests/<int:pk>/attachments/<int:att_pk>/delete/", attachment_delete, name="attachment_delete"),
]

"""Attachments: which documents a request needs, adding and removing them while the applicant may edit.

Files are checked by content (``grants.uploads.validate_upload``), stored under an unguessable key
(``grants.keys.attachment_key`` via the model's ``upload_to``) and only ever served through the
download view, which checks organisation membership.
"""

from dataclasses import dataclass

from django.db import transaction

from ..choices import AttachmentKind
from ..eligibility import required_attachment_kinds
from ..models import Attachment, GrantRequest
from ..status import GrantStatus
from ..uploads import clean_filename, validate_upload
from .editing import can_edit_section
from .stored_files import deleted_on_failure


class AttachmentsLocked(Exception):
    """The request's documents can no longer be changed by the applicant; the message says why."""


@dataclass(frozen=True)
class KindGroup:
    """One kind of document with the files attached for it, for the section page and the summary."""

    kind: str
    label: str
    required: bool
    attachments: list
    # The W-9 on the organization's profile (its file name), which serves every request of the organization.
    on_file: str = ""

    @property
    def missing(self) -> bool:
        return self.required and not self.attachments


def grouped_attachments(grant_request) -> list[KindGroup]:
    """Every kind of document, required ones first, each with its files (uses a prefetch if present)."""
    required = required_attachment_kinds(grant_request)
    by_kind: dict[str, list] = {}
    for attachment in grant_request.attachments.all():
        by_kind.setdefault(attachment.kind, []).append(attachment)
    ordered = required + [kind for kind in AttachmentKind.values if kind not in required]
    organisation = grant_request.organisation
    profile_w9 = (organisation.w9_original_name or "W-9.pdf") if organisation.w9 else ""
    return [
        KindGroup(
            kind,
            AttachmentKind(kind).label,
            kind in required,
            by_kind.get(kind, []),
            on_file=profile_w9 if kind == AttachmentKind.W9 else "",
        )
        for kind in ordered
    ]


def _check_editable(grant_request) -> None:
    if not grant_request.is_editable_by_applicant:
        raise AttachmentsLocked(
            f"This request is {grant_request.get_status_display().lower()}, so its documents can no longer be changed."
        )


def can_remove(attachment, grant_request) -> bool:
    """Drafts: any document. While answering a request for information that opened the attachments:
    documents added since the request was submitted, and sent ones a newer upload of the same kind has
    replaced — so the reviewers always keep at least the latest version of what they read."""
    if grant_request.status == GrantStatus.DRAFT:
        return True
    if grant_request.status == GrantStatus.INFORMATION_REQUESTED:
        if not can_edit_section(grant_request, "attachments"):
            return False
        if grant_request.submitted_at is not None and attachment.uploaded_at > grant_request.submitted_at:
            return True
        return is_superseded(attachment, grant_request)
    return False


def is_superseded(attachment, grant_request) -> bool:
    """A newer document of the same kind is attached to the request (uses a prefetch if present)."""
    return any(
        other.kind == attachment.kind and other.pk != attachment.pk and other.uploaded_at > attachment.uploaded_at
        for other in grant_request.attachments.all()
    )


def add_attachment(grant_request, *, kind: str, upload, user) -> Attachment:
    """Validate ``upload`` by content and store it. Raises ValidationError (bad file) or AttachmentsLocked.

    The file goes to storage first, with no lock held: streaming a large upload to S3 takes seconds, and
    holding the request's row lock meanwhile would make a submission or a staff decision wait for it.
    The lock is then taken only to check the request is still editable and write the row; if that is
    refused or fails, the stored file is deleted again. Call it outside a transaction (as the view
    does): a caller's rollback after it returns would leave the stored file behind.
    """
    accepted = validate_upload(upload)
    _check_editable(GrantRequest.objects.get(pk=grant_request.pk))  # refuse before storing, when we can
    attachment = Attachment(
        kind=kind,
        original_name=clean_filename(upload.name),
        content_type=accepted.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    # The key's extension comes from the detected type, never from the name the user chose.
    attachment.file.save(f"document{accepted.extension}", upload, save=False)
    with deleted_on_failure(attachment.file.storage, attachment.file.name):
        with transaction.atomic():
            # The lock makes this check and a submission of the same request happen one after the other.
            locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
            _check_editable(locked)
            attachment.grant_request = locked
            attachment.save()
    return attachment


def remove_attachment(attachment, *, user) -> None:
    """Delete a document (row now, stored file once the deletion is committed)."""
    with transaction.atomic():
        locked = GrantRequest.objects.select_for_update().get(pk=attachment.grant_request_id)
        _check_editable(locked)
        if not can_remove(attachment, locked):
            raise AttachmentsLocked(
                "Documents sent with the submission stay on file until a newer version of the same kind is "
                "uploaded; upload the new version first, then remove the old one."
            )
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def delete_stored_files(names, storage) -> None:
    for name in names:
        if name:
            storage.delete(name)

"""Starting a draft grant request and saving its sections, one section at a time."""

from django.db import transaction
from django.utils import timezone

from ..models import GrantRequest
from .editing import ONLY_ASKED_SECTIONS_MESSAGE, can_edit_section

# Fields written by the attestations section besides the two boxes themselves.
_ATTESTATION_RECORD = ["attested_by", "attested_at"]


class RequestNotEditable(Exception):
    """The request left the applicant's hands (submitted, decided…) while they were editing it."""


def start_draft(user) -> GrantRequest:
    """A new draft for the user's organisation, with the user filled in as the requester."""
    organisation = user.membership.organisation
    return GrantRequest.objects.create(
        organisation=organisation,
        created_by=user,
        requester_name=user.get_full_name(),
        requester_email=user.email,
    )


def save_section(grant_request, section, form, formsets, user) -> GrantRequest:
    """Save one section's valid form and formsets in one transaction.

    The row is locked and its status re-read first, so a section saved in one tab cannot overwrite a
    request that was submitted in another. Only the section's own fields are written: a stale copy can
    never put back an old status or another section's values.
    """
    slug = getattr(section, "slug", section)
    with transaction.atomic():
        locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
        if not locked.is_editable_by_applicant:
            raise RequestNotEditable("This request has been submitted and is read-only.")
        if not can_edit_section(locked, slug):
            raise RequestNotEditable(ONLY_ASKED_SECTIONS_MESSAGE)
        if form is not None:
            instance = form.save(commit=False)
            fields = list(form.Meta.fields)
            if slug == "attestations":
                _record_attestation(instance, was_attested=_fully_attested(locked), user=user)
                fields += _ATTESTATION_RECORD
            instance.save(update_fields=[*fields, "updated_at"])
        for formset in formsets.values():
            _save_rows(formset, grant_request)
    return grant_request


def _fully_attested(grant_request) -> bool:
    return grant_request.attest_independence and grant_request.attest_open_payments


def _record_attestation(instance, *, was_attested: bool, user) -> None:
    """Who confirmed both statements and when; kept while both stay confirmed, cleared when one is withdrawn."""
    if not _fully_attested(instance):
        instance.attested_by, instance.attested_at = None, None
    elif not was_attested or instance.attested_at is None:
        instance.attested_by, instance.attested_at = user, timezone.now()


def _save_rows(formset, grant_request) -> None:
    """Save changed rows, delete ticked ones and number the rest in page order; blank new rows are skipped."""
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        obj.delete()
    deleted = set(formset.deleted_forms)
    has_position = hasattr(formset.model, "position")
    position = 0
    for row in formset.forms:
        if row in deleted or (row.instance.pk is None and not row.has_changed()):
            continue
        obj = row.instance
        obj.grant_request = grant_request
        moved = has_position and obj.position != position
        if has_position:
            obj.position = position
        if obj.pk is None or row.has_changed() or moved:
            obj.save()
        position += 1

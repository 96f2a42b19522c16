"""Organisations and their members: registering, inviting, joining, leaving.

Every change here runs in one transaction with the email it causes, so a rolled-back change never
sends mail. Rules a person can break raise ``OrganisationRuleError`` with a message written for them.
"""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from outbox.services import queue_email
from portal.people import person_name
from portal.text import end_sentence

from ..choices import INELIGIBLE_ORGANISATION_TYPES
from ..models import Invitation, Membership, Organisation
from ..uploads import PDF_ONLY, clean_filename, validate_upload
from .stored_files import delete_after_commit, deleted_on_failure

INELIGIBLE_TYPE_MESSAGE = (
    "Individual healthcare practitioners and medical practices (including practice groups) cannot apply for "
    "IME grants. If you are planning an educational activity, ask an eligible organization — an accredited "
    "CME/CE provider, a hospital or university, or a professional society — to apply; its account owner can "
    "then invite you to join."
)


class OrganisationRuleError(Exception):
    """A request the rules refuse; ``str(error)`` is the explanation shown to the user."""


def membership_of(user) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("organisation").filter(user=user).first()


def _require_owner(organisation: Organisation, user) -> None:
    if not Membership.objects.filter(organisation=organisation, user=user, role=Membership.Role.OWNER).exists():
        raise PermissionDenied("Only the organization's owner can do this.")


def attach_w9(organisation: Organisation, upload, signed_on=None) -> str:
    """Store a W-9 under an unguessable key (content checked, not the name) and keep the name the user gave.

    Called before the transaction that saves ``organisation``, so no transaction waits on the upload;
    that transaction runs inside ``deleted_on_failure`` with the key returned here. Returns the key of
    the W-9 it replaces ("" if none), to delete once the change is committed."""
    accepted = validate_upload(upload, allowed=PDF_ONLY)
    original_name = clean_filename(upload.name)
    replaced = organisation.w9.name or ""
    organisation.w9.save(f"w9{accepted.extension}", upload, save=False)
    organisation.w9_original_name = original_name
    organisation.w9_signed_on = signed_on
    return replaced


def w9_download_name(organisation: Organisation) -> str:
    """The name the owner uploaded, always ending in .pdf since only PDFs are accepted."""
    name = organisation.w9_original_name or "W-9.pdf"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def register_organisation(*, user, details: dict, w9=None, w9_signed_on=None) -> Organisation:
    """Create an organisation with ``user`` as its owner. ``details`` are the cleaned model fields."""
    if details.get("org_type") in INELIGIBLE_ORGANISATION_TYPES:
        raise OrganisationRuleError(INELIGIBLE_TYPE_MESSAGE)
    organisation = Organisation(**details, country="US")
    organisation.full_clean()
    if w9 is None:
        return _create_with_owner(organisation, user)
    attach_w9(organisation, w9, w9_signed_on)
    with deleted_on_failure(organisation.w9.storage, organisation.w9.name):
        return _create_with_owner(organisation, user)


def _create_with_owner(organisation: Organisation, user) -> Organisation:
    # durable: this is the real commit, so a failure here is the only way the W-9 can be orphaned.
    with transaction.atomic(durable=True):
        if Membership.objects.select_for_update().filter(user=user).exists():
            raise OrganisationRuleError("You already belong to an organization, so you cannot register another one.")
        organisation.save()
        try:
            with transaction.atomic():
                Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.OWNER)
        except IntegrityError as exc:  # a second tab registered one at the same moment
            raise OrganisationRuleError("You already belong to an organization.") from exc
    return organisation


def update_organisation(*, organisation: Organisation, by, details: dict, w9=None, w9_signed_on=None) -> Organisation:
    """Change the organisation's details; a new W-9 replaces the old one, whose file is deleted once the
    change is committed (and the new file, if the change is not)."""
    _require_owner(organisation, by)
    if details.get("org_type") in INELIGIBLE_ORGANISATION_TYPES:
        raise OrganisationRuleError(INELIGIBLE_TYPE_MESSAGE)
    for field, value in details.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    if w9 is None:
        with transaction.atomic(durable=True):
            organisation.save()
        return organisation
    replaced = attach_w9(organisation, w9, w9_signed_on)
    with deleted_on_failure(organisation.w9.storage, organisation.w9.name):
        with transaction.atomic(durable=True):
            organisation.save()
            delete_after_commit(organisation.w9.storage, replaced)
    return organisation


@transaction.atomic
def invite_member(*, organisation: Organisation, email: str, invited_by) -> Invitation:
    """Invite someone by email. A new invitation to the same address replaces any earlier link."""
    _require_owner(organisation, invited_by)
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise OrganisationRuleError(f"{email} is already a member of {end_sentence(organisation)}")
    now = timezone.now()
    organisation.invitations.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    invitation = Invitation.objects.create(organisation=organisation, email=email, invited_by=invited_by)
    queue_email(
        "organisation_invitation",
        to=email,
        context={
            "invitation": invitation,
            "organisation": organisation,
            "inviter_name": person_name(invited_by),
            "inviter_email": invited_by.email,
        },
        reply_to=invited_by.email,
    )
    return invitation


def invitation_link_problem(invitation: Invitation) -> str | None:
    """Why the link itself no longer works (withdrawn, used, expired); None while it is usable."""
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn by the organization. Ask its owner to invite you again if needed."
    if invitation.accepted_at is not None:
        return "This invitation has already been used. Each invitation link works once."
    if invitation.expires_at <= timezone.now():
        expired_on = date_format(timezone.localtime(invitation.expires_at))
        return f"This invitation expired on {expired_on}. Ask the organization's owner to send you a new one."
    return None


def invitation_problem(invitation: Invitation, user) -> str | None:
    """Why ``user`` cannot accept ``invitation`` right now, in their words; None if they can."""
    link_problem = invitation_link_problem(invitation)
    if link_problem:
        return link_problem
    current = Membership.objects.filter(user=user).select_related("organisation").first()
    if current is not None and current.organisation_id == invitation.organisation_id:
        return f"You are already a member of {end_sentence(current.organisation)}"
    if current is not None:
        return (
            f"You already belong to {end_sentence(current.organisation)} "
            "An account can belong to only one organization, "
            "so this invitation cannot be accepted with this account."
        )
    addresses = EmailAddress.objects.filter(user=user, email__iexact=invitation.email)
    if addresses.filter(verified=False).exists() and not addresses.filter(verified=True).exists():
        return f"Please verify {invitation.email} first: follow the link in the verification email we sent you."
    if not addresses.filter(verified=True).exists():
        return (
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            f"Sign out, then sign in (or create an account) with {invitation.email} to accept it."
        )
    return None


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    problem = invitation_problem(invitation, user)
    if problem:
        raise OrganisationRuleError(problem)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organisation=invitation.organisation, user=user, role=Membership.Role.MEMBER
            )
    except IntegrityError as exc:
        raise OrganisationRuleError("You already belong to an organization.") from exc
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    owner = invitation.organisation.owner
    notify = {addr for addr in (owner.email if owner else "", getattr(invitation.invited_by, "email", "")) if addr}
    if notify:
        queue_email(
            "organisation_invitation_accepted",
            to=sorted(notify),
            context={"organisation": invitation.organisation, "member_name": person_name(user), "member": user},
        )
    return membership


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by) -> Invitation:
    _require_owner(invitation.organisation, by)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise OrganisationRuleError(f"{invitation.email} has already accepted this invitation.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def remove_member(*, membership: Membership, by) -> None:
    organisation = membership.organisation
    _require_owner(organisation, by)
    if membership.user_id == by.pk or membership.role == Membership.Role.OWNER:
        raise OrganisationRuleError("The owner cannot be removed from the organization.")
    removed_user = membership.user
    membership.delete()
    queue_email(
        "organisation_member_removed",
        to=removed_user.email,
        context={"organisation": organisation, "member_name": person_name(removed_user)},
    )

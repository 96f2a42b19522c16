"""Who may act. Staff roles are Django groups tied to a stable code (``RoleGroup``), so a group's
display name can change without anyone losing their role."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "Applicant (member of the requesting organization)"
    COORDINATOR = "grants_coordinator", "Grants coordinator"
    COMPLIANCE = "compliance_reviewer", "Compliance reviewer"
    MEDICAL = "medical_reviewer", "Medical reviewer"
    COMMITTEE = "committee_member", "Committee member"
    ADMINISTRATOR = "administrator", "Administrator"
    FINANCE = "finance", "Finance"
    # The portal itself, for moves nobody clicks (the daily task that starts and ends programs).
    SYSTEM = "system", "The portal (scheduled task)"


STAFF_ROLES = [r for r in Role if r not in (Role.APPLICANT, Role.SYSTEM)]
# The account the portal acts as in scheduled moves; it cannot sign in (no usable password, inactive).
SYSTEM_USERNAME = "ime-portal-system"
# Who puts reviewers on a request and takes them off.
REVIEWER_ASSIGNERS = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})


def staff_roles_of(user) -> set[Role]:
    """The staff roles ``user`` holds through their groups (a superuser is an administrator)."""
    if not user or not user.is_authenticated or not user.is_staff:
        return set()
    roles = {Role(code) for code in user.groups.filter(role__isnull=False).values_list("role__code", flat=True)}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def roles_of(user, subject) -> set[Role]:
    """The roles ``user`` holds with respect to ``subject`` (anything with an ``organisation_id``):
    applicant when they belong to its organization, plus their staff roles."""
    if user is not None and user.get_username() == SYSTEM_USERNAME and not user.is_active:
        return {Role.SYSTEM}
    roles = staff_roles_of(user)
    if user and user.is_authenticated:
        membership = getattr(user, "membership", None)
        if membership is not None and membership.organisation_id == subject.organisation_id:
            roles.add(Role.APPLICANT)
    return roles

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


# Where the roles read from the groups are kept on the user object: one admin page asks for them from the
# dashboard, each app's module permissions and the actions (six queries before). Like Django's own
# permission cache on the user, it lives as long as the object (one request); a change of groups through
# ``user.groups`` clears it.
_ROLES_CACHE = "_ime_staff_roles"


def staff_roles_of(user) -> set[Role]:
    """The staff roles ``user`` holds through their groups (a superuser is an administrator). A new set
    every time: callers add to it."""
    if not user or not user.is_authenticated or not user.is_staff:
        return set()
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        codes = user.groups.filter(role__isnull=False).values_list("role__code", flat=True)
        cached = frozenset(Role(code) for code in codes)
        setattr(user, _ROLES_CACHE, cached)
    roles = set(cached)
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def remember_staff_roles(user, codes) -> None:
    """Keep role codes a page read along with its own query (the user's groups' ``RoleGroup`` codes), so
    ``staff_roles_of`` needs no query of its own; what is already kept stays."""
    if user is not None and user.is_authenticated and user.is_staff and _ROLES_CACHE not in user.__dict__:
        setattr(user, _ROLES_CACHE, frozenset(Role(code) for code in codes))


def forget_staff_roles(user) -> None:
    if user is not None:
        user.__dict__.pop(_ROLES_CACHE, None)


def roles_of(user, subject, is_member=None) -> set[Role]:
    """The roles ``user`` holds with respect to ``subject`` (anything with an ``organisation_id``):
    applicant when they belong to its organization, plus their staff roles. ``is_member``: whether they
    belong, when the caller read it already (with the subject), instead of the user's membership."""
    if user is not None and user.get_username() == SYSTEM_USERNAME and not user.is_active:
        return {Role.SYSTEM}
    roles = staff_roles_of(user)
    if is_member is not None:
        if is_member and user and user.is_authenticated:
            roles.add(Role.APPLICANT)
    elif user and user.is_authenticated:
        membership = getattr(user, "membership", None)
        if membership is not None and membership.organisation_id == subject.organisation_id:
            roles.add(Role.APPLICANT)
    return roles

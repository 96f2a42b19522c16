"""Who may act on a grant request. Staff roles are Django groups (created by a migration)."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "Applicant (member of the requesting organisation)"
    COORDINATOR = "grants_coordinator", "Grants coordinator"
    COMPLIANCE = "compliance_reviewer", "Compliance reviewer"
    MEDICAL = "medical_reviewer", "Medical reviewer"
    COMMITTEE = "committee_member", "Committee member"
    ADMINISTRATOR = "administrator", "Administrator"


STAFF_ROLES = [r for r in Role if r != Role.APPLICANT]
GROUP_NAMES = {role: role.label for role in STAFF_ROLES}
# Who puts reviewers on a request and takes them off.
REVIEWER_ASSIGNERS = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})


def roles_of(user, grant_request) -> set[Role]:
    """The roles ``user`` holds with respect to ``grant_request``."""
    roles: set[Role] = set()
    if not user or not user.is_authenticated:
        return roles
    membership = getattr(user, "membership", None)
    if membership is not None and membership.organisation_id == grant_request.organisation_id:
        roles.add(Role.APPLICANT)
    if user.is_staff:
        if user.is_superuser:
            roles.add(Role.ADMINISTRATOR)
        label_to_role = {label: role for role, label in GROUP_NAMES.items()}
        roles.update(
            label_to_role[name] for name in user.groups.values_list("name", flat=True) if name in label_to_role
        )
    return roles

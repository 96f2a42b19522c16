"""Demo staff: one user per role, for `make run`."""

from django.contrib.auth import get_user_model

from workflow.models import RoleGroup
from workflow.roles import Role

from .passwords import DEMO_PASSWORD

DEMO_STAFF = [
    (Role.COORDINATOR, "coordinator@example.com", "Casey", "Coordinator"),
    (Role.COMPLIANCE, "compliance@example.com", "Chris", "Compliance"),
    (Role.MEDICAL, "medical@example.com", "Morgan", "Medic"),
    (Role.COMMITTEE, "committee@example.com", "Kim", "Committee"),
    (Role.ADMINISTRATOR, "administrator@example.com", "Alex", "Administrator"),
    (Role.FINANCE, "finance@example.com", "Frankie", "Finance"),
]


def seed_demo_staff():
    User = get_user_model()
    logins = []
    for role, email, first, last in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first, "last_name": last, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(RoleGroup.objects.get(code=role).group)
        logins.append((role.label, email, "/admin/"))
    return logins

"""Demo staff: one user per role, for `make run`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .roles import GROUP_NAMES, Role

DEMO_STAFF = [
    (Role.COORDINATOR, "coordinator@example.com", "Casey", "Coordinator"),
    (Role.COMPLIANCE, "compliance@example.com", "Chris", "Compliance"),
    (Role.MEDICAL, "medical@example.com", "Morgan", "Medic"),
    (Role.COMMITTEE, "committee@example.com", "Kim", "Committee"),
    (Role.ADMINISTRATOR, "administrator@example.com", "Alex", "Administrator"),
]


def seed_demo_staff():
    from portal.demo import DEMO_PASSWORD

    User = get_user_model()
    logins = []
    for role, email, first, last in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first, "last_name": last, "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
        logins.append((role.label, email, "/admin/"))
    return logins

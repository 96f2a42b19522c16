"""Demo data for `make run`: idempotent, and only where IME_DEMO_DATA is on (the embedded default).

Each app that has demo data registers a seeder here so one command loads everything.
"""

from django.contrib.auth import get_user_model

DEMO_PASSWORD = "demo-IME-portal-2026"
DEMO_LOGINS: list[tuple[str, str, str]] = []  # (role, email, where to sign in)


def seed_staff_admin():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username="admin@example.com",
        defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True, "first_name": "Ada"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return [("Administrator (superuser)", user.email, "/admin/")]


SEEDERS = [seed_staff_admin]


def seed_all() -> list[tuple[str, str, str]]:
    logins = []
    for seeder in SEEDERS:
        logins.extend(seeder() or [])
    return logins

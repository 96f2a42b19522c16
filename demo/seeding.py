"""Demo data for `make run`: idempotent, and only where IME_DEMO_DATA is on (the embedded default).

This app sits on top of all others: it makes the demo data through their real services, in the
order written below (the staff and the applicant before the requests they work on).
"""

from django.contrib.auth import get_user_model

from .applicant import seed_demo_applicant, seed_demo_signer
from .passwords import DEMO_PASSWORD
from .requests import seed_demo_requests
from .research import seed_demo_investigator, seed_demo_proposals
from .staff import seed_demo_staff


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


# The order matters: each seeder may rely on the ones before it.
SEEDERS = [
    seed_staff_admin, seed_demo_applicant, seed_demo_signer, seed_demo_staff, seed_demo_requests,
    seed_demo_investigator, seed_demo_proposals,
]  # fmt: skip


def seed_all() -> list[tuple[str, str, str]]:
    logins = []
    for seeder in SEEDERS:
        logins.extend(seeder() or [])
    return logins

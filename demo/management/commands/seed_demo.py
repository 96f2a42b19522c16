from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo import seeding as demo


class Command(BaseCommand):
    help = "Load the demo users and data (idempotent). Does nothing unless IME_DEMO_DATA is on; refused in production."

    def handle(self, *args, **options):
        if settings.IME_ENVIRONMENT == "production":
            # The demo users sign in with a password printed in the README.
            raise CommandError("IME_ENVIRONMENT is production: demo data (published logins) is never loaded there.")
        if not settings.IME_DEMO_DATA:
            self.stdout.write("IME_DEMO_DATA is off: no demo data loaded.")
            return
        with transaction.atomic():
            logins = demo.seed_all()
        self.stdout.write(f"Demo data ready ({len(logins)} demo logins).")

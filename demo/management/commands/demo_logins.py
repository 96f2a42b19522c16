from django.conf import settings
from django.core.management.base import BaseCommand

from demo import seeding as demo
from demo.passwords import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins loaded by seed_demo."

    def handle(self, *args, **options):
        if not settings.IME_DEMO_DATA:
            return
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD})")
        for role, email, where in demo.seed_all():
            self.stdout.write(f"    {role:<32} {email:<34} {where}")

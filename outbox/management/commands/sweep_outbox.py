from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = "Hand queued or stuck emails to the worker again (what the beat schedule runs each minute)."

    def handle(self, *args, **options):
        count = services.sweep()
        self.stdout.write(f"{count} email(s) handed to the worker.")

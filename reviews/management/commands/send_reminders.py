from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Queue every reminder due (agreement unsigned, review due, information request unanswered, "
        "reconciliation due), each once; safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Sweep as on this day in the portal's time zone (YYYY-MM-DD), e.g. to catch up."
        )

    def handle(self, *args, **options):
        now = None
        if options["date"]:
            try:
                day = datetime.strptime(options["date"], "%Y-%m-%d")
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD.") from None
            now = timezone.make_aware(day.replace(hour=12), timezone.get_default_timezone())
        queued = send_due_reminders(now)
        summary = ", ".join(f"{kind} {count}" for kind, count in queued.items())
        self.stdout.write(f"Reminders queued: {summary}.")

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from grants.services.post_award import advance_programs

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day(value: str) -> date:
    """A calendar day written YYYY-MM-DD (2027-03-31), and nothing else."""
    try:
        if DAY.fullmatch(value.strip()):
            return date.fromisoformat(value.strip())
    except ValueError:
        pass
    raise CommandError(f"--today must be a real date written YYYY-MM-DD, such as 2027-03-31; “{value}” is not one.")


class Command(BaseCommand):
    help = (
        "Start paid programs whose start date has come and open reconciliation for programs that have ended. "
        "Idempotent: what Celery beat runs hourly, and scripts/run.sh at start-up when there is no beat."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", help="Act as of this day, YYYY-MM-DD (default: today in the portal's TIME_ZONE)."
        )

    def handle(self, *args, **options):
        today = day(options["today"]) if options["today"] else timezone.localdate()
        moved = advance_programs(today)
        self.stdout.write(
            f"As of {date_format(today)}: {moved['start_program']} program(s) started, "
            f"{moved['end_program']} due for reconciliation."
        )

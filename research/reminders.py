"""Research reminders, on the portal's one reminder mechanism (grants/reminders.py, reviews/reminders.py):
each occasion is one query of the proposals due a reminder today whose key nobody took yet, and
``queue_email_once`` lets exactly one mail through per key, however many sweeps run.

- Full-proposal deadline approaching: an invited full proposal not yet submitted, whose deadline is
  ``IIS_REMINDER_FULL_PROPOSAL_DAYS`` days away or fewer (and not past). The key carries the deadline, so
  a deadline staff move later starts its own reminder.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet

from grants.reminders import Reminder, key_expression, not_yet_sent
from reviews.reminders import register_occasion

from .models import ResearchProposal
from .notifications import FULL_PROPOSAL_TIMELINE, investigator_recipients, proposal_links
from .status import ResearchStatus as R

FULL_PROPOSAL_DUE = "research_full_proposal_due"


def full_proposals_due_soon(today: date) -> QuerySet:
    latest = today + timedelta(days=settings.IIS_REMINDER_FULL_PROPOSAL_DAYS)
    due = ResearchProposal.objects.filter(status=R.FULL_PROPOSAL_INVITED, full_proposal_due_on__range=(today, latest))
    return (
        not_yet_sent(due, key_expression(FULL_PROPOSAL_DUE, "pk", "full_proposal_due_on"))
        .select_related("organisation", "created_by")
        .only("reference", "title", "status", "pi_name", "pi_email", "full_proposal_due_on", "organisation__legal_name",
              "created_by__email")
        .order_by("pk")
    )  # fmt: skip


def full_proposal_reminders(today: date) -> Iterator[Reminder]:
    for proposal in full_proposals_due_soon(today):
        yield Reminder(
            proposal.reminder_key,
            "reminder_research_full_proposal_due",
            investigator_recipients(proposal),
            {
                "proposal": proposal, "organisation": proposal.organisation, "mailbox": settings.IME_STAFF_MAILBOX,
                "days_left": (proposal.full_proposal_due_on - today).days,
                "full_proposal_timeline": FULL_PROPOSAL_TIMELINE, **proposal_links(proposal),
            },
            reply_to=settings.IME_STAFF_MAILBOX,
        )  # fmt: skip


register_occasion(FULL_PROPOSAL_DUE, full_proposal_reminders)

"""Research reminders, on the portal's one reminder mechanism (grants/reminders.py, reviews/reminders.py):
each occasion is one query of what is due a reminder today whose key nobody took yet, and
``queue_email_once`` lets exactly one mail through per key, however many sweeps run.

- Full-proposal deadline approaching: an invited full proposal not yet submitted, whose deadline is
  ``IIS_REMINDER_FULL_PROPOSAL_DAYS`` days away or fewer (and not past). The key carries the deadline, so
  a deadline staff move later starts its own reminder.
- Milestone overdue: a milestone of an active study whose ``due_on`` has passed with no evidence
  uploaded (none yet, or returned and not uploaded again); once per milestone and due date, so a
  timeline amendment that moves the date earns a fresh reminder.
- Final report due: a study in final report due whose planned ``final_report_on`` has come, with no
  final study report submitted; once per study and date.

Research sits above reviews in the layers, so each occasion is registered with the sweep from here
(``reviews.reminders.register_occasion``; research/apps.py imports this module).
"""

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet

from grants.reminders import Reminder, key_expression, not_yet_sent
from reviews.reminders import register_occasion

from .choices import EvidenceState, MilestoneKind
from .models import Milestone, ResearchProposal
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


PROPOSAL_FIELDS = ("reference", "title", "status", "pi_name", "pi_email", "final_report_on", "created_by__email",
                   "organisation__legal_name")  # fmt: skip


def _context(proposal, **extra) -> dict:
    return {"proposal": proposal, "organisation": proposal.organisation, "mailbox": settings.IME_STAFF_MAILBOX,
            **proposal_links(proposal), **extra}  # fmt: skip


def overdue_milestones(today: date) -> QuerySet:
    due = Milestone.objects.filter(
        proposal__status__in=[R.ACTIVE, R.FINAL_REPORT_DUE], due_on__lt=today,
        evidence_state__in=[EvidenceState.AWAITED, EvidenceState.RETURNED],
    ).exclude(kind__in=[MilestoneKind.EXECUTION, MilestoneKind.FINAL_REPORT])  # fmt: skip
    return (
        not_yet_sent(due, key_expression("research_milestone_overdue", "pk", "due_on"))
        .select_related("proposal__organisation", "proposal__created_by")
        .only(
            "position",
            "title",
            "due_on",
            "evidence_required",
            "proposal_id",
            *(f"proposal__{name}" for name in PROPOSAL_FIELDS),
        )  # fmt: skip
        .order_by("pk")
    )


def milestone_reminders(today: date) -> Iterator[Reminder]:
    for milestone in overdue_milestones(today):
        proposal = milestone.proposal
        yield Reminder(milestone.reminder_key, "research_reminder_milestone_overdue",
                       investigator_recipients(proposal), _context(proposal, milestone=milestone),
                       reply_to=settings.IME_STAFF_MAILBOX)  # fmt: skip


def final_reports_due(today: date) -> QuerySet:
    due = ResearchProposal.objects.filter(
        status=R.FINAL_REPORT_DUE, final_report_on__lte=today, final_report_submitted_at__isnull=True
    )
    return (
        not_yet_sent(due, key_expression("research_final_report_due", "pk", "final_report_on"))
        .select_related("organisation", "created_by")
        .only("pk", *PROPOSAL_FIELDS)
        .order_by("pk")
    )


def final_report_reminders(today: date) -> Iterator[Reminder]:
    for proposal in final_reports_due(today):
        yield Reminder(proposal.reminder_key, "research_reminder_final_report", investigator_recipients(proposal),
                       _context(proposal), reply_to=settings.IME_STAFF_MAILBOX)  # fmt: skip


OCCASIONS = {
    FULL_PROPOSAL_DUE: full_proposal_reminders,
    "research_milestone_overdue": milestone_reminders,
    "research_final_report_due": final_report_reminders,
}
for kind, occasion in OCCASIONS.items():
    register_occasion(kind, occasion)

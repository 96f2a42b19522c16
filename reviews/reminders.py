"""The reviewer's reminder, and the sweep that sends every reminder once (issue 10).

A reviewer assigned ``IME_REMINDER_REVIEW_DAYS`` days ago (in the portal's time zone) who has not
submitted their review at that stage, while the request is still at that stage, is reminded once. The
applicant-side occasions are in ``grants/reminders.py``; ``send_due_reminders`` runs them all, one
SELECT per kind, then one ``queue_email_once`` per reminder due (``reviews.tasks.send_reminders``, the
``send_reminders`` management command).
"""

import logging
from collections.abc import Iterator
from datetime import date, datetime

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet

from grants.reminders import (
    OCCASIONS,
    REQUEST_FIELDS,
    Reminder,
    key_expression,
    not_yet_sent,
    older_than,
    reminder_context,
    send,
    today_here,
)

from .choices import ReviewStage
from .models import Assignment, Review

log = logging.getLogger(__name__)


def overdue_assignments(today: date) -> QuerySet:
    """Assignments at the request's current stage, old enough, with no submitted review (a declared
    conflict is submitted), whose reviewer can still sign in, not yet reminded."""
    submitted = Review.objects.filter(
        grant_request=OuterRef("grant_request"), reviewer=OuterRef("reviewer"), stage=OuterRef("stage"),
        submitted_at__isnull=False,
    )  # fmt: skip
    due = Assignment.objects.filter(
        # The constant list lets the database start from the few requests in review (status index).
        grant_request__status__in=ReviewStage.values,
        grant_request__status=F("stage"),
        assigned_at__lt=older_than(settings.IME_REMINDER_REVIEW_DAYS, today),
        reviewer__is_active=True,
    ).exclude(Exists(submitted))
    return (
        not_yet_sent(due, key_expression("review_due", "pk"))
        .select_related("grant_request__organisation", "reviewer")
        .only(
            "stage", "assigned_at", "grant_request__amount_requested",
            *(f"grant_request__{name}" for name in REQUEST_FIELDS),
            "reviewer__email", "reviewer__first_name", "reviewer__last_name",
        )
        .order_by("pk")
    )  # fmt: skip


def review_reminders(today: date) -> Iterator[Reminder]:
    for assignment in overdue_assignments(today):
        reviewer = assignment.reviewer
        yield Reminder(
            assignment.reminder_key,
            "reminder_review_due",
            [reviewer.email] if reviewer.email else [],
            reminder_context(
                assignment.grant_request, assignment=assignment, reviewer=reviewer,
                days=settings.IME_REMINDER_REVIEW_DAYS,
            ),
        )  # fmt: skip


ALL_OCCASIONS = {**OCCASIONS, "review_due": review_reminders}


def register_occasion(kind: str, occasion) -> None:
    """Add a higher layer's occasion to the sweep (research registers its own from research/apps.py),
    so this module never imports the layers above it."""
    ALL_OCCASIONS[kind] = occasion


def send_due_reminders(now: datetime | None = None) -> dict[str, int]:
    """Queue every reminder due at ``now`` (default: the present) that was never sent; returns how
    many were queued, by kind. Safe to run as often as wanted, and concurrently."""
    today = today_here(now)
    queued = {kind: send(occasion(today)) for kind, occasion in ALL_OCCASIONS.items()}
    log.info("Reminders queued for %s: %s", today.isoformat(), queued)
    return queued

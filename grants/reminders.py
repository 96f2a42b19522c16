"""Reminders on the applicant's side, each sent once (SPEC §4a, issue 10).

An occasion is a query: the objects due a reminder today, with everything the mail needs joined in, and
only those whose reminder key is not yet taken (``outbox.SentOnce``). So a sweep costs one SELECT per
kind however many requests there are, and a second sweep the same day selects nothing. The key, not
the query, is what guarantees a single mail: two sweeps at once both select the row, both call
``queue_email_once``, and the unique key lets one of them through.

Days count in the portal's time zone (``TIME_ZONE``): something issued on March 1 (New York time) is 14
days old from midnight of March 15 in New York, not from midnight UTC.

The review occasion lives in ``reviews/reminders.py`` (assignments are the staff side's); the beat
task there runs every occasion (``reviews.tasks.send_reminders``).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from outbox.models import SentOnce
from outbox.services import queue_email_once

from .models import Agreement, GrantRequest, InformationRequest
from .notifications import request_links
from .status import GrantStatus as S


@dataclass(frozen=True)
class Reminder:
    """One mail due: its once-only key, template, recipients and context."""

    key: str
    template: str
    to: list[str]
    context: dict = field(default_factory=dict)
    reply_to: str | None = None


# --- Days in the portal's time zone --------------------------------------------------------------


def start_of_local_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the portal's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def older_than(days: int, today: date) -> datetime:
    """Something that happened before this instant is at least ``days`` days old on ``today``: it
    happened on a local date no later than ``today - days``."""
    return start_of_local_day(today - timedelta(days=days - 1))


def today_here(now: datetime | None = None) -> date:
    return timezone.localdate(now, timezone.get_default_timezone()) if now else timezone.localdate()


# --- Keys ------------------------------------------------------------------------------------


def key_expression(kind, *parts):
    """The SQL of a reminder key, ``kind:part:part``; ``kind`` is a string or an expression."""
    pieces = [Value(kind) if isinstance(kind, str) else kind]
    for part in parts:
        pieces += [Value(":"), Cast(part, CharField())]
    return Concat(*pieces, output_field=CharField())


def not_yet_sent(queryset: QuerySet, key) -> QuerySet:
    """The rows of ``queryset`` whose reminder key (annotated as ``reminder_key``) nobody took yet."""
    return queryset.annotate(reminder_key=key).filter(~Exists(SentOnce.objects.filter(key=OuterRef("reminder_key"))))


def send(reminders: Iterable[Reminder]) -> int:
    """Queue each reminder once; returns how many were queued now (a taken key queues nothing)."""
    queued = 0
    for reminder in reminders:
        if not reminder.to:
            continue
        email = queue_email_once(
            reminder.key, reminder.template, reminder.to, reminder.context, reply_to=reminder.reply_to
        )
        queued += email is not None
    return queued


# --- Recipients and context ----------------------------------------------------------------------


def _addresses(*candidates) -> list[str]:
    return list(dict.fromkeys(a for a in candidates if a))


def _requester(grant_request) -> list[str]:
    """The requester, or the secondary contact when the requester has no address."""
    return _addresses(grant_request.requester_email or grant_request.secondary_email)


def reminder_context(grant_request, **extra) -> dict:
    return {
        "grant_request": grant_request,
        "organisation": grant_request.organisation,
        "mailbox": settings.IME_STAFF_MAILBOX,
        **request_links(grant_request),
        **extra,
    }


# The fields of a request every reminder reads (with its organization's name), nothing more.
REQUEST_FIELDS = (
    "reference", "title", "status", "requester_name", "requester_email", "secondary_email", "signer_name",
    "signer_email", "reconciliation_due_on", "end_date", "organisation__legal_name",
)  # fmt: skip


def _request_fields(prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name in REQUEST_FIELDS]


# --- Agreement not signed -----------------------------------------------------------------------


def unsigned_agreements(today: date) -> QuerySet:
    """Current letters the recipient has not signed ``IME_REMINDER_AGREEMENT_DAYS`` days after issue,
    on requests still waiting for that signature, not yet reminded."""
    due = Agreement.objects.filter(
        superseded_at__isnull=True,
        signed_at__isnull=True,
        issued_at__lt=older_than(settings.IME_REMINDER_AGREEMENT_DAYS, today),
        grant_request__status=S.AGREEMENT_SENT,
    )
    return (
        not_yet_sent(due, key_expression("agreement_unsigned", "pk"))
        .select_related("grant_request__organisation")
        .only("version", "issued_at", *_request_fields("grant_request__"))
        .order_by("pk")
    )


def agreement_reminders(today: date) -> Iterator[Reminder]:
    for agreement in unsigned_agreements(today):
        grant_request = agreement.grant_request
        yield Reminder(
            agreement.reminder_key,
            "reminder_agreement_unsigned",
            _addresses(grant_request.signer_email, *_requester(grant_request)),
            reminder_context(grant_request, agreement=agreement, days=settings.IME_REMINDER_AGREEMENT_DAYS),
            reply_to=settings.IME_STAFF_MAILBOX,
        )


# --- Information request unanswered ---------------------------------------------------------------


def unanswered_information_requests(today: date) -> QuerySet:
    due = InformationRequest.objects.filter(
        answered_at__isnull=True,
        created_at__lt=older_than(settings.IME_REMINDER_INFORMATION_DAYS, today),
        grant_request__status=S.INFORMATION_REQUESTED,
    )
    return (
        not_yet_sent(due, key_expression("information_unanswered", "pk"))
        .select_related("grant_request__organisation")
        .only("message", "created_at", *_request_fields("grant_request__"))
        .order_by("pk")
    )


def information_reminders(today: date) -> Iterator[Reminder]:
    for rfi in unanswered_information_requests(today):
        grant_request = rfi.grant_request
        yield Reminder(
            rfi.reminder_key,
            "reminder_information_unanswered",
            _requester(grant_request),
            reminder_context(grant_request, rfi=rfi, days=settings.IME_REMINDER_INFORMATION_DAYS),
            reply_to=settings.IME_STAFF_MAILBOX,
        )


# --- Reconciliation due ------------------------------------------------------------------------

DUE_SOON, DUE_TODAY, OVERDUE = "due_soon", "due_today", "overdue"


def reconciliation_occasions(today: date) -> list[tuple[str, date, date]]:
    """Each reconciliation occasion open today, as (name, earliest, latest due date it applies to):
    due within ``IME_REMINDER_RECONCILIATION_DAYS``; due today; and overdue week n (n = 1 ..
    ``IME_REMINDER_OVERDUE_TIMES``, every ``IME_REMINDER_OVERDUE_EVERY_DAYS`` days). A sweep that
    missed a day sends the occasion current now, never the ones it missed."""
    every = settings.IME_REMINDER_OVERDUE_EVERY_DAYS
    occasions = [
        (DUE_SOON, today + timedelta(days=1), today + timedelta(days=settings.IME_REMINDER_RECONCILIATION_DAYS)),
        (DUE_TODAY, today, today),
    ]
    for n in range(1, settings.IME_REMINDER_OVERDUE_TIMES + 1):
        latest = today - timedelta(days=n * every)
        occasions.append((f"{OVERDUE}_{n}", latest - timedelta(days=every - 1), latest))
    return occasions


def reconciliations_due(today: date) -> QuerySet:
    """Requests in ``reconciliation due`` with an occasion today, annotated with it, not yet reminded.
    The key carries the due date, so a due date moved by staff starts its own reminders."""
    occasions = reconciliation_occasions(today)
    earliest = min(first for _, first, _ in occasions)
    latest = max(last for _, _, last in occasions)
    due = GrantRequest.objects.filter(status=S.RECONCILIATION_DUE, reconciliation_due_on__range=(earliest, latest))
    occasion = Case(
        *(When(reconciliation_due_on__range=(first, last), then=Value(name)) for name, first, last in occasions),
        default=Value(""),
        output_field=CharField(),
    )
    key = key_expression(Concat(Value("reconciliation_"), F("occasion"), output_field=CharField()), "pk",
                         "reconciliation_due_on")  # fmt: skip
    return (
        not_yet_sent(due.annotate(occasion=occasion).filter(~Q(occasion="")), key)
        .select_related("organisation")
        .only(*REQUEST_FIELDS)
        .order_by("pk")
    )


def reconciliation_reminders(today: date) -> Iterator[Reminder]:
    last = f"{OVERDUE}_{settings.IME_REMINDER_OVERDUE_TIMES}"
    for grant_request in reconciliations_due(today):
        due_on = grant_request.reconciliation_due_on
        occasion = grant_request.occasion
        to = _addresses(*_requester(grant_request), grant_request.signer_email)
        if occasion == last:  # the last reminder: staff are copied, the block is theirs to follow up
            to = _addresses(*to, settings.IME_STAFF_MAILBOX)
        yield Reminder(
            grant_request.reminder_key,
            "reminder_reconciliation_due",
            to,
            reminder_context(
                grant_request,
                due_on=due_on,
                occasion=OVERDUE if occasion.startswith(OVERDUE) else occasion,
                overdue_week=int(occasion.rsplit("_", 1)[1]) if occasion.startswith(OVERDUE) else None,
                days_left=(due_on - today).days,
                days_overdue=(today - due_on).days,
                final=occasion == last,
            ),
            reply_to=settings.IME_STAFF_MAILBOX,
        )


# Every applicant-side occasion, by kind (the beat task adds the review occasion).
OCCASIONS: dict[str, Callable[[date], Iterator[Reminder]]] = {
    "agreement_unsigned": agreement_reminders,
    "information_unanswered": information_reminders,
    "reconciliation": reconciliation_reminders,
}

"""The outbox: every notification email goes through ``queue_email`` and ``deliver``.

``queue_email`` writes the row inside the caller's transaction and hands it to Celery only after
commit, so a rolled-back change never sends mail and a broker outage never loses it: the row stays
``queued`` and the periodic sweep hands it over again. ``deliver`` claims the row under a lock, so
however many tasks are queued for one email, only one worker sends it. Delivery is at least once: the
only duplicate possible is when a worker dies after the SMTP server accepted a message and before the
row was marked sent (the sweep then sends it again).

A hand-off runs in the thread that committed (often a web request), so it must not wait on a broker
that is down: it makes one connection attempt, and after a failure this thread skips hand-offs for
``BROKER_DOWN_SKIP_SECONDS``, leaving those mails to the sweep too.
"""

import logging
import smtplib
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from . import tasks  # tasks.py calls back into this module only when a task runs
from .models import Email, SentOnce
from .secrets import has_secret_link

logger = logging.getLogger(__name__)


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, plain text and HTML from ``emails/<template>.{subject.txt,txt,html}``."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}.subject.txt", context).split())
    body_text = render_to_string(f"emails/{template}.txt", context)
    body_html = render_to_string(f"emails/{template}.html", context)
    return subject, body_text, body_html


def queue_email(template: str, to, context: dict, reply_to=None) -> Email:
    """Store an email for sending once the surrounding transaction commits."""
    subject, body_text, body_html = render_email(template, context)
    return store_email(template, to, subject, body_text, body_html, reply_to=reply_to)


def queue_email_once(key: str, template: str, to, context: dict, reply_to=None) -> Email | None:
    """Queue the email unless one with ``key`` was already queued; returns it, or None when the key was
    taken. Safe under concurrent sweeps: the key and the email commit together or not at all, and a
    second insert of the same key waits for the first transaction, then fails on the unique index."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                marker = SentOnce.objects.create(key=key)
        except IntegrityError:
            return None
        email = queue_email(template, to, context, reply_to=reply_to)
        marker.email = email
        marker.save(update_fields=["email"])
        return email


def store_email(
    template: str, to, subject: str, body_text: str, body_html: str = "", reply_to=None, carries_secret=False
) -> Email:
    """Write an already-rendered email to the outbox; it is handed to the worker after commit.

    Its one role: mail rendered elsewhere, by a library with its own templates (django-allauth's
    account mail, through ``grants.accounts``). Everything the portal itself sends uses ``queue_email``.
    ``carries_secret``: the body holds a one-time link or code; emails linking to a secret-taking
    address are recognised anyway (outbox/secrets.py).
    """
    recipients = [to] if isinstance(to, str) else list(dict.fromkeys(addr for addr in to if addr))
    email = Email.objects.create(
        template=template,
        to=recipients,
        reply_to=[reply_to] if isinstance(reply_to, str) else list(reply_to or []),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        carries_secret=carries_secret or has_secret_link(body_text, body_html),
    )
    transaction.on_commit(lambda: hand_to_worker(email.pk))
    return email


# How long a thread that could not reach the broker leaves further hand-offs to the sweep. Short, so a
# broker that is back is used again soon; long enough to cover the rest of the request that failed.
BROKER_DOWN_SKIP_SECONDS = 10.0
_broker_state = threading.local()


def broker_recently_failed() -> bool:
    failed_at = getattr(_broker_state, "failed_at", None)
    return failed_at is not None and time.monotonic() - failed_at < BROKER_DOWN_SKIP_SECONDS


def forget_broker_failure() -> None:
    _broker_state.failed_at = None


def _publish(email_id: int, countdown: int | None) -> None:
    send_email = tasks.send_email
    app = send_email.app
    if app.conf.task_always_eager:  # embedded default: no broker, the task runs right here
        send_email.apply_async((email_id,), countdown=countdown)
        return
    with app.producer_or_acquire() as producer:
        # One attempt: kombu's default is to retry the connection with 2 s, 4 s... pauses, which kept a
        # request waiting ~6 s per email while the broker was down. The sweep is the retry.
        producer.connection.ensure_connection(max_retries=0)
        send_email.apply_async((email_id,), countdown=countdown, retry=False, producer=producer)


def hand_to_worker(email_id: int, countdown: int | None = None) -> bool:
    """Publish the send task; if the broker is unreachable the row simply waits for the sweep."""
    if broker_recently_failed():
        logger.info("Email %s left queued for the sweep: the broker was unreachable moments ago", email_id)
        return False
    try:
        _publish(email_id, countdown)
    except Exception as exc:  # any broker/connection error: the sweep retries later
        _broker_state.failed_at = time.monotonic()
        logger.warning("Email %s left queued, broker unavailable: %s", email_id, exc)
        return False
    return True


def _is_temporary(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | socket.timeout | OSError)


def retry_delay(attempts: int) -> int:
    return settings.OUTBOX_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))


def claim(email_id: int) -> Email | None:
    """Move a due, queued email to ``sending``; None if another worker has it or it is not due.

    One conditional UPDATE is the lock: of two workers, only the first finds the row still queued (the
    second waits for its row lock, then sees the new status); no transaction of its own is needed."""
    now = timezone.now()
    claimed = Email.objects.filter(
        pk=email_id, status=Email.Status.QUEUED, next_attempt_at__lte=now + timedelta(seconds=1)
    ).update(status=Email.Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    return Email.objects.filter(pk=email_id).first()


# Each worker thread keeps its mail connection open between messages (one SMTP handshake, not one per
# mail: twice the outbox's throughput, docs/performance.md), opening a new one when settings change.
_mail = threading.local()


def _mail_connection():
    key = (settings.EMAIL_BACKEND, getattr(settings, "EMAIL_HOST", ""), getattr(settings, "EMAIL_PORT", 0))
    if getattr(_mail, "key", None) != key:
        _close_mail_connection()
        _mail.connection, _mail.key = get_connection(fail_silently=False), key
    _mail.connection.open()
    return _mail.connection


def _close_mail_connection():
    connection = getattr(_mail, "connection", None)
    _mail.connection = _mail.key = None
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a connection already gone needs no closing
            pass


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _send(message) -> None:
    """Send on the kept SMTP connection; when the server closed it meanwhile (idle timeout), once more on a
    new one. Any other error goes to the caller with the connection dropped. Other backends (files in the
    demo, memory in tests) have no handshake to save and send as before, one file per message."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        message.send(fail_silently=False)
        return
    try:
        _mail_connection().send_messages([message])
    except smtplib.SMTPServerDisconnected:
        _close_mail_connection()
        try:
            _mail_connection().send_messages([message])
        except Exception:
            _close_mail_connection()
            raise
    except Exception:
        _close_mail_connection()
        raise


def deliver(email_id: int) -> str:
    """Send one email if it is due. Returns the resulting status (or 'skipped')."""
    email = claim(email_id)
    if email is None:
        return "skipped"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        reply_to=email.reply_to or None,
        headers={"X-IME-Email-Id": str(email.pk)},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        _send(message)
    except Exception as exc:
        return _record_failure(email, exc)
    email.status = Email.Status.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error", "updated_at", *_erase_secret(email)])
    return email.status


def _erase_secret(email: Email) -> list[str]:
    """Once an email carrying a one-time link is done with, its body goes: nobody needs it any more."""
    if not email.carries_secret:
        return []
    email.body_text = email.body_html = ""
    return ["body_text", "body_html"]


def _record_failure(email: Email, exc: Exception) -> str:
    email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if _is_temporary(exc) and email.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        delay = retry_delay(email.attempts)
        email.status = Email.Status.QUEUED
        email.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        email.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
        logger.info("Email %s failed temporarily, retry in %ss: %s", email.pk, delay, exc)
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            hand_to_worker(email.pk, countdown=delay)
    else:
        email.status = Email.Status.FAILED
        email.save(update_fields=["status", "last_error", "updated_at", *_erase_secret(email)])
        logger.error("Email %s failed permanently: %s", email.pk, exc)
    return email.status


def sweep() -> int:
    """Hand over again mail left queued (broker was down) or stuck in sending (worker died)."""
    now = timezone.now()
    stuck_before = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    Email.objects.filter(status=Email.Status.SENDING, updated_at__lt=stuck_before).update(
        status=Email.Status.QUEUED, next_attempt_at=now, updated_at=now
    )
    due_before = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    due_ids = list(
        Email.objects.filter(status=Email.Status.QUEUED, next_attempt_at__lte=due_before)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    # The sweep is the retry, so it always tries the broker once, and stops at the first failure
    # rather than spending one failed connection on each of 500 emails.
    forget_broker_failure()
    handed = 0
    for pk in due_ids:
        if not hand_to_worker(pk):
            break
        handed += 1
    return handed


def resend(emails) -> int:
    """Admin action: put emails back in the queue now. One a worker is sending at this moment is left
    alone (and not counted); handing it over again is harmless, as ``claim`` skips it. One whose secret
    body was erased has nothing left to send (the person asks for a new link) and is left alone too."""
    ids = [e.pk for e in emails]
    requeued = (
        Email.objects.filter(pk__in=ids)
        .exclude(status=Email.Status.SENDING)
        .exclude(carries_secret=True, body_text="", body_html="")
        .update(status=Email.Status.QUEUED, next_attempt_at=timezone.now(), attempts=0, last_error="")
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: hand_to_worker(pk))
    return requeued

"""The outbox: mail is never lost while the broker, the worker or SMTP is down, and never sent twice."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from ime_portal.celery import app as celery_app
from outbox import services
from outbox.models import Email
from portal.models import Inquiry

from .services import PrivateRedis, count_broker_connections, smtp_server, use_broker, wait_for

INQUIRY = {
    "name": "Jordan Reyes",
    "email": "jordan.reyes@cme.example.org",
    "organisation": "Midwest CME Partners",
    "subject": "Deadline for spring programs",
    "message": "When should we apply for a program starting in April?",
}


@pytest.fixture
def private_broker(settings, leaves_no_process):
    """Point Celery at a Redis of this test's own; restore the shared broker afterwards (and leave no
    redis-server running)."""
    broker = PrivateRedis()
    original = settings.CELERY_BROKER_URL
    use_broker(settings, broker.url)
    yield broker
    broker.stop()
    use_broker(settings, original)


def run_worker():
    return start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10)


@pytest.mark.django_db(transaction=True)
def test_inquiry_sent_while_broker_is_down_is_kept_and_sent_exactly_once_when_it_is_back(
    gated_client, private_broker, settings
):
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 0
    # The broker is down: nothing listens on its port.
    response = gated_client.post("/contact/", INQUIRY)

    assert response.status_code == 302
    assert Inquiry.objects.filter(email=INQUIRY["email"]).count() == 1
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.QUEUED}
    assert Email.objects.count() == 2

    private_broker.start()
    with smtp_server(settings) as smtp:
        # Two sweeps before any worker runs: every email is now on the queue twice.
        assert services.sweep() == 2
        assert services.sweep() == 2
        with run_worker():
            assert wait_for(lambda: Email.objects.filter(status=Email.Status.SENT).count() == 2)
            # Let the duplicate tasks run too; they must find nothing left to send.
            wait_for(lambda: False, timeout=1.5)

    assert len(smtp.delivered) == 2
    recipients = sorted(rcpt for envelope in smtp.delivered for rcpt in envelope.rcpt_tos)
    assert recipients == sorted([INQUIRY["email"], settings.IME_INQUIRY_MAILBOX])
    assert all(email.attempts == 1 for email in Email.objects.all())


@pytest.mark.django_db(transaction=True)
def test_inquiry_with_the_broker_down_tries_the_broker_once_not_once_per_email(
    gated_client, private_broker, monkeypatch
):
    # Each attempt on a broker that is down used to retry for seconds, in the visitor's request.
    attempts = count_broker_connections(monkeypatch, private_broker.port)

    response = gated_client.post("/contact/", INQUIRY)

    assert response.status_code == 302
    assert Email.objects.filter(status=Email.Status.QUEUED).count() == 2
    assert len(attempts) == 1


@pytest.mark.django_db(transaction=True)
def test_sweep_with_the_broker_down_stops_at_the_first_failure(private_broker, monkeypatch, settings):
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 0
    with transaction.atomic():
        for n in range(3):
            services.store_email("t", f"person{n}@example.org", "Subject", "Body")
    attempts = count_broker_connections(monkeypatch, private_broker.port)

    assert services.sweep() == 0

    assert len(attempts) == 1
    assert Email.objects.filter(status=Email.Status.QUEUED).count() == 3


@pytest.mark.django_db(transaction=True)
def test_temporary_smtp_failure_is_retried_with_backoff_and_then_sent(private_broker, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 1
    private_broker.start()
    with smtp_server(settings, replies=["451 4.3.0 Mailbox temporarily unavailable"]) as smtp:
        with run_worker():
            with transaction.atomic():
                email = services.queue_email(
                    "inquiry_acknowledgement", "a@example.org", {"inquiry": Inquiry(**INQUIRY)}
                )
            assert wait_for(lambda: Email.objects.get(pk=email.pk).status == Email.Status.SENT, timeout=30)

    email.refresh_from_db()
    assert smtp.refused == 1
    assert len(smtp.delivered) == 1
    assert email.attempts == 2
    assert email.last_error == ""


@pytest.mark.django_db
def test_temporary_failure_leaves_the_email_queued_for_later(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    email = services.store_email("t", "a@example.org", "Subject", "Body")
    with smtp_server(settings, replies=["421 4.7.0 Try again later"]):
        assert services.deliver(email.pk) == Email.Status.QUEUED
    email.refresh_from_db()
    assert email.attempts == 1
    assert "421" in email.last_error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=25)
    # Not due yet: a duplicate task does nothing.
    assert services.deliver(email.pk) == "skipped"


@pytest.mark.django_db
def test_temporary_failures_give_up_after_the_last_attempt(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = services.store_email("t", "a@example.org", "Subject", "Body")
    with smtp_server(settings, replies=["451 busy", "451 busy"]):
        services.deliver(email.pk)
        Email.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        assert services.deliver(email.pk) == Email.Status.FAILED


@pytest.mark.django_db
def test_permanent_smtp_failure_marks_the_email_failed_and_staff_see_it(settings, client, staff_user):
    email = services.store_email("inquiry_forward", "nobody@example.org", "Subject", "Body")
    with smtp_server(settings, replies=["550 5.1.1 No such mailbox"]) as smtp:
        assert services.deliver(email.pk) == Email.Status.FAILED
    assert smtp.delivered == []
    email.refresh_from_db()
    assert email.attempts == 1
    assert "550" in email.last_error

    client.force_login(staff_user)
    page = client.get("/admin/outbox/email/", {"status__exact": "failed"})
    assert page.status_code == 200
    assert "nobody@example.org" in page.content.decode()


@pytest.mark.django_db
def test_smtp_server_down_counts_as_temporary(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    email = services.store_email("t", "a@example.org", "Subject", "Body")
    assert services.deliver(email.pk) == Email.Status.QUEUED


@pytest.mark.django_db
def test_admin_resend_puts_a_failed_email_back_in_the_queue(client, staff_user, django_capture_on_commit_callbacks):
    email = services.store_email("t", "a@example.org", "Subject", "Body")
    Email.objects.filter(pk=email.pk).update(status=Email.Status.FAILED, attempts=6, last_error="550")
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/admin/outbox/email/", {"action": "resend_selected", "_selected_action": [email.pk]}, follow=True
        )
    assert response.status_code == 200
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Email.Status.QUEUED, 0, "")
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_mail_is_written_only_if_the_change_that_caused_it_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.store_email("t", "a@example.org", "Subject", "Body")
                raise RuntimeError("the change failed")
    assert Email.objects.count() == 0
    assert callbacks == []


@pytest.mark.django_db
def test_sweep_recovers_mail_stuck_in_sending_after_a_worker_died(settings):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 60
    email = services.store_email("t", "a@example.org", "Subject", "Body")
    long_ago = timezone.now() - timedelta(minutes=30)
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENDING, attempts=1)
    Email.objects.filter(pk=email.pk).update(updated_at=long_ago)
    settings.OUTBOX_REQUEUE_AFTER_SECONDS = 0
    services.sweep()
    email.refresh_from_db()
    assert email.status == Email.Status.QUEUED


@pytest.mark.django_db
def test_an_email_being_sent_is_not_claimed_twice():
    email = services.store_email("t", "a@example.org", "Subject", "Body")
    assert services.claim(email.pk) is not None
    assert services.claim(email.pk) is None


@pytest.mark.django_db
def test_user_text_is_escaped_in_html_mail():
    inquiry = Inquiry(**{**INQUIRY, "message": "<script>alert(1)</script>"})
    email = services.queue_email("inquiry_forward", "staff@example.org", {"inquiry": inquiry})
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;" in email.body_html
    assert "<script>alert(1)</script>" in email.body_text


@pytest.mark.django_db
def test_a_mail_keyed_once_is_queued_once_however_often_it_is_asked_for():
    context = {"inquiry": Inquiry(**INQUIRY)}
    first = services.queue_email_once("test:1:day14", "inquiry_acknowledgement", ["a@example.org"], context)
    second = services.queue_email_once("test:1:day14", "inquiry_acknowledgement", ["a@example.org"], context)
    assert first is not None and second is None
    assert Email.objects.filter(template="inquiry_acknowledgement").count() == 1

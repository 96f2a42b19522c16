from celery import shared_task

from .open_payments import send_reminder


@shared_task(name="reviews.tasks.open_payments_reminder", ignore_result=True)
def open_payments_reminder() -> bool:
    """Daily; from March 1 it queues the year's Open Payments reminder, once (outbox.SentOnce)."""
    return send_reminder() is not None

from celery import shared_task

from .open_payments import send_reminder
from .reminders import send_due_reminders


@shared_task(name="reviews.tasks.send_reminders", ignore_result=True)
def send_reminders() -> dict:
    """Every reminder due today, each once (reviews/reminders.py); beat runs it hourly to catch up."""
    return send_due_reminders()


@shared_task(name="reviews.tasks.open_payments_reminder", ignore_result=True)
def open_payments_reminder() -> bool:
    """Daily; from March 1 it queues the year's Open Payments reminder, once (outbox.SentOnce)."""
    return send_reminder() is not None

from celery import shared_task

from .reminders import send_due_reminders


@shared_task(name="reviews.tasks.send_reminders", ignore_result=True)
def send_reminders() -> dict:
    """Every reminder due today, each once (reviews/reminders.py); beat runs it hourly to catch up."""
    return send_due_reminders()

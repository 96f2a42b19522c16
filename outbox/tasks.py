from celery import shared_task

from . import services


@shared_task(name="outbox.tasks.send_email", ignore_result=True)
def send_email(email_id: int) -> str:
    return services.deliver(email_id)


@shared_task(name="outbox.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    return services.sweep()

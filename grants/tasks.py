from celery import shared_task

from .services.post_award import advance_programs as advance


@shared_task(name="grants.tasks.advance_programs", ignore_result=True)
def advance_programs() -> dict:
    return advance()

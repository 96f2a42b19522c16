"""The daily moves in every mode: `manage.py advance_programs` (run by scripts/run.sh at start-up when
there is no beat), and the beat task a real worker runs."""

from datetime import timedelta
from io import StringIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from grants.models import GrantRequest, StatusChange
from grants.status import GrantStatus as S
from grants.tasks import advance_programs as advance_programs_task
from ime_portal.celery import app as celery_app
from workflow.models import system_actor

from .factories import applicant
from .services import wait_for
from .workflow_steps import request_at

pytestmark = pytest.mark.django_db


def advance(*args) -> str:
    out = StringIO()
    call_command("advance_programs", *args, stdout=out)
    return out.getvalue()


def moves(grant_request, name) -> int:
    return StatusChange.objects.filter(grant_request=grant_request, transition=name).count()


def test_the_command_starts_a_paid_program_on_its_start_date_once():
    grant_request = request_at(S.PAID)
    start = grant_request.start_date

    day_before = advance("--today", (start - timedelta(days=1)).isoformat())
    first = advance("--today", start.isoformat())
    second = advance("--today", start.isoformat())

    assert "0 program(s) started" in day_before
    assert "1 program(s) started, 0 due for reconciliation" in first
    assert "0 program(s) started, 0 due for reconciliation" in second
    grant_request.refresh_from_db()
    assert grant_request.status == S.IN_PROGRESS and moves(grant_request, "start_program") == 1


def test_the_command_opens_reconciliation_on_the_end_date_once():
    grant_request = request_at(S.IN_PROGRESS)
    end = grant_request.end_date

    first = advance("--today", end.isoformat())
    second = advance("--today", end.isoformat())

    assert "0 program(s) started, 1 due for reconciliation" in first and "0 due for reconciliation" in second
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_DUE and moves(grant_request, "end_program") == 1
    assert grant_request.reconciliation_due_on == end + timedelta(days=settings.IME_RECONCILIATION_DAYS)


def test_the_command_acts_as_of_today_by_default():
    member = applicant()  # one organization, so both requests share its signer
    started, later = request_at(S.PAID, member=member), request_at(S.PAID, member=member)
    GrantRequest.objects.filter(pk=started.pk).update(start_date=timezone.localdate())

    out = advance()

    assert "1 program(s) started" in out
    started.refresh_from_db(), later.refresh_from_db()
    assert (started.status, later.status) == (S.IN_PROGRESS, S.PAID)


@pytest.mark.parametrize("bad", ["2027-02-30", "2027-13-01", "tomorrow", "03/31/2027", "20270331", "2027-3-31", ""])
def test_the_command_refuses_a_day_that_is_not_a_real_yyyy_mm_dd_date(bad):
    grant_request = request_at(S.PAID)

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("advance_programs", f"--today={bad}" if bad else "--today= ", stdout=StringIO())

    grant_request.refresh_from_db()
    assert grant_request.status == S.PAID and moves(grant_request, "start_program") == 0


def test_every_beat_entry_names_a_task_the_worker_knows():
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["advance-programs"]["task"] == advance_programs_task.name == "grants.tasks.advance_programs"
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_beat_task_and_starts_the_program(leaves_no_process):
    assert settings.CELERY_BROKER_URL.startswith("redis://") and not settings.CELERY_TASK_ALWAYS_EAGER
    grant_request = request_at(S.PAID)
    GrantRequest.objects.filter(pk=grant_request.pk).update(start_date=timezone.localdate())

    # What beat sends: the task by the name in the schedule, through the broker.
    celery_app.send_task(settings.CELERY_BEAT_SCHEDULE["advance-programs"]["task"])
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        assert wait_for(lambda: GrantRequest.objects.get(pk=grant_request.pk).status == S.IN_PROGRESS)

    change = StatusChange.objects.get(grant_request=grant_request, transition="start_program")
    assert change.actor == system_actor()

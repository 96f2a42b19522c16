"""More than one of everything: two web instances, two Celery workers and two beats on one PostgreSQL and
one Redis, as a scaled-out deployment runs them. Limits are shared, a request is submitted once, and
each email is delivered once however many workers and sweeps see it.

Select with ``-m multi_instance`` (about 30-60 s: six servers start)."""

import http.client
import re
import secrets
import subprocess
import sys
import threading
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from grants.models import GrantRequest, StatusChange
from outbox import services as outbox
from outbox.models import Email

from .factories import GrantRequestFactory, applicant, attach_required_documents
from .services import PrivateRedis, free_port, smtp_server, stop_sessions, wait_for
from .test_outbox import INQUIRY

pytestmark = [pytest.mark.multi_instance, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
INQUIRY_LIMIT = 3


@dataclass
class Deployment:
    web_ports: list[int]
    sink: object
    logs: list[Path]
    processes: list = field(default_factory=list)

    def log_tail(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-1500:]}" for log in self.logs)


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _healthy(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


@pytest.fixture
def deployment(settings, tmp_path, leaves_no_process):
    redis = PrivateRedis()
    redis.start()
    with smtp_server(settings) as sink:
        common = {
            "PATH": f"{VENV_BIN}:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DATABASE_URL": _database_url(),  # this test's database: the instances see what the test writes
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis.port}/0",
            "CACHE_URL": f"rediscache://127.0.0.1:{redis.port}/1",
            "EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}",
            "SECRET_KEY": settings.SECRET_KEY,  # sessions made here are valid there
            "HTTPS": "0",
            "IME_ENVIRONMENT": "demo",  # a test deployment: plain HTTP, no second factor
            "IME_STAFF_2FA": "0",
            "IME_INQUIRY_RATE": f"{INQUIRY_LIMIT}/h",
            "OUTBOX_SWEEP_SECONDS": "1",
            "OUTBOX_REQUEUE_AFTER_SECONDS": "0",
        }
        deployment = Deployment(web_ports=[free_port(), free_port()], sink=sink, logs=[])
        try:
            for n, port in enumerate(deployment.web_ports, start=1):
                env = {**common, "IME_VAR_DIR": str(tmp_path / f"instance{n}")}  # own beat schedule file
                commands = {
                    f"web{n}": ["gunicorn", "ime_portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "-w", "1"],
                    f"worker{n}": ["celery", "-A", "ime_portal", "worker", "-n", f"w{n}@%h", "-c", "2", "-l", "INFO"],
                    f"beat{n}": ["celery", "-A", "ime_portal", "beat", "-l", "INFO"],
                }
                for name, command in commands.items():
                    log = tmp_path / f"{name}.log"
                    deployment.logs.append(log)
                    deployment.processes.append(
                        subprocess_in_session([str(VENV_BIN / command[0]), *command[1:]], env, log)
                    )
            for port in deployment.web_ports:
                assert wait_for(lambda port=port: _healthy(port), timeout=90, interval=0.5), deployment.log_tail()
            yield deployment
        finally:
            left = stop_sessions(deployment.processes, timeout=30)
            redis.stop()
            assert left == [], f"still running after SIGTERM: {left}\n{deployment.log_tail()}"


def subprocess_in_session(command, env, log_path):
    with open(log_path, "w") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


class Browser:
    """Plain HTTP against one instance, redirects not followed, with the cookies a signed-in visitor has."""

    def __init__(self, port: int, session: str = ""):
        self.port = port
        self.csrf = secrets.token_hex(16)  # a 32-character secret is a valid cookie and form token
        self.cookies = {"ime_us_hcp": "yes", "csrftoken": self.csrf}
        if session:
            self.cookies[django_settings.SESSION_COOKIE_NAME] = session

    def post(self, path: str, data: dict | None = None) -> int:
        body = urllib.parse.urlencode({**(data or {}), "csrfmiddlewaretoken": self.csrf})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"http://127.0.0.1:{self.port}/",
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("POST", path, body, headers)
        return connection.getresponse().status


def test_two_of_everything_share_limits_submit_once_and_deliver_each_email_once(deployment):
    first, second = (Browser(port) for port in deployment.web_ports)

    # The inquiry limit counts across instances (it lives in the shared Redis cache, not per process).
    statuses = [browser.post("/contact/", INQUIRY) for browser in (first, second, first)]
    assert statuses == [302] * INQUIRY_LIMIT
    assert [second.post("/contact/", INQUIRY), first.post("/contact/", INQUIRY)] == [429, 429]

    # The same applicant presses Submit in two tabs served by different instances at the same moment.
    user = applicant()
    grant_request = attach_required_documents(
        GrantRequestFactory(organisation=user.membership.organisation, created_by=user)
    )
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    tabs = [Browser(port, session) for port in deployment.web_ports]
    barrier = threading.Barrier(len(tabs))
    submit_statuses = []

    def press_submit(tab):
        barrier.wait(timeout=10)
        submit_statuses.append(tab.post(reverse("grants:request_submit", args=[grant_request.pk])))

    threads = [threading.Thread(target=press_submit, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert submit_statuses == [302, 302]
    assert GrantRequest.objects.get(pk=grant_request.pk).status == "submitted"
    assert StatusChange.objects.filter(grant_request=grant_request).count() == 1
    assert Email.objects.filter(template__startswith="submission_").count() == 2

    # Mail whose hand-off never reached these workers (it went to another broker): only the sweeps of
    # the two beats, run by both workers every second, can deliver it.
    with transaction.atomic():
        for n in range(4):
            outbox.store_email("t", f"swept{n}@example.org", "Swept", "Delivered by a sweep")

    emails = Email.objects.count()
    assert emails == 2 * INQUIRY_LIMIT + 2 + 4
    assert wait_for(lambda: Email.objects.filter(status=Email.Status.SENT).count() == emails, timeout=40), (
        list(Email.objects.values_list("pk", "status", "last_error")),
        deployment.log_tail(),
    )
    # Several more sweeps by both beats: nothing may go out again.
    wait_for(lambda: False, timeout=3)
    beat_logs = [log.read_text() for log in deployment.logs if log.name.startswith("beat")]
    sweeps_sent = [text.count("Sending due task outbox-sweep") for text in beat_logs]

    delivered = Counter(
        int(match.group(1))
        for envelope in deployment.sink.delivered
        if (match := re.search(rb"X-IME-Email-Id: (\d+)", envelope.content))
    )
    assert len(deployment.sink.delivered) == emails
    assert set(delivered.values()) == {1}
    assert set(delivered) == set(Email.objects.values_list("pk", flat=True))
    assert set(Email.objects.values_list("attempts", flat=True)) == {1}
    assert len(sweeps_sent) == 2 and min(sweeps_sent) >= 3, sweeps_sent  # both beats were sweeping all along

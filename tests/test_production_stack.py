"""`make run` against PostgreSQL and a Redis broker: the worker it starts sends the mail."""

import os
import secrets
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from .services import PrivateRedis, free_port, session_processes, stop_session, wait_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stack_database():
    server = settings.DATABASES["default"]
    # Named after this run's test database, so runs against different databases never share (or drop) it.
    stack_db = f"{server['NAME']}_stack"
    dsn = f"host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432} user={server['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {stack_db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {stack_db}")
    yield f"postgres://{server['USER']}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}/{stack_db}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {stack_db} WITH (FORCE)")


@pytest.fixture
def stack_broker():
    """A Redis of the test's own, so no other test run's worker takes (or flushes) the stack's tasks."""
    broker = PrivateRedis()
    broker.start()
    yield broker.url
    broker.stop()


def test_make_run_with_a_broker_starts_a_worker_that_delivers_inquiry_mail(
    stack_database, stack_broker, tmp_path, leaves_no_process
):
    port = free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PORT": str(port),
        "IME_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": stack_database,
        "CELERY_BROKER_URL": stack_broker,
        # A demo on PostgreSQL: demo data and plain HTTP; a database server needs an explicit key.
        "IME_ENVIRONMENT": "demo",
        "IME_DEMO_DATA": "0",  # only the inquiry's two mails, not the demo requests'
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "0",
        "WEB_WORKERS": "1",
        "STOP_TIMEOUT": "10",
    }
    log = open(tmp_path / "stack.log", "w")
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up():
            try:
                return urllib.request.urlopen(base + "/healthz", timeout=2).status == 200
            except OSError:
                return False

        assert wait_for(up, timeout=120, interval=0.5), (tmp_path / "stack.log").read_text()[-3000:]
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar := CookieJar()))
        opener.open(base + "/hcp-confirmation/")
        token = next(c.value for c in jar if c.name == "csrftoken")
        opener.open(
            urllib.request.Request(
                base + "/hcp-confirmation/",
                data=urllib.parse.urlencode(
                    {"csrfmiddlewaretoken": token, "next": "/contact/", "choice": "confirm"}
                ).encode(),
                headers={"Referer": base},
            )
        )
        form = {
            "csrfmiddlewaretoken": token,
            "name": "Stack Tester",
            "email": "stack@example.org",
            "subject": "Worker check",
            "message": "Sent through the real worker.",
        }
        response = opener.open(
            urllib.request.Request(
                base + "/contact/", data=urllib.parse.urlencode(form).encode(), headers={"Referer": base}
            )
        )
        assert response.url.endswith("/contact/thanks/")

        mail_dir = tmp_path / "var" / "mail"

        def delivered():
            # Count messages, not files: Django's file backend names a file by the second and id(self),
            # and two forked pool workers sending in the same second share both, so one file holds two.
            if not mail_dir.exists():
                return ""
            contents = "".join(p.read_text() for p in mail_dir.iterdir())
            return contents if contents.count("\nMessage-ID: ") == 2 else ""

        assert wait_for(delivered, timeout=60), (tmp_path / "stack.log").read_text()[-3000:]
        contents = delivered()
        assert "Subject: New IME inquiry: Worker check" in contents
        assert "celery@" in (tmp_path / "stack.log").read_text()

        # A beat that does not answer SIGTERM (once one was left running for an hour, sending every
        # periodic task twice): a stopped process cannot act on SIGTERM, so run.sh must SIGKILL it.
        beat = next(pid for pid, command in session_processes(process.pid) if " beat " in command)
        os.kill(beat, signal.SIGSTOP)
    finally:
        left = stop_session(process, timeout=45)
        log.close()
    # SIGTERM to run.sh alone stops the worker, the beat and gunicorn, with all their children.
    log_tail = (tmp_path / "stack.log").read_text()[-3000:]
    assert left == [], f"still running after run.sh stopped: {left}\n{log_tail}"
    assert "killing what is left" in log_tail

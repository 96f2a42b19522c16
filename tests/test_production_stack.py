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

from .services import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
STACK_DB = "ime_portal_stack_test"


@pytest.fixture
def stack_database():
    server = settings.DATABASES["default"]
    dsn = f"host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432} user={server['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {STACK_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {STACK_DB}")
    yield f"postgres://{server['USER']}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}/{STACK_DB}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {STACK_DB} WITH (FORCE)")


def test_make_run_with_a_broker_starts_a_worker_that_delivers_inquiry_mail(stack_database, tmp_path):
    port = free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PORT": str(port),
        "IME_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": stack_database,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/10",
        # A demo on PostgreSQL: demo data and plain HTTP; a database server needs an explicit key.
        "IME_ENVIRONMENT": "demo",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "WEB_WORKERS": "1",
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
        assert wait_for(lambda: mail_dir.exists() and len(list(mail_dir.iterdir())) == 2, timeout=60), (
            tmp_path / "stack.log"
        ).read_text()[-3000:]
        contents = "".join(p.read_text() for p in mail_dir.iterdir())
        assert "Subject: New IME inquiry: Worker check" in contents
        assert "celery@" in (tmp_path / "stack.log").read_text()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()

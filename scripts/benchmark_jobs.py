"""Django side of scripts/benchmark.py for the work that is not a page: the CSV export, the reminder sweep
and the outbox. Run in a child process against a seeded benchmark database (the environment names it);
every job runs inside a transaction that is rolled back, so the database is the same for the next run.
Prints one ``BENCHMARK-RESULT {json}`` line.

    DATABASE_URL=... python scripts/benchmark_jobs.py export
    DATABASE_URL=... python scripts/benchmark_jobs.py sweep
    DATABASE_URL=... python scripts/benchmark_jobs.py outbox --mails 10000
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ime_portal.settings")

import django  # noqa: E402

django.setup()

from benchmark_data import signed_in_clients  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from grants.models import GrantRequest  # noqa: E402
from outbox.models import Email  # noqa: E402
from outbox.services import deliver  # noqa: E402
from reviews.models import Assignment  # noqa: E402
from reviews.reminders import send_due_reminders  # noqa: E402

RESULT_MARK = "BENCHMARK-RESULT "
EXPORT_PATH = "/admin/grants/grantrequest/export/csv/"


class Rollback(Exception):
    """Raised at the end of a job to undo everything it wrote."""


def export():
    """The coordinator's CSV export of every request, read as a browser would (the streamed body, chunk by
    chunk); Python's peak allocation while it runs says whether memory stays flat."""
    settings.ALLOWED_HOSTS = ["*"]
    client = signed_in_clients()["coordinator"]
    client.get("/admin/")  # the process's first request fills its caches

    def read():
        response = client.get(EXPORT_PATH)
        size = lines = 0
        for chunk in response.streaming_content if response.streaming else [response.content]:
            size += len(chunk)
            lines += chunk.count(b"\n")
        return response, size, lines

    started = time.perf_counter()
    response, size, lines = read()
    seconds = time.perf_counter() - started
    # A second read for the memory alone: tracing every allocation slows Python several times over.
    tracemalloc.start()
    read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "status": response.status_code,
        "streamed": response.streaming,
        "rows": max(lines - 1, 0),  # the header line
        "bytes": size,
        "seconds": round(seconds, 3),
        "peak_mib": round(peak / 2**20, 2),
        "requests": GrantRequest.objects.count(),
    }


def sweep():
    """reviews.tasks.send_reminders' work (every reminder due today), timed, then undone.

    The seeded reviews were all assigned today, so nothing would be due: first every open review
    assignment is dated back past the reminder delay (a morning on which every reviewer is late), so the
    sweep renders and queues one reminder per assignment, the heaviest day it can have."""
    result = {}
    try:
        with transaction.atomic():
            late = timezone.now() - timedelta(days=settings.IME_REMINDER_REVIEW_DAYS + 1)
            due = Assignment.objects.update(assigned_at=late)
            started = time.perf_counter()
            queued = send_due_reminders()
            result = {"seconds": round(time.perf_counter() - started, 3), "queued": queued, "assignments_due": due}
            raise Rollback
    except Rollback:
        pass
    result["requests"] = GrantRequest.objects.count()
    return result


class SmtpSink:
    """A local aiosmtpd server that accepts and discards every message, in its own process as a real mail
    server would be (in a thread here it would share the worker's interpreter lock)."""

    def __enter__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l",
                   f"127.0.0.1:{self.port}"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise SystemExit("the SMTP sink did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        return False


def outbox(mails):
    """``mails`` queued emails delivered one after another by one process, as one Celery worker with
    concurrency 1 runs outbox.tasks.send_email (claim, render the message, SMTP, mark sent), into a local
    SMTP sink. The broker hop is left out: it is the same for any mail and not the outbox's own cost."""
    result = {}
    with SmtpSink() as sink:
        smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": sink.port, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False,
                "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}  # fmt: skip
        try:
            with override_settings(**smtp), transaction.atomic():
                now = timezone.now()
                emails = Email.objects.bulk_create(
                    Email(template="benchmark", to=[f"learner-{n}@bench.example.org"],
                          subject=f"Benchmark message {n}", body_text="Your grant request has a new message.\n" * 20,
                          body_html="<p>Your grant request has a new message.</p>" * 20, next_attempt_at=now)
                    for n in range(mails)
                )  # fmt: skip
                started = time.perf_counter()
                statuses = [deliver(email.pk) for email in emails]
                seconds = time.perf_counter() - started
                result = {"mails": mails, "seconds": round(seconds, 3), "per_second": round(mails / seconds, 1),
                          "sent": statuses.count(Email.Status.SENT)}  # fmt: skip
                raise Rollback
        except Rollback:
            pass
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("job", choices=["export", "sweep", "outbox"])
    parser.add_argument("--mails", type=int, default=10_000)
    args = parser.parse_args()
    result = {"export": export, "sweep": sweep, "outbox": lambda: outbox(args.mails)}[args.job]()
    print(RESULT_MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

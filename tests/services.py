"""Real local services for tests that need to stop and start them: a private Redis broker and an SMTP
server whose answers the test chooses (aiosmtpd); and checks that a test leaves no process behind."""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import transaction


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, so the test can take 'the broker' down and bring it back."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


class RecordingHandler:
    """SMTP server behaviour: answer each DATA with the next scripted reply, then accept."""

    def __init__(self, replies=()):
        self.replies = list(replies)
        self.delivered = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.replies:
            self.refused += 1
            return self.replies.pop(0)
        self.delivered.append(envelope)
        return "250 OK"


@contextmanager
def smtp_server(settings, replies=()):
    handler = RecordingHandler(replies)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


def use_broker(settings, url: str):
    """Point the Celery app at ``url`` (Celery reads CELERY_BROKER_URL from Django settings)."""
    from ime_portal.celery import app

    settings.CELERY_BROKER_URL = url
    app.conf.broker_url = url
    app.conf.broker_write_url = url
    app.conf.broker_read_url = url
    app._pool = None
    app.amqp._producer_pool = None


def count_broker_connections(monkeypatch, port: int) -> list:
    """Record each TCP connection attempt redis-py makes to ``port`` (the real attempt still runs)."""
    import redis.connection

    attempts = []
    real_connect = redis.connection.Connection._connect

    def counting_connect(connection):
        if connection.port == port:
            attempts.append(time.monotonic())
        return real_connect(connection)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counting_connect)
    return attempts


def wait_for(condition, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


# --- Processes a test started ------------------------------------------------------------------


def _proc_stat(pid_dir: Path) -> tuple[int, str, int, int] | None:
    """(pid, state, parent pid, session id) from /proc/<pid>/stat; None if the process is gone."""
    try:
        text = (pid_dir / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(pid_dir.name), fields[0], int(fields[1]), int(fields[3])


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def _running() -> list[tuple[int, str, int, int]]:
    stats = (_proc_stat(d) for d in Path("/proc").iterdir() if d.name.isdigit())
    return [s for s in stats if s is not None and s[1] != "Z"]  # zombies run nothing


def session_processes(session_id: int) -> list[tuple[int, str]]:
    """Processes still running in session ``session_id``: a child started with ``start_new_session=True``
    and everything it started, even those whose parent has gone (they keep the session)."""
    return [(pid, _command(pid)) for pid, _, _, sid in _running() if sid == session_id]


def descendants(pid: int) -> list[tuple[int, str]]:
    """Running children of ``pid``, their children and so on."""
    running = _running()
    found, frontier = [], {pid}
    while frontier:
        children = [p for p, _, ppid, _ in running if ppid in frontier]
        found.extend(children)
        frontier = set(children)
    return [(p, _command(p)) for p in found]


def kill_all(processes) -> None:
    for pid, _ in processes:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def stop_session(process: subprocess.Popen, timeout: float = 60) -> list[tuple[int, str]]:
    """Stop ``process`` (started with ``start_new_session=True``) the way a supervisor does, with one
    SIGTERM to it alone, and wait for it to exit. Returns what was still running in its session once it
    had; those are SIGKILLed so they do not outlive the test, and the caller asserts the list is empty."""
    return stop_sessions([process], timeout)


def stop_sessions(processes, timeout: float = 60) -> list[tuple[int, str]]:
    """``stop_session`` for several processes at once: all get SIGTERM, then each is waited for."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    left = []
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            pass
        left += session_processes(process.pid)
    kill_all(left)
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    return left


# --- Trying things on one database state ---------------------------------------------------------


class _Undo(Exception):
    pass


@contextmanager
def undone():
    """Run the block in a savepoint that is always rolled back, so the next block starts from the same
    rows: the transition matrices try every role on one request instead of building it once per role."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass

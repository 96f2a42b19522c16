"""Real local services for tests that need to stop and start them: a private Redis broker and an SMTP
server whose answers the test chooses (aiosmtpd)."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller


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
            self.process.wait(timeout=10)
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

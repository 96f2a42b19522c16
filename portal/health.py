"""State of the three things the portal cannot work without: database, broker, storage."""

import logging
import os
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection


def check_database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "embedded (tasks run in-process)"
    # The project's Celery app (ime_portal/celery.py) is the current one once Django has started.
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "connected"


def check_storage() -> tuple[bool, str]:
    backend = type(default_storage).__name__
    bucket = getattr(default_storage, "bucket_name", None)
    if bucket:
        default_storage.connection.meta.client.head_bucket(Bucket=bucket)
        return True, f"{backend} bucket {bucket}"
    location = Path(default_storage.location)
    location.mkdir(parents=True, exist_ok=True)
    if not os.access(location, os.W_OK):
        return False, f"{backend}: {location} is not writable"
    return True, backend


logger = logging.getLogger(__name__)

CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


def run_checks() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as exc:  # a health check reports failures, it never raises them
            # The endpoint is public: name the failure, keep hosts and credentials in the log only.
            logger.warning("Health check %s failed: %s", name, exc)
            ok, detail = False, f"unavailable ({type(exc).__name__})"
        results[name] = {"ok": ok, "detail": detail}
    return all(r["ok"] for r in results.values()), results

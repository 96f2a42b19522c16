import json

import pytest

from .services import use_broker

pytestmark = pytest.mark.django_db


def test_health_reports_database_broker_and_storage(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "storage": True,
    }
    assert body["checks"]["database"]["detail"] == "postgresql"


def test_health_is_503_when_the_broker_is_unreachable(client, settings):
    original = settings.CELERY_BROKER_URL
    use_broker(settings, "redis://127.0.0.1:1/0")
    try:
        response = client.get("/healthz")
    finally:
        use_broker(settings, original)
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_health_is_503_when_storage_is_not_writable(client, settings, tmp_path):
    not_a_directory = tmp_path / "media"
    not_a_directory.write_text("a file where the upload directory should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": not_a_directory}},
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["storage"]["ok"] is False

"""Settings fail safe: production is stated, not guessed; it refuses what would expose the portal."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ime_portal"
OLD_COMPOSE_PLACEHOLDER = "change-me-in-production-this-is-only-for-local-compose-0123456789"


def manage(tmp_path, *args, **variables):
    """Run manage.py in a fresh process with only ``variables`` configured (as a deployment would)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "IME_VAR_DIR": str(tmp_path / "var"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def production(**overrides):
    return {
        "IME_ENVIRONMENT": "production",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "grants.example.com",
        **overrides,
    }


SHOW_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.IME_ENVIRONMENT, s.IME_DEMO_DATA, s.IME_STAFF_2FA, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)"
)


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_has_two_factor_and_https_on_and_no_demo_data(tmp_path):
    result = manage(tmp_path, "shell", "-c", SHOW_SETTINGS, **production())

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["production", "False", "True", "True", "True"]


def test_nothing_configured_is_the_demo_with_a_key_kept_under_var(tmp_path):
    result = manage(tmp_path, "shell", "-c", SHOW_SETTINGS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["demo", "True", "False", "False", "False"]
    assert len((tmp_path / "var" / "secret_key").read_text()) >= 50


def test_a_demo_on_postgresql_keeps_demo_logins_and_plain_http(tmp_path):
    """The environment is stated, not guessed from DATABASE_URL."""
    result = manage(
        tmp_path, "shell", "-c", SHOW_SETTINGS,
        IME_ENVIRONMENT="demo", DATABASE_URL=DATABASE_URL, SECRET_KEY=secrets.token_urlsafe(50),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["demo", "True", "False", "False", "False"]


@pytest.mark.parametrize("environment", ["production", "demo"])
def test_database_server_without_a_secret_key_refuses_to_start(tmp_path, environment):
    variables = production(IME_ENVIRONMENT=environment)
    del variables["SECRET_KEY"]

    result = manage(tmp_path, "check", **variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    # No replica writes a key of its own for the others to race with.
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_without_a_database_server_still_needs_a_secret_key(tmp_path):
    result = manage(tmp_path, "check", IME_ENVIRONMENT="production")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_database_server_without_a_stated_environment_refuses_to_start(tmp_path):
    variables = production()
    del variables["IME_ENVIRONMENT"]

    result = manage(tmp_path, "check", **variables)

    assert result.returncode != 0
    assert "DATABASE_URL is set but IME_ENVIRONMENT is not" in result.stderr


def test_unknown_environment_is_refused(tmp_path):
    result = manage(tmp_path, "check", IME_ENVIRONMENT="staging")

    assert result.returncode != 0
    assert "IME_ENVIRONMENT must be 'demo' or 'production', not 'staging'" in result.stderr


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("IME_DEMO_DATA", "IME_DEMO_DATA=1 is refused when IME_ENVIRONMENT=production"),
        ("IME_BENCHMARK_VIEWS", "IME_BENCHMARK_VIEWS=1 is refused when IME_ENVIRONMENT=production"),
    ],
)
def test_production_refuses_demo_logins_and_benchmark_pages(tmp_path, variable, message):
    result = manage(tmp_path, "check", **production(**{variable: "1"}))

    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_to_turn_staff_two_factor_off(tmp_path):
    result = manage(tmp_path, "check", **production(IME_STAFF_2FA="0"))

    assert result.returncode != 0
    assert "IME_STAFF_2FA=0 is refused when IME_ENVIRONMENT=production" in result.stderr


def test_production_with_https_off_is_reported_by_every_command(tmp_path):
    result = manage(tmp_path, "check", **production(HTTPS="0"))

    assert result.returncode == 0, result.stderr
    assert "portal.W001" in result.stderr
    assert "HTTPS is off in production" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        OLD_COMPOSE_PLACEHOLDER,
        "django-insecure-" + secrets.token_urlsafe(50),
        "changeme" + secrets.token_urlsafe(50),
        secrets.token_urlsafe(30),
        "ab" * 40,
    ],
    ids=["old-compose-placeholder", "django-insecure", "changeme", "too-short", "two-characters"],
)
def test_deploy_check_refuses_placeholder_and_weak_secret_keys(tmp_path, key):
    result = manage(tmp_path, "check", "--deploy", **production(SECRET_KEY=key))

    assert result.returncode != 0
    assert "portal.E001" in result.stderr
    assert "SECRET_KEY is not fit for production" in result.stderr


@pytest.mark.django_db
def test_loading_demo_data_in_production_is_refused(settings):
    # Even if IME_DEMO_DATA were somehow on: the environment decides.
    settings.IME_ENVIRONMENT = "production"
    settings.IME_DEMO_DATA = True

    with pytest.raises(CommandError, match="IME_ENVIRONMENT is production: demo data"):
        call_command("seed_demo")

    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_https_redirect_spares_the_container_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/faq/").status_code == 301

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose_config(**variables):
    if not shutil.which("docker-compose"):
        pytest.fail("docker-compose is not installed: scripts/test.sh installs it")
    # Only what an operator's shell would have: the suite's own settings (demo, HTTPS=0) must not leak in.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **variables}
    return subprocess.run(["docker-compose", "config"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_compose_file_parses_and_runs_the_whole_production_stack():
    result = compose_config(SECRET_KEY="a-key-from-the-operator")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "minio"} <= set(services)
    web_env = services["web"]["environment"]
    for variable in (
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "EMAIL_URL",
    ):
        assert web_env[variable], variable
    assert web_env["SECRET_KEY"] == "a-key-from-the-operator"
    assert web_env["IME_ENVIRONMENT"] == "production"
    assert web_env["HTTPS"] == "1"

    def command(name):
        value = services[name]["command"]
        return value if isinstance(value, str) else " ".join(value)

    assert "gunicorn" in command("web")
    assert "celery -A ime_portal worker" in command("worker")
    assert "celery -A ime_portal beat" in command("beat")


def test_compose_refuses_to_start_without_a_secret_key_from_the_environment():
    result = compose_config()

    assert result.returncode != 0
    assert "Set SECRET_KEY to a long random value" in result.stderr

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_parses_and_runs_the_whole_production_stack():
    if not shutil.which("docker-compose"):
        pytest.fail("docker-compose is not installed: scripts/test.sh installs it")
    result = subprocess.run(["docker-compose", "config"], cwd=ROOT, capture_output=True, text=True, timeout=60)
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

    def command(name):
        value = services[name]["command"]
        return value if isinstance(value, str) else " ".join(value)

    assert "gunicorn" in command("web")
    assert "celery -A ime_portal worker" in command("worker")
    assert "celery -A ime_portal beat" in command("beat")

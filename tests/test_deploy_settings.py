import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_check():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ime_portal",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": "x" * 20 + "a-long-and-random-enough-secret-key-for-the-deploy-check-1234567890",
        "ALLOWED_HOSTS": "grants.example.com",
        "IME_VAR_DIR": "/tmp/ime-deploy-check",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

#!/usr/bin/env bash
# Installs what the tests need, starts PostgreSQL and Redis if they are stopped, lints, runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: Chromium for the browser tests, docker-compose to validate the compose file.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-liberation)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
# Pango for WeasyPrint, which prints the executed Letter of Agreement (grants/agreement_pdf.py).
ldconfig -p | grep libpangoft2-1.0 >/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ime_portal}"
export CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/14}"
export CACHE_URL="${TEST_CACHE_URL:-rediscache://127.0.0.1:6379/13}"
# The suite runs as the demo environment on PostgreSQL: production refuses HTTPS=0 without warning and
# refuses IME_STAFF_2FA=0 outright. Production settings are tested in subprocesses (test_deploy_settings.py).
export IME_ENVIRONMENT=demo
export HTTPS=0
export IME_VAR_DIR="${IME_VAR_DIR:-$(pwd)/var/test}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# A database server needs a shared key; the tests get a fresh random one per run.
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
# The admin tests sign staff in without a phone; tests/test_staff_2fa.py and
# tests/test_browser_staff_2fa.py turn the second factor on themselves.
export IME_STAFF_2FA=0

.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
# On every core: -n auto starts one worker per CPU (pytest-xdist; tests/conftest.py gives each its own
# Redis databases, pytest-django its own test database). TEST_WORKERS=0 runs in this one process.
exec .venv/bin/pytest -n "${TEST_WORKERS:-auto}" "$@"

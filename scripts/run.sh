#!/usr/bin/env bash
# Runs the portal: migrate, load demo data (demo environment only), start a worker and beat when a
# broker is configured, then serve. With nothing configured this is the embedded default (SQLite, files
# under var/, IME_ENVIRONMENT=demo).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://localhost:${PORT}}"

$PY manage.py migrate --noinput
# Production refuses demo data (published logins), so it is not even asked for there.
demo="no"
if [ "${IME_ENVIRONMENT:-demo}" = "demo" ]; then
  $PY manage.py seed_demo
  demo="yes"
fi

pids=()
cleanup() { for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -n "${CELERY_BROKER_URL:-}" ]; then
  .venv/bin/celery -A ime_portal worker --loglevel=INFO --concurrency=2 &
  pids+=($!)
  .venv/bin/celery -A ime_portal beat --loglevel=INFO &
  pids+=($!)
  echo "Celery worker and beat started against ${CELERY_BROKER_URL}"
else
  echo "No CELERY_BROKER_URL: tasks run in-process; emails are written to var/mail/"
fi

echo
echo "  IME Grants Portal:  ${SITE_URL}/"
echo "  Staff admin:        ${SITE_URL}/admin/"
echo "  Health:             ${SITE_URL}/healthz"
echo
if [ "$demo" = "yes" ]; then
  $PY manage.py demo_logins
  echo
fi
.venv/bin/gunicorn ime_portal.wsgi:application --bind "${HOST}:${PORT}" --workers "${WEB_WORKERS:-3}" \
  --access-logfile - &
pids+=($!)
wait "${pids[-1]}"

#!/usr/bin/env bash
# Runs the portal: migrate, load demo data (demo environment only), start a worker and beat when a
# broker is configured, then serve. With nothing configured this is the embedded default (SQLite, files
# under var/, IME_ENVIRONMENT=demo).
#
# Stopping (SIGTERM, or Ctrl-C) stops everything this script started, children of children included:
# a beat left behind would run every periodic task a second time. Each service runs in a process group
# of its own (job control, `set -m`): each service gets SIGTERM and stops its own workers; whatever is
# left in its group after STOP_TIMEOUT seconds gets SIGKILL. If one service exits, the others are stopped.
set -euo pipefail
set -m
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"
export SITE_URL="${SITE_URL:-http://localhost:${PORT}}"

groups=()
stopping=0

alive() {
  local group
  for group in "${groups[@]}"; do
    kill -0 -- "-$group" 2>/dev/null && return 0
  done
  return 1
}

stop_all() {
  local status="${1:-0}" group
  [ "$stopping" = 1 ] && return 0
  stopping=1
  trap '' INT TERM
  if [ ${#groups[@]} -gt 0 ]; then
    for group in "${groups[@]}"; do kill -TERM "$group" 2>/dev/null || true; done
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while alive && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if alive; then
      echo "Still running after ${STOP_TIMEOUT}s; killing what is left" >&2
      for group in "${groups[@]}"; do kill -KILL -- "-$group" 2>/dev/null || true; done
      # Killed grandchildren are reaped by init, not by us: give them a moment to be gone.
      deadline=$((SECONDS + 5))
      while alive && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    fi
    wait 2>/dev/null || true
  fi
  exit "$status"
}
trap 'stop_all 130' INT
trap 'stop_all 143' TERM
trap 'stop_all $?' EXIT

start() {  # start a service in the background, in a process group of its own
  "$@" &
  groups+=($!)
}

# Static files the production way: collected into var/static with content-hashed names, gzip and brotli
# copies and a year's caching (whitenoise's compressed manifest storage). Collected again only when a file
# under static/ or the installed packages (the admin's files) changed since the last time.
export STATICFILES_BACKEND="${STATICFILES_BACKEND:-whitenoise.storage.CompressedManifestStaticFilesStorage}"
manifest="${IME_VAR_DIR:-var}/static/staticfiles.json"
if [ ! -f "$manifest" ] || [ -n "$(find static .venv/.installed -newer "$manifest" -print -quit 2>/dev/null)" ]; then
  echo "Collecting static files (hashed names, gzip and brotli)…"
  $PY manage.py collectstatic --noinput -v0
fi
$PY manage.py migrate --noinput
# Production refuses demo data (published logins), so it is not even asked for there.
demo="no"
if [ "${IME_ENVIRONMENT:-demo}" = "demo" ]; then
  $PY manage.py seed_demo
  demo="yes"
fi

if [ -n "${CELERY_BROKER_URL:-}" ]; then
  start .venv/bin/celery -A ime_portal worker --loglevel=INFO --concurrency=2
  start .venv/bin/celery -A ime_portal beat --loglevel=INFO
  echo "Celery worker and beat started against ${CELERY_BROKER_URL}"
else
  echo "No CELERY_BROKER_URL: tasks run in-process; emails are written to var/mail/"
  # No beat here to run the daily moves (paid -> in progress on the start date, in progress ->
  # reconciliation due on the end date) and the reminders: make them at each start. Both are
  # idempotent, like the beat tasks (a reminder goes once whatever the number of runs).
  $PY manage.py advance_programs
  $PY manage.py send_reminders
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
start .venv/bin/gunicorn ime_portal.wsgi:application --bind "${HOST}:${PORT}" --workers "${WEB_WORKERS:-3}" \
  --access-logfile -
# Serve until a service exits (or a signal arrives); then stop the others.
set +e
wait -n "${groups[@]}"
stop_all $?

#!/usr/bin/env bash
# make audit: a security audit of the portal on this machine. Not part of `make test` (it takes minutes).
#
#   1. `manage.py check --deploy` under production settings (IME_ENVIRONMENT=production, PostgreSQL,
#      a random SECRET_KEY, DEBUG off), failing on any warning.
#   2. Starts the portal with gunicorn on a free 127.0.0.1 port, over HTTPS with a throwaway self-signed
#      certificate and production transport security (HTTPS redirect, HSTS, Secure cookies), on a private
#      PostgreSQL database ($AUDIT_DATABASE_URL, dropped and rebuilt each run) with the demo data loaded.
#      Demo mode because production refuses demo data and the scanner needs pages to crawl; DEBUG stays off.
#   3. Signs in as the demo applicant through the real sign-in form and runs wapiti 3.2.x (its own
#      virtualenv, $AUDIT_VENV) against that portal only, with the session, the US-HCP gate cookie and a
#      fixed CSRF cookie, so forms are attacked rather than refused. /accounts/logout/ (would end the
#      session), /admin/ (staff area, behind 2FA), /static/ and the requests' delete/withdraw buttons
#      (would remove pages still to be attacked) are excluded; crawling ($AUDIT_SCAN_SECONDS) and each
#      attack module ($AUDIT_ATTACK_SECONDS) are time-bounded.
#   4. Writes var/audit/wapiti.json and var/audit/summary.txt, prints the findings by severity and how far
#      each module got, and exits non-zero on anything at medium or above, or if the session was lost.
# Every process it starts is stopped on exit, error, Ctrl-C or SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
OUT=var/audit
AUDIT_VENV="${AUDIT_VENV:-var/audit-venv}"
AUDIT_DATABASE_URL="${AUDIT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ime_portal_audit}"
SCAN_SECONDS="${AUDIT_SCAN_SECONDS:-180}"      # crawling budget
ATTACK_SECONDS="${AUDIT_ATTACK_SECONDS:-120}"  # budget of each attack module
# Wapiti's default set plus csrf, crlf and methods; without ssl (TLS is terminated by the production proxy,
# not by this throwaway certificate), ssrf/xxe/log4shell/nikto/wapp (they call hosts outside this machine).
MODULES="${AUDIT_MODULES:-cookieflags,csp,csrf,crlf,exec,file,http_headers,methods,permanentxss,redirect,sql,upload,xss}"

db_name="${AUDIT_DATABASE_URL##*/}"
case "$db_name" in
  *audit*) ;;
  *) echo "AUDIT_DATABASE_URL must name a database containing 'audit' (it is dropped and rebuilt)." >&2; exit 2 ;;
esac

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap cleanup EXIT
trap 'echo "audit interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

started=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/tls"

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# --- 1. Deploy check under production settings ----------------------------------------------------
echo "== manage.py check --deploy (production settings)"
env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
  IME_ENVIRONMENT=production DEBUG=0 \
  DATABASE_URL="$AUDIT_DATABASE_URL" CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
  SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  ALLOWED_HOSTS=grants.example.com IME_VAR_DIR="$(pwd)/$OUT/deploy-check" \
  $PY manage.py check --deploy --fail-level WARNING 2>&1 | tee "$OUT/check-deploy.txt"

# --- 2. The scanner, in its own virtualenv ---------------------------------------------------------
if [ ! -f "$AUDIT_VENV/.installed" ] || [ scripts/audit-requirements.txt -nt "$AUDIT_VENV/.installed" ]; then
  echo "== Installing wapiti into $AUDIT_VENV (first run only, about 2 minutes)"
  python3.11 -m venv "$AUDIT_VENV"
  "$AUDIT_VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/audit-requirements.txt
  touch "$AUDIT_VENV/.installed"
fi

# --- 3. The portal, on loopback, over HTTPS ------------------------------------------------------
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="https://127.0.0.1:${port}"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$OUT/tls/key.pem" -out "$OUT/tls/cert.pem" 2>/dev/null

export IME_ENVIRONMENT=demo IME_DEMO_DATA=1 DEBUG=0 HTTPS=1 IME_STAFF_2FA=1
export DATABASE_URL="$AUDIT_DATABASE_URL" IME_VAR_DIR="$(pwd)/$OUT/server" SITE_URL="$base"
export SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
export LOG_LEVEL=WARNING DJANGO_SETTINGS_MODULE=ime_portal.settings
# The inquiry form's per-address limit (5 an hour) would answer almost every attack on it with a 429.
export IME_INQUIRY_RATE=100000/h
unset CELERY_BROKER_URL CACHE_URL AWS_STORAGE_BUCKET_NAME EMAIL_URL  # tasks in-process, mail to files

echo "== Database $db_name: rebuilt, migrated, demo data loaded"
PGOPTIONS=--client-min-messages=warning psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$db_name\"" >/dev/null
$PY manage.py migrate --noinput >"$OUT/migrate.txt"
$PY manage.py seed_demo

echo "== Portal on $base"
.venv/bin/gunicorn ime_portal.wsgi:application --bind "127.0.0.1:${port}" --workers 2 --timeout 60 \
  --graceful-timeout 5 --certfile "$OUT/tls/cert.pem" --keyfile "$OUT/tls/key.pem" \
  --access-logfile "$OUT/access.log" >"$OUT/gunicorn.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -ksf -o /dev/null "$base/healthz" && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "gunicorn did not start; see $OUT/gunicorn.log" >&2; exit 1; }
  sleep 1
done

csrf=$($PY -c 'import secrets, string; print("".join(secrets.choice(string.ascii_letters) for _ in range(32)))')
session=$($PY scripts/audit_report.py signin --base "$base" --csrf "$csrf" --email applicant@example.com \
  --password "$($PY -c 'from portal.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)')" \
  --cookie-flags "$OUT/cookies-at-signin.json")
echo "   signed in as applicant@example.com"

# --- 4. The scan ---------------------------------------------------------------------------------
# The demo applicant has a request in every status, and requests in the same status show the same forms.
# To spend the time budget on different forms rather than the same one ten times, the scan keeps one
# request of each kind (a draft, one with information requested, one submitted, one decided) and skips
# the others' pages.
skipped_requests=()
for id in $($PY manage.py shell -c "
from grants.models import GrantRequest
kinds = {'draft': 'draft', 'information_requested': 'rfi', 'submitted': 'submitted',
         'approved': 'decided', 'partially_approved': 'decided', 'declined': 'decided'}
kept = set()
for pk, status in GrantRequest.objects.filter(organisation__memberships__user__email='applicant@example.com') \
        .order_by('pk').values_list('pk', 'status'):
    kind = kinds.get(status, 'other')
    if kind in kept:
        print(pk)
    kept.add(kind)
"); do skipped_requests+=(-x "$base/requests/$id/*"); done
echo "   one request of each kind: $(( ${#skipped_requests[@]} / 2 )) of the applicant's requests left out"

echo "== wapiti: crawl up to ${SCAN_SECONDS}s, then each of [$MODULES] up to ${ATTACK_SECONDS}s"
"$AUDIT_VENV/bin/wapiti" -u "$base/" --scope folder -m "$MODULES" \
  -C "ime_us_hcp=yes; csrftoken=${csrf}; sessionid=${session}" \
  -s "$base/requests/" -s "$base/organisation/" -s "$base/eligibility/" -s "$base/accounts/email/" \
  -x "$base/accounts/logout/" -x "$base/admin/*" -x "$base/static/*" \
  -x "$base/requests/*/delete/" -x "$base/requests/*/withdraw/" "${skipped_requests[@]}" \
  --skip csrfmiddlewaretoken --skip budget_uses \
  --max-scan-time "$SCAN_SECONDS" --max-attack-time "$ATTACK_SECONDS" --max-links-per-page 40 \
  -d 6 --tasks 4 -t 20 --verify-ssl 0 --no-bugreport -v 1 --dns-endpoint localhost \
  --store-session "$OUT/wapiti-session" --store-config "$OUT/wapiti-config" --flush-session \
  -f json -dr 1 -o "$OUT/wapiti.json" </dev/null >"$OUT/wapiti.log" 2>&1 &
pids+=($!)
if ! wait "${pids[-1]}"; then
  echo "wapiti failed; see $OUT/wapiti.log" >&2
  tail -20 "$OUT/wapiti.log" >&2
  exit 1
fi

session_ok=""
$PY scripts/audit_report.py session --base "$base" --csrf "$csrf" --session "$session" && session_ok=--session-ok
cleanup  # stop the portal before summarizing

echo "== Findings"
status=0
$PY scripts/audit_report.py summary --report "$OUT/wapiti.json" --base "$base" --output "$OUT/summary.txt" \
  --cookie-flags "$OUT/cookies-at-signin.json" --session-db "$(ls "$OUT"/wapiti-session/*.db)" \
  --wapiti-log "$OUT/wapiti.log" $session_ok || status=$?
echo "make audit took $(( $(date +%s) - started ))s; report in $OUT/ (wapiti.json, summary.txt, wapiti.log)"
exit "$status"

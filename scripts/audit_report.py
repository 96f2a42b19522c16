#!/usr/bin/env python
"""Helper for scripts/audit.sh (``make audit``); standard library only.

    audit_report.py signin  --base URL --csrf TOKEN --email E --password P   prints the session cookie
    audit_report.py session --base URL --csrf TOKEN --session VALUE          exit 0 if still signed in
    audit_report.py summary --report wapiti.json --base URL [--session-ok]   summary; exit 1 on medium+

The portal under audit runs on 127.0.0.1 with a throwaway self-signed certificate, so TLS
verification is off for these requests; nothing else is ever contacted.
"""

import argparse
import json
import re
import sqlite3
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

GATE_COOKIE = "ime_us_hcp=yes"
SIGNED_IN_MARK = "Signed in as"
# Wapiti's own levels (wapitiCore.language.vulnerability).
LEVELS = {4: "critical", 3: "high", 2: "medium", 1: "low", 0: "info"}
FAIL_AT = 2  # medium or above fails the audit


def _opener():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # our own throwaway certificate on 127.0.0.1

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    handlers = [urllib.request.HTTPSHandler(context=context), NoRedirect()]
    return urllib.request.build_opener(*handlers)


def _fetch(opener, url, cookie, data=None, referer=None):
    request = urllib.request.Request(url, data=data, headers={"Cookie": cookie})
    if referer:
        request.add_header("Referer", referer)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:  # 3xx (redirects are not followed) and 4xx/5xx
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def _require_loopback(base):
    host = urllib.parse.urlsplit(base).hostname
    if host != "127.0.0.1":
        raise SystemExit(f"Refusing to contact {host!r}: the audit only talks to 127.0.0.1.")


def signed_in(base, csrf, session):
    # The account's email page needs a signed-in user whatever the scan did to the organization.
    cookie = f"{GATE_COOKIE}; csrftoken={csrf}; sessionid={session}"
    status, _, body = _fetch(_opener(), f"{base}/accounts/email/", cookie)
    return status == 200 and SIGNED_IN_MARK in body


def cmd_signin(args):
    """Sign in through the real allauth form; print the session cookie and the flags it was set with."""
    _require_loopback(args.base)
    login_url = f"{args.base}/accounts/login/"
    cookie = f"{GATE_COOKIE}; csrftoken={args.csrf}"
    opener = _opener()
    status, _, _ = _fetch(opener, login_url, cookie)
    if status != 200:
        raise SystemExit(f"GET {login_url} answered {status}")
    # The bare 32-character CSRF secret is an accepted form token for that same cookie value.
    form = urllib.parse.urlencode({"login": args.email, "password": args.password, "csrfmiddlewaretoken": args.csrf})
    status, headers, _ = _fetch(opener, login_url, cookie, data=form.encode(), referer=login_url)
    session, flags = None, {}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        attributes = {part.strip().split("=")[0].lower() for part in rest.split(";")[1:]}
        flags[name] = sorted(a for a in attributes if a in {"secure", "httponly", "samesite"})
        if name == "sessionid":
            session = value
    if status != 302 or not session:
        raise SystemExit(f"Sign-in as {args.email} failed (status {status}): is the demo data loaded?")
    status, _, body = _fetch(opener, f"{args.base}/requests/", f"{cookie}; sessionid={session}")
    if status != 200 or SIGNED_IN_MARK not in body:
        raise SystemExit(f"Signed in, but /requests/ answered {status} without the applicant area.")
    Path(args.cookie_flags).write_text(json.dumps(flags, indent=2) + "\n")
    print(session)


def cmd_session(args):
    _require_loopback(args.base)
    return 0 if signed_in(args.base, args.csrf, args.session) else 1


def crawled_urls(report):
    pages = report.get("infos", {}).get("crawled_pages") or []
    urls = []
    for page in pages:
        request = page.get("request", page) if isinstance(page, dict) else {}
        urls.append((request.get("method", "GET"), request.get("url", "")))
    return urls


def summarize(report, base):
    """The lines of the summary and the number of findings at medium or above."""
    findings = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in report.get(section, {}).items():
            for item in items:
                findings.append((item.get("level", 0), category, item))
    by_level = Counter(level for level, _, _ in findings)
    urls = crawled_urls(report)
    paths = [urllib.parse.urlsplit(url).path for _, url in urls]
    forms = [(method, url) for method, url in urls if method == "POST"]
    infos = report.get("infos", {})
    lines = [
        f"{infos.get('version', 'Wapiti ?')} against {base} (scope: {infos.get('scope', '?')})",
        f"Crawled: {infos.get('crawled_pages_nbr', len(urls))} resources, {len(forms)} of them forms (POST); "
        f"{sum(p.startswith('/requests/') for p in paths)} under /requests/, "
        f"{sum(p.startswith('/organisation/') for p in paths)} under /organisation/, "
        f"{sum(p.startswith('/accounts/') for p in paths)} under /accounts/",
        "Findings by severity: " + ", ".join(f"{name} {by_level.get(level, 0)}" for level, name in LEVELS.items()),
    ]
    for level, category, item in sorted(findings, key=lambda f: -f[0]):
        where = f"{item.get('method', '')} {item.get('path', '')}".strip()
        parameter = f" [{item['parameter']}]" if item.get("parameter") else ""
        lines.append(f"  {LEVELS.get(level, level):<8} {category}: {where}{parameter} — {item.get('info', '')}")
    failing = sum(count for level, count in by_level.items() if level >= FAIL_AT)
    return lines, failing


def module_coverage(session_db, wapiti_log):
    """How far each attack module got: resources it went through, and whether its time ran out."""
    with sqlite3.connect(session_db) as connection:
        total = connection.execute("SELECT count(*) FROM paths WHERE evil = 0").fetchone()[0]
        done = connection.execute(
            "SELECT module, count(DISTINCT path_id) FROM attack_logs GROUP BY module ORDER BY module"
        ).fetchall()
    log = Path(wapiti_log).read_text(errors="replace") if wapiti_log else ""
    stopped = set(re.findall(r"Max attack time was reached for module (\w+)", log))
    parts = [f"{module} {count}/{total}" + (" (time limit)" if module in stopped else "") for module, count in done]
    return "Attack modules, resources gone through: " + ", ".join(parts)


def cmd_summary(args):
    report = json.loads(Path(args.report).read_text())
    lines, failing = summarize(report, args.base)
    if args.session_db:
        lines.insert(2, module_coverage(args.session_db, args.wapiti_log))
    if args.cookie_flags and Path(args.cookie_flags).exists():
        flags = json.loads(Path(args.cookie_flags).read_text())
        lines.insert(2, "Cookies set at sign-in: " + ", ".join(f"{k} ({', '.join(v)})" for k, v in flags.items()))
    lines.insert(2, "Signed in as the demo applicant: " + ("yes, still at the end" if args.session_ok else "LOST"))
    verdict = f"FAIL: {failing} finding(s) at medium or above" if failing else "PASS: nothing at medium or above"
    if not args.session_ok:
        verdict = "FAIL: the scan lost its applicant session, so the signed-in pages were not all scanned"
    lines.append(verdict)
    text = "\n".join(lines) + "\n"
    Path(args.output).write_text(text)
    sys.stdout.write(text)
    return 1 if failing or not args.session_ok else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    signin = sub.add_parser("signin")
    signin.add_argument("--base", required=True)
    signin.add_argument("--csrf", required=True)
    signin.add_argument("--email", required=True)
    signin.add_argument("--password", required=True)
    signin.add_argument("--cookie-flags", required=True, help="where to write the flags of the cookies set")
    session = sub.add_parser("session")
    session.add_argument("--base", required=True)
    session.add_argument("--csrf", required=True)
    session.add_argument("--session", required=True)
    summary = sub.add_parser("summary")
    summary.add_argument("--report", required=True)
    summary.add_argument("--base", required=True)
    summary.add_argument("--output", required=True)
    summary.add_argument("--cookie-flags")
    summary.add_argument("--session-db", help="wapiti's session database, for per-module coverage")
    summary.add_argument("--wapiti-log")
    summary.add_argument("--session-ok", action="store_true")
    args = parser.parse_args()
    handler = {"signin": cmd_signin, "session": cmd_session, "summary": cmd_summary}[args.command]
    sys.exit(handler(args) or 0)


if __name__ == "__main__":
    main()

"""`make audit` turns wapiti's report into a verdict: these pin how (the scan itself is not run here)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "scripts" / "audit_report.py"
BASE = "https://127.0.0.1:8443"


def finding(level, path="/requests/1/edit/content/", method="POST"):
    return {"method": method, "path": path, "info": "something found", "level": level, "parameter": "title"}


def wapiti_report(vulnerabilities=None, anomalies=None, crawled=()):
    return {
        "classifications": {},
        "vulnerabilities": vulnerabilities or {},
        "anomalies": anomalies or {},
        "additionals": {},
        "infos": {
            "version": "Wapiti 3.2.3",
            "scope": "folder",
            "crawled_pages_nbr": len(crawled),
            "crawled_pages": [{"request": {"method": m, "url": BASE + p}} for m, p in crawled],
        },
    }


def summarize(tmp_path, report, session_ok=True):
    report_file = tmp_path / "wapiti.json"
    report_file.write_text(json.dumps(report))
    output = tmp_path / "summary.txt"
    command = [sys.executable, str(HELPER), "summary", "--report", str(report_file), "--base", BASE]
    command += ["--output", str(output)] + (["--session-ok"] if session_ok else [])
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert output.read_text() == result.stdout
    return result


def test_audit_fails_on_a_medium_finding(tmp_path):
    result = summarize(tmp_path, wapiti_report({"Cross Site Scripting": [finding(2)]}))
    assert result.returncode == 1
    assert "medium 1" in result.stdout
    assert "medium   Cross Site Scripting: POST /requests/1/edit/content/ [title]" in result.stdout
    assert "FAIL: 1 finding(s) at medium or above" in result.stdout


def test_audit_fails_on_a_high_anomaly(tmp_path):
    result = summarize(tmp_path, wapiti_report(anomalies={"Internal Server Error": [finding(3)]}))
    assert result.returncode == 1
    assert "high 1" in result.stdout


def test_audit_passes_with_low_and_info_findings_only_and_lists_them(tmp_path):
    report = wapiti_report({"HttpOnly Flag cookie": [finding(1, "/", "GET")], "Fingerprint": [finding(0)]})
    result = summarize(tmp_path, report)
    assert result.returncode == 0, result.stdout
    assert "critical 0, high 0, medium 0, low 1, info 1" in result.stdout
    assert "low      HttpOnly Flag cookie: GET /" in result.stdout
    assert "PASS" in result.stdout


def test_audit_fails_when_the_scan_lost_its_applicant_session(tmp_path):
    result = summarize(tmp_path, wapiti_report(), session_ok=False)
    assert result.returncode == 1
    assert "lost its applicant session" in result.stdout


def test_summary_reports_what_was_crawled_signed_in(tmp_path):
    crawled = [("GET", "/"), ("GET", "/requests/"), ("GET", "/requests/3/"), ("POST", "/requests/3/messages/"),
               ("GET", "/organisation/")]  # fmt: skip
    result = summarize(tmp_path, wapiti_report(crawled=crawled))
    assert "Crawled: 5 resources, 1 of them forms (POST); 3 under /requests/, 1 under /organisation/" in result.stdout


def test_helper_talks_to_loopback_only(tmp_path):
    command = [sys.executable, str(HELPER), "session", "--base", "https://grants.example.com", "--csrf", "x" * 32,
               "--session", "abc"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "only talks to 127.0.0.1" in result.stderr


def test_audit_is_not_part_of_make_test():
    makefile = (ROOT / "Makefile").read_text()
    assert "audit: install\n\tbash scripts/audit.sh" in makefile
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "audit" not in test_recipe
    assert "audit" not in (ROOT / "scripts" / "test.sh").read_text()

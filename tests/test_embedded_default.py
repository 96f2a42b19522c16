"""`make run` on a machine with only Python: SQLite, in-process tasks and mail files under var/."""

import json
import re
import subprocess
import sys
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from .services import free_port, stop_session, wait_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def embedded_server(tmp_path, leaves_no_process):
    port = free_port()
    # Nothing configured: only what any shell has, plus where to keep var/ so the test leaves no trace.
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PORT": str(port),
        "IME_VAR_DIR": str(tmp_path / "var"),
        "WEB_WORKERS": "1",
        "STOP_TIMEOUT": "15",
    }
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return urllib.request.urlopen(base + "/healthz", timeout=2).status == 200
        except OSError:
            return False

    try:
        # The first start migrates a fresh SQLite database and seeds the whole demo (IME and research)
        # before it serves: a minute on an idle 2-core machine, several when other test workers share it.
        assert wait_for(up, timeout=240, interval=0.5), (tmp_path / "server.log").read_text()[-3000:]
        yield base, tmp_path
    finally:
        left = stop_session(process, timeout=45)
        log.close()
        log_tail = (tmp_path / "server.log").read_text()[-3000:]
        assert left == [], f"still running after run.sh stopped: {left}\n{log_tail}"


def test_embedded_default_serves_the_portal_with_no_configuration(embedded_server):
    base, tmp_path = embedded_server
    health = json.loads(urllib.request.urlopen(base + "/healthz").read())
    assert health["checks"]["database"]["detail"] == "sqlite"
    assert health["checks"]["broker"]["detail"].startswith("embedded")
    assert (tmp_path / "var" / "ime_portal.sqlite3").exists()

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    gate = opener.open(base + "/").read().decode()
    assert "intended for US healthcare professionals only" in gate
    token = gate.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    body = f"csrfmiddlewaretoken={token}&next=/&choice=confirm".encode()
    home = opener.open(urllib.request.Request(base + "/hcp-confirmation/", data=body, headers={"Referer": base}))
    assert home.status == 200
    assert "<h1" in home.read().decode()

    log = (tmp_path / "server.log").read_text()
    assert "admin@example.com" in log, "the demo logins are printed"
    assert "Collecting static files" in log

    # Static files the production way: the pages link hashed names, served compressed and cached for a year.
    stylesheet = re.search(r'href="(/static/css/bootstrap\.portal\.min\.[0-9a-f]{12}\.css)"', gate).group(1)
    asset = opener.open(urllib.request.Request(base + stylesheet, headers={"Accept-Encoding": "br"}))
    assert asset.headers["Content-Encoding"] == "br"
    assert "immutable" in asset.headers["Cache-Control"] and "max-age=315360000" in asset.headers["Cache-Control"]

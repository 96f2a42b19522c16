"""Static files as `make run` and production serve them (hashed, compressed, cached for a year), the
favicon, the trimmed Bootstrap CSS and the scripts a page loads."""

import gzip
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
HASHED_CSS = re.compile(r'href="(/static/css/bootstrap\.portal\.min\.[0-9a-f]{12}\.css)"')
YEAR = "max-age=315360000"

_spec = importlib.util.spec_from_file_location("build_css", ROOT / "scripts" / "build_css.py")
build_css = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_css)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """collectstatic into a temporary STATIC_ROOT with the storage `make run` uses (the admin's files
    left out: no page here needs them, and compressing them would only slow the test)."""
    root = tmp_path_factory.mktemp("static")
    storages = {**django_settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
    return root, storages


@pytest.fixture
def production_static(collected, settings):
    root, storages = collected
    settings.STATIC_ROOT, settings.STORAGES, settings.WHITENOISE_USE_FINDERS = root, storages, False
    visitor = Client()  # a new client loads the middleware, so whitenoise reads the collected files
    visitor.cookies["ime_us_hcp"] = "yes"
    return visitor


@pytest.mark.django_db
def test_pages_link_hashed_names_served_with_a_year_of_immutable_caching(production_static):
    page = production_static.get("/").content.decode()
    stylesheet = HASHED_CSS.search(page).group(1)
    script = re.search(r'<script src="(/static/js/nav\.[0-9a-f]{12}\.js)" defer>', page).group(1)

    for url in (stylesheet, script):
        response = production_static.get(url)
        assert response.status_code == 200, url
        assert YEAR in response["Cache-Control"] and "immutable" in response["Cache-Control"], url


@pytest.mark.django_db
@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_a_compressed_copy_is_served_to_a_browser_that_asks(production_static, encoding, decompress):
    stylesheet = HASHED_CSS.search(production_static.get("/").content.decode()).group(1)
    plain = production_static.get(stylesheet)

    compressed = production_static.get(stylesheet, HTTP_ACCEPT_ENCODING=f"{encoding}, identity")

    assert plain.get("Content-Encoding") is None
    assert compressed["Content-Encoding"] == encoding
    assert "Accept-Encoding" in compressed["Vary"]
    body, plain_body = body_of(compressed), body_of(plain)
    assert plain_body.startswith(b'@charset "UTF-8";')
    assert len(body) < len(plain_body) / 4
    assert decompress(body) == plain_body


@pytest.mark.django_db
def test_unhashed_names_are_not_cached_for_long(production_static):
    response = production_static.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


def test_favicon_is_an_icon_cached_for_a_day_without_the_gate(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert response["Cache-Control"] == "public, max-age=86400"
    assert body_of(response).startswith(b"\x00\x00\x01\x00")


@pytest.mark.django_db
def test_pages_load_the_trimmed_bootstrap_and_no_render_blocking_script(gated_client):
    page = gated_client.get("/").content.decode()

    assert '<link rel="stylesheet" href="/static/css/bootstrap.portal.min.css">' in page
    assert "bootstrap.min.css" not in page and "bootstrap.bundle" not in page
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all(re.search(r"\bsrc=", tag) and re.search(r"\b(defer|async)\b", tag) for tag in scripts)


def test_the_committed_bootstrap_css_is_what_the_build_makes_from_the_current_templates():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_css.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_build_keeps_rules_whose_classes_are_used_and_drops_the_others():
    source = (
        "/*! banner */:root{--x:1}body{margin:0}.btn{a:1}.btn-lg{b:2}.modal{c:3}"
        ".btn:not(.modal){d:4}.btn .modal{e:5}[data-bs-theme=dark]{f:6}"
        "@media (min-width:768px){.btn{g:7}.modal{h:8}}@media print{.modal{i:9}}"
        ".spin{animation:spin 1s}@keyframes spin{to{transform:rotate(1turn)}}@keyframes gone{to{opacity:0}}"
        ".alert-info{j:10}"
    )
    css = build_css.build(source, words={"btn", "spin"}, prefixes={"alert-"})

    for kept in (":root{--x:1}", "body{margin:0}", ".btn{a:1}", ".btn:not(.modal){d:4}",
                 "@media (min-width:768px){.btn{g:7}}", ".spin{animation:spin 1s}", "@keyframes spin",
                 ".alert-info{j:10}", "/*! banner */"):  # fmt: skip
        assert kept in css, kept
    for dropped in (".btn-lg", ".modal{", ".btn .modal", "data-bs-theme", "@media print", "@keyframes gone"):
        assert dropped not in css, dropped


def test_every_class_in_the_project_templates_is_known_to_the_build():
    """The build reads the project's templates: a class written in one keeps its Bootstrap rule."""
    words, _ = build_css.used_words(build_css.markup_sources())
    for name in ("navbar-toggler", "visually-hidden-focusable", "min-vh-100", "is-invalid", "form-select"):
        assert name in words, name
    css = (ROOT / "static" / "css" / "bootstrap.portal.min.css").read_text()
    for rule in (".navbar-toggler{", ".visually-hidden-focusable:not(:focus)", ".min-vh-100{", ".is-invalid"):
        assert rule in css, rule
    assert ".modal{" not in css and ".carousel" not in css and ".tooltip" not in css

"""Cached HTML for the public content pages.

Every visitor who has passed the US-HCP gate and is not signed in sees the same home page, FAQ,
how-to-apply page, etc., so the rendered page is kept in the cache for ``IME_PUBLIC_PAGE_CACHE_SECONDS``.
A page is served from, or stored in, the cache only when nothing about it belongs to the visitor:
signed-in users (their account bar), visitors with a pending message ("You have signed out") and
anything but GET/HEAD always get a fresh render. Middleware still runs on a cached page, so the
security headers (CSP, HSTS, ...) are the same as on a fresh one.

Two tiers: the shared cache (Redis in production), so a page is rendered once for all workers, and a
copy in each process's memory, which spares every hit a round trip and unpickling the page — that is
what keeps a cached page nearly as cheap as a bare response (SPEC §7). A page changes only with a
deploy, which restarts the processes and changes ``deploy_key()``, so a process's copy cannot go stale;
in development a template edit or a settings override forgets both the key and the copies.

These pages are the only HTML the portal compresses (brotli or gzip, as the browser asks, compressed
once when the page is stored). Compressing a page that holds a secret (a CSRF token, a signed-in
person's data) next to text the visitor controls would open it to BREACH-style attacks, which read the
secret from the compressed size; a shareable page holds neither, by the rules that let it be shared.
README, "Compression and BREACH".
"""

import functools
import gzip
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import brotli
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.autoreload import file_changed
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

CACHEABLE_METHODS = ("GET", "HEAD")
# The settings the portal context processor puts into every page (portal/context_processors.py).
SETTINGS_IN_PAGES = (
    "IME_INQUIRY_MAILBOX", "IME_MIN_LEAD_DAYS", "IME_RECONCILIATION_DAYS", "IIS_FULL_PROPOSAL_DAYS",
    "IIS_MAX_OVERHEAD_PCT", "IIS_SAFETY_REPORTING_CONTACT", "IME_TRANSPARENCY_REPORT", "STATIC_URL",
)  # fmt: skip
# Preferred first: brotli is about a fifth smaller than gzip on these pages.
ENCODINGS = ("br", "gzip")


@dataclass(frozen=True)
class Page:
    """A shareable rendered page, with its body in each encoding a browser may ask for."""

    content: bytes
    content_type: str
    encoded: dict[str, bytes]

    @classmethod
    def of(cls, content: bytes, content_type: str) -> "Page":
        return cls(content, content_type, {
            "br": brotli.compress(content, mode=brotli.MODE_TEXT, quality=11),
            "gzip": gzip.compress(content, compresslevel=9, mtime=0),
        })  # fmt: skip

    def response_for(self, request) -> HttpResponse:
        encoding = preferred_encoding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        response = HttpResponse(self.encoded[encoding] if encoding else self.content, content_type=self.content_type)
        if encoding:
            response["Content-Encoding"] = encoding
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


def preferred_encoding(accept_encoding: str) -> str:
    """The first of ENCODINGS the Accept-Encoding header accepts (q above 0), or "" for none."""
    accepted = set()
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        quality = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
        try:
            if float(quality) > 0:
                accepted.add(coding.strip().lower())
        except ValueError:
            continue
    return next((encoding for encoding in ENCODINGS if encoding in accepted), "")


# This process's copies: key -> (monotonic expiry, page). A handful of pages; the bound only guards
# against an unexpected stream of distinct paths.
_copies: dict[str, tuple[float, Page]] = {}
MAX_COPIES = 64


@functools.cache
def deploy_key() -> str:
    """Changes whenever a deploy could change a page: a template, a setting shown on the pages or the
    static files manifest (hashed asset names). Computed once per process; identical on every worker
    and host running the same code, so they share one cache entry per page."""
    digest = hashlib.sha256()
    for name in SETTINGS_IN_PAGES:
        digest.update(f"{name}={getattr(settings, name, '')!r}\n".encode())
    for template_dir in _project_template_dirs():
        for path in sorted(template_dir.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(template_dir)).encode() + b"\0" + path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def _project_template_dirs() -> list[Path]:
    return [Path(directory) for engine in settings.TEMPLATES for directory in engine.get("DIRS", [])]


def public_page_key(name: str, path: str) -> str:
    # The path is part of the key because the navigation marks the current page by it.
    path_digest = hashlib.sha256(path.encode()).hexdigest()[:16]
    return f"ime:public-page:v2:{deploy_key()}:{name}:{path_digest}"


def _has_pending_messages(request) -> bool:
    """Whether a django.contrib.messages message waits for this visitor. len() loads the messages
    without marking them read, so they are still shown by the fresh render that follows."""
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _may_use_cache(request) -> bool:
    return (
        settings.IME_PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method in CACHEABLE_METHODS
        and not request.user.is_authenticated
        and not _has_pending_messages(request)
    )


def _is_shareable(request, response) -> bool:
    """A fresh render that set a cookie or used a CSRF token holds something of this visitor's."""
    return response.status_code == 200 and not response.cookies and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def _keep_copy(key: str, page: Page) -> None:
    if len(_copies) >= MAX_COPIES:
        _copies.clear()
    _copies[key] = (time.monotonic() + settings.IME_PUBLIC_PAGE_CACHE_SECONDS, page)


def render_public_page(
    request, name: str, template_name: str, context: Callable[[], dict] | None = None
) -> HttpResponse:
    """The public page ``name``: from the cache when it may be shared, otherwise rendered (and stored
    for the next anonymous visitor). If the shared cache is unreachable the page is simply rendered.
    ``context`` is a function returning the template's context, called only when the page is rendered
    (a hit costs nothing to build it); it must not depend on the visitor: every anonymous one sees it."""
    if not _may_use_cache(request):
        return render(request, template_name, context() if context else None)
    key = public_page_key(name, request.path)
    copy = _copies.get(key)
    if copy is not None and copy[0] > time.monotonic():
        return copy[1].response_for(request)
    try:
        cached = cache.get(key)
    except Exception:  # a cache outage must not take the public site down
        logger.warning("Public page cache unavailable; rendering %s fresh", name, exc_info=True)
        cached = None
    if isinstance(cached, Page):
        _keep_copy(key, cached)
        return cached.response_for(request)
    response = render(request, template_name, context() if context else None)
    if not _is_shareable(request, response):
        return response
    page = Page.of(response.content, response["Content-Type"])
    _keep_copy(key, page)
    try:
        cache.set(key, page, settings.IME_PUBLIC_PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("Could not store %s in the public page cache", name, exc_info=True)
    return page.response_for(request)


def forget_public_pages() -> None:
    """Drop this process's copies and recompute the deploy key (shared entries under the old key
    are then never read again and expire on their own)."""
    _copies.clear()
    deploy_key.cache_clear()


@receiver(setting_changed)
def _forget_on_settings_change(**kwargs):
    forget_public_pages()


@receiver(file_changed)
def _forget_on_file_change(sender, file_path, **kwargs):
    # runserver reloads templates without restarting; returning None lets it carry on as usual.
    if file_path.suffix != ".py":
        forget_public_pages()

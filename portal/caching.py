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
"""

import functools
import hashlib
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.autoreload import file_changed

logger = logging.getLogger(__name__)

CACHEABLE_METHODS = ("GET", "HEAD")
# The settings the portal context processor puts into every page (portal/context_processors.py).
SETTINGS_IN_PAGES = (
    "IME_INQUIRY_MAILBOX", "IME_MIN_LEAD_DAYS", "IME_RECONCILIATION_DAYS", "IIS_FULL_PROPOSAL_DAYS",
    "IIS_MAX_OVERHEAD_PCT", "IIS_SAFETY_REPORTING_CONTACT", "IME_TRANSPARENCY_REPORT", "STATIC_URL",
)  # fmt: skip
# This process's copies: key -> (monotonic expiry, content, content type). A handful of pages; the
# bound only guards against an unexpected stream of distinct paths.
_copies: dict[str, tuple[float, bytes, str]] = {}
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
    return f"ime:public-page:{deploy_key()}:{name}:{path_digest}"


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


def _keep_copy(key: str, content: bytes, content_type: str) -> None:
    if len(_copies) >= MAX_COPIES:
        _copies.clear()
    _copies[key] = (time.monotonic() + settings.IME_PUBLIC_PAGE_CACHE_SECONDS, content, content_type)


def render_public_page(request, name: str, template_name: str) -> HttpResponse:
    """The public page ``name``: from the cache when it may be shared, otherwise rendered (and stored
    for the next anonymous visitor). If the shared cache is unreachable the page is simply rendered."""
    if not _may_use_cache(request):
        return render(request, template_name)
    key = public_page_key(name, request.path)
    copy = _copies.get(key)
    if copy is not None and copy[0] > time.monotonic():
        return HttpResponse(copy[1], content_type=copy[2])
    try:
        cached = cache.get(key)
    except Exception:  # a cache outage must not take the public site down
        logger.warning("Public page cache unavailable; rendering %s fresh", name, exc_info=True)
        cached = None
    if cached is not None:
        _keep_copy(key, *cached)
        return HttpResponse(cached[0], content_type=cached[1])
    response = render(request, template_name)
    if _is_shareable(request, response):
        page = (response.content, response["Content-Type"])
        _keep_copy(key, *page)
        try:
            cache.set(key, page, settings.IME_PUBLIC_PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("Could not store %s in the public page cache", name, exc_info=True)
    return response


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

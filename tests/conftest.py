import os

import pytest
import redis
from django.conf import settings

from .factories import GrantRequestFactory, OrganisationFactory, StaffFactory, UserFactory, applicant

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _redis_db_moved_down(url: str, by: int) -> str:
    base, _, db = url.rpartition("/")
    return f"{base}/{(int(db) - by) % 16}"  # Redis has databases 0–15: low ones wrap around to the top


def pytest_configure(config):
    """Parallel workers (pytest-xdist) each get Redis databases of their own, as pytest-django gives
    each its own test database: every test flushes the cache and the broker queue, and must not flush
    another worker's. Worker gwN uses the configured databases moved down by 2N (13/14, then 11/12…)."""
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    shift = 2 * int(worker.removeprefix("gw"))
    if not shift:
        return
    cache = settings.CACHES["default"]
    if cache["LOCATION"].startswith("redis://"):
        cache["LOCATION"] = _redis_db_moved_down(cache["LOCATION"], shift)
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        settings.CELERY_BROKER_URL = _redis_db_moved_down(settings.CELERY_BROKER_URL, shift)


@pytest.fixture(autouse=True)
def _isolated_cache_and_broker():
    """Each test starts with an empty cache (rate limits) and an empty broker queue, and no memory of
    a broker that was down in an earlier test."""
    from django.core.cache import cache

    from outbox.services import forget_broker_failure

    cache.clear()
    forget_broker_failure()
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    yield


@pytest.fixture(autouse=True)
def _staff_2fa_off_unless_a_test_turns_it_on(settings):
    # Staff tests sign in with force_login; tests/test_staff_2fa.py switches the second factor on itself.
    settings.IME_STAFF_2FA = False


@pytest.fixture(autouse=True)
def _fresh_public_page_copies():
    """Public pages kept in this process's memory (portal.caching) start afresh with each test too."""
    from portal.caching import forget_public_pages

    forget_public_pages()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; the tests create thousands of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def leaves_no_process():
    """For tests that start servers, workers, beats or brokers: none of them may outlive the test."""
    from .services import descendants, kill_all

    before = {pid for pid, _ in descendants(os.getpid())}
    yield
    left = [process for process in descendants(os.getpid()) if process[0] not in before]
    kill_all(left)
    assert left == [], f"processes left running after the test: {left}"


@pytest.fixture
def gated_client(client):
    """A test client that has already confirmed the US-HCP gate."""
    client.cookies["ime_us_hcp"] = "yes"
    return client


@pytest.fixture
def applicant_user(db):
    return applicant()


@pytest.fixture
def applicant_client(gated_client, applicant_user):
    gated_client.force_login(applicant_user)
    gated_client.user = applicant_user
    return gated_client


@pytest.fixture
def other_applicant_client(db, django_user_model):
    """A second organisation's member, for checking one organisation never sees another's data."""
    from django.test import Client

    user = applicant()
    other = Client()
    other.cookies["ime_us_hcp"] = "yes"
    other.force_login(user)
    other.user = user
    return other


@pytest.fixture
def draft_request(applicant_user):
    return GrantRequestFactory(organisation=applicant_user.membership.organisation, created_by=applicant_user)


@pytest.fixture
def staff_user(db):
    return StaffFactory(is_superuser=True)


# --- Browser tests: Playwright driving Debian's Chromium --------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture
def gated_page(page, live_server):
    """A Playwright page whose browser has confirmed the US-HCP gate for the live server."""
    page.context.add_cookies([{"name": "ime_us_hcp", "value": "yes", "url": live_server.url}])
    page.set_default_timeout(10_000)
    return page


def assert_accessible(page, context=""):
    """Run axe-core on the current page; fail listing each WCAG violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]}}
    )
    violations = results.response["violations"]
    summary = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )
    assert not violations, f"axe-core found accessibility violations on {context or page.url}:\n{summary}"


__all__ = ["OrganisationFactory", "UserFactory", "assert_accessible", "applicant"]


def sign_in_as(page, live_server, user):
    """Give the browser ``user``'s session (staff and applicants alike), past the US-HCP gate; for
    journeys whose subject is not the sign-in form itself."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user.pk))
    page.context.clear_cookies()
    page.context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
        {"name": "ime_us_hcp", "value": "yes", "url": live_server.url},
    ])  # fmt: skip

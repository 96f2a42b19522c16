"""Rate limits and lockouts count each visitor, not the proxy in front of the portal (IME_TRUSTED_PROXY_COUNT)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from .factories import PASSWORD, UserFactory
from .test_inquiry import VALID

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
VISITOR = "198.51.100.7"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.IME_INQUIRY_RATE = "2/h"
    settings.AXES_FAILURE_LIMIT = 3


def behind_proxies(settings, count):
    # settings.py derives allauth's setting from IME_TRUSTED_PROXY_COUNT; an override must set both.
    settings.IME_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = count


def visitor() -> Client:
    browser = Client()
    browser.cookies["ime_us_hcp"] = "yes"
    return browser


def send_inquiry(browser, *, remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return browser.post("/contact/", VALID, REMOTE_ADDR=remote, **extra)


def sign_in(browser, email, password, *, remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return browser.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=remote, **extra)


# --- Reached directly (the default): X-Forwarded-For is whatever the visitor wrote -------------


def test_without_a_proxy_a_made_up_forwarded_for_does_not_escape_the_inquiry_limit():
    browser = visitor()
    for n in (1, 2):
        assert send_inquiry(browser, remote=VISITOR, forwarded=f"203.0.113.{n}").status_code == 302

    response = send_inquiry(browser, remote=VISITOR, forwarded="203.0.113.3")

    assert response.status_code == 429


def test_without_a_proxy_a_made_up_forwarded_for_does_not_escape_the_lockout():
    user = UserFactory()
    browser = visitor()
    for n in (1, 2):
        sign_in(browser, user.email, "wrong-password-here", remote=VISITOR, forwarded=f"203.0.113.{n}")

    locked = sign_in(browser, user.email, "wrong-password-here", remote=VISITOR, forwarded="203.0.113.3")

    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {VISITOR}


# --- Behind one proxy: the visitor is the address the proxy appended ---------------------------


def test_behind_a_proxy_two_visitors_have_separate_inquiry_limits(settings):
    behind_proxies(settings, 1)
    first, second = visitor(), visitor()
    for _ in range(2):
        assert send_inquiry(first, remote=PROXY, forwarded="203.0.113.5").status_code == 302

    assert send_inquiry(first, remote=PROXY, forwarded="203.0.113.5").status_code == 429
    # Writing another address in front of the one the proxy appends does not help...
    assert send_inquiry(first, remote=PROXY, forwarded="192.0.2.99, 203.0.113.5").status_code == 429
    # ...and the next visitor behind the same proxy is not refused with them.
    assert send_inquiry(second, remote=PROXY, forwarded="203.0.113.6").status_code == 302


def test_behind_a_proxy_a_stranger_cannot_lock_someone_else_out(settings):
    behind_proxies(settings, 1)
    victim = UserFactory()
    stranger = visitor()
    for _ in range(3):
        locked = sign_in(stranger, victim.email, "wrong-password-here", remote=PROXY, forwarded="203.0.113.66")
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"

    owner = visitor()
    sign_in(owner, victim.email, PASSWORD, remote=PROXY, forwarded="203.0.113.5")

    assert owner.session.get("_auth_user_id") == str(victim.pk)


def test_a_request_that_skipped_a_trusted_proxy_is_counted_against_its_own_address(settings):
    behind_proxies(settings, 2)
    browser = visitor()
    for _ in range(2):
        # One address where two proxies would have written two: not from our proxies; no error page.
        assert send_inquiry(browser, remote=VISITOR, forwarded="203.0.113.5").status_code == 302

    assert send_inquiry(browser, remote=VISITOR, forwarded="203.0.113.77").status_code == 429

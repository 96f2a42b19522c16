"""In the browser: a staff member sets up an authenticator at first sign-in, then enters a code the next time."""

import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from workflow.roles import Role

from .conftest import assert_accessible
from .factories import PASSWORD, staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from_secret(secret: str, steps_ahead: int = 0) -> str:
    """What the staff member's phone would show for the key read off the setup page."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + steps_ahead * totp.step
    return f"{totp.token():06d}"


def sign_in_with_password(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_staff_sets_up_an_authenticator_then_enters_a_code_at_the_next_sign_in(page, live_server, settings):
    settings.IME_STAFF_2FA = True
    coordinator = staff_with_role(Role.COORDINATOR)
    page.set_default_timeout(10_000)

    sign_in_with_password(page, live_server, coordinator)
    page.wait_for_url("**/admin/2fa/setup/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-factor sign-in"
    assert page.get_by_role("img", name="QR code to add Axsome IME Grants to an authenticator app").is_visible()
    assert_accessible(page, "two-factor setup")
    secret = page.locator("#two-factor-secret").inner_text()

    page.get_by_label("6-digit code").fill("12345")
    page.get_by_role("button", name="Confirm and continue").click()
    assert "Enter the 6 digits" in page.locator(".errorlist").inner_text()
    assert_accessible(page, "two-factor setup with an error")

    page.get_by_label("6-digit code").fill(code_from_secret(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url("**/admin/2fa/recovery-codes/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Your new recovery codes"
    recovery_codes = page.get_by_role("list", name="Recovery codes").locator("li").all_inner_texts()
    assert len(recovery_codes) == 10
    assert_accessible(page, "new recovery codes")
    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert page.get_by_role("heading", level=1).inner_text() == "Grant administration"
    assert page.locator("#user-tools").get_by_text("Two-factor: on").is_visible()

    sign_in_with_password(page, live_server, coordinator)
    page.wait_for_url("**/admin/2fa/verify/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your sign-in code"
    assert page.locator("#two-factor-secret").count() == 0
    assert_accessible(page, "two-factor code")

    page.goto(live_server.url + reverse("admin:grants_grantrequest_changelist"))
    page.wait_for_url("**/admin/2fa/verify/?next=%2Fadmin%2Fgrants%2Fgrantrequest%2F")
    # The code used at setup cannot be replayed; the next one the phone shows is accepted.
    page.get_by_label("6-digit code").fill(code_from_secret(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify and continue").click()
    page.wait_for_url(live_server.url + reverse("admin:grants_grantrequest_changelist"))
    assert page.get_by_role("heading", level=1).inner_text() == "Select grant request to view"


def test_staff_who_lost_their_phone_signs_in_with_a_recovery_code(page, live_server, settings):
    settings.IME_STAFF_2FA = True
    coordinator = staff_with_role(Role.COORDINATOR)
    page.set_default_timeout(10_000)
    sign_in_with_password(page, live_server, coordinator)
    page.wait_for_url("**/admin/2fa/setup/**")
    page.get_by_label("6-digit code").fill(code_from_secret(page.locator("#two-factor-secret").inner_text()))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url("**/admin/2fa/recovery-codes/**")
    saved = page.get_by_role("list", name="Recovery codes").locator("li").all_inner_texts()

    sign_in_with_password(page, live_server, coordinator)
    page.wait_for_url("**/admin/2fa/verify/**")
    page.get_by_label("Recovery code").fill(saved[0].upper())
    page.get_by_role("button", name="Sign in with a recovery code").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert "9 of them remain unused" in page.locator(".messagelist").inner_text()
    assert_accessible(page, "admin after a recovery code")

    sign_in_with_password(page, live_server, coordinator)
    page.wait_for_url("**/admin/2fa/verify/**")
    page.get_by_label("Recovery code").fill(saved[0])
    page.get_by_role("button", name="Sign in with a recovery code").click()
    assert "already used" in page.locator(".errorlist").inner_text()
    assert_accessible(page, "two-factor code with a used recovery code")

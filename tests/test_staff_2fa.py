"""Staff two-factor sign-in: a staff session reaches the admin only after a code from an authenticator app."""

import time
from base64 import b32decode
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from workflow.roles import Role

from .factories import StaffFactory, staff_with_role

pytestmark = pytest.mark.django_db
ADMIN = reverse("admin:index")
QUEUE = reverse("admin:grants_grantrequest_changelist")
SETUP = reverse("staff_2fa:setup")
VERIFY = reverse("staff_2fa:verify")
RECOVERY = reverse("staff_2fa:recovery_codes")


@pytest.fixture(autouse=True)
def staff_2fa_on(settings):
    settings.IME_STAFF_2FA = True


@pytest.fixture
def staff(db):
    return staff_with_role(Role.COORDINATOR)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def code_for(device, steps_ahead=0):
    """The code the staff member's app shows now (or ``steps_ahead`` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device):
    right = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in right)


def errors(response):
    return response.content.decode()


def with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}"


def set_up_authenticator(client, user):
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    client.post(SETUP, {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    return device


def forget_recent_failures(device):
    """As if the delay django-otp imposes after wrong codes has passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=5))


# --- Sent to the code page --------------------------------------------------------------------


@pytest.mark.parametrize("path", [ADMIN, QUEUE, QUEUE + "?status=awaiting_staff"])
def test_staff_without_authenticator_is_sent_from_admin_pages_to_setup(staff_client, path):
    response = staff_client.get(path)

    assert response.status_code == 302
    assert response["Location"] == with_next(SETUP, path)


def test_superuser_is_also_asked_for_a_code(client, staff_user):
    client.force_login(staff_user)

    assert client.get(ADMIN)["Location"] == with_next(SETUP, ADMIN)


def test_unverified_superuser_cannot_delete_anything_through_the_admin(client, staff_user):
    colleague = StaffFactory()
    client.force_login(staff_user)

    response = client.post(reverse("admin:auth_user_delete", args=[colleague.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert type(colleague).objects.filter(pk=colleague.pk).exists()


def test_unverified_staff_can_still_sign_out(staff_client):
    response = staff_client.post(reverse("admin:logout"))

    assert response.status_code == 200
    assert "_auth_user_id" not in staff_client.session


def test_two_factor_start_page_sends_staff_to_the_right_step(staff_client, staff):
    start = reverse("staff_2fa:start")
    assert staff_client.get(start)["Location"] == with_next(SETUP, ADMIN)

    set_up_authenticator(staff_client, staff)
    assert staff_client.get(start)["Location"] == ADMIN


# --- First sign-in: setting up the authenticator ----------------------------------------------


def test_setup_page_shows_the_secret_the_setup_link_and_a_qr_code(staff_client, staff):
    response = staff_client.get(with_next(SETUP, QUEUE))

    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    page = response.content.decode()
    secret = response.context["secret"]
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert all(len(group) == 4 for group in secret.split())
    assert secret in page
    assert "otpauth://totp/Axsome%20IME%20Grants%3A" in page
    assert f"secret={secret.replace(' ', '')}" in page
    assert '<svg role="img" aria-label="QR code to add Axsome IME Grants to an authenticator app"' in page
    assert "style=" not in page
    assert page.count("<h1") == 1
    assert response["Cache-Control"].startswith("max-age=0")


def test_reloading_setup_keeps_the_same_secret(staff_client, staff):
    first = staff_client.get(SETUP).context["secret"]
    second = staff_client.get(SETUP).context["secret"]

    assert first == second
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_setup_refuses_a_wrong_code_and_says_why(staff_client, staff):
    staff_client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = staff_client.post(SETUP, {"code": wrong_code_for(device), "next": QUEUE})

    assert response.status_code == 200
    assert "That code is not right" in errors(response)
    assert 'aria-invalid="true"' in errors(response)
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert staff_client.get(ADMIN)["Location"].startswith(SETUP)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app."),
        ("12ab56", "Enter the 6 digits your authenticator app shows, numbers only."),
        ("12345", "Enter the 6 digits your authenticator app shows, numbers only."),
    ],
)
def test_setup_refuses_something_that_is_not_a_six_digit_code(staff_client, staff, typed, message):
    staff_client.get(SETUP)

    response = staff_client.post(SETUP, {"code": typed})

    assert message in errors(response)
    assert not TOTPDevice.objects.get(user=staff).confirmed


def test_right_code_confirms_the_authenticator_and_opens_the_admin(staff_client, staff):
    staff_client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    session_before = staff_client.session.session_key

    response = staff_client.post(SETUP, {"code": code_for(device), "next": QUEUE})

    assert response.status_code == 302
    # The recovery codes come first, once; their page leads on to where the staff member was going.
    assert response["Location"] == with_next(RECOVERY, QUEUE)
    device.refresh_from_db()
    assert device.confirmed
    assert staff_client.session.session_key != session_before
    assert staff_client.get(ADMIN).status_code == 200
    assert staff_client.get(QUEUE).status_code == 200


def test_code_typed_with_a_space_is_accepted(staff_client, staff):
    staff_client.get(SETUP)
    code = code_for(TOTPDevice.objects.get(user=staff))

    response = staff_client.post(SETUP, {"code": f"{code[:3]} {code[3:]}"})

    assert response["Location"] == with_next(RECOVERY, ADMIN)


def test_next_address_on_another_site_is_ignored(staff_client, staff):
    staff_client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = staff_client.post(SETUP, {"code": code_for(device), "next": "https://evil.example/admin/"})

    assert response["Location"] == with_next(RECOVERY, ADMIN)


def test_right_code_after_wrong_ones_must_wait_and_says_how_long(staff_client, staff):
    staff_client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    for _ in range(3):
        staff_client.post(SETUP, {"code": wrong_code_for(device)})

    refused = staff_client.post(SETUP, {"code": code_for(device)})

    assert "Too many wrong codes in a row. Wait" in errors(refused)
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    forget_recent_failures(device)
    accepted = staff_client.post(SETUP, {"code": code_for(device)})

    assert accepted["Location"] == with_next(RECOVERY, ADMIN)
    device.refresh_from_db()
    assert device.confirmed
    assert device.throttling_failure_count == 0


def test_long_wait_after_many_wrong_codes_is_given_in_minutes(staff_client, staff):
    staff_client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    # django-otp doubles the wait after each wrong code: after 12 it is 2,048 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=12, throttling_failure_timestamp=timezone.now()
    )

    response = staff_client.post(SETUP, {"code": code_for(device)})

    assert "Too many wrong codes in a row. Wait 34\xa0minutes, then enter the code" in errors(response)
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed


def test_code_post_without_csrf_token_is_refused(staff):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    browser.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)

    response = browser.post(SETUP, {"code": code_for(device)})

    assert response.status_code == 403
    device.refresh_from_db()
    assert not device.confirmed
    assert browser.get(ADMIN)["Location"].startswith(SETUP)


# --- Later sign-ins: the code only ------------------------------------------------------------


def test_another_session_of_the_same_staff_member_must_enter_a_code(staff_client, staff):
    device = set_up_authenticator(staff_client, staff)
    second = Client()
    second.force_login(staff)

    assert second.get(QUEUE)["Location"] == with_next(VERIFY, QUEUE)
    page = second.get(with_next(VERIFY, QUEUE))
    assert page.status_code == 200
    assert "Enter your sign-in code" in page.content.decode()
    assert "otpauth://" not in page.content.decode()

    response = second.post(VERIFY, {"code": code_for(device, steps_ahead=1), "next": QUEUE})

    assert response["Location"] == QUEUE
    assert second.get(QUEUE).status_code == 200


def test_staff_with_an_authenticator_cannot_set_up_another_one(staff_client, staff):
    set_up_authenticator(staff_client, staff)
    second = Client()
    second.force_login(staff)

    response = second.get(SETUP)

    assert response["Location"] == with_next(VERIFY, ADMIN)
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_verify_refuses_a_wrong_code(staff_client, staff):
    device = set_up_authenticator(staff_client, staff)
    second = Client()
    second.force_login(staff)

    response = second.post(VERIFY, {"code": wrong_code_for(device)})

    assert response.status_code == 200
    assert "That code is not right" in errors(response)
    assert second.get(ADMIN)["Location"].startswith(VERIFY)


def test_a_code_already_used_is_not_accepted_again(staff_client, staff):
    staff_client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    code = code_for(device)
    staff_client.post(SETUP, {"code": code})
    second = Client()
    second.force_login(staff)

    response = second.post(VERIFY, {"code": code})

    assert "That code is not right, or it has expired or was already used" in errors(response)
    assert second.get(ADMIN)["Location"].startswith(VERIFY)


def test_verify_page_sends_staff_without_authenticator_to_setup(staff_client):
    assert staff_client.get(VERIFY)["Location"] == with_next(SETUP, ADMIN)


# --- Who is not affected ----------------------------------------------------------------------


def test_with_the_setting_off_staff_reach_the_admin_without_a_code(staff_client, settings):
    settings.IME_STAFF_2FA = False

    assert staff_client.get(ADMIN).status_code == 200
    assert staff_client.get(QUEUE).status_code == 200


def test_applicant_is_never_sent_to_the_code_pages(applicant_client):
    assert applicant_client.get(reverse("grants:request_list")).status_code == 200
    admin_response = applicant_client.get(ADMIN)
    assert admin_response["Location"].startswith(reverse("admin:login"))

    setup_response = applicant_client.get(SETUP)

    assert setup_response["Location"].startswith(reverse("admin:login"))
    assert not TOTPDevice.objects.exists()


def test_signed_out_visitor_on_the_code_pages_is_sent_to_sign_in(client):
    for url in (SETUP, VERIFY):
        assert client.get(url)["Location"].startswith(reverse("admin:login"))


def test_admin_sign_in_page_stays_reachable(client):
    assert client.get(reverse("admin:login")).status_code == 200

"""Staff sign-in, continued: recovery codes for a lost phone, the two-factor marker, and the idle sign-out."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from portal.two_factor.idle import LAST_SEEN_KEY
from workflow.roles import Role

from .factories import staff_with_role
from .test_staff_2fa import ADMIN, QUEUE, RECOVERY, SETUP, VERIFY, code_for, set_up_authenticator, with_next

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")


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


@pytest.fixture
def saved_codes(staff_client, staff):
    """The recovery codes a staff member wrote down at setup (shown on the page after it)."""
    set_up_authenticator(staff_client, staff)
    return staff_client.get(RECOVERY).context["codes"]


def password_only_session(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def page(response) -> str:
    return response.content.decode()


# --- Recovery codes ----------------------------------------------------------------------------


def test_setup_shows_ten_recovery_codes_once_then_leads_on(staff_client, staff):
    staff_client.get(SETUP)
    device = staff.totpdevice_set.get()
    assert staff_client.post(SETUP, {"code": code_for(device), "next": QUEUE})["Location"] == with_next(RECOVERY, QUEUE)

    shown = staff_client.get(with_next(RECOVERY, QUEUE))

    codes = shown.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    html = page(shown)
    assert all(f"<code>{code}</code>" in html for code in codes)
    assert f'href="{QUEUE}"' in html
    assert "style=" not in html
    assert shown["Cache-Control"].startswith("max-age=0")

    again = page(staff_client.get(RECOVERY))
    assert not any(code in again for code in codes)
    assert "10 unused recovery codes" in again


def test_recovery_code_signs_in_instead_of_an_authenticator_code(staff, saved_codes):
    browser = password_only_session(staff)

    response = browser.post(VERIFY, {"recovery_code": saved_codes[0], "next": QUEUE})

    assert response["Location"] == QUEUE
    queue = browser.get(QUEUE)
    assert queue.status_code == 200
    assert "You signed in with a recovery code; 9 of them remain unused" in page(queue)


@pytest.mark.parametrize("typed", ["{code}", "{upper}", "{half} {rest}", "{half}-{rest}"])
def test_recovery_code_is_accepted_as_people_copy_it(staff, saved_codes, typed):
    code = saved_codes[3]
    written = typed.format(code=code, upper=code.upper(), half=code[:4], rest=code[4:])

    response = password_only_session(staff).post(VERIFY, {"recovery_code": written})

    assert response["Location"] == ADMIN


def test_each_recovery_code_works_only_once(staff, saved_codes):
    password_only_session(staff).post(VERIFY, {"recovery_code": saved_codes[0]})
    second = password_only_session(staff)

    response = second.post(VERIFY, {"recovery_code": saved_codes[0]})

    assert response.status_code == 200
    assert "That recovery code is not right, or it was already used" in page(response)
    assert second.get(ADMIN)["Location"].startswith(VERIFY)
    assert StaticToken.objects.filter(device__user=staff).count() == 9


def test_wrong_recovery_code_is_refused_and_counted(staff, saved_codes):
    browser = password_only_session(staff)

    response = browser.post(VERIFY, {"recovery_code": "aaaaaaaa"})

    assert "That recovery code is not right" in page(response)
    assert staff.staticdevice_set.get().throttling_failure_count == 1
    assert browser.get(ADMIN)["Location"].startswith(VERIFY)
    assert StaticToken.objects.filter(device__user=staff).count() == 10


def test_recovery_code_of_another_staff_member_is_refused(staff, saved_codes):
    colleague = staff_with_role(Role.COORDINATOR)
    set_up_authenticator(password_only_session(colleague), colleague)
    browser = password_only_session(colleague)

    response = browser.post(VERIFY, {"recovery_code": saved_codes[0]})

    assert "That recovery code is not right" in page(response)
    assert browser.get(ADMIN)["Location"].startswith(VERIFY)


def test_verify_page_offers_the_recovery_code_form(staff, saved_codes):
    html = page(password_only_session(staff).get(VERIFY))

    assert 'name="recovery_code"' in html
    assert "Sign in with a recovery code" in html


def test_making_new_recovery_codes_replaces_the_old_ones(staff_client, staff, saved_codes):
    made = staff_client.post(RECOVERY, {"next": QUEUE})
    assert made["Location"] == with_next(RECOVERY, QUEUE)
    new_codes = staff_client.get(made["Location"]).context["codes"]

    assert len(new_codes) == 10 and not set(new_codes) & set(saved_codes)
    assert password_only_session(staff).post(VERIFY, {"recovery_code": new_codes[1]})["Location"] == ADMIN
    old = password_only_session(staff).post(VERIFY, {"recovery_code": saved_codes[1]})
    assert "That recovery code is not right" in page(old)


def test_password_alone_cannot_see_or_make_recovery_codes(staff, saved_codes):
    browser = password_only_session(staff)

    for response in (browser.get(RECOVERY), browser.post(RECOVERY)):
        assert response.status_code == 302
        assert response["Location"] == with_next(VERIFY, RECOVERY)
    assert sorted(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)) == sorted(saved_codes)


def test_applicant_cannot_reach_the_recovery_codes_page(applicant_client):
    assert applicant_client.get(RECOVERY)["Location"].startswith(LOGIN)
    assert not StaticToken.objects.exists()


# --- The two-factor marker in the admin header --------------------------------------------------


def test_admin_header_says_two_factor_is_on_for_a_verified_session(staff_client, saved_codes):
    html = page(staff_client.get(ADMIN))

    assert '<span class="two-factor-status two-factor-on">Two-factor: on</span>' in html
    assert f'href="{RECOVERY}"' in html
    assert "style=" not in html


def test_admin_header_says_two_factor_is_off_where_it_is_not_required(staff_client, settings):
    settings.IME_STAFF_2FA = False

    html = page(staff_client.get(ADMIN))

    assert "Two-factor: off" in html
    assert "Two-factor: on" not in html


def test_code_page_header_says_a_code_is_needed_not_that_two_factor_is_off(staff, saved_codes):
    html = page(password_only_session(staff).get(VERIFY))

    assert "Two-factor: code needed" in html
    assert "Two-factor: off" not in html and "Two-factor: on" not in html


# --- Idle staff sessions --------------------------------------------------------------------------


def idle_for(browser, minutes):
    """As if the staff member's last request was ``minutes`` ago."""
    session = browser.session
    session[LAST_SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_staff_idle_longer_than_the_limit_is_signed_out_on_the_next_request(staff_client, saved_codes):
    assert staff_client.get(QUEUE).status_code == 200
    idle_for(staff_client, 31)

    response = staff_client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"] == with_next(LOGIN, QUEUE)
    assert "_auth_user_id" not in staff_client.session
    login_page = page(staff_client.get(response["Location"]))
    assert "You were signed out after 30 minutes without activity" in login_page
    assert staff_client.get(QUEUE)["Location"].startswith(LOGIN)


def test_staff_back_within_the_limit_stays_signed_in(staff_client, saved_codes):
    idle_for(staff_client, 29)

    assert staff_client.get(QUEUE).status_code == 200
    assert "_auth_user_id" in staff_client.session
    assert staff_client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_staff_idle_limit_follows_the_setting(staff_client, saved_codes, settings):
    settings.IME_STAFF_IDLE_MINUTES = 5
    idle_for(staff_client, 6)

    response = staff_client.get(QUEUE)

    assert response["Location"] == with_next(LOGIN, QUEUE)


def test_idle_staff_on_a_public_page_is_signed_out_and_sees_it_signed_out(staff_client, staff):
    staff_client.cookies["ime_us_hcp"] = "yes"
    staff_client.get("/")
    idle_for(staff_client, 45)

    response = staff_client.get("/faq/")

    assert response["Location"] == "/faq/"
    assert "_auth_user_id" not in staff_client.session


def test_applicants_are_not_signed_out_for_being_idle(applicant_client):
    idle_for(applicant_client, 600)

    assert applicant_client.get(reverse("grants:request_list")).status_code == 200
    assert "_auth_user_id" in applicant_client.session

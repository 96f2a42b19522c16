"""Accounts: sign-up with a verified email, sign-in, reset, change, throttling — as an applicant sees them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from outbox.models import Email

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Neurology-Grants-2026!"
NEW_EMAIL = "dana.whitfield@neuro-education.example.org"


def _link_in(email: Email, path_fragment: str) -> str:
    """The path of the first link in the plain-text body that contains ``path_fragment``."""
    match = re.search(rf"https?://[^/\s]+(\S*?{re.escape(path_fragment)}\S*)", email.body_text)
    assert match, f"no link containing {path_fragment!r} in:\n{email.body_text}"
    return match.group(1)


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def _sign_up(client, email=NEW_EMAIL, password=STRONG_PASSWORD, **extra):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password, **extra})


def _h1_count(response) -> int:
    return response.content.decode().count("<h1")


# --- Sign-up and verification ----------------------------------------------------------------


def test_sign_up_creates_an_unverified_account_and_queues_a_verification_email(gated_client):
    response = _sign_up(gated_client)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email=NEW_EMAIL)
    assert EmailAddress.objects.get(user=user).verified is False
    assert _signed_in_user_id(gated_client) is None
    email = Email.objects.get(template="email_confirmation_signup")
    assert email.to == [NEW_EMAIL]
    assert email.subject == "[Axsome IME Grants] Confirm your email address to finish signing up"
    assert "/accounts/confirm-email/" in email.body_text
    assert "Confirm my email address" in email.body_html
    assert _link_in(email, "/accounts/confirm-email/") in email.body_html


def test_link_in_the_verification_email_verifies_the_address_and_signs_in(gated_client):
    _sign_up(gated_client)
    link = _link_in(Email.objects.get(template="email_confirmation_signup"), "/accounts/confirm-email/")

    page = gated_client.get(link)
    assert page.status_code == 200
    assert "Confirm my email address" in page.content.decode()
    assert NEW_EMAIL in page.content.decode()
    response = gated_client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email=NEW_EMAIL).verified is True
    assert _signed_in_user_id(gated_client) == str(get_user_model().objects.get(email=NEW_EMAIL).pk)
    assert response["Location"] == "/requests/"


def test_a_used_or_mistyped_verification_link_explains_what_to_do(gated_client):
    response = gated_client.get("/accounts/confirm-email/not-a-real-key/")
    page = response.content.decode()
    assert "This confirmation link has expired or is not valid" in page
    assert 'href="/accounts/login/"' in page


def test_sign_in_is_refused_until_the_email_is_verified(gated_client):
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)

    response = gated_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert _signed_in_user_id(gated_client) is None
    assert Email.objects.filter(template="email_confirmation", to=[user.email]).exists()


def test_verified_user_signs_in_and_lands_on_my_requests(gated_client):
    user = UserFactory()
    response = gated_client.post("/accounts/login/", {"login": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/requests/"
    assert _signed_in_user_id(gated_client) == str(user.pk)


def test_wrong_password_says_so_and_keeps_the_email(gated_client):
    user = UserFactory()
    response = gated_client.post("/accounts/login/", {"login": user.email, "password": "not-the-password"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in page
    assert f'value="{user.email}"' in page
    assert _signed_in_user_id(gated_client) is None


# --- Passwords ---------------------------------------------------------------------------------


def test_sign_up_form_shows_the_password_rules(gated_client):
    page = gated_client.get("/accounts/signup/").content.decode()
    assert "Your password must contain at least 12 characters." in page
    assert "Your password can’t be entirely numeric." in page
    assert 'aria-describedby="id_password1_helptext"' in page


def test_weak_password_is_refused_with_the_reason_shown(gated_client):
    response = _sign_up(gated_client, password="short123")
    page = response.content.decode()

    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in page
    assert 'href="#id_password1"' in page  # the error summary points at the field
    assert f'value="{NEW_EMAIL}"' in page  # what was typed is kept
    assert not get_user_model().objects.filter(email=NEW_EMAIL).exists()
    assert not Email.objects.exists()


def test_common_password_is_refused(gated_client):
    response = _sign_up(gated_client, password="password1234")
    assert "This password is too common." in response.content.decode()
    assert not get_user_model().objects.filter(email=NEW_EMAIL).exists()


def test_password_reset_email_goes_through_the_outbox_and_the_link_sets_a_new_password(gated_client):
    user = UserFactory()

    response = gated_client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    email = Email.objects.get(template="password_reset_key")
    assert email.to == [user.email]
    assert email.body_html and "Choose a new password" in email.body_html

    link = _link_in(email, "/accounts/password/reset/key/")
    form_page = gated_client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = gated_client.post(set_password_url, {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/key/done/"

    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    signed_in = gated_client.post("/accounts/login/", {"login": user.email, "password": STRONG_PASSWORD})
    assert _signed_in_user_id(gated_client) == str(user.pk), signed_in.content.decode()[:500]


def test_reset_link_used_twice_is_refused(gated_client):
    user = UserFactory()
    gated_client.post("/accounts/password/reset/", {"email": user.email})
    link = _link_in(Email.objects.get(template="password_reset_key"), "/accounts/password/reset/key/")
    form_page = gated_client.get(link, follow=True)
    gated_client.post(form_page.redirect_chain[-1][0], {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})

    again = gated_client.get(link, follow=True)
    assert "This reset link is not valid" in again.content.decode()


def test_reset_for_an_unknown_address_reveals_nothing_on_the_page(gated_client):
    response = gated_client.post("/accounts/password/reset/", {"email": "nobody@nowhere.example.org"})
    assert response["Location"] == "/accounts/password/reset/done/"
    email = Email.objects.get(template="unknown_account")
    assert "there is no account with this address" in email.body_text
    assert email.body_html


def test_signed_in_user_changes_password_and_weak_ones_are_refused(applicant_client):
    weak = applicant_client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": "abc", "password2": "abc"}
    )
    assert "This password is too short" in weak.content.decode()

    response = applicant_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    assert response.status_code == 302
    applicant_client.user.refresh_from_db()
    assert applicant_client.user.check_password(STRONG_PASSWORD)


def test_changing_email_sends_a_confirmation_to_the_new_address(applicant_client):
    response = applicant_client.post(
        "/accounts/email/", {"email": "new.address@provider.example.org", "action_add": ""}
    )
    assert response.status_code == 302
    email = Email.objects.get(template="email_confirmation")
    assert email.to == ["new.address@provider.example.org"]
    page = applicant_client.get("/accounts/email/").content.decode()
    assert "new.address@provider.example.org" in page
    assert "Waiting for confirmation" in page
    assert 'name="action_remove"' in page


# --- Throttling ----------------------------------------------------------------------------------


def test_repeated_failed_sign_ins_are_throttled_with_a_clear_message(gated_client):
    user = UserFactory()
    for _ in range(5):
        gated_client.post("/accounts/login/", {"login": user.email, "password": "wrong-password-here"})

    response = gated_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert _signed_in_user_id(gated_client) is None


def test_lockout_after_repeated_failures_shows_the_lockout_page(gated_client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    responses = [
        gated_client.post("/accounts/login/", {"login": user.email, "password": "wrong-password-here"})
        for _ in range(3)
    ]

    assert responses[0].status_code == 200
    locked = responses[-1]
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused after too many attempts" in page
    assert "Please wait 15 minutes before trying again." in page
    assert 'href="/accounts/password/reset/"' in page
    # Even the right password is refused while locked out...
    gated_client.post("/accounts/login/", {"login": user.email.upper(), "password": PASSWORD})
    assert _signed_in_user_id(gated_client) is None
    # ...but a colleague signing in from the same network is not locked out with them.
    colleague = UserFactory()
    gated_client.post("/accounts/login/", {"login": colleague.email, "password": PASSWORD})
    assert _signed_in_user_id(gated_client) == str(colleague.pk)


# --- Pages and navigation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/",
    ],
)
def test_signed_out_account_pages_use_the_portal_layout(gated_client, path):
    response = gated_client.get(path)
    page = response.content.decode()
    assert response.status_code == 200
    assert _h1_count(response) == 1
    assert "site-header" in page and "site-footer" in page
    assert "css/accounts.css" in page
    assert "style=" not in page
    assert "<script>" not in page


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/"])
def test_signed_in_account_pages_use_the_portal_layout(applicant_client, path):
    response = applicant_client.get(path)
    page = response.content.decode()
    assert response.status_code == 200
    assert _h1_count(response) == 1
    assert "site-header" in page
    assert "style=" not in page
    assert "<script>" not in page


def test_navigation_offers_sign_in_and_create_account_when_signed_out(gated_client):
    page = gated_client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/login/"' in page and ">Sign in</a>" in page
    assert 'href="/accounts/signup/"' in page and ">Create account</a>" in page
    assert "My requests" not in page


def test_navigation_offers_requests_organisation_account_and_sign_out_when_signed_in(applicant_client):
    page = applicant_client.get("/accounts/email/").content.decode()
    assert '<a href="/requests/">My requests</a>' in page
    assert 'href="/organisation/"' in page
    assert 'href="/accounts/email/" aria-current="page">Account</a>' in page
    assert re.search(
        r'<form method="post" action="/accounts/logout/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )
    assert ">Create account<" not in page


def test_sign_out_button_signs_out(applicant_client):
    response = applicant_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert _signed_in_user_id(applicant_client) is None

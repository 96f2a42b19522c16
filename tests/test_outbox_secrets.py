"""No staff screen shows a secret: reset, verification and invitation links are sealed in the outbox.

The attack: a grants coordinator (who may read the outbox) asks for a password reset for an
administrator's account, then reads the link in the outbox and takes the account over.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from grants.services.organisations import invite_member
from outbox import services
from outbox.models import Email
from outbox.secrets import HIDDEN_LINK
from workflow.roles import Role

from .factories import StaffFactory, applicant, staff_with_role

pytestmark = pytest.mark.django_db
OUTBOX = reverse("admin:outbox_email_changelist")
RESET_PATH = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s\"<]+)")


def change_page(email):
    return reverse("admin:outbox_email_change", args=[email.pk])


@pytest.fixture
def administrator():
    return StaffFactory(is_superuser=True, email="ada.admin@axsome.example.com")


@pytest.fixture
def coordinator_client():
    client = Client()
    client.force_login(staff_with_role(Role.COORDINATOR))
    return client


def ask_for_a_reset(email_address) -> tuple[Email, str]:
    """Anyone can ask for a reset of any address; returns the outbox row and the key part of its link."""
    visitor = Client()
    visitor.cookies["ime_us_hcp"] = "yes"
    assert visitor.post(reverse("account_reset_password"), {"email": email_address}).status_code == 302
    email = Email.objects.get(template="password_reset_key", to=[email_address])
    link_path = RESET_PATH.search(email.body_text).group(1)
    return email, link_path


def secret_parts(link_path) -> list[str]:
    """The link's path and the key in it (uidb36-key), each of which alone must never be shown."""
    token = link_path.rstrip("/").rsplit("/", 1)[-1]
    return [link_path, token, token.split("-", 1)[1]]


def shows_any(response, parts) -> list[str]:
    page = response.content.decode()
    return [part for part in parts if part in page]


def test_coordinator_cannot_read_an_administrators_reset_link_in_the_outbox(coordinator_client, administrator):
    email, link_path = ask_for_a_reset(administrator.email)
    parts = secret_parts(link_path)
    assert email.status == Email.Status.QUEUED and email.carries_secret

    listing = coordinator_client.get(OUTBOX)
    page = coordinator_client.get(change_page(email))

    assert listing.status_code == 200 and administrator.email in listing.content.decode()
    assert page.status_code == 200
    assert not shows_any(listing, parts)
    assert not shows_any(page, parts)
    assert "Not shown: this email carries a one-time link" in page.content.decode()


def test_outbox_search_cannot_probe_for_a_reset_key(coordinator_client, administrator):
    email, link_path = ask_for_a_reset(administrator.email)
    token = secret_parts(link_path)[1]

    for probe in [*secret_parts(link_path), token[:8], "password/reset/key"]:
        response = coordinator_client.get(OUTBOX, {"q": probe})
        assert response.status_code == 200
        # (The search box repeats what was typed, so only the results matter.)
        assert change_page(email) not in response.content.decode(), f"search for {probe!r} found the email"
    # The search does work on what staff may see.
    assert change_page(email) in coordinator_client.get(OUTBOX, {"q": administrator.email}).content.decode()


def test_filters_and_other_admin_views_of_the_email_do_not_show_the_link(coordinator_client, administrator):
    email, link_path = ask_for_a_reset(administrator.email)
    parts = secret_parts(link_path)

    for url, params in [
        (OUTBOX, {"template__exact": "password_reset_key"}),
        (OUTBOX, {"status__exact": "queued", "carries_secret__exact": "1"}),
        (reverse("admin:outbox_email_history", args=[email.pk]), {}),
    ]:
        response = coordinator_client.get(url, params)
        assert response.status_code == 200
        assert not shows_any(response, parts), url


def test_the_sealed_reset_email_is_still_delivered_and_its_body_erased_once_sent(
    settings, coordinator_client, administrator
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email, link_path = ask_for_a_reset(administrator.email)

    assert services.deliver(email.pk) == Email.Status.SENT

    assert link_path in mail.outbox[0].body  # the administrator got a working link
    email.refresh_from_db()
    assert email.body_text == "" and email.body_html == ""
    assert not Email.objects.filter(body_text__contains=secret_parts(link_path)[1]).exists()
    page = coordinator_client.get(change_page(email)).content.decode()
    assert "Erased once sent" in page


def test_an_erased_email_cannot_be_resent_empty(settings, coordinator_client, administrator):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email, _ = ask_for_a_reset(administrator.email)
    services.deliver(email.pk)

    response = coordinator_client.post(
        OUTBOX, {"action": "resend_selected", "_selected_action": [email.pk]}, follow=True
    )

    assert "0 email(s) queued again." in response.content.decode()
    assert "cannot be sent again: ask the person to request a new link" in response.content.decode()
    email.refresh_from_db()
    assert email.status == Email.Status.SENT


def test_a_reset_that_fails_for_good_is_erased_too(settings, administrator):
    email, link_path = ask_for_a_reset(administrator.email)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    settings.OUTBOX_MAX_ATTEMPTS = 1

    assert services.deliver(email.pk) == Email.Status.FAILED

    email.refresh_from_db()
    assert email.body_erased
    assert secret_parts(link_path)[1] not in email.last_error


def test_verification_link_of_a_new_applicant_is_sealed(coordinator_client):
    visitor = Client()
    visitor.cookies["ime_us_hcp"] = "yes"
    visitor.post(
        reverse("account_signup"),
        {
            "email": "new.applicant@provider.example.org",
            "password1": "Quiet-Lantern-Rivers-88",
            "password2": "Quiet-Lantern-Rivers-88",
        },
    )
    email = Email.objects.get(to=["new.applicant@provider.example.org"])
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", email.body_text).group(1)

    page = coordinator_client.get(change_page(email))

    assert email.carries_secret
    assert key not in page.content.decode()


def test_invitation_link_is_recognised_as_a_secret_and_sealed(coordinator_client):
    owner = applicant()
    invitation = invite_member(
        organisation=owner.membership.organisation, email="colleague@provider.example.org", invited_by=owner
    )
    email = Email.objects.get(template="organisation_invitation")

    page = coordinator_client.get(change_page(email)).content.decode()

    assert invitation.token in email.body_text  # stored for sending...
    assert email.carries_secret
    assert invitation.token not in page  # ...but never shown


def test_a_secret_link_in_mail_stored_before_sealing_is_masked(coordinator_client, administrator):
    email, link_path = ask_for_a_reset(administrator.email)
    Email.objects.filter(pk=email.pk).update(carries_secret=False)  # as rows written before this change

    page = coordinator_client.get(change_page(email)).content.decode()

    assert not [part for part in secret_parts(link_path) if part in page]
    assert HIDDEN_LINK in page


def test_ordinary_notifications_stay_readable(coordinator_client):
    email = services.store_email(
        "inquiry_acknowledgement",
        "someone@example.org",
        "We received your inquiry",
        "Thank you.\nSee http://testserver/apply/",
    )

    page = coordinator_client.get(change_page(email)).content.decode()

    assert not email.carries_secret
    assert "Thank you.<br>See http://testserver/apply/" in page

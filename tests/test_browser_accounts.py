"""Journey in Chromium: sign up, verify the email from the outbox, register the organisation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from grants.models import Membership
from outbox.models import Email

from .conftest import assert_accessible
from .factories import TINY_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "jordan.lee@neuro-education.example.org"
PASSWORD = "Neurology-Grants-2026!"
PDF_BYTES = TINY_PDF


def _newest_verification_link() -> str:
    email = Email.objects.order_by("-created_at").first()
    assert email is not None and email.to == [EMAIL]
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", email.body_text)
    assert match, email.body_text
    return match.group(0)


def test_sign_up_verify_and_register_the_organisation_in_chromium(gated_page, live_server, tmp_path, settings):
    settings.SITE_URL = live_server.url  # where the emailed links point
    page = gated_page
    page.goto(live_server.url + "/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert_accessible(page, "sign-in page")

    page.goto(live_server.url + "/accounts/signup/")
    assert page.get_by_role("heading", level=1).inner_text() == "Create an account"
    assert_accessible(page, "sign-up page")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(live_server.url + "/accounts/confirm-email/")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"

    page.goto(_newest_verification_link())
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").is_visible()

    page.goto(live_server.url + "/organisation/")
    page.wait_for_url(live_server.url + "/organisation/new/")
    assert page.get_by_role("heading", level=1).inner_text() == "Register your organization"
    assert_accessible(page, "organization registration page")

    page.get_by_label("Legal name").fill("Lakeside Neuroscience Education Foundation")
    page.locator("#id_org_type").select_option("accredited_provider")
    page.locator("#id_tax_status").select_option("non_profit")
    page.get_by_label("EIN (US tax ID)").fill("27-1234567")
    page.get_by_label("Street address").fill("40 Lakeside Way")
    page.get_by_label("City").fill("Madison")
    page.locator("#id_state").select_option("WI")
    page.get_by_label("ZIP code").fill("53703")
    page.locator("#id_accreditation_body").select_option("accme")
    page.locator("#id_accreditation_id").fill("ACCME-5521")
    page.locator("#id_accreditation_expiry").fill((timezone.localdate() + timedelta(days=400)).isoformat())
    w9 = tmp_path / "Lakeside W-9.pdf"
    w9.write_bytes(PDF_BYTES)
    page.locator("#id_w9_file").set_input_files(str(w9))
    page.get_by_label("Date the W-9 was signed").fill((timezone.localdate() - timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Register organization").click()

    page.wait_for_url(live_server.url + "/organisation/")
    assert page.get_by_role("heading", level=1).inner_text() == "Lakeside Neuroscience Education Foundation"
    assert page.get_by_text("Download Lakeside W-9.pdf").is_visible()
    assert_accessible(page, "organization page")
    membership = Membership.objects.select_related("organisation").get(user__email=EMAIL)
    assert membership.role == Membership.Role.OWNER
    assert membership.organisation.state == "WI"


def test_owner_pages_are_accessible_in_chromium(gated_page, live_server):
    from grants.models import Invitation

    from .factories import PASSWORD as FACTORY_PASSWORD
    from .factories import applicant

    owner = applicant()
    organisation = owner.membership.organisation
    member = applicant(organisation=organisation, role=Membership.Role.MEMBER)
    Invitation.objects.create(organisation=organisation, email="pending@example.org", invited_by=owner)
    page = gated_page

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.locator("#id_password").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()

    page.goto(live_server.url + "/organisation/")
    assert page.get_by_text("pending@example.org", exact=True).is_visible()
    assert_accessible(page, "organization page with members and invitations")
    page.get_by_label("Email address of the person to invite").fill("not-an-email")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Enter a valid email address").first.is_visible()
    assert_accessible(page, "invitation form with an error")

    page.goto(live_server.url + f"/organisation/members/{member.membership.pk}/remove/")
    assert_accessible(page, "remove member confirmation")
    page.goto(live_server.url + "/organisation/edit/")
    assert_accessible(page, "edit organization")
    page.goto(live_server.url + "/accounts/email/")
    assert_accessible(page, "account email page")
    page.goto(live_server.url + "/accounts/password/change/")
    assert_accessible(page, "password change page")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    page.goto(live_server.url + "/accounts/password/reset/")
    assert_accessible(page, "password reset page")

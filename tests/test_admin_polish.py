"""Small things staff meet in the admin: what pages link to, what screen readers hear, how dates and
names read, and the buttons' names."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from grants.services.organisations import invitation_problem, invite_member
from grants.status import GrantStatus
from outbox.models import Email
from portal.models import Inquiry
from reviews.services import assign_reviewer
from workflow.roles import Role

from .factories import PASSWORD, UserFactory, applicant, staff_with_role, submitted_grant_request
from .workflow_steps import request_forced_to

pytestmark = pytest.mark.django_db


request_in = request_forced_to  # a page read at a status, with no history before it


def page_url(grant_request):
    return reverse("admin:grants_grantrequest_change", args=[grant_request.pk])


def test_a_saved_version_names_the_applicant_without_linking_to_accounts_staff_cannot_open(client):
    grant_request = request_in(GrantStatus.SCREENING)
    client.force_login(staff_with_role(Role.MEDICAL))
    version = grant_request.history.order_by("history_date").first()
    url = reverse("admin:grants_grantrequest_simple_history", args=[grant_request.pk, version.history_id])

    page = client.get(url).content.decode()

    assert "/admin/auth/user/" not in page
    assert grant_request.created_by.get_full_name() in page


def test_each_status_box_in_the_inquiry_list_says_whose_status_it_is(client):
    Inquiry.objects.create(name="Jordan Lee", email="jl@example.org", subject="Spring deadline", message="When?")
    client.force_login(staff_with_role(Role.COORDINATOR))

    page = client.get(reverse("admin:portal_inquiry_changelist")).content.decode()

    assert 'aria-label="Status of “Spring deadline”"' in page


def test_a_success_message_is_announced_politely_and_a_refusal_at_once(client):
    grant_request = request_in(GrantStatus.SCREENING)
    declined = request_in(GrantStatus.DECLINED)
    client.force_login(staff_with_role(Role.COORDINATOR))

    sent = client.post(
        reverse("admin:grants_grantrequest_message", args=[grant_request.pk]), {"body": "Hello"}, follow=True
    ).content.decode()
    refused = client.post(
        reverse("admin:grants_grantrequest_action", args=[declined.pk, "send_to_medical_review"]),
        {"expected_status": GrantStatus.DECLINED, "note": "x"},
        follow=True,
    ).content.decode()

    assert '<span role="status">Message sent; the applicant has been emailed.</span>' in sent
    assert re.search(r'<li class="error"><span role="alert">[^<]*not possible while the request is declined', refused)


def test_staff_sign_in_to_the_admin_with_their_email_which_the_form_asks_for(client):
    staff = staff_with_role(Role.COORDINATOR, username="ccoordinator7", email="casey@axsome.example.com")

    form = client.get(reverse("admin:login")).content.decode()
    wrong = client.post(reverse("admin:login"), {"username": "casey@axsome.example.com", "password": "nope"})
    signed_in = client.post(
        reverse("admin:login"), {"username": "casey@axsome.example.com", "password": PASSWORD, "next": "/admin/"}
    )

    assert '<label for="id_username" class="required">Email:</label>' in form
    assert 'type="email" name="username" autocomplete="email"' in form
    assert "Username" not in form
    assert "Enter the email address and password of a staff account" in wrong.content.decode()
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert client.get("/admin/").context["user"] == staff


def test_the_two_assign_buttons_say_whom_they_assign(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    client.force_login(staff_with_role(Role.COORDINATOR))

    page = client.get(page_url(grant_request)).content.decode()

    buttons = re.findall(r'<input type="submit" class="button" value="([^"]+)">', page)
    assert buttons == ["Assign medical reviewer", "Assign committee member"]


def test_a_sentence_ending_in_a_name_with_a_full_stop_keeps_one_full_stop(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    assert grant_request.organisation.legal_name.endswith(", Inc.")
    reviewer = staff_with_role(Role.MEDICAL)
    assign_reviewer(grant_request, reviewer=reviewer, stage="medical_review", by=staff_with_role(Role.COORDINATOR))
    client.force_login(reviewer)

    page = client.get(page_url(grant_request)).content.decode()

    assert f"or with {grant_request.organisation.legal_name} If you do" in page
    assert "Inc.." not in page


def test_an_invitation_to_someone_in_another_organisation_names_it_with_one_full_stop():
    owner, member_elsewhere = applicant(), applicant()
    organisation = owner.membership.organisation
    invitation = invite_member(organisation=organisation, email=member_elsewhere.email, invited_by=owner)

    problem = invitation_problem(invitation, member_elsewhere)

    assert problem.startswith(f"You already belong to {member_elsewhere.membership.organisation.legal_name} An account")
    assert "Inc.." not in problem


# --- One date style ---------------------------------------------------------------------------


def spelled_out(day) -> str:
    """The portal's one way of writing a date: March 31, 2027."""
    return f"{day:%B} {day.day}, {day.year}"


def test_the_request_page_gives_the_start_date_once_and_how_far_away_it_is(client):
    start = timezone.localdate() + timedelta(days=120)
    grant_request = request_in(GrantStatus.SCREENING, start_date=start, end_date=start)
    client.force_login(staff_with_role(Role.COORDINATOR))

    page = client.get(page_url(grant_request)).content.decode()

    assert f"<dd>{spelled_out(start)} (in 120 days)</dd>" in page


def test_the_queue_and_the_emails_write_dates_like_the_pages(client):
    start = timezone.localdate() + timedelta(days=90)
    user = applicant()
    grant_request = submitted_grant_request(user, start_date=start, end_date=start)
    client.force_login(staff_with_role(Role.COORDINATOR))

    queue = client.get(reverse("admin:grants_grantrequest_changelist")).content.decode()
    receipt = Email.objects.get(template="submission_receipt", to__contains=[user.email])
    submitted = timezone.localtime(grant_request.submitted_at)

    assert f'<td class="field-starts">{spelled_out(start)}</td>' in queue
    assert spelled_out(start) in receipt.body_text
    assert f"{spelled_out(submitted)}, {submitted:%-I:%M %p}" in receipt.body_text


def test_no_template_spells_out_its_own_date_format():
    """Dates go through DATE_FORMAT / DATETIME_FORMAT (ime_portal/formats), so one file decides how they read."""
    own_formats = []
    for path in (settings.BASE_DIR / "templates").rglob("*"):
        if path.suffix in (".html", ".txt"):
            text = path.read_text()
            own_formats += [f"{path.name}: {m}" for m in re.findall(r'\|date:"(?![A-Z_]+")[^"]*"', text)]
            own_formats += [f"{path.name}: {m}" for m in re.findall(r'{% now "(?![A-Z_]+")[^"]*" %}', text)]
    assert own_formats == []


# --- Favicon ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/accounts/login/"])
def test_every_page_names_its_icon_and_the_browser_finds_it(client, path):
    client.cookies["ime_us_hcp"] = "yes"
    page = client.get(path, follow=True).content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert "/favicon.ico" in icons and any(icon.endswith(".svg") for icon in icons)

    for icon in icons:
        response = client.get(icon)
        assert response.status_code == 200, icon
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"\x00\x00\x01\x00") or body.startswith(b"<svg"), icon


def test_favicon_ico_answers_without_the_us_hcp_gate(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")


# --- Accounts: sign-in message and links in account emails -------------------------------------


def test_the_sign_in_message_names_the_person_not_the_username_allauth_made_up(gated_client):
    UserFactory(username="dwhitfield3", email="dana@provider.example.org", first_name="", last_name="")
    UserFactory(username="spark", email="sam@provider.example.org", first_name="Sam", last_name="Park Jr.")

    first = gated_client.post(
        "/accounts/login/", {"login": "dana@provider.example.org", "password": PASSWORD}, follow=True
    )
    gated_client.post("/accounts/logout/")
    second = gated_client.post(
        "/accounts/login/", {"login": "sam@provider.example.org", "password": PASSWORD}, follow=True
    )

    assert "Signed in as dana@provider.example.org." in [str(m) for m in first.context["messages"]]
    assert "Signed in as Sam Park Jr." in [str(m) for m in second.context["messages"]]
    assert "dwhitfield3" not in first.content.decode() and "spark" not in second.content.decode()


def test_account_emails_link_to_site_url_whatever_host_the_request_came_in_on(gated_client, settings):
    settings.SITE_URL = "https://grants.example.org"
    UserFactory(email="dana@provider.example.org")

    gated_client.post(
        "/accounts/signup/",
        {
            "email": "new.person@provider.example.org",
            "password1": "Lakeside-Neuro-2026!",
            "password2": "Lakeside-Neuro-2026!",
        },
        HTTP_HOST="127.0.0.1",
    )
    gated_client.post("/accounts/password/reset/", {"email": "dana@provider.example.org"}, HTTP_HOST="127.0.0.1")

    verification = Email.objects.get(template="email_confirmation_signup")
    reset = Email.objects.get(template="password_reset_key")
    assert "https://grants.example.org/accounts/confirm-email/" in verification.body_text
    assert "https://grants.example.org/accounts/password/reset/key/" in reset.body_text
    assert "127.0.0.1" not in verification.body_text + verification.body_html + reset.body_text + reset.body_html

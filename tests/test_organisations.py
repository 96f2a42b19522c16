"""Organisations: registering, the W-9, invitations and members — through the pages an applicant uses."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from grants.models import GrantRequest, Invitation, Membership, Organisation
from outbox.models import Email

from .factories import TINY_PDF, GrantRequestFactory, UserFactory, applicant

pytestmark = pytest.mark.django_db

PDF_BYTES = TINY_PDF
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _pdf(name="Signed W-9 2026.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _organisation_data(**overrides):
    data = {
        "legal_name": "Midwest Psychiatry Learning Collaborative",
        "org_type": "professional_society",
        "tax_status": "non_profit",
        "ein": "36-1234567",
        "address_line1": "1 Lake Shore Drive",
        "address_line2": "Floor 12",
        "city": "Chicago",
        "state": "IL",
        "postal_code": "60601",
        "website": "https://learning.example.org",
        "accreditation_body": "accme",
        "accreditation_id": "ACCME-0077",
        "accreditation_expiry": (timezone.localdate() + timedelta(days=365)).isoformat(),
    }
    if "w9_file" in overrides:  # a new W-9 comes with the date it was signed
        data["w9_signed_on"] = (timezone.localdate() - timedelta(days=10)).isoformat()
    data.update(overrides)
    return data


def _client_for(user):
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def newcomer_client(db):
    """A verified user who does not belong to any organisation yet."""
    return _client_for(UserFactory(email="newcomer@learning.example.org"))


@pytest.fixture
def organisation(applicant_user):
    return applicant_user.membership.organisation


@pytest.fixture
def member_client(organisation):
    """A plain member (not the owner) of the applicant's organisation."""
    return _client_for(applicant(organisation=organisation, role=Membership.Role.MEMBER))


def _page(response) -> str:
    return response.content.decode()


# --- Registering an organisation ---------------------------------------------------------------


def test_registering_an_organisation_needs_a_signed_in_user(gated_client):
    response = gated_client.get("/organisation/new/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/organisation/new/"


def test_registration_page_explains_that_grants_are_for_us_organisations(newcomer_client):
    response = newcomer_client.get("/organisation/new/")
    page = _page(response)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert "IME grants are available" in page and "only to organizations based in the US" in page
    for label in ["Legal name", "EIN (US tax ID)", "State", "ZIP code", "Accrediting body", "W-9 (PDF)"]:
        assert label in page


def test_registering_creates_the_organisation_with_the_user_as_owner(newcomer_client):
    data = _organisation_data(w9_file=_pdf())
    response = newcomer_client.post("/organisation/new/", data)

    assert response.status_code == 302
    assert response["Location"] == "/organisation/"
    organisation = Organisation.objects.get(legal_name="Midwest Psychiatry Learning Collaborative")
    assert organisation.country == "US"
    assert organisation.state == "IL"
    assert organisation.accreditation_id == "ACCME-0077"
    membership = Membership.objects.get(user=newcomer_client.user)
    assert membership.organisation == organisation
    assert membership.role == Membership.Role.OWNER
    # The W-9 is stored under an unguessable key; the name the user gave is kept separately.
    assert organisation.w9_original_name == "Signed W-9 2026.pdf"
    assert re.fullmatch(r"w9/[A-Za-z0-9_-]{32}\.pdf", organisation.w9.name)
    detail = newcomer_client.get("/organisation/")
    assert "Midwest Psychiatry Learning Collaborative" in _page(detail)
    assert "Owner" in _page(detail)


def test_registering_without_a_w9_is_allowed(newcomer_client):
    response = newcomer_client.post("/organisation/new/", _organisation_data())
    assert response.status_code == 302
    assert not Organisation.objects.get().w9


def test_ein_typed_without_the_hyphen_is_accepted_and_formatted(newcomer_client):
    newcomer_client.post("/organisation/new/", _organisation_data(ein="361234567"))
    assert Organisation.objects.get().ein == "36-1234567"


def _assert_refused_keeping_input(response, message, field_id):
    page = _page(response)
    assert response.status_code == 200
    assert message in page
    assert f'href="#{field_id}"' in page  # the summary names and links to the field at fault
    assert 'value="Midwest Psychiatry Learning Collaborative"' in page
    assert 'value="1 Lake Shore Drive"' in page
    assert not Organisation.objects.filter(legal_name="Midwest Psychiatry Learning Collaborative").exists()


@pytest.mark.parametrize("bad_ein", ["36-12345", "AB-1234567", "361-234567", "12 34"])
def test_registering_refuses_a_malformed_ein(newcomer_client, bad_ein):
    response = newcomer_client.post("/organisation/new/", _organisation_data(ein=bad_ein))
    _assert_refused_keeping_input(
        response, "Enter the EIN as two digits, a hyphen and seven digits (NN-NNNNNNN).", "id_ein"
    )
    assert f'value="{bad_ein}"' in _page(response)


def test_registering_refuses_a_missing_state(newcomer_client):
    response = newcomer_client.post("/organisation/new/", _organisation_data(state=""))
    _assert_refused_keeping_input(response, "Choose the US state the organization is based in.", "id_state")


def test_registering_refuses_a_bad_zip_code(newcomer_client):
    response = newcomer_client.post("/organisation/new/", _organisation_data(postal_code="6060"))
    _assert_refused_keeping_input(response, "Enter a 5-digit ZIP code", "id_postal_code")


def test_registering_refuses_an_expired_accreditation(newcomer_client):
    expired = timezone.localdate() - timedelta(days=1)
    response = newcomer_client.post("/organisation/new/", _organisation_data(accreditation_expiry=expired.isoformat()))
    _assert_refused_keeping_input(response, "This accreditation expired on", "id_accreditation_expiry")
    assert 'value="ACCME-0077"' in _page(response)


def test_registering_an_accredited_organisation_needs_its_id_and_expiry(newcomer_client):
    response = newcomer_client.post(
        "/organisation/new/", _organisation_data(accreditation_id="", accreditation_expiry="")
    )
    page = _page(response)
    _assert_refused_keeping_input(
        response, "Enter the accreditation ID issued by ACCME (physicians).", "id_accreditation_id"
    )
    assert "Enter the date your accreditation expires." in page


def test_not_accredited_needs_no_id_and_discards_stray_details(newcomer_client):
    response = newcomer_client.post(
        "/organisation/new/",
        _organisation_data(accreditation_body="none", accreditation_id="OLD-1", accreditation_expiry="2001-01-01"),
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.accreditation_id == ""
    assert organisation.accreditation_expiry is None


@pytest.mark.parametrize("org_type", ["individual_practitioner", "medical_practice"])
def test_registering_refuses_individual_practitioners_and_medical_practices(newcomer_client, org_type):
    response = newcomer_client.post("/organisation/new/", _organisation_data(org_type=org_type))
    _assert_refused_keeping_input(
        response,
        "Individual healthcare practitioners and medical practices (including practice groups) cannot apply",
        "id_org_type",
    )
    assert "ask an eligible organization" in _page(response)
    assert not Membership.objects.filter(user=newcomer_client.user).exists()


def test_registering_refuses_an_executable_renamed_as_a_pdf(newcomer_client):
    upload = SimpleUploadedFile("w9.pdf", EXE_BYTES, content_type="application/pdf")
    response = newcomer_client.post("/organisation/new/", _organisation_data(w9_file=upload))
    _assert_refused_keeping_input(response, "is not a file type we accept, whatever its name says", "id_w9_file")
    assert "please choose the W-9 again" in _page(response)


def test_a_member_cannot_register_a_second_organisation(applicant_client):
    response = applicant_client.get("/organisation/new/")
    assert response["Location"] == "/organisation/"
    applicant_client.post("/organisation/new/", _organisation_data())
    assert not Organisation.objects.filter(legal_name="Midwest Psychiatry Learning Collaborative").exists()


def test_organisation_page_sends_a_user_without_one_to_registration(newcomer_client):
    response = newcomer_client.get("/organisation/", follow=True)
    assert response.redirect_chain == [("/organisation/new/", 302)]
    assert "You have not joined an organization yet" in _page(response)


# --- Organisation page, editing and the W-9 ----------------------------------------------------


def test_organisation_page_shows_details_members_and_pending_invitations(applicant_client, organisation):
    member = applicant(organisation=organisation, role=Membership.Role.MEMBER)
    Invitation.objects.create(organisation=organisation, email="pending@example.org", invited_by=applicant_client.user)
    page = _page(applicant_client.get("/organisation/"))
    assert page.count("<h1") == 1
    assert organisation.legal_name in page
    assert organisation.ein in page
    assert member.email in page
    assert "pending@example.org" in page
    assert "Invite a colleague" in page


def test_owner_edits_the_details_and_replaces_the_w9(applicant_client, organisation):
    data = _organisation_data(legal_name="Renamed Institute", w9_file=_pdf("new-w9.pdf"))
    response = applicant_client.post("/organisation/edit/", data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.legal_name == "Renamed Institute"
    assert organisation.w9_original_name == "new-w9.pdf"
    assert Membership.objects.get(user=applicant_client.user).role == Membership.Role.OWNER


def test_member_can_download_the_w9_as_an_attachment(member_client, organisation):
    organisation.w9.save("w9.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES), save=False)
    organisation.w9_original_name = "Institute W-9.pdf"
    organisation.save()

    response = member_client.get("/organisation/w9/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Institute W-9.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_another_organisations_member_cannot_download_the_w9(other_applicant_client, organisation):
    organisation.w9.save("w9.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    other_org = other_applicant_client.user.membership.organisation
    assert not other_org.w9
    assert other_applicant_client.get("/organisation/w9/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in_for_the_w9(gated_client, organisation):
    organisation.w9.save("w9.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES))
    response = gated_client.get("/organisation/w9/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/organisation/w9/"


def test_member_cannot_edit_the_organisation(member_client, organisation):
    page = member_client.get("/organisation/edit/")
    assert page.status_code == 403
    assert "Only the owner can do this" in _page(page)
    response = member_client.post("/organisation/edit/", _organisation_data(legal_name="Hijacked"))
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.legal_name != "Hijacked"


def test_member_sees_the_page_without_owner_actions(member_client):
    page = _page(member_client.get("/organisation/"))
    assert "Invite a colleague" not in page
    assert "Edit details" not in page
    assert "/remove/" not in page


# --- Invitations -------------------------------------------------------------------------------


def _invite(client, email="colleague@learning.example.org"):
    return client.post("/organisation/invitations/", {"email": email})


def test_owner_invites_a_colleague_by_email(applicant_client, organisation):
    response = _invite(applicant_client, "Colleague@Learning.example.org")

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "colleague@learning.example.org"
    assert invitation.organisation == organisation
    assert invitation.invited_by == applicant_client.user
    email = Email.objects.get(template="organisation_invitation")
    assert email.to == ["colleague@learning.example.org"]
    assert email.reply_to == [applicant_client.user.email]
    assert organisation.legal_name in email.subject
    assert f"http://localhost:8000/invitations/{invitation.token}/" in email.body_text
    assert f"/invitations/{invitation.token}/" in email.body_html
    assert applicant_client.user.get_full_name() in email.body_text
    assert timezone.localtime(invitation.expires_at).strftime("%B") in email.body_text
    assert "colleague@learning.example.org" in _page(applicant_client.get("/organisation/"))


def test_inviting_an_invalid_address_shows_the_error_on_the_page(applicant_client):
    response = _invite(applicant_client, "not-an-email")
    assert response.status_code == 200
    assert "Enter a valid email address" in _page(response)
    assert 'value="not-an-email"' in _page(response)
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused(applicant_client, organisation):
    member = applicant(organisation=organisation, role=Membership.Role.MEMBER)
    response = _invite(applicant_client, member.email)
    assert "is already a member of" in _page(response)
    assert not Email.objects.filter(template="organisation_invitation").exists()


def test_inviting_the_same_address_again_replaces_the_earlier_link(applicant_client):
    _invite(applicant_client)
    first = Invitation.objects.get()
    _invite(applicant_client)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def _invitee_client(email="colleague@learning.example.org"):
    return _client_for(UserFactory(email=email))


def test_invited_user_accepts_and_becomes_a_member(applicant_client, organisation):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    invitee = _invitee_client("COLLEAGUE@learning.example.org")
    draft = GrantRequestFactory(organisation=organisation, created_by=applicant_client.user)

    page = invitee.get(f"/invitations/{invitation.token}/")
    assert f"Join {organisation.legal_name}" in _page(page)
    response = invitee.post(f"/invitations/{invitation.token}/")

    assert response.status_code == 302
    assert response["Location"] == "/organisation/"
    membership = Membership.objects.get(user=invitee.user)
    assert membership.organisation == organisation
    assert membership.role == Membership.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert list(GrantRequest.objects.for_user(invitee.user)) == [draft]
    notice = Email.objects.get(template="organisation_invitation_accepted")
    assert notice.to == [applicant_client.user.email]


def test_new_colleague_signs_up_from_the_invitation_and_comes_back_to_accept_it(applicant_client, organisation):
    _invite(applicant_client, "new.colleague@learning.example.org")
    invitation = Invitation.objects.get()
    here = f"/invitations/{invitation.token}/"
    browser = Client()
    browser.cookies["ime_us_hcp"] = "yes"
    password = "Neurology-Grants-2026!"

    browser.post(
        f"/accounts/signup/?next={here}",
        {"email": "new.colleague@learning.example.org", "password1": password, "password2": password, "next": here},
    )
    body = Email.objects.get(template="email_confirmation_signup").body_text
    confirm_link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", body).group(1)
    after_confirming = browser.post(confirm_link)
    assert after_confirming["Location"] == here

    browser.post(here)
    joined = Membership.objects.get(user__email="new.colleague@learning.example.org")
    assert joined.organisation == organisation
    assert joined.role == Membership.Role.MEMBER


def test_invitation_for_someone_else_is_refused(applicant_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    stranger = _invitee_client("someone.else@example.org")

    response = stranger.post(f"/invitations/{invitation.token}/")

    assert "This invitation was sent to colleague@learning.example.org" in _page(response)
    assert not Membership.objects.filter(user=stranger.user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_cannot_be_accepted_with_an_unverified_address(applicant_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    invitee = _invitee_client()
    EmailAddress.objects.filter(user=invitee.user).update(verified=False)
    response = invitee.post(f"/invitations/{invitation.token}/")
    assert "Please verify colleague@learning.example.org first" in _page(response)
    assert not Membership.objects.filter(user=invitee.user).exists()


def test_expired_invitation_is_refused(applicant_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    invitee = _invitee_client()

    response = invitee.post(f"/invitations/{invitation.token}/")

    assert "This invitation expired on" in _page(response)
    assert not Membership.objects.filter(user=invitee.user).exists()


def test_revoked_invitation_is_refused(applicant_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    revoke = applicant_client.post(f"/organisation/invitations/{invitation.pk}/revoke/")
    assert revoke.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    invitee = _invitee_client()

    response = invitee.post(f"/invitations/{invitation.token}/")

    assert "This invitation was withdrawn" in _page(response)
    assert not Membership.objects.filter(user=invitee.user).exists()


def test_used_invitation_cannot_be_used_again(applicant_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    invitee = _invitee_client()
    invitee.post(f"/invitations/{invitation.token}/")
    # Removed afterwards, the invitee cannot rejoin with the old link.
    Membership.objects.filter(user=invitee.user).delete()

    response = invitee.post(f"/invitations/{invitation.token}/")

    assert "This invitation has already been used" in _page(response)
    assert not Membership.objects.filter(user=invitee.user).exists()


def test_unknown_invitation_token_is_not_found(gated_client):
    assert gated_client.get("/invitations/no-such-token/").status_code == 404


def test_signed_out_visitor_is_told_to_sign_in_or_sign_up_and_come_back(applicant_client, gated_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    gated_client.logout()
    gated_client.cookies["ime_us_hcp"] = "yes"

    page = _page(gated_client.get(f"/invitations/{invitation.token}/"))

    here = f"/invitations/{invitation.token}/"
    assert f'href="/accounts/login/?next={here}"' in page
    assert f'href="/accounts/signup/?next={here}"' in page
    assert "colleague@learning.example.org" in page
    assert not Membership.objects.filter(role=Membership.Role.MEMBER).exists()


def test_signed_out_visitor_with_an_expired_link_is_told_so(applicant_client, gated_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    gated_client.logout()
    gated_client.cookies["ime_us_hcp"] = "yes"
    page = _page(gated_client.get(f"/invitations/{invitation.token}/"))
    assert "This invitation expired on" in page
    assert "/accounts/signup/?next=" not in page


def test_user_who_already_belongs_to_an_organisation_is_told_so(applicant_client, other_applicant_client):
    _invite(applicant_client, other_applicant_client.user.email)
    invitation = Invitation.objects.get()
    response = other_applicant_client.post(f"/invitations/{invitation.token}/")
    other_org = other_applicant_client.user.membership.organisation
    assert f"You already belong to {other_org.legal_name}" in _page(response)
    assert Membership.objects.get(user=other_applicant_client.user).organisation == other_org


def test_another_organisations_owner_cannot_revoke_my_invitation(applicant_client, other_applicant_client):
    _invite(applicant_client)
    invitation = Invitation.objects.get()
    assert other_applicant_client.post(f"/organisation/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- Members -----------------------------------------------------------------------------------


def test_owner_removes_a_member_after_confirming(applicant_client, organisation):
    member = applicant(organisation=organisation, role=Membership.Role.MEMBER)
    membership = member.membership
    url = f"/organisation/members/{membership.pk}/remove/"

    confirm = applicant_client.get(url)
    assert confirm.status_code == 200
    assert "will no longer see or work on the organization" in _page(confirm)
    assert Membership.objects.filter(pk=membership.pk).exists()

    response = applicant_client.post(url)

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Email.objects.get(template="organisation_member_removed").to == [member.email]
    assert not GrantRequest.objects.for_user(member).exists()


def test_owner_cannot_remove_themselves(applicant_client):
    membership = applicant_client.user.membership
    response = applicant_client.post(f"/organisation/members/{membership.pk}/remove/", follow=True)
    assert "you cannot remove yourself" in _page(response)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_member_cannot_invite_remove_or_revoke(member_client, organisation, applicant_user):
    invite = _invite(member_client)
    assert invite.status_code == 403
    assert not Invitation.objects.exists()

    owner_membership = applicant_user.membership
    colleague = applicant(organisation=organisation, role=Membership.Role.MEMBER)
    for membership in (owner_membership, colleague.membership):
        response = member_client.post(f"/organisation/members/{membership.pk}/remove/")
        assert response.status_code == 403
        assert Membership.objects.filter(pk=membership.pk).exists()

    invitation = Invitation.objects.create(organisation=organisation, email="x@example.org", invited_by=applicant_user)
    assert member_client.post(f"/organisation/invitations/{invitation.pk}/revoke/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_another_organisations_owner_cannot_remove_my_member(other_applicant_client, organisation):
    member = applicant(organisation=organisation, role=Membership.Role.MEMBER)
    response = other_applicant_client.post(f"/organisation/members/{member.membership.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(user=member).exists()


# --- Query counts ------------------------------------------------------------------------------


# user, membership, organisation, its members (with users), its pending invitations (with inviters); the
# session is read from the cache (cached_db)
ORGANISATION_PAGE_QUERIES = 5


def test_organisation_page_query_count_does_not_grow_with_members(django_assert_num_queries):
    owner = applicant()
    organisation = owner.membership.organisation
    client = _client_for(owner)
    Invitation.objects.create(organisation=organisation, email="one@example.org", invited_by=owner)
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES):
        assert client.get("/organisation/").status_code == 200

    for n in range(9):
        applicant(organisation=organisation, role=Membership.Role.MEMBER)
        Invitation.objects.create(organisation=organisation, email=f"pending{n}@example.org", invited_by=owner)
    assert organisation.memberships.count() == 10

    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES):
        response = client.get("/organisation/")
    assert _page(response).count("<tr>") == 1 + 10  # header row and one row per member


# --- Demo data ---------------------------------------------------------------------------------


def test_demo_applicant_is_seeded_once_however_often_it_runs():
    from demo import seeding as demo
    from demo.applicant import seed_demo_applicant
    from demo.passwords import DEMO_PASSWORD

    assert demo.SEEDERS.count(seed_demo_applicant) == 1
    assert seed_demo_applicant() == [("Applicant (organization owner)", "applicant@example.com", "/accounts/login/")]
    seed_demo_applicant()

    membership = Membership.objects.select_related("user", "organisation").get(user__email="applicant@example.com")
    assert membership.role == Membership.Role.OWNER
    assert membership.organisation.legal_name == "Northeast Neurology Education Institute"
    assert membership.organisation.accreditation_current_on(timezone.localdate())
    membership.organisation.full_clean()
    assert membership.user.check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.get(email="applicant@example.com").verified
    assert Organisation.objects.filter(legal_name="Northeast Neurology Education Institute").count() == 1


def test_w9_download_is_never_kept_by_a_cache(member_client, organisation):
    organisation.w9.save("w9.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES), save=False)
    organisation.save()

    response = member_client.get("/organisation/w9/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# --- The W-9's signature date: finance pays only on a W-9 signed within IME_W9_MAX_AGE_DAYS ----------


def test_a_new_w9_is_stored_with_the_date_it_was_signed(applicant_client, organisation):
    signed_on = timezone.localdate() - timedelta(days=40)
    data = _organisation_data(w9_file=_pdf("W-9 2026.pdf"), w9_signed_on=signed_on.isoformat())

    assert applicant_client.post("/organisation/edit/", data).status_code == 302

    organisation.refresh_from_db()
    assert organisation.w9_signed_on == signed_on
    assert f"signed on {date_format(signed_on)}" in _page(applicant_client.get("/organisation/"))


def test_a_new_w9_without_its_signature_date_is_refused_keeping_the_details(newcomer_client):
    data = _organisation_data(w9_file=_pdf(), w9_signed_on="")

    response = newcomer_client.post("/organisation/new/", data)

    _assert_refused_keeping_input(response, "Enter the date the new W-9 was signed.", "id_w9_signed_on")
    assert "<title>Error:" in _page(response)


def test_a_w9_signed_on_a_future_date_is_refused(newcomer_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = _organisation_data(w9_file=_pdf(), w9_signed_on=tomorrow.isoformat())

    response = newcomer_client.post("/organisation/new/", data)

    _assert_refused_keeping_input(response, "The W-9 cannot be signed on a future date.", "id_w9_signed_on")
    assert f'value="{tomorrow.isoformat()}"' in _page(response)


def test_a_signature_date_without_a_new_w9_does_not_freshen_the_old_one(applicant_client, organisation):
    organisation.w9.save("w9.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES), save=False)
    organisation.w9_signed_on = timezone.localdate() - timedelta(days=500)
    organisation.save()
    data = _organisation_data(w9_signed_on=timezone.localdate().isoformat())

    response = applicant_client.post("/organisation/edit/", data)

    assert response.status_code == 200
    assert "Choose the W-9 this signature date belongs to" in _page(response)
    organisation.refresh_from_db()
    assert organisation.w9_signed_on == timezone.localdate() - timedelta(days=500)

"""The demo applicant, their organization, and its authorized signer."""

from datetime import date

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from grants.choices import AccreditationBody, OrganisationType, TaxStatus
from grants.models import Membership, Organisation

from .passwords import DEMO_PASSWORD

DEMO_APPLICANT_EMAIL = "applicant@example.com"
# The person who signs Letters of Agreement for the organization: named as the authorized signer on its
# requests, and a member with a login of their own, so the demo's letters can be signed on `make run`.
DEMO_SIGNER = {
    "email": "ehart@neuro-education.example.org",
    "first_name": "Evelyn",
    "last_name": "Hart",
    "signer_name": "Dr. Evelyn Hart",
    "signer_title": "Executive Director",
}
DEMO_ORGANISATION = {
    "legal_name": "Northeast Neurology Education Institute",
    "org_type": OrganisationType.ACCREDITED_PROVIDER,
    "tax_status": TaxStatus.NON_PROFIT,
    "ein": "04-3198765",
    "address_line1": "200 Longwood Avenue",
    "address_line2": "Suite 410",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02115",
    "country": "US",
    "website": "https://neuro-education.example.org",
    "accreditation_body": AccreditationBody.ACCME,
    "accreditation_id": "ACCME-0004821",
}


def seed_demo_applicant():
    """A verified applicant who owns an accredited provider; safe to run any number of times."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=DEMO_APPLICANT_EMAIL,
        defaults={"email": DEMO_APPLICANT_EMAIL, "first_name": "Morgan", "last_name": "Reyes"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=DEMO_APPLICANT_EMAIL, defaults={"verified": True, "primary": True}
    )
    # Accreditation always runs four years ahead of "today", so the demo never shows an expired provider.
    expiry = date(date.today().year + 4, 12, 31)
    organisation, _ = Organisation.objects.get_or_create(
        legal_name=DEMO_ORGANISATION["legal_name"],
        defaults={**DEMO_ORGANISATION, "accreditation_expiry": expiry},
    )
    if not Membership.objects.filter(user=user).exists():
        has_owner = organisation.memberships.filter(role=Membership.Role.OWNER).exists()
        role = Membership.Role.MEMBER if has_owner else Membership.Role.OWNER
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return [("Applicant (organization owner)", DEMO_APPLICANT_EMAIL, "/accounts/login/")]


def seed_demo_signer():
    """The organization's authorized signer: a verified member (not its owner) who signs its letters."""
    seed_demo_applicant()
    User = get_user_model()
    email = DEMO_SIGNER["email"]
    user, created = User.objects.get_or_create(
        username=email,
        defaults={"email": email, "first_name": DEMO_SIGNER["first_name"], "last_name": DEMO_SIGNER["last_name"]},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if not Membership.objects.filter(user=user).exists():
        organisation = Organisation.objects.get(legal_name=DEMO_ORGANISATION["legal_name"])
        Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return [("Authorized signer (member)", email, "/accounts/login/")]

import importlib
from datetime import date, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from demo.requests.documents import text_pdf
from grants.choices import (
    AccreditationBody,
    BudgetCategory,
    MooreLevel,
    OrganisationType,
    ProgramFormat,
    RequestType,
    TaxStatus,
    TherapeuticArea,
)
from grants.models import BudgetLine, GrantRequest, LearningObjective, Membership, Organisation
from reviews.permissions import sync_role_groups
from workflow.engine import perform
from workflow.models import RoleGroup

PASSWORD = "Correct-Horse-Battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@provider{n}.example.org")
    username = factory.LazyAttribute(lambda u: u.email)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class StaffFactory(UserFactory):
    is_staff = True
    email = factory.Sequence(lambda n: f"staff{n}@axsome.example.com")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Center for Neurology Education {n}, Inc.")
    org_type = OrganisationType.ACCREDITED_PROVIDER
    tax_status = TaxStatus.NON_PROFIT
    ein = factory.Sequence(lambda n: f"{12 + n % 80:02d}-{3456789 + n:07d}")
    address_line1 = "100 Main Street"
    city = "Boston"
    state = "MA"
    postal_code = "02110"
    website = "https://education.example.org"
    accreditation_body = AccreditationBody.ACCME
    accreditation_id = factory.Sequence(lambda n: f"ACCME-{1000 + n}")
    accreditation_expiry = factory.LazyFunction(lambda: date.today() + timedelta(days=700))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


def applicant(organisation=None, role=Membership.Role.OWNER, **user_kwargs):
    """A verified user who belongs to ``organisation`` (a new one if not given)."""
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organisation=organisation or OrganisationFactory(), role=role)
    return user


class GrantRequestFactory(factory.django.DjangoModelFactory):
    """A complete draft that passes every eligibility rule (attachments aside)."""

    class Meta:
        model = GrantRequest
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    status = "draft"
    # Past a draft a request always has its number and submission time (a database constraint).
    reference = factory.LazyAttributeSequence(lambda r, n: None if r.status == "draft" else f"IME-2019-{n:05d}")
    submitted_at = factory.LazyAttribute(lambda r: None if r.status == "draft" else timezone.now())
    requester_name = "Dana Whitfield"
    requester_email = factory.LazyAttribute(lambda r: r.created_by.email)
    requester_phone = "617-555-0100"
    secondary_name = "Sam Ortiz"
    secondary_email = "sam.ortiz@provider.example.org"
    signer_name = "Dr. Lee Park"
    signer_title = "Director of CME"
    signer_email = "lee.park@provider.example.org"
    request_type = RequestType.ACCREDITED
    title = factory.Sequence(lambda n: f"Closing the Gap in Treatment-Resistant Depression, part {n}")
    therapeutic_area = TherapeuticArea.DEPRESSION
    program_format = ProgramFormat.LIVE_VIRTUAL
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=120))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=121))
    program_url = "https://learn.example.org/trd"
    target_audience = "Psychiatrists, primary care physicians, psychiatric nurse practitioners"
    expected_learners = 400
    needs_assessment = "Surveys of 200 clinicians show low confidence in stepping up treatment after two failed trials."
    needs_references = "1. Example J, et al. J Clin Psychiatry. 2024;85:1-9."
    educational_design = "Case-based virtual symposium with audience response and a post-activity toolkit."
    outcomes_plan = "Pre/post and 60-day follow-up surveys measuring competence and self-reported practice change."
    moore_level = MooreLevel.PERFORMANCE
    accredited_provider = factory.LazyAttribute(lambda r: r.organisation.legal_name)
    accreditation_body = AccreditationBody.ACCME
    credit_types = "AMA PRA Category 1 Credit™"
    credit_hours = Decimal("1.50")
    amount_requested = Decimal("25000.00")
    attest_independence = True
    attest_open_payments = True

    @factory.post_generation
    def with_content(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        LearningObjective.objects.create(grant_request=self, text="Apply guideline criteria for next-step therapy.")
        BudgetLine.objects.create(
            grant_request=self,
            category=BudgetCategory.FACULTY_HONORARIA,
            description="Faculty honoraria (3 × $2,500)",
            unit_cost=Decimal("2500"),
            quantity=3,
        )
        BudgetLine.objects.create(
            grant_request=self,
            category=BudgetCategory.ONLINE_PLATFORM,
            description="Virtual platform and production",
            unit_cost=Decimal("22500"),
            quantity=1,
        )


# A real one-page PDF (uploads are parsed to look for active content, so it must be readable).
TINY_PDF = text_pdf("Test document", ["A one-page document written for the tests."])


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A real (tiny) PDF attached to a request, stored through the default storage."""

    class Meta:
        model = "grants.Attachment"

    grant_request = factory.SubFactory(GrantRequestFactory)
    kind = "request_letter"
    file = factory.LazyAttribute(lambda a: ContentFile(TINY_PDF, name=f"{a.kind}.pdf"))
    original_name = factory.LazyAttribute(lambda a: f"{a.kind.replace('_', '-')}.pdf")
    content_type = "application/pdf"
    size = len(TINY_PDF)
    uploaded_by = factory.LazyAttribute(lambda a: a.grant_request.created_by)


def attach_required_documents(grant_request):
    """Attach every document the eligibility rules can ask a request for (W-9 included)."""
    kinds = ["request_letter", "budget", "accreditation_letter", "agenda", "w9"]
    present = set(grant_request.attachments.values_list("kind", flat=True))
    for kind in kinds:
        if kind not in present:
            AttachmentFactory(grant_request=grant_request, kind=kind)
    return grant_request


def ensure_role_groups():
    """Transactional tests empty every table; the role groups normally come back with post_migrate."""
    if not RoleGroup.objects.exists():
        sync_role_groups(Group, Permission, RoleGroup)


def ensure_agreement_template():
    """Transactional tests empty the Letter of Agreement template migration grants 0008 publishes; put it
    back the way that migration does, so a letter can be issued (the demo data issues several)."""
    importlib.import_module("grants.migrations.0008_first_agreement_template").publish_first_version(apps, None)


def staff_with_role(role, **kwargs):
    """A staff user in the group of ``role`` (a workflow.roles.Role)."""
    user = StaffFactory(**kwargs)
    user.groups.add(RoleGroup.objects.get(code=role).group)
    return user


def submitted_grant_request(user, **kwargs):
    """A complete request of ``user``'s organisation, with its documents, submitted by ``user``."""
    from grants.services.submission import submit_request

    grant_request = GrantRequestFactory(organisation=user.membership.organisation, created_by=user, **kwargs)
    attach_required_documents(grant_request)
    submit_request(grant_request, user)
    grant_request.refresh_from_db()
    return grant_request


def grant_request_in_screening(user, screener, **kwargs):
    """A request submitted by ``user`` that ``screener`` (a grants coordinator) has started screening."""
    grant_request = submitted_grant_request(user, **kwargs)
    perform(grant_request, "start_screening", by=screener)
    return grant_request

"""Every staff role against every admin URL: what each role may open is decided in the README ("Staff
roles") and checked here, so a permission added to a role by mistake shows up as a failing page."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.models import Agreement, AgreementTemplate, AnnualBudget, Decision, Payment, Reconciliation, StatusChange
from grants.services import post_award as services
from outbox.models import Email
from portal.models import Inquiry
from research.models import ResearchAgreementTemplate
from research.status import ResearchStatus
from reviews.models import Assignment, ExportLog, Review
from workflow.roles import STAFF_ROLES, Role

from .factories import StaffFactory, UserFactory, staff_with_role
from .research_steps import proposal_at
from .workflow_steps import finance_officer, pending_change, request_at

pytestmark = pytest.mark.django_db
C, P, M, K, A = Role.COORDINATOR, Role.COMPLIANCE, Role.MEDICAL, Role.COMMITTEE, Role.ADMINISTRATOR
F = Role.FINANCE
EVERY_ROLE = {C, P, M, K, A, F}
NOBODY: set = set()

# Which roles may open each admin page (by URL name); superusers may open all. Pages left out of this
# table are refused to every role (the test fails on any admin URL it does not know).
MAY_OPEN = {
    "index": EVERY_ROLE, "password_change": EVERY_ROLE, "password_change_done": EVERY_ROLE, "jsi18n": EVERY_ROLE,
    "app_list:grants": EVERY_ROLE, "app_list:reviews": EVERY_ROLE, "app_list:research": EVERY_ROLE,
    # The research queue and each proposal's read-only page: every role reads them (moves: the research table).
    **{f"research_researchproposal_{page}": EVERY_ROLE for page in ("changelist", "change", "history")},
    "app_list:outbox": {C, A}, "app_list:portal": {C, P, A}, "app_list:auth": {A},
    # The request queue, each request's page, its history and its documents: every role reads them.
    "grants_grantrequest_changelist": EVERY_ROLE, "grants_grantrequest_change": EVERY_ROLE,
    "grants_grantrequest_history": EVERY_ROLE, "grants_grantrequest_attachment": EVERY_ROLE,
    "grants_grantrequest_agreement_pdf": EVERY_ROLE,
    "grants_organisation_changelist": EVERY_ROLE, "grants_organisation_change": EVERY_ROLE,
    "grants_organisation_history": EVERY_ROLE, "grants_organisation_w9": EVERY_ROLE,
    # An accredited grant's commercial-support statement: every role that reads the request.
    "grants_grantrequest_support_statement": EVERY_ROLE,
    # The yearly Open Payments review list (page and XLSX): compliance and the administrator.
    "open_payments": {P, A}, "open_payments_xlsx": {P, A},
    **{f"{model}_{page}": EVERY_ROLE for model in ("grants_statuschange", "grants_decision", "reviews_assignment")
       for page in ("changelist", "change", "history")},
    # Reviewers' scores and the committee agenda: not finance's business.
    **{f"reviews_review_{page}": EVERY_ROLE - {F} for page in ("changelist", "change", "history")},
    "reviews_committee": EVERY_ROLE - {F},
    # The annual IME budget: the administrator sets it, the coordinator may look.
    **{f"grants_annualbudget_{page}": {C, A} for page in ("changelist", "change", "history")},
    **{f"grants_annualbudget_{page}": {A} for page in ("add", "delete")},
    # Mail and inquiries.
    **{f"outbox_email_{page}": {C, A} for page in ("changelist", "change", "history")},
    **{f"portal_inquiry_{page}": {C, P, A} for page in ("changelist", "change", "history")},
    # Exports (CSV, XLSX) of the lists a role reads, for the roles that export; the log of them.
    **{f"{model}_export_{file_format}": {C, P, A, F} for model in (
        "grants_grantrequest", "grants_organisation", "grants_statuschange", "grants_decision", "reviews_assignment",
        ) for file_format in ("csv", "xlsx")},
    **{f"reviews_review_export_{file_format}": {C, P, A} for file_format in ("csv", "xlsx")},
    **{f"research_researchproposal_export_{file_format}": {C, P, A, F} for file_format in ("csv", "xlsx")},
    **{f"portal_inquiry_export_{file_format}": {C, P, A} for file_format in ("csv", "xlsx")},
    **{f"outbox_email_export_{file_format}": {C, A} for file_format in ("csv", "xlsx")},
    **{f"reviews_exportlog_{page}": {A} for page in ("changelist", "change", "history")},
    # After approval: every role reads the letters, payments, refunds and change requests (only the
    # request page's actions write them); the agreement's wording is the administrator's, read by coordinators.
    **{f"{model}_{page}": EVERY_ROLE for model in (
        "grants_agreement", "grants_payment", "grants_refund", "grants_changerequest", "grants_reconciliation",
        ) for page in ("changelist", "change", "history")},
    **{f"{model}_export_{file_format}": {C, P, A, F} for model in (
        "grants_agreement", "grants_payment", "grants_refund", "grants_changerequest", "grants_reconciliation",
        ) for file_format in ("csv", "xlsx")},
    **{f"grants_agreementtemplate_{page}": {C, A} for page in ("changelist", "change", "history")},
    "grants_agreementtemplate_add": {A},
    **{f"research_researchagreementtemplate_{page}": {C, A} for page in ("changelist", "change", "history")},
    "research_researchagreementtemplate_add": {A},
    # Staff accounts: the administrator role manages them (never a superuser's: see the escalation tests).
    **{f"auth_user_{page}": {A} for page in ("changelist", "change", "history", "password_change")},
    **{f"auth_group_{page}": {A} for page in ("changelist", "change", "history")},
}  # fmt: skip
# Pages that only make sense as a POST or with a specific object state; reached through other tests.
NOT_A_PAGE = {"logout", "login", "autocomplete", "view_on_site", "grants_grantrequest_action",
              "grants_grantrequest_message", "grants_grantrequest_assign", "grants_grantrequest_unassign",
              "grants_grantrequest_conflict", "grants_grantrequest_simple_history",
              # Research action pages and documents: tests/test_research_pages.py.
              "research_researchproposal_action", "research_researchproposal_document",
              # Research evidence, final report and executed agreement: tests/test_research_post_award.py.
              "research_researchproposal_post_award_document",
              # POST only: tests/test_admin_post_award.py covers it per role.
              "grants_grantrequest_decide_change",
              # Need an assignment or a stored W-9: test_reviews.py and test_attachments.py cover them.
              "grants_grantrequest_review", "grants_organisation_w9",
              # Needs an executed letter: test_agreement_pdf.py covers it.
              "grants_grantrequest_agreement_pdf",
              # Needs a stored reconciliation document: test_reconciliation_views.py covers it.
              "grants_grantrequest_reconciliation_document"}  # fmt: skip


def _admin_urls(patterns=None, prefix=""):
    for pattern in admin.site.urls[0] if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _admin_urls(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


@pytest.fixture
def world():
    """One object of every kind the admin lists, so each change page has something to open."""
    grant_request = request_at("committee_review")
    reviewer = staff_with_role(K)
    assignment = Assignment.objects.create(
        grant_request=grant_request, reviewer=reviewer, stage="committee_review", assigned_by=reviewer
    )
    review = Review.objects.create(grant_request=grant_request, reviewer=reviewer, stage="committee_review")
    declined = request_at("declined")
    paid = request_at("paid", signer_email="paid.signer@provider.example.org")
    change = pending_change(paid)
    refunded = request_at("cancellation_refund_due", signer_email="refund.signer@provider.example.org")
    refund = services.record_cancellation_refund(
        refunded, by=finance_officer(), amount=refunded.refund_due, received_on=timezone.localdate(), reference="R-1"
    ).records["refund"]
    from .factories import AttachmentFactory

    objects = {
        "grants_grantrequest": grant_request.pk,
        "grants_organisation": grant_request.organisation_id,
        "grants_statuschange": StatusChange.objects.first().pk,
        "grants_decision": Decision.objects.get(grant_request=declined).pk,
        "reviews_assignment": assignment.pk,
        "reviews_review": review.pk,
        "outbox_email": Email.objects.first().pk,
        "portal_inquiry": Inquiry.objects.create(name="A", email="a@example.org", subject="Q", message="M").pk,
        "reviews_exportlog": ExportLog.objects.create(user=reviewer, list_name="reviews", file_format="csv").pk,
        "auth_user": UserFactory().pk,
        "auth_group": Group.objects.first().pk,
        "sites_site": Site.objects.get_current().pk,
        "otp_totp_totpdevice": TOTPDevice.objects.create(user=StaffFactory(), name="phone").pk,
        "grants_annualbudget": AnnualBudget.objects.create(year=2030, total=1000).pk,
        "research_researchproposal": proposal_at(ResearchStatus.CONCEPT_SUBMITTED).pk,
        "grants_agreementtemplate": AgreementTemplate.current().pk,
        "research_researchagreementtemplate": ResearchAgreementTemplate.current().pk,
        "grants_agreement": Agreement.objects.filter(grant_request=paid).first().pk,
        "grants_payment": Payment.objects.filter(grant_request=paid).first().pk,
        "grants_refund": refund.pk,
        "grants_changerequest": change.pk,
        "grants_reconciliation": Reconciliation.objects.create(
            grant_request=request_at("reconciliation_due", signer_email="ended.signer@provider.example.org")
        ).pk,
    }
    attachment = AttachmentFactory(grant_request=grant_request)
    return objects, {"att_pk": attachment.pk}


def _concrete(url, name, objects, extra):
    """The URL with sample values filled in, or None when it has no object of that kind."""
    key = (name or "").rsplit("_", 1)[0]
    for model_key in objects:
        if name and name.startswith(model_key + "_"):
            key = model_key
    if "(?P<app_label>" in url:
        return None
    if "<path:object_id>" in url or "<int:pk>" in url or "<id>" in url:
        if key not in objects:
            return "missing"
        url = re.sub(r"<(path:object_id|int:pk|id)>", str(objects[key]), url)
    url = url.replace("<int:att_pk>", str(extra["att_pk"])).replace("<slug:stage>", "committee_review")
    url = url.replace("<int:year>", "2026")
    return "/admin/" + url


def _cases(objects, extra):
    cases = []
    for url, name in _admin_urls():
        if name in NOT_A_PAGE or name is None:
            continue
        concrete = _concrete(url, name, objects, extra)
        if concrete in (None, "missing"):
            continue
        cases.append((name, concrete))
    for app in ("grants", "reviews", "research", "outbox", "portal", "auth"):
        cases.append((f"app_list:{app}", f"/admin/{app}/"))
    return cases


def _opens(client, url) -> bool:
    response = client.get(url)
    return response.status_code == 200


def test_each_role_opens_exactly_the_admin_pages_the_readme_gives_it(world):
    objects, extra = world
    cases = _cases(objects, extra)
    assert len(cases) > 60  # every model admin's list, change, add, delete and history pages
    unexpected = []
    for role in STAFF_ROLES:
        client = Client()
        client.force_login(staff_with_role(role))
        for name, url in cases:
            expected = role in MAY_OPEN.get(name, NOBODY)
            if _opens(client, url) != expected:
                unexpected.append(f"{role.value} {'cannot' if expected else 'can'} open {name} ({url})")
    assert unexpected == []


def test_a_superuser_opens_every_page(world):
    objects, extra = world
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    refused = [name for name, url in _cases(objects, extra) if name in MAY_OPEN and not _opens(client, url)]
    assert refused == []


# --- No way up -------------------------------------------------------------------------------------


def test_the_administrator_role_cannot_make_itself_or_anyone_a_superuser():
    administrator = staff_with_role(A)
    colleague = staff_with_role(C)
    client = Client()
    client.force_login(administrator)
    url = reverse("admin:auth_user_change", args=[administrator.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page

    for target in (administrator, colleague):
        form = {
            "username": target.username, "email": target.email, "is_active": "on", "is_staff": "on",
            "is_superuser": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
            "groups": [g.pk for g in target.groups.all()],
        }  # fmt: skip
        client.post(reverse("admin:auth_user_change", args=[target.pk]), form)
        target.refresh_from_db()
        assert not target.is_superuser


def test_the_administrator_role_cannot_touch_a_superusers_account():
    superuser = StaffFactory(is_superuser=True)
    client = Client()
    client.force_login(staff_with_role(A))
    page = client.get(reverse("admin:auth_user_change", args=[superuser.pk])).content.decode()
    assert 'name="email"' not in page  # read-only at most
    assert "/password/" not in page  # and no button to a password page it may not open
    client.post(reverse("admin:auth_user_change", args=[superuser.pk]), {"username": "x", "email": "taken@example.org"})
    superuser.refresh_from_db()
    assert superuser.email != "taken@example.org"
    password_url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.get(password_url).status_code == 403
    client.post(password_url, {"password1": "Taken-Over-Password-1", "password2": "Taken-Over-Password-1"})
    superuser.refresh_from_db()
    assert not superuser.check_password("Taken-Over-Password-1")


def test_no_reviewer_role_may_decide():
    from grants.workflow import TRANSITIONS

    deciding = [t for t in TRANSITIONS if t.name in {"approve", "partially_approve", "decline"}]
    assert all(not (t.roles & {Role.MEDICAL, Role.COMPLIANCE}) for t in deciding)

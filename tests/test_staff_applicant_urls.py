"""Staff see applicant data only under /admin/, behind their second factor — never through applicant URLs.

A staff member signed in with only a password (IME_STAFF_2FA on, no code entered) walks every URL of
the applicant area and the public site: every page and download is refused (404) or sends them away
from the data, and no response carries the organisation's or its requests' data. The URL list is
built from the URL configuration, so a new applicant URL fails this test until it is listed here.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, reverse

from grants import urls as grant_urls
from grants.models import Invitation, Message, Reconciliation, ReconciliationDocument
from grants.status import GrantStatus
from portal import urls as portal_urls
from research import urls as research_urls
from research.models import ResearchProposal
from research.status import ResearchStatus

from .factories import AttachmentFactory, GrantRequestFactory, StaffFactory, applicant, submitted_grant_request
from .research_steps import fill_full_proposal, proposal_at
from .workflow_steps import request_at

pytestmark = pytest.mark.django_db

ATTACHMENT_BYTES = b"%PDF-1.4\n% ATTACHMENT-MARKER-7f3a confidential budget\n%%EOF\n"
W9_BYTES = b"%PDF-1.4\n% W9-MARKER-91c2 taxpayer identification\n%%EOF\n"


@pytest.fixture(autouse=True)
def staff_2fa_on(settings):
    settings.IME_STAFF_2FA = True


class Applicant:
    """One organisation with a W-9, a draft with a document, a submitted request and a pending invitation."""

    def __init__(self):
        self.member = applicant()
        organisation = self.member.membership.organisation
        organisation.legal_name = "Marker Neurology Education Institute"
        organisation.w9.save("w9.pdf", ContentFile(W9_BYTES), save=False)
        organisation.w9_original_name = "W-9 marker.pdf"
        organisation.save()
        self.organisation = organisation
        self.draft = GrantRequestFactory(
            organisation=organisation, created_by=self.member, title="Marker draft on narcolepsy care"
        )
        self.draft_attachment = AttachmentFactory(
            grant_request=self.draft, file=ContentFile(ATTACHMENT_BYTES, name="budget.pdf"), size=len(ATTACHMENT_BYTES)
        )
        self.submitted = submitted_grant_request(self.member, title="Marker submitted on migraine outcomes")
        self.submitted_attachment = AttachmentFactory(
            grant_request=self.submitted,
            kind="other",
            file=ContentFile(ATTACHMENT_BYTES, name="other.pdf"),
            size=len(ATTACHMENT_BYTES),
        )
        self.reconciling = request_at(
            GrantStatus.RECONCILIATION_DUE, member=self.member, title="Marker ended program on insomnia care"
        )
        report = Reconciliation.objects.create(grant_request=self.reconciling)
        self.reconciliation_document = ReconciliationDocument(
            reconciliation=report, kind="final_budget", original_name="final.pdf", content_type="application/pdf",
            size=len(ATTACHMENT_BYTES),
        )  # fmt: skip
        self.reconciliation_document.file.save("final.pdf", ContentFile(ATTACHMENT_BYTES), save=True)
        colleague = applicant(organisation=organisation, role="member")
        self.membership_of_colleague = colleague.membership
        self.invitation = Invitation.objects.create(
            organisation=organisation, email="new.colleague@provider.example.org", invited_by=self.member
        )
        # An approved grant with its executed Letter of Agreement (its signer joins the organization).
        self.agreed = request_at(
            GrantStatus.AGREEMENT_SIGNED, member=self.member, title="Marker agreed on sleep medicine"
        )
        self.member_count = organisation.memberships.count()

    @property
    def markers(self) -> list[bytes]:
        """What must never reach the staff member: names, EIN, titles, documents' bytes, people."""
        return [
            self.organisation.legal_name.encode(),
            self.organisation.ein.encode(),
            self.draft.title.encode(),
            self.submitted.title.encode(),
            self.agreed.title.encode(),
            self.reconciling.title.encode(),
            b"ATTACHMENT-MARKER-7f3a",
            b"W9-MARKER-91c2",
            self.member.email.encode(),
            self.invitation.email.encode(),
        ]


def cases(data: Applicant) -> dict[str, list[tuple[str, str, dict, bool]]]:
    """Every applicant-area URL name → (method, path, POST data, whether a member gets data there)."""
    draft, submitted = data.draft, data.submitted

    def on(name, *args):
        return reverse(f"grants:{name}", args=args)

    return {
        "request_list": [("get", on("request_list"), {}, True)],
        "request_detail": [("get", on("request_detail", pk), {}, True) for pk in (draft.pk, submitted.pk)],
        "request_print": [("get", on("request_print", pk), {}, True) for pk in (draft.pk, submitted.pk)],
        # An accredited grant's statement exists once its agreement is executed: 404 for these two.
        "request_support_statement": [("get", on("request_support_statement", submitted.pk), {}, False)],
        "request_create": [("get", on("request_create"), {}, False)],
        "request_edit": [("get", on("request_edit", draft.pk), {}, False)],
        "request_section": [
            ("get", on("request_section", draft.pk, section), {}, True)
            for section in ("organisation", "programme", "content", "budget", "attachments", "attestations")
        ],
        "request_review": [("get", on("request_review", draft.pk), {}, True)],
        "request_submit": [("post", on("request_submit", draft.pk), {}, False)],
        "request_withdraw": [
            ("get", on("request_withdraw", submitted.pk), {}, True),
            ("post", on("request_withdraw", submitted.pk), {"reason": "staff"}, False),
        ],
        "request_delete": [
            ("get", on("request_delete", draft.pk), {}, True),
            ("post", on("request_delete", draft.pk), {}, False),
        ],
        "request_answer": [("post", on("request_answer", submitted.pk), {"answer": "from staff"}, False)],
        "request_message": [("post", on("request_message", submitted.pk), {"body": "from staff"}, False)],
        "attachment_download": [
            ("get", on("attachment_download", a.grant_request_id, a.pk), {}, True)
            for a in (data.draft_attachment, data.submitted_attachment)
        ],
        "attachment_delete": [("post", on("attachment_delete", data.draft.pk, data.draft_attachment.pk), {}, False)],
        "organisation_detail": [("get", on("organisation_detail"), {}, True)],
        "organisation_create": [("get", on("organisation_create"), {}, False)],
        "organisation_edit": [("get", on("organisation_edit"), {}, False)],
        "organisation_w9": [("get", on("organisation_w9"), {}, True)],
        "organisation_invite": [("post", on("organisation_invite"), {"email": "x@provider.example.org"}, False)],
        "invitation_revoke": [("post", on("invitation_revoke", data.invitation.pk), {}, False)],
        "member_remove": [
            ("get", on("member_remove", data.membership_of_colleague.pk), {}, False),
            ("post", on("member_remove", data.membership_of_colleague.pk), {}, False),
        ],
        # The invitation's token is the invitee's secret (sent to them alone; the outbox admin hides it),
        # so what staff can reach is the address without it.
        "invitation_accept": [("get", on("invitation_accept", "not-the-token"), {}, False)],
        "eligibility": [("get", on("eligibility"), {}, False)],
        "agreement_detail": [("get", on("agreement_detail", data.agreed.pk, 1), {}, True)],
        "agreement_sign": [("post", on("agreement_sign", data.agreed.pk, 1), {"signer_name": "staff"}, False)],
        "agreement_pdf": [("get", on("agreement_pdf", data.agreed.pk, 1), {}, False)],
        "change_request_new": [
            ("get", on("change_request_new", data.agreed.pk), {}, False),
            ("post", on("change_request_new", data.agreed.pk), {"kind": "cancellation", "reason": "staff"}, False),
        ],
        "reconciliation": [("get", on("reconciliation", data.reconciling.pk), {}, True)],
        "reconciliation_summary": [("get", on("reconciliation_summary", data.reconciling.pk), {}, True)],
        "reconciliation_submit": [("post", on("reconciliation_submit", data.reconciling.pk), {}, False)],
        "reconciliation_answer": [("post", on("reconciliation_answer", data.reconciling.pk), {"answer": "x"}, False)],
        "reconciliation_document": [
            ("get", on("reconciliation_document", data.reconciling.pk, data.reconciliation_document.pk), {}, True)
        ],
    }


# Pages that show nothing of any applicant: an organisation registration form, the eligibility self-check.
BLANK_FORMS = {reverse("grants:organisation_create"), reverse("grants:eligibility")}


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def leaked(response, markers) -> list[bytes]:
    body = body_of(response)
    return [marker for marker in markers if marker in body]


@pytest.fixture
def data():
    return Applicant()


@pytest.fixture
def staff_client():
    """A superuser (every permission) signed in with a password only: the second factor not entered."""
    staff = StaffFactory(is_superuser=True)
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(staff)
    assert not client.get(reverse("admin:index")).status_code == 200  # sent to the code page
    return client


def test_every_applicant_url_is_covered_by_this_test(data):
    names = {p.name for p in grant_urls.urlpatterns if isinstance(p, URLPattern)}

    assert names == set(cases(data)), "List the new applicant URL in cases() with what staff must get there."


def test_staff_without_second_factor_get_no_applicant_data_from_any_applicant_url(data, staff_client):
    member = Client()
    member.cookies["ime_us_hcp"] = "yes"
    member.force_login(data.member)
    refused = []
    for visits in cases(data).values():
        for method, path, post, member_sees_data in visits:
            if member_sees_data:  # the markers are right: the organisation's own member does get data here
                assert leaked(getattr(member, method)(path, post), data.markers), f"{path}: no data for the member"
            response = getattr(staff_client, method)(path, post)
            assert not leaked(response, data.markers), f"{method.upper()} {path} showed applicant data"
            final = getattr(staff_client, method)(path, post, follow=True)
            assert not leaked(final, data.markers), f"{method.upper()} {path} led to applicant data"
            if path in BLANK_FORMS:
                assert response.status_code == 200
                continue
            assert response.status_code in (302, 404), f"{method.upper()} {path} gave {response.status_code}"
            refused.append((method, path))

    # Nothing was changed on the applicant's behalf either.
    assert (
        not Message.objects.filter(grant_request__organisation=data.organisation).exclude(author=data.member).exists()
    )
    data.draft.refresh_from_db()
    data.submitted.refresh_from_db()
    assert data.draft.status == GrantStatus.DRAFT
    assert data.submitted.status == GrantStatus.SUBMITTED
    assert data.draft.attachments.filter(pk=data.draft_attachment.pk).exists()
    assert Invitation.objects.filter(pk=data.invitation.pk, revoked_at__isnull=True).exists()
    assert data.organisation.memberships.count() == data.member_count
    assert not data.agreed.change_requests.exists()
    print(f"staff-without-2FA URLs refused: {len(refused)}")
    assert len(refused) == sum(len(v) for v in cases(data).values()) - len(BLANK_FORMS)


def test_public_pages_show_staff_no_applicant_data(data, staff_client):
    for pattern in portal_urls.urlpatterns:
        response = staff_client.get(reverse(f"portal:{pattern.name}"), follow=True)
        assert not leaked(response, data.markers), f"{pattern.name} showed applicant data"


def test_staff_member_of_the_organisation_still_downloads_through_the_applicant_route(data, client):
    """Membership, not staff status, opens the applicant's door."""
    staff_member = applicant(organisation=data.organisation, role="member", is_staff=True)
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(staff_member)
    attachment = data.draft_attachment

    response = client.get(reverse("grants:attachment_download", args=[attachment.grant_request_id, attachment.pk]))

    assert response.status_code == 200
    assert body_of(response) == ATTACHMENT_BYTES


def test_admin_downloads_need_the_second_factor(data, staff_client):
    attachment = data.submitted_attachment
    for url in (
        reverse("admin:grants_grantrequest_attachment", args=[attachment.grant_request_id, attachment.pk]),
        reverse("admin:grants_organisation_w9", args=[data.organisation.pk]),
        reverse("admin:grants_grantrequest_agreement_pdf", args=[data.agreed.pk, 1]),
    ):
        response = staff_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staff_2fa:setup"))
        assert not leaked(response, data.markers)


def research_cases(proposal) -> dict[str, list[tuple[str, str]]]:
    """Every investigator URL name → (method, path); staff without membership must get no data there."""
    pk = proposal.pk
    milestone = proposal.milestones.order_by("position").values_list("pk", flat=True).first() or 1

    def on(name, *args):
        return reverse(f"research:{name}", args=args)

    return {
        "public": [("get", on("public"))],
        "proposal_list": [("get", on("proposal_list"))],
        "proposal_create": [("get", on("proposal_create")), ("post", on("proposal_create"))],
        "proposal_detail": [("get", on("proposal_detail", pk))],
        "concept_edit": [("get", on("concept_edit", pk))],
        "concept_submit": [("post", on("concept_submit", pk))],
        "full_proposal_edit": [("get", on("full_proposal_edit", pk))],
        "full_proposal_submit": [("post", on("full_proposal_submit", pk))],
        "proposal_document": [("get", on("proposal_document", pk, kind)) for kind in ("protocol", "cv")],
        "proposal_withdraw": [("get", on("proposal_withdraw", pk)), ("post", on("proposal_withdraw", pk))],
        # The scientific review's conversation (research/views_review.py).
        "proposal_answer": [("post", on("proposal_answer", pk))],
        "proposal_message": [("post", on("proposal_message", pk))],
        "proposal_message_attachment": [("get", on("proposal_message_attachment", pk, 1))],
        # After approval (research/views_post_award.py).
        "study": [("get", on("study", pk))],
        "evidence_submit": [("post", on("evidence_submit", pk, milestone))],
        "evidence_download": [("get", on("evidence_download", pk, milestone))],
        "final_report_submit": [("post", on("final_report_submit", pk))],
        "final_report_download": [("get", on("final_report_download", pk))],
        "amendment_new": [("get", on("amendment_new", pk)), ("post", on("amendment_new", pk))],
        "agreement_detail": [("get", on("agreement_detail", pk, 1))],
        "agreement_sign": [("post", on("agreement_sign", pk, 1))],
        "agreement_pdf": [("get", on("agreement_pdf", pk, 1))],
    }


def test_staff_without_second_factor_get_no_research_data_from_any_investigator_url(staff_client):
    # An active study: it has an executed agreement and milestones, so every URL has something to leak.
    proposal = proposal_at(ResearchStatus.ACTIVE)
    markers = [proposal.title.encode(), proposal.organisation.legal_name.encode(), proposal.pi_email.encode()]
    cases_by_name = research_cases(proposal)
    assert {p.name for p in research_urls.urlpatterns} == set(cases_by_name), "List the new research URL here."
    for visits in cases_by_name.values():
        for method, path in visits:
            response = getattr(staff_client, method)(path)
            assert not leaked(response, markers), f"{method.upper()} {path} showed research data"
            assert not leaked(getattr(staff_client, method)(path, follow=True), markers), path
            if path != reverse("research:public"):
                assert response.status_code in (200, 302, 404), f"{method.upper()} {path} gave {response.status_code}"
    proposal.refresh_from_db()
    assert proposal.status == ResearchStatus.ACTIVE
    assert not ResearchProposal.objects.exclude(pk=proposal.pk).exists()


def test_admin_research_downloads_need_the_second_factor(staff_client):
    proposal = fill_full_proposal(proposal_at(ResearchStatus.FULL_PROPOSAL_INVITED))
    response = staff_client.get(reverse("admin:research_researchproposal_document", args=[proposal.pk, "protocol"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff_2fa:setup"))

"""The investigator's and staff's research pages: the refusals (overhead cap, a full proposal after its
deadline, an individual without an institution, the concept's length caps), 404 for another
organization on every URL (downloads included), the lists' query counts and the emails."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from outbox.models import Email
from research import urls as research_urls
from research import views_post_award
from research.models import ResearchProposal
from research.status import ResearchStatus as R
from research.workflow import ProposalIncomplete
from workflow.engine import perform
from workflow.roles import Role

from .factories import UserFactory, applicant, staff_with_role
from .research_steps import CV_BYTES, PDF_BYTES, concept_draft, fill_full_proposal, investigator, proposal_at

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(user)
    return client


def test_public_research_page_explains_the_process_and_where_safety_events_go(gated_client, settings):
    settings.IIS_SAFETY_REPORTING_CONTACT = "Drug safety line 1-800-555-0100"
    page = gated_client.get(reverse("research:public")).content.decode()
    for words in (
        "Areas of interest",
        "Two stages",
        "10 business days",
        "30 days",
        "90 days",
        "Drug safety line 1-800-555-0100",
        "does not collect safety data",
        f"{settings.IIS_MAX_OVERHEAD_PCT}%",
    ):
        assert words in page
    assert reverse("research:public") in gated_client.get(reverse("portal:home")).content.decode()


def test_public_research_page_is_behind_the_us_hcp_gate(client):
    response = client.get(reverse("research:public"))
    assert response.status_code == 302 and response["Location"].startswith("/hcp-confirmation/")


def test_concept_saved_then_resumed_then_submitted_numbers_it_and_emails_a_receipt():
    member = investigator()
    client = signed_in(member)
    response = client.post(reverse("research:proposal_create"))
    proposal = ResearchProposal.objects.get(organisation=member.membership.organisation)
    assert response["Location"] == reverse("research:concept_edit", args=[proposal.pk])

    client.post(reverse("research:concept_edit", args=[proposal.pk]), {"title": "Half a concept", "save": ""})
    assert "Half a concept" in client.get(reverse("research:concept_edit", args=[proposal.pk])).content.decode()

    data = {
        "title": "Half a concept",
        "rationale": "Why.",
        "objectives": "What.",
        "design": "How.",
        "pi_name": "Dana Rivera",
        "pi_email": "dana@university.example.edu",
        "therapeutic_area": "migraine",
        "study_type": "phase_2",
        "estimated_sample_size": "60",
        "estimated_duration_months": "12",
        "estimated_budget": "90000",
        "study_drug": "yes",
        "submit": "",
    }
    response = client.post(reverse("research:concept_edit", args=[proposal.pk]), data)
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert proposal.status == R.CONCEPT_SUBMITTED and proposal.reference.startswith("IIS-")
    receipt = Email.objects.get(template="research_concept_receipt")
    assert "dana@university.example.edu" in receipt.to and proposal.reference in receipt.subject
    assert Email.objects.filter(template="research_concept_alert").exists()


def test_concept_text_over_1000_characters_is_refused_with_the_count_and_nothing_typed_is_lost():
    proposal = concept_draft()
    client = signed_in(proposal.created_by)
    response = client.post(
        reverse("research:concept_edit", args=[proposal.pk]),
        {"title": "Kept title", "rationale": "x" * 1200, "save": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "1,200 characters; the concept allows 1,000" in page
    assert "Kept title" in page
    proposal.refresh_from_db()
    assert proposal.rationale == "Little is known about it."


def test_submitting_an_incomplete_concept_is_refused_with_what_is_missing():
    proposal = concept_draft(study_type="")
    response = signed_in(proposal.created_by).post(reverse("research:concept_submit", args=[proposal.pk]))
    assert response.status_code == 200
    assert "Choose the type of study." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == R.CONCEPT_DRAFT


def test_individual_without_an_institution_is_refused_with_the_reason():
    loner = UserFactory()
    response = signed_in(loner).post(reverse("research:proposal_create"))
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert "not from individuals" in page
    assert not ResearchProposal.objects.exists()


def test_member_of_an_organization_that_is_not_an_institution_is_refused():
    provider_member = applicant()  # an accredited CME provider
    response = signed_in(provider_member).post(reverse("research:proposal_create"))
    assert "Research proposals come from institutions" in response.content.decode()
    assert not ResearchProposal.objects.exists()


def test_overhead_above_the_cap_is_refused_with_the_reason(settings):
    settings.IIS_MAX_OVERHEAD_PCT = 28
    proposal = proposal_at(R.FULL_PROPOSAL_INVITED)
    client = signed_in(proposal.created_by)
    response = client.post(
        reverse("research:full_proposal_edit", args=[proposal.pk]),
        {
            "overhead_pct": "30",
            "sites": "Two sites",
            "budget-TOTAL_FORMS": "0",
            "budget-INITIAL_FORMS": "0",
            "save": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert "Overhead of 30% is above the 28% of direct costs" in page
    assert "Two sites" in page
    proposal.refresh_from_db()
    assert proposal.overhead_pct is None

    # The submit step applies the same rule to what is stored.
    fill_full_proposal(proposal)
    ResearchProposal.objects.filter(pk=proposal.pk).update(overhead_pct=Decimal("35"))
    proposal.refresh_from_db()
    with pytest.raises(ProposalIncomplete) as refused:
        perform(proposal, "submit_full_proposal", by=proposal.created_by)
    assert any("above the 28%" in p.message for p in refused.value.problems)


def test_full_proposal_with_uploads_is_saved_and_submitted():
    proposal = proposal_at(R.FULL_PROPOSAL_INVITED)
    client = signed_in(proposal.created_by)
    today = timezone.localdate()
    data = {
        name: f"The {name}."
        for name in (
            "objectives_and_endpoints",
            "population",
            "sample_size_justification",
            "statistical_plan",
            "sites",
            "safety_plan",
            "publication_plan",
            "coi_disclosures",
        )
    }
    data |= {
        "sample_size": "80",
        "first_patient_in": str(today + timedelta(days=90)),
        "last_patient_out": str(today + timedelta(days=400)),
        "final_report_on": str(today + timedelta(days=500)),
        "overhead_pct": "20",
        "irb_status": "approved",
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-0-category": "personnel",
        "budget-0-description": "Research coordinator",
        "budget-0-amount": "50000",
        "protocol_file": SimpleUploadedFile("protocol.pdf", PDF_BYTES, "application/pdf"),
        "cv_file": SimpleUploadedFile("cv.pdf", PDF_BYTES, "application/pdf"),
        "submit": "",
    }
    response = client.post(reverse("research:full_proposal_edit", args=[proposal.pk]), data)
    proposal.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 302, page[page.find("<main") :][:6000]
    assert proposal.status == R.FULL_PROPOSAL_SUBMITTED
    assert proposal.total_budget() == Decimal("60000.00")
    assert Email.objects.filter(template="research_full_proposal_receipt").exists()
    download = client.get(reverse("research:proposal_document", args=[proposal.pk, "protocol"]))
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_a_disguised_upload_is_refused_by_content():
    proposal = proposal_at(R.FULL_PROPOSAL_INVITED)
    response = signed_in(proposal.created_by).post(
        reverse("research:full_proposal_edit", args=[proposal.pk]),
        {
            "cv_file": SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
            "budget-TOTAL_FORMS": "0",
            "budget-INITIAL_FORMS": "0",
            "save": "",
        },
    )
    assert "is not a file type we accept" in response.content.decode()


def test_full_proposal_after_its_deadline_is_refused_with_the_reason():
    proposal = fill_full_proposal(proposal_at(R.FULL_PROPOSAL_INVITED))
    ResearchProposal.objects.filter(pk=proposal.pk).update(
        full_proposal_due_on=timezone.localdate() - timedelta(days=1)
    )
    proposal.refresh_from_db()
    with pytest.raises(ProposalIncomplete) as refused:
        perform(proposal, "submit_full_proposal", by=proposal.created_by)
    assert "can no longer be submitted" in refused.value.problems[0].message
    client = signed_in(proposal.created_by)
    response = client.post(reverse("research:full_proposal_submit", args=[proposal.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert "can no longer be submitted" in page
    detail = client.get(reverse("research:proposal_detail", args=[proposal.pk])).content.decode()
    assert "can no longer be submitted" in detail
    # Nor can it still be edited.
    assert client.get(reverse("research:full_proposal_edit", args=[proposal.pk])).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == R.FULL_PROPOSAL_INVITED


def test_withdraw_from_the_proposal_page():
    proposal = proposal_at(R.CONCEPT_REVIEW)
    client = signed_in(proposal.created_by)
    assert client.get(reverse("research:proposal_withdraw", args=[proposal.pk])).status_code == 200
    client.post(
        reverse("research:proposal_withdraw", args=[proposal.pk]), {"expected_status": R.CONCEPT_REVIEW, "reason": ""}
    )
    proposal.refresh_from_db()
    assert proposal.status == R.WITHDRAWN
    assert Email.objects.filter(template="research_withdrawal_alert").exists()


def applicant_urls(proposal):
    """Every investigator URL with an object, as (method, path)."""
    pk = proposal.pk
    return [
        ("get", reverse("research:proposal_detail", args=[pk])),
        ("get", reverse("research:concept_edit", args=[pk])),
        ("post", reverse("research:concept_submit", args=[pk])),
        ("get", reverse("research:full_proposal_edit", args=[pk])),
        ("post", reverse("research:full_proposal_submit", args=[pk])),
        ("get", reverse("research:proposal_document", args=[pk, "protocol"])),
        ("get", reverse("research:proposal_document", args=[pk, "cv"])),
        ("get", reverse("research:proposal_withdraw", args=[pk])),
        ("post", reverse("research:proposal_withdraw", args=[pk])),
        # The scientific review's conversation (tests/test_research_review_conversation.py).
        ("post", reverse("research:proposal_answer", args=[pk])),
        ("post", reverse("research:proposal_message", args=[pk])),
        ("get", reverse("research:proposal_message_attachment", args=[pk, 1])),
    ]


def test_every_research_url_with_a_proposal_is_in_the_404_check():
    # The post-award URLs have their own check (tests/test_research_post_award.py).
    post_award = {p.name for p in views_post_award.urlpatterns}
    with_a_proposal = {p.name for p in research_urls.urlpatterns if "<int:pk>" in str(p.pattern)} - post_award
    checked = {resolve(path).url_name for _, path in applicant_urls(ResearchProposal(pk=1))}
    assert checked == with_a_proposal


def test_another_organization_gets_404_on_every_research_url_downloads_included():
    proposal = fill_full_proposal(proposal_at(R.FULL_PROPOSAL_INVITED))
    outsider = signed_in(investigator())
    for method, path in applicant_urls(proposal):
        assert getattr(outsider, method)(path).status_code == 404, path
    proposal.refresh_from_db()
    assert proposal.status == R.FULL_PROPOSAL_INVITED
    # The outsider's own list does not show it.
    assert proposal.title not in outsider.get(reverse("research:proposal_list")).content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_investigator_list_query_count_does_not_grow_with_rows():
    member = investigator()
    client = signed_in(member)
    concept_draft(member)
    few = _count_queries(client, reverse("research:proposal_list"))
    for _ in range(15):
        concept_draft(member)
    many = _count_queries(client, reverse("research:proposal_list"))
    print(f"investigator research list: {few} queries with 1 proposal, {many} with 16")
    assert many == few


def test_staff_queue_query_count_does_not_grow_with_rows():
    staff = staff_with_role(Role.COORDINATOR)
    client = signed_in(staff)
    url = reverse("admin:research_researchproposal_changelist")
    proposal_at(R.CONCEPT_SUBMITTED)
    few = _count_queries(client, url)
    for _ in range(8):
        proposal_at(R.CONCEPT_SUBMITTED)
    many = _count_queries(client, url)
    print(f"staff research queue: {few} queries with 1 proposal, {many} with 9")
    assert many == few


def test_staff_invite_with_the_default_deadline_they_may_change(settings):
    settings.IIS_FULL_PROPOSAL_DAYS = 60
    proposal = proposal_at(R.CONCEPT_REVIEW)
    client = signed_in(staff_with_role(Role.MEDICAL))
    url = reverse("admin:research_researchproposal_action", args=[proposal.pk, "invite_full_proposal"])
    page = client.get(url).content.decode()
    assert str(timezone.localdate() + timedelta(days=60)) in page
    due = timezone.localdate() + timedelta(days=45)
    response = client.post(url, {"expected_status": R.CONCEPT_REVIEW, "due_on": str(due), "message": "Welcome."})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == R.FULL_PROPOSAL_INVITED and proposal.full_proposal_due_on == due
    invitation = Email.objects.get(template="research_full_proposal_invited")
    assert "Welcome." in invitation.body_text


def test_staff_decline_needs_reasons_and_a_message():
    proposal = proposal_at(R.CONCEPT_SUBMITTED)
    client = signed_in(staff_with_role(Role.ADMINISTRATOR))
    url = reverse("admin:research_researchproposal_action", args=[proposal.pk, "decline_concept"])
    response = client.post(url, {"expected_status": R.CONCEPT_SUBMITTED})
    assert response.status_code == 200 and "Tick at least one reason." in response.content.decode()
    client.post(url, {"expected_status": R.CONCEPT_SUBMITTED, "reason_codes": ["feasibility"], "message": "Sorry."})
    proposal.refresh_from_db()
    assert proposal.status == R.CONCEPT_DECLINED
    assert Email.objects.filter(template="research_concept_declined").exists()


def test_staff_proposal_page_shows_the_audit_trail_and_the_moves_the_role_may_make():
    proposal = proposal_at(R.CONCEPT_SUBMITTED)
    page = (
        signed_in(staff_with_role(Role.COORDINATOR))
        .get(reverse("admin:research_researchproposal_change", args=[proposal.pk]))
        .content.decode()
    )
    assert "Audit trail" in page and "Concept draft → Concept submitted" in page
    assert "Start concept review" in page
    assert "Decline the concept" not in page  # a coordinator does not decide interest


def test_staff_search_and_filters():
    wanted = proposal_at(R.CONCEPT_SUBMITTED)
    proposal_at(R.CONCEPT_REVIEW)
    client = signed_in(staff_with_role(Role.COORDINATOR))
    url = reverse("admin:research_researchproposal_changelist")
    assert wanted.reference in client.get(url, {"q": wanted.reference}).content.decode()
    for params in (
        {"stage": "concept"},
        {"study_type": "prospective_observational"},
        {"therapeutic_area": "narcolepsy"},
        {"waiting": "staff"},
    ):
        assert wanted.reference in client.get(url, params).content.decode()
    assert wanted.reference not in client.get(url, {"waiting": "investigator"}).content.decode()


def test_staff_download_the_documents_through_the_admin():
    proposal = fill_full_proposal(proposal_at(R.FULL_PROPOSAL_INVITED))
    client = signed_in(staff_with_role(Role.FINANCE))
    response = client.get(reverse("admin:research_researchproposal_document", args=[proposal.pk, "cv"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CV_BYTES
    assert "no-store" in response["Cache-Control"]
    # Staff do not get them through the investigator's route.
    assert client.get(reverse("research:proposal_document", args=[proposal.pk, "cv"])).status_code == 404

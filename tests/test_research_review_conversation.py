"""Information requests and messages on a research proposal: staff ask, the investigator sees the open
question on the proposal page, may edit the full proposal and answers (text and an optional attachment
checked by content); both sides exchange messages, every event emailed through the outbox; another
organization gets 404 on every new URL, attachments included."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import Email
from research.conversation import post_message
from research.models import ResearchInformationRequest, ResearchMessage
from research.status import ResearchStatus as R
from workflow.engine import perform
from workflow.roles import Role

from .factories import staff_with_role
from .research_steps import PDF_BYTES, investigator, proposal_at

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(user)
    return client


def detail(proposal):
    return reverse("research:proposal_detail", args=[proposal.pk])


def asked(question="Please justify the sample size of 80."):
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    client = signed_in(staff_with_role(Role.COORDINATOR))
    url = reverse("admin:research_researchproposal_action", args=[proposal.pk, "request_information"])
    response = client.post(url, {"expected_status": R.SCIENTIFIC_REVIEW, "message": question})
    assert response.status_code == 302
    proposal.refresh_from_db()
    return proposal


def test_staff_request_information_needs_the_question_and_emails_the_investigator():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    client = signed_in(staff_with_role(Role.COORDINATOR))
    url = reverse("admin:research_researchproposal_action", args=[proposal.pk, "request_information"])
    response = client.post(url, {"expected_status": R.SCIENTIFIC_REVIEW, "message": ""})
    assert response.status_code == 200 and "Write the question" in response.content.decode()
    client.post(url, {"expected_status": R.SCIENTIFIC_REVIEW, "message": "Please justify the sample size."})
    proposal.refresh_from_db()
    assert proposal.status == R.INFORMATION_REQUESTED
    question = ResearchInformationRequest.objects.get(proposal=proposal)
    assert question.is_open and question.messages.get().from_staff
    mail = Email.objects.get(template="research_information_requested")
    assert mail.to == [proposal.pi_email, proposal.created_by.email]
    assert "Please justify the sample size." in mail.body_text and proposal.reference in mail.subject


def test_information_requested_then_answered_through_the_investigators_page():
    proposal = asked()
    member = proposal.created_by
    client = signed_in(member)
    page = client.get(detail(proposal)).content.decode()
    assert "The committee asks for information" in page and "Please justify the sample size of 80." in page
    assert "Send the answer" in page

    # While information is requested the whole full proposal may be changed.
    edit = reverse("research:full_proposal_edit", args=[proposal.pk])
    form_page = client.get(edit)
    assert form_page.status_code == 200 and "Save and submit the full proposal" not in form_page.content.decode()

    answer_url = reverse("research:proposal_answer", args=[proposal.pk])
    response = client.post(answer_url, {"expected_status": R.INFORMATION_REQUESTED, "answer": ""})
    assert response.status_code == 200 and "Write your answer" in response.content.decode()
    assert "<title>Error:" in response.content.decode()

    disguised = SimpleUploadedFile("power.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    typed = {"expected_status": R.INFORMATION_REQUESTED, "answer": "The power calculation is attached."}
    response = client.post(answer_url, {**typed, "attachment": disguised})
    page = response.content.decode()
    assert response.status_code == 200 and "The power calculation is attached." in page  # nothing typed lost
    proposal.refresh_from_db()
    assert proposal.status == R.INFORMATION_REQUESTED

    upload = SimpleUploadedFile("power.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(answer_url, {**typed, "attachment": upload})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == R.SCIENTIFIC_REVIEW
    question = ResearchInformationRequest.objects.get(proposal=proposal)
    assert not question.is_open and question.answered_by == member
    answer = ResearchMessage.objects.get(proposal=proposal, from_staff=False)
    assert answer.information_request == question and answer.attachment_content_type == "application/pdf"
    alert = Email.objects.get(template="research_information_answered")
    assert "The power calculation is attached." in alert.body_text and "document is attached" in alert.body_text

    # The investigator downloads their own attachment; staff see the answer and download it in the admin.
    own = client.get(reverse("research:proposal_message_attachment", args=[proposal.pk, answer.pk]))
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF")
    staff = signed_in(staff_with_role(Role.MEDICAL))
    staff_page = staff.get(reverse("admin:research_researchproposal_change", args=[proposal.pk])).content.decode()
    assert "The power calculation is attached." in staff_page and "power.pdf" in staff_page
    download = staff.get(reverse("admin:research_researchproposal_message_attachment", args=[proposal.pk, answer.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_the_full_proposal_may_be_saved_while_information_is_requested():
    proposal = asked()
    client = signed_in(proposal.created_by)
    line = proposal.budget_lines.get()
    today = timezone.localdate()
    data = {name: getattr(proposal, name) for name in (
        "objectives_and_endpoints", "population", "statistical_plan", "sites", "safety_plan", "publication_plan",
        "coi_disclosures", "overhead_pct", "irb_status",
    )}  # fmt: skip
    data |= {
        "sample_size": "120", "sample_size_justification": "Powered at 90 % for the primary endpoint.",
        "first_patient_in": str(today + timedelta(days=120)), "last_patient_out": str(today + timedelta(days=500)),
        "final_report_on": str(today + timedelta(days=600)),
        "budget-TOTAL_FORMS": "1", "budget-INITIAL_FORMS": "1", "budget-0-id": str(line.pk),
        "budget-0-category": line.category, "budget-0-description": line.description, "budget-0-amount": "65000",
        "save": "",
    }  # fmt: skip
    response = client.post(reverse("research:full_proposal_edit", args=[proposal.pk]), data)
    page = response.content.decode()
    assert response.status_code == 302, page[page.find("<main") :][:4000]
    proposal.refresh_from_db()
    assert proposal.sample_size == 120 and proposal.direct_costs() == 65000
    assert proposal.status == R.INFORMATION_REQUESTED


def test_answering_twice_changes_nothing_the_second_time():
    proposal = asked()
    member = proposal.created_by
    perform(proposal, "answer_information", by=member, expected_status=R.INFORMATION_REQUESTED, answer="Done.")
    response = signed_in(member).post(reverse("research:proposal_answer", args=[proposal.pk]),
                                      {"expected_status": R.INFORMATION_REQUESTED, "answer": "Again."})  # fmt: skip
    assert response.status_code == 302
    assert ResearchMessage.objects.filter(proposal=proposal, from_staff=False).count() == 1


def test_messages_both_ways_are_emailed_and_shown_on_both_pages():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    staff = signed_in(staff_with_role(Role.COORDINATOR))
    message_url = reverse("admin:research_researchproposal_message", args=[proposal.pk])
    response = staff.post(message_url, {"message-body": ""})
    assert response.status_code == 200 and "Write the message before sending it." in response.content.decode()
    staff.post(message_url, {"message-body": "Could you share the site list?"})
    assert Email.objects.get(template="research_message_to_investigator").to[0] == proposal.pi_email

    member = signed_in(proposal.created_by)
    page = member.get(detail(proposal)).content.decode()
    assert "Could you share the site list?" in page and "The research team" in page
    upload = SimpleUploadedFile("sites.pdf", PDF_BYTES, content_type="application/pdf")
    response = member.post(reverse("research:proposal_message", args=[proposal.pk]),
                           {"message-body": "Attached.", "message-attachment": upload})  # fmt: skip
    assert response.status_code == 302
    alert = Email.objects.get(template="research_message_from_investigator")
    assert "Attached." in alert.body_text and alert.to == [alert.to[0]]
    staff_page = staff.get(reverse("admin:research_researchproposal_change", args=[proposal.pk]))
    assert "sites.pdf" in staff_page.content.decode()


def test_an_empty_investigator_message_is_refused_with_the_reason():
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    response = signed_in(proposal.created_by).post(reverse("research:proposal_message", args=[proposal.pk]),
                                                   {"message-body": "  "})  # fmt: skip
    assert response.status_code == 200 and "Write the message before sending it." in response.content.decode()
    assert not ResearchMessage.objects.exists()


def test_another_organization_gets_404_on_every_new_url_attachments_included():
    proposal = asked()
    upload = SimpleUploadedFile("power.pdf", PDF_BYTES, content_type="application/pdf")
    signed_in(proposal.created_by).post(reverse("research:proposal_answer", args=[proposal.pk]), {
        "expected_status": R.INFORMATION_REQUESTED, "answer": "Attached.", "attachment": upload,
    })  # fmt: skip
    answer = ResearchMessage.objects.get(proposal=proposal, from_staff=False)
    outsider = signed_in(investigator())
    assert outsider.get(detail(proposal)).status_code == 404
    attachment_url = reverse("research:proposal_message_attachment", args=[proposal.pk, answer.pk])
    assert outsider.get(attachment_url).status_code == 404
    message_url = reverse("research:proposal_message", args=[proposal.pk])
    assert outsider.post(message_url, {"message-body": "Hi"}).status_code == 404
    assert outsider.post(reverse("research:proposal_answer", args=[proposal.pk]),
                         {"expected_status": R.SCIENTIFIC_REVIEW, "answer": "x"}).status_code == 404  # fmt: skip
    # An attachment of another proposal is not reachable through one's own proposal either.
    own = proposal_at(R.SCIENTIFIC_REVIEW, user=investigator())
    insider = signed_in(own.created_by)
    assert insider.get(reverse("research:proposal_message_attachment", args=[own.pk, answer.pk])).status_code == 404
    # Investigators never reach the staff routes.
    for name, args in (("message_attachment", [proposal.pk, answer.pk]), ("change", [proposal.pk])):
        response = signed_in(proposal.created_by).get(reverse(f"admin:research_researchproposal_{name}", args=args))
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert ResearchMessage.objects.filter(proposal=proposal).count() == 2


def test_investigator_proposal_page_query_count_does_not_grow_with_messages(django_assert_max_num_queries):
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    client = signed_in(proposal.created_by)
    staff = staff_with_role(Role.COORDINATOR)
    post_message(proposal, by=staff, body="First.", from_staff=True)
    with django_assert_max_num_queries(60) as captured:
        client.get(detail(proposal))
    few = len(captured)
    for n in range(6):
        post_message(proposal, by=staff, body=f"Message {n}.", from_staff=True)
    with django_assert_max_num_queries(few):
        assert client.get(detail(proposal)).status_code == 200

"""The applicant's side of a request for information: the banner, editing only what the IME team
named, and sending the answer that returns the request to screening."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.models import Attachment, GrantRequest, InformationRequest, Message
from outbox.models import Email
from workflow.roles import Role

from .factories import TINY_PDF, AttachmentFactory, grant_request_in_screening, staff_with_role
from .test_sections import programme_data
from .workflow_steps import request_information

pytestmark = pytest.mark.django_db

WHAT_WE_NEED = "Please confirm the venue and send the draft agenda with session times."


@pytest.fixture
def coordinator(db):
    return staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")


@pytest.fixture
def in_screening(applicant_user, coordinator):
    return grant_request_in_screening(applicant_user, coordinator)


def ask(grant_request, coordinator, sections, message=WHAT_WE_NEED):
    rfi = request_information(grant_request, by=coordinator, message=message, sections=sections)
    grant_request.refresh_from_db()
    return rfi


def detail_url(grant_request):
    return reverse("grants:request_detail", args=[grant_request.pk])


def section_url(grant_request, slug):
    return reverse("grants:request_section", args=[grant_request.pk, slug])


def answer_url(grant_request):
    return reverse("grants:request_answer", args=[grant_request.pk])


def upload(client, grant_request, name="agenda-v2.pdf"):
    return client.post(
        section_url(grant_request, "attachments"),
        {"action": "upload", "kind": "agenda", "file": SimpleUploadedFile(name, TINY_PDF)},
    )


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- The banner ------------------------------------------------------------------------------------


def test_applicant_sees_the_banner_with_what_the_team_needs_and_the_sections_to_change(
    applicant_client, in_screening, coordinator
):
    ask(in_screening, coordinator, ["programme", "attachments"])
    page = applicant_client.get(detail_url(in_screening)).content.decode()
    banner = page.split('id="answer"', 1)[1].split("</section>", 1)[0]

    assert "The IME team has asked for more information" in banner
    assert WHAT_WE_NEED in banner
    assert f'href="{section_url(in_screening, "programme")}"' in banner
    assert f'href="{section_url(in_screening, "attachments")}"' in banner
    assert section_url(in_screening, "budget") not in banner
    assert f'action="{answer_url(in_screening)}"' in banner
    assert "Send your answer" in banner
    assert "Edit the request" not in page  # the banner's links replace the general edit button
    assert coordinator.get_full_name() not in page


def test_banner_shows_the_information_request_not_the_status_note(applicant_client, in_screening, coordinator):
    rfi = ask(in_screening, coordinator, ["programme"])
    InformationRequest.objects.filter(pk=rfi.pk).update(message="Reworded: which city is the venue in?")
    banner = applicant_client.get(detail_url(in_screening)).content.decode().split('id="answer"', 1)[1]
    assert "Reworded: which city is the venue in?" in banner.split("</section>", 1)[0]


def test_request_for_information_naming_no_section_asks_only_for_a_written_answer(
    applicant_client, in_screening, coordinator
):
    ask(in_screening, coordinator, [], message="Is the program repeated in the spring?")
    page = applicant_client.get(detail_url(in_screening)).content.decode()
    assert "No part of the request needs changing" in page
    response = applicant_client.get(section_url(in_screening, "programme"), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(in_screening)


def test_no_banner_once_the_request_is_back_in_screening(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    applicant_client.post(answer_url(in_screening), {"answer": "The venue is in Boston."})
    page = applicant_client.get(detail_url(in_screening)).content.decode()
    assert "The IME team has asked for more information" not in page
    assert 'action="' + answer_url(in_screening) not in page


# --- Editing only what was named ------------------------------------------------------------------


def test_applicant_can_change_a_section_the_team_named(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    response = applicant_client.post(
        section_url(in_screening, "programme"), {**programme_data(location="Hynes Convention Center, Boston")}
    )
    assert response.status_code == 302
    in_screening.refresh_from_db()
    assert in_screening.location == "Hynes Convention Center, Boston"
    assert in_screening.status == "information_requested"


def test_a_section_the_team_did_not_name_sends_the_applicant_back_with_a_reason(
    applicant_client, in_screening, coordinator
):
    ask(in_screening, coordinator, ["programme"])
    response = applicant_client.get(section_url(in_screening, "content"), follow=True)
    assert response.redirect_chain == [(detail_url(in_screening), 302)]
    assert "Only the sections the IME team asked about can be changed." in flash(response)

    before = in_screening.needs_assessment
    posted = applicant_client.post(
        section_url(in_screening, "content"), {"needs_assessment": "Rewritten", "action": "draft"}
    )
    assert posted.status_code == 302 and posted["Location"] == detail_url(in_screening)
    in_screening.refresh_from_db()
    assert in_screening.needs_assessment == before


def test_save_and_continue_from_the_last_named_section_leads_to_the_answer(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    response = applicant_client.post(section_url(in_screening, "programme"), {**programme_data(), "action": "continue"})
    assert response["Location"] == detail_url(in_screening) + "#answer"


def test_save_and_continue_skips_to_the_next_named_section(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme", "attachments"])
    response = applicant_client.post(section_url(in_screening, "programme"), {**programme_data(), "action": "continue"})
    assert response["Location"] == section_url(in_screening, "attachments")


def test_resuming_editing_opens_the_first_section_the_team_named(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["budget", "attachments"])
    response = applicant_client.get(reverse("grants:request_edit", args=[in_screening.pk]))
    assert response["Location"] == section_url(in_screening, "budget")


def test_progress_shows_the_sections_not_asked_about_as_locked(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    page = applicant_client.get(section_url(in_screening, "programme")).content.decode()
    nav = page.split('aria-label="Request sections"', 1)[1].split("</nav>", 1)[0]
    assert "only the sections the IME team asked about can be changed" in nav
    assert f'href="{section_url(in_screening, "programme")}"' in nav
    assert f'href="{section_url(in_screening, "budget")}"' not in nav
    assert nav.count("is-locked") == 6
    assert "Locked: not part of the IME team&#x27;s request" in nav
    assert "Save and go to your answer" in page


def test_attachments_cannot_change_unless_the_team_named_them(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    documents = Attachment.objects.filter(grant_request=in_screening).count()

    response = upload(applicant_client, in_screening)
    assert response["Location"] == detail_url(in_screening)
    page = applicant_client.get(section_url(in_screening, "attachments"), follow=True)
    assert "Only the sections the IME team asked about can be changed." in flash(page)

    added_later = AttachmentFactory(grant_request=in_screening, kind="other")
    removal = applicant_client.post(
        reverse("grants:attachment_delete", args=[in_screening.pk, added_later.pk]), follow=True
    )
    assert "Only the sections the IME team asked about can be changed." in flash(removal)
    assert Attachment.objects.filter(grant_request=in_screening).count() == documents + 1


def test_attachments_can_be_added_when_the_team_named_them(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["attachments"])
    documents = Attachment.objects.filter(grant_request=in_screening).count()
    response = upload(applicant_client, in_screening, name="agenda-with-times.pdf")
    assert response.status_code == 302
    assert Attachment.objects.filter(grant_request=in_screening).count() == documents + 1
    assert Attachment.objects.filter(original_name="agenda-with-times.pdf", kind="agenda").exists()


# --- Sending the answer --------------------------------------------------------------------------------


def test_answer_returns_the_request_to_screening_and_tells_the_coordinator(
    applicant_client, applicant_user, in_screening, coordinator
):
    rfi = ask(in_screening, coordinator, ["programme"])
    answer = "The venue is the Hynes Convention Center in Boston; the agenda is attached."

    response = applicant_client.post(answer_url(in_screening), {"answer": answer}, follow=True)

    assert response.redirect_chain == [(detail_url(in_screening), 302)]
    assert "Your answer has been sent; the request is back with the IME team." in flash(response)
    in_screening.refresh_from_db()
    assert in_screening.status == "screening"
    rfi.refresh_from_db()
    assert rfi.answer == answer and rfi.answered_by == applicant_user and rfi.answered_at is not None
    thread = list(Message.objects.filter(grant_request=in_screening).values_list("from_staff", "body"))
    assert thread == [(True, WHAT_WE_NEED), (False, answer)]
    email = Email.objects.get(template="information_answered")
    assert email.to == [coordinator.email]
    assert answer in email.body_text
    page = response.content.decode()
    assert "Being screened by the IME team" in page


def test_after_answering_no_section_can_be_changed(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    applicant_client.post(answer_url(in_screening), {"answer": "Venue confirmed."})
    response = applicant_client.get(section_url(in_screening, "programme"), follow=True)
    assert "This request has been submitted and is read-only." in flash(response)


def test_empty_answer_is_refused_with_the_reason_and_nothing_changes(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    response = applicant_client.post(answer_url(in_screening), {"answer": "   "})
    page = response.content.decode()

    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "Your answer was not sent." in page
    assert "Write your answer before sending it" in page
    assert page.count("<h1") == 1
    in_screening.refresh_from_db()
    assert in_screening.status == "information_requested"
    assert Message.objects.filter(grant_request=in_screening, from_staff=False).count() == 0
    assert not Email.objects.filter(template="information_answered").exists()


def test_overlong_answer_is_refused_and_kept_in_the_box(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    typed = "Our venue details follow. " + "x" * 10_000
    response = applicant_client.post(answer_url(in_screening), {"answer": typed})
    assert response.status_code == 200
    assert typed in response.content.decode()
    assert "Keep your answer under 10,000 characters" in response.content.decode()


def test_answer_is_refused_when_no_information_was_requested(applicant_client, in_screening):
    response = applicant_client.post(answer_url(in_screening), {"answer": "Unprompted"}, follow=True)
    assert "There is no open request for information" in flash(response)
    in_screening.refresh_from_db()
    assert in_screening.status == "screening"
    assert not Message.objects.filter(grant_request=in_screening).exists()


def test_answering_twice_sends_one_answer(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    applicant_client.post(answer_url(in_screening), {"answer": "First click"})
    second = applicant_client.post(answer_url(in_screening), {"answer": "First click"}, follow=True)
    assert "There is no open request for information" in flash(second)
    assert Message.objects.filter(grant_request=in_screening, from_staff=False).count() == 1
    assert Email.objects.filter(template="information_answered").count() == 1


def test_answer_needs_a_post(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    assert applicant_client.get(answer_url(in_screening)).status_code == 405


def test_second_organisation_gets_404_on_answer_and_message(other_applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    answer = other_applicant_client.post(answer_url(in_screening), {"answer": "Not mine"})
    message = other_applicant_client.post(
        reverse("grants:request_message", args=[in_screening.pk]), {"body": "Not mine"}
    )
    assert answer.status_code == 404 and message.status_code == 404
    assert GrantRequest.objects.get(pk=in_screening.pk).status == "information_requested"
    assert not Message.objects.filter(grant_request=in_screening, from_staff=False).exists()


def test_anonymous_visitor_cannot_answer(gated_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    response = gated_client.post(answer_url(in_screening), {"answer": "Hello"})
    assert response["Location"].startswith(reverse("account_login"))


def test_list_asks_the_applicant_to_answer(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    page = applicant_client.get(reverse("grants:request_list")).content.decode()
    assert "<strong>Answer the request for information</strong>" in page


# --- The emails ----------------------------------------------------------------------------------------


def test_information_requested_email_names_what_is_needed_and_what_can_change(in_screening, coordinator):
    ask(in_screening, coordinator, ["programme", "attachments"], message="Send the <agenda> & venue.")
    email = Email.objects.get(template="information_requested")
    assert email.to == [in_screening.requester_email, in_screening.secondary_email]
    assert email.subject == f"{in_screening.reference}: more information needed for your IME grant request"
    assert "Send the <agenda> & venue." in email.body_text
    assert "Send the &lt;agenda&gt; &amp; venue." in email.body_html
    assert "You can now edit these parts of your request: Program, Attachments." in email.body_text
    assert f"/requests/{in_screening.pk}/" in email.body_text


def test_information_answered_email_quotes_the_question_and_the_answer(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["programme"])
    applicant_client.post(answer_url(in_screening), {"answer": "Venue: <Hynes> Boston."})
    email = Email.objects.get(template="information_answered")
    assert email.subject == f"{in_screening.reference}: the applicant answered your request for information"
    assert WHAT_WE_NEED in email.body_text
    assert "Venue: <Hynes> Boston." in email.body_text
    assert "Venue: &lt;Hynes&gt; Boston." in email.body_html
    assert f"/admin/grants/grantrequest/{in_screening.pk}/change/" in email.body_text


# --- Replacing a document while answering ------------------------------------------------------------


def remove_url(grant_request, attachment):
    return reverse("grants:attachment_delete", args=[grant_request.pk, attachment.pk])


def sent_document(grant_request, kind):
    return Attachment.objects.filter(grant_request=grant_request, kind=kind).order_by("uploaded_at").first()


def test_applicant_can_remove_a_sent_document_a_newer_upload_replaced(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["attachments"])
    old_agenda = sent_document(in_screening, "agenda")
    assert old_agenda is not None and old_agenda.uploaded_at < in_screening.submitted_at

    upload(applicant_client, in_screening, name="agenda-with-times.pdf")
    page = applicant_client.get(section_url(in_screening, "attachments")).content.decode()
    assert f'action="{remove_url(in_screening, old_agenda)}"' in page

    response = applicant_client.post(remove_url(in_screening, old_agenda), follow=True)
    assert f"“{old_agenda.original_name}” was removed." in flash(response)
    assert not Attachment.objects.filter(pk=old_agenda.pk).exists()
    assert Attachment.objects.filter(grant_request=in_screening, original_name="agenda-with-times.pdf").exists()


def test_a_sent_document_without_a_newer_version_stays_on_file(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["attachments"])
    old_agenda = sent_document(in_screening, "agenda")
    page = applicant_client.get(section_url(in_screening, "attachments")).content.decode()
    assert remove_url(in_screening, old_agenda) not in page

    response = applicant_client.post(remove_url(in_screening, old_agenda), follow=True)
    assert "upload the new version first" in flash(response)
    assert Attachment.objects.filter(pk=old_agenda.pk).exists()


def test_a_replaced_document_stays_when_the_team_did_not_open_the_attachments(
    applicant_client, in_screening, coordinator
):
    ask(in_screening, coordinator, ["programme"])
    old_agenda = sent_document(in_screening, "agenda")
    AttachmentFactory(grant_request=in_screening, kind="agenda", original_name="agenda-v2.pdf")

    response = applicant_client.post(remove_url(in_screening, old_agenda), follow=True)
    assert "Only the sections the IME team asked about can be changed." in flash(response)
    assert Attachment.objects.filter(pk=old_agenda.pk).exists()


def test_a_replaced_document_stays_once_the_answer_is_sent(applicant_client, in_screening, coordinator):
    ask(in_screening, coordinator, ["attachments"])
    old_agenda = sent_document(in_screening, "agenda")
    upload(applicant_client, in_screening, name="agenda-with-times.pdf")
    applicant_client.post(answer_url(in_screening), {"answer": "New agenda attached."})

    applicant_client.post(remove_url(in_screening, old_agenda))
    assert Attachment.objects.filter(pk=old_agenda.pk).exists()


def test_second_organisation_cannot_remove_a_replaced_document(
    applicant_client, other_applicant_client, in_screening, coordinator
):
    ask(in_screening, coordinator, ["attachments"])
    old_agenda = sent_document(in_screening, "agenda")
    upload(applicant_client, in_screening, name="agenda-with-times.pdf")

    assert other_applicant_client.post(remove_url(in_screening, old_agenda)).status_code == 404
    assert Attachment.objects.filter(pk=old_agenda.pk).exists()

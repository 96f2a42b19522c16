"""The message thread on a request: the applicant and the IME team write to each other, with emails."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Message
from grants.services.conversation import post_message
from outbox.models import Email
from workflow.engine import perform
from workflow.roles import Role

from .factories import grant_request_in_screening, staff_with_role
from .workflow_steps import request_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")


@pytest.fixture
def in_screening(applicant_user, coordinator):
    return grant_request_in_screening(applicant_user, coordinator)


def detail_url(grant_request):
    return reverse("grants:request_detail", args=[grant_request.pk])


def message_url(grant_request):
    return reverse("grants:request_message", args=[grant_request.pk])


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def thread_html(page: str) -> str:
    return page.split('id="messages"', 1)[1].split("</section>", 1)[0]


# --- The applicant writes -------------------------------------------------------------------------


def test_applicant_writes_to_the_ime_team_who_get_an_email(applicant_client, applicant_user, in_screening, settings):
    body = "Could the agenda change from three sessions to two?"
    response = applicant_client.post(message_url(in_screening), {"body": body}, follow=True)

    assert response.redirect_chain == [(detail_url(in_screening) + "#messages", 302)]
    assert "Your message has been sent to the IME team." in flash(response)
    message = Message.objects.get(grant_request=in_screening)
    assert (message.from_staff, message.author, message.body) == (False, applicant_user, body)
    email = Email.objects.get(template="message_from_applicant")
    assert email.to == [settings.IME_STAFF_MAILBOX]
    assert email.subject == f"{in_screening.reference}: new message from {in_screening.organisation.legal_name}"
    assert body in email.body_text
    assert f"/admin/grants/grantrequest/{in_screening.pk}/change/" in email.body_text
    thread = thread_html(response.content.decode())
    assert applicant_user.get_full_name() in thread and body in thread


def test_empty_message_is_refused_with_the_reason(applicant_client, in_screening):
    response = applicant_client.post(message_url(in_screening), {"body": "  "})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "Your message was not sent." in page
    assert "Write your message before sending it." in page
    assert not Message.objects.exists()
    assert not Email.objects.filter(template="message_from_applicant").exists()


def test_overlong_message_is_refused_and_kept_in_the_box(applicant_client, in_screening):
    typed = "Here is the full agenda: " + "session " * 1300
    response = applicant_client.post(message_url(in_screening), {"body": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert typed.strip() in page
    assert "Keep your message under 10,000 characters." in page
    assert not Message.objects.exists()


def test_message_text_is_shown_as_text_not_html(applicant_client, in_screening):
    applicant_client.post(message_url(in_screening), {"body": "<script>alert(1)</script> & more"})
    thread = thread_html(applicant_client.get(detail_url(in_screening)).content.decode())
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in thread
    assert "<script>alert" not in thread


def test_message_needs_a_post(applicant_client, in_screening):
    assert applicant_client.get(message_url(in_screening)).status_code == 405


def test_second_organisation_cannot_read_or_write_the_thread(other_applicant_client, in_screening, coordinator):
    post_message(in_screening, by=coordinator, body="Private to this organization", from_staff=True)
    assert other_applicant_client.get(detail_url(in_screening)).status_code == 404
    assert other_applicant_client.post(message_url(in_screening), {"body": "Hello"}).status_code == 404
    assert Message.objects.count() == 1


# --- The IME team writes ---------------------------------------------------------------------------


def test_team_message_reaches_the_applicant_by_email_and_on_the_page(applicant_client, in_screening, coordinator):
    post_message(in_screening, by=coordinator, body="Please confirm the number of faculty.", from_staff=True)

    email = Email.objects.get(template="message_to_applicant")
    assert email.to == [in_screening.requester_email, in_screening.secondary_email]
    assert email.subject == f"{in_screening.reference}: a message from the Axsome IME grants team"
    assert "Please confirm the number of faculty." in email.body_text
    assert f"/requests/{in_screening.pk}/" in email.body_text
    page = applicant_client.get(detail_url(in_screening)).content.decode()
    thread = thread_html(page)
    assert "Axsome IME team" in thread and "Please confirm the number of faculty." in thread
    assert coordinator.get_full_name() not in page and coordinator.email not in page


def test_thread_reads_oldest_first_both_ways(applicant_client, applicant_user, in_screening, coordinator):
    post_message(in_screening, by=coordinator, body="First: a question from the team.", from_staff=True)
    applicant_client.post(message_url(in_screening), {"body": "Second: the applicant's reply."})
    post_message(in_screening, by=coordinator, body="Third: thank you.", from_staff=True)

    thread = thread_html(applicant_client.get(detail_url(in_screening)).content.decode())
    first, second, third = (thread.index(text) for text in ("First:", "Second:", "Third:"))
    assert first < second < third
    assert thread.count("Axsome IME team") == 2
    assert thread.count(applicant_user.get_full_name()) == 1


# --- When writing is possible ------------------------------------------------------------------------


def test_draft_has_no_message_form_and_refuses_messages(applicant_client, draft_request):
    page = applicant_client.get(detail_url(draft_request)).content.decode()
    assert message_url(draft_request) not in page
    response = applicant_client.post(message_url(draft_request), {"body": "Hello"}, follow=True)
    assert "Nothing was sent." in flash(response)
    assert not Message.objects.exists()


@pytest.mark.parametrize("status", ["withdrawn", "declined", "closed"])
def test_finished_request_has_no_message_form_and_refuses_messages(applicant_client, applicant_user, status):
    in_screening = request_at(status, member=applicant_user)
    page = applicant_client.get(detail_url(in_screening)).content.decode()
    assert message_url(in_screening) not in page
    assert "closed to new messages" in page
    response = applicant_client.post(message_url(in_screening), {"body": "Hello"}, follow=True)
    assert "Nothing was sent." in flash(response)
    assert not Message.objects.exists()


@pytest.mark.parametrize("status", ["submitted", "screening", "medical_review", "approved", "in_progress"])
def test_open_request_offers_the_message_form(applicant_client, applicant_user, status):
    in_screening = request_at(status, member=applicant_user)
    page = applicant_client.get(detail_url(in_screening)).content.decode()
    assert f'action="{message_url(in_screening)}"' in page


# --- Query count ----------------------------------------------------------------------------------------


def _detail_queries(client, grant_request) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail_url(grant_request))
    assert response.status_code == 200
    return len(queries)


def test_request_page_query_count_does_not_grow_with_messages_or_history(
    applicant_client, applicant_user, in_screening, coordinator
):
    post_message(in_screening, by=coordinator, body="Message 1", from_staff=True)
    with_one = _detail_queries(applicant_client, in_screening)

    for number in range(2, 21):
        from_staff = number % 2 == 0
        author = coordinator if from_staff else applicant_user
        post_message(in_screening, by=author, body=f"Message {number}", from_staff=from_staff)
    perform(in_screening, "send_to_medical_review", by=coordinator)
    with_twenty = _detail_queries(applicant_client, in_screening)

    assert Message.objects.filter(grant_request=in_screening).count() == 20
    assert with_one == with_twenty

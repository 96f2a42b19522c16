import pytest

from outbox.models import Email
from portal.models import Inquiry

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Priya Natarajan",
    "email": "priya@neuro-cme.example.org",
    "organisation": "Neuro CME Collaborative",
    "subject": "Grand rounds series eligibility",
    "message": "Is a hospital grand rounds series on migraine eligible for support?",
}


def test_valid_inquiry_is_stored_forwarded_and_acknowledged(gated_client, settings):
    response = gated_client.post("/contact/", VALID)

    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/"
    inquiry = Inquiry.objects.get()
    assert (inquiry.email, inquiry.status) == (VALID["email"], Inquiry.Status.NEW)

    forward = Email.objects.get(template="inquiry_forward")
    assert forward.to == ["medicaleducation@axsome.com"] == [settings.IME_INQUIRY_MAILBOX]
    assert forward.reply_to == [VALID["email"]]
    assert VALID["message"] in forward.body_text
    ack = Email.objects.get(template="inquiry_acknowledgement")
    assert ack.to == [VALID["email"]]
    assert ack.reply_to == ["medicaleducation@axsome.com"]
    assert ack.body_html and ack.body_text

    thanks = gated_client.get(response["Location"])
    assert b"your message has been sent" in thanks.content


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("name", "", "This field is required."),
        ("message", "", "This field is required."),
        ("message", "x" * 5001, "Ensure this value has at most 5000 characters"),
    ],
)
def test_invalid_inquiry_shows_the_error_and_keeps_what_was_typed(gated_client, field, value, error):
    response = gated_client.post("/contact/", {**VALID, field: value})

    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert 'aria-invalid="true"' in page or "is-invalid" in page
    for other, typed in VALID.items():
        if other != field:
            assert typed in page
    assert not Inquiry.objects.exists()
    assert not Email.objects.exists()


def test_sixth_inquiry_in_an_hour_from_one_address_is_refused_politely(gated_client, settings):
    settings.IME_INQUIRY_RATE = "5/h"
    for n in range(5):
        assert gated_client.post("/contact/", {**VALID, "subject": f"Question {n}"}).status_code == 302

    response = gated_client.post("/contact/", {**VALID, "subject": "Question six"})

    assert response.status_code == 429
    page = response.content.decode()
    assert "Please wait a while before sending" in page
    assert "Question six" in page
    assert Inquiry.objects.count() == 5


def test_honeypot_filled_by_a_bot_stores_and_sends_nothing(gated_client):
    response = gated_client.post("/contact/", {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not Inquiry.objects.exists()
    assert not Email.objects.exists()


def test_contact_page_shows_the_mailbox_and_a_hidden_honeypot(gated_client):
    page = gated_client.get("/contact/").content.decode()
    assert "mailto:medicaleducation@axsome.com" in page
    assert 'class="hp-field" aria-hidden="true"' in page


def test_staff_list_inquiries_with_status_filter_and_search(client, staff_user):
    Inquiry.objects.create(**VALID)
    Inquiry.objects.create(
        **{**VALID, "subject": "Budget question", "message": "Are AV costs allowed?", "email": "b@example.org"},
        status="answered",
    )
    client.force_login(staff_user)

    listed = client.get("/admin/portal/inquiry/", {"status__exact": "answered"}).content.decode()
    assert "Budget question" in listed and "Grand rounds series" not in listed
    searched = client.get("/admin/portal/inquiry/", {"q": "grand rounds"}).content.decode()
    assert "Grand rounds series" in searched and "Budget question" not in searched


def test_inquiry_admin_query_count_does_not_grow_with_rows(client, staff_user):
    client.force_login(staff_user)
    Inquiry.objects.create(**VALID)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/admin/portal/inquiry/")
    Inquiry.objects.bulk_create([Inquiry(**{**VALID, "subject": f"Q{n}"}) for n in range(30)])
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/portal/inquiry/")
    assert len(many) == len(one)

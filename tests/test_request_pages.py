import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import GrantRequest
from grants.services.submission import submit_request
from workflow.engine import perform

from .factories import AttachmentFactory, GrantRequestFactory, UserFactory, attach_required_documents
from .workflow_steps import PATHS, walk

pytestmark = pytest.mark.django_db


def detail_url(grant_request):
    return reverse("grants:request_detail", args=[grant_request.pk])


@pytest.fixture
def submitted_request(applicant_client, draft_request):
    attach_required_documents(draft_request)
    submit_request(draft_request, applicant_client.user)
    draft_request.refresh_from_db()
    return draft_request


# --- Who may see what ------------------------------------------------------------------------------

GET_PAGES = ["request_detail", "request_print", "request_review", "request_withdraw", "request_delete"]
POST_ACTIONS = ["request_submit", "request_withdraw", "request_delete"]


@pytest.mark.parametrize("name", GET_PAGES)
def test_second_organisation_gets_404_on_every_page(other_applicant_client, draft_request, name):
    assert other_applicant_client.get(reverse(f"grants:{name}", args=[draft_request.pk])).status_code == 404


@pytest.mark.parametrize("name", POST_ACTIONS)
def test_second_organisation_gets_404_on_every_action(other_applicant_client, submitted_request, name):
    url = reverse(f"grants:{name}", args=[submitted_request.pk])
    response = other_applicant_client.post(url, {"expected_status": "submitted", "reason": "Not mine"})
    assert response.status_code == 404
    assert GrantRequest.objects.get(pk=submitted_request.pk).status == "submitted"


def test_second_organisation_gets_404_on_attachment_urls(other_applicant_client, draft_request):
    attachment = AttachmentFactory(grant_request=draft_request)
    args = [draft_request.pk, attachment.pk]
    assert other_applicant_client.get(reverse("grants:attachment_download", args=args)).status_code == 404
    assert other_applicant_client.post(reverse("grants:attachment_delete", args=args)).status_code == 404


@pytest.mark.parametrize("name", GET_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(gated_client, draft_request, name):
    response = gated_client.get(reverse(f"grants:{name}", args=[draft_request.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_anonymous_visitor_to_the_list_is_sent_to_sign_in(gated_client):
    response = gated_client.get(reverse("grants:request_list"))
    assert response["Location"] == reverse("account_login") + "?next=/requests/"


# --- The list --------------------------------------------------------------------------------------


def test_user_without_an_organisation_is_sent_to_register_one(gated_client):
    gated_client.force_login(UserFactory())
    response = gated_client.get(reverse("grants:request_list"))
    assert response.status_code == 302
    assert response["Location"] == "/organisation/new/"


def test_list_shows_the_organisations_requests_with_next_actions(applicant_client, submitted_request):
    draft = GrantRequestFactory(
        organisation=submitted_request.organisation, created_by=applicant_client.user, title="Migraine update"
    )
    GrantRequestFactory(title="Somebody else's program")
    response = applicant_client.get(reverse("grants:request_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert submitted_request.reference in page
    assert "Awaiting screening" in page
    assert "Migraine update" in page and "Finish and submit" in page
    assert f'href="{detail_url(draft)}"' in page
    assert "Somebody else" not in page
    assert f'action="{reverse("grants:request_create")}"' in page
    # Newest first.
    assert page.index("Migraine update") < page.index(submitted_request.title)


def test_list_shows_the_next_action_for_a_request_for_information(applicant_client, submitted_request, staff_user):
    perform(submitted_request, "start_screening", by=staff_user)
    perform(submitted_request, "request_information", by=staff_user, message="Please attach the agenda.")
    page = applicant_client.get(reverse("grants:request_list")).content.decode()
    assert "<strong>Answer the request for information</strong>" in page


def test_empty_list_explains_how_to_start(applicant_client):
    page = applicant_client.get(reverse("grants:request_list")).content.decode()
    assert "No requests yet" in page
    assert "Start a new request" in page


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("grants:request_list"))
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_number_of_requests(applicant_client, applicant_user):
    organisation = applicant_user.membership.organisation
    GrantRequestFactory(organisation=organisation, created_by=applicant_user, with_content=False)
    with_one = _list_queries(applicant_client)
    GrantRequestFactory.create_batch(14, organisation=organisation, created_by=applicant_user, with_content=False)
    for pk in GrantRequest.objects.filter(organisation=organisation).values_list("pk", flat=True):
        reference = f"IME-2026-{pk:05d}"
        GrantRequest.objects.filter(pk=pk).update(status="submitted", reference=reference, submitted_at=Now())
    with_fifteen = _list_queries(applicant_client)
    assert with_one == with_fifteen


def test_list_query_count_is_pinned(applicant_client, applicant_user, django_assert_num_queries):
    organisation = applicant_user.membership.organisation
    GrantRequestFactory.create_batch(15, organisation=organisation, created_by=applicant_user, with_content=False)
    # user, membership + organisation, count, page of requests (the session comes from the cache)
    with django_assert_num_queries(4):
        applicant_client.get(reverse("grants:request_list"))


# --- One request's page ------------------------------------------------------------------------------


def test_draft_page_offers_edit_review_delete_but_not_withdraw(applicant_client, draft_request):
    page = applicant_client.get(detail_url(draft_request)).content.decode()
    assert "Draft — not sent yet" in page
    assert reverse("grants:request_review", args=[draft_request.pk]) in page
    assert reverse("grants:request_edit", args=[draft_request.pk]) in page
    assert reverse("grants:request_delete", args=[draft_request.pk]) in page
    assert reverse("grants:request_withdraw", args=[draft_request.pk]) not in page
    assert "Messages from the IME team will appear here" in page


def test_submitted_page_shows_timeline_summary_and_withdraw_but_no_editing(applicant_client, submitted_request):
    user = applicant_client.user
    page = applicant_client.get(detail_url(submitted_request)).content.decode()
    assert f"Reference {submitted_request.reference}" in page
    assert "Status history" in page
    assert f"by {user.get_full_name()}" in page
    assert reverse("grants:request_withdraw", args=[submitted_request.pk]) in page
    assert reverse("grants:request_review", args=[submitted_request.pk]) not in page
    assert reverse("grants:request_section", args=[submitted_request.pk, "organisation"]) not in page
    assert "can no longer be changed" in page
    assert "Apply guideline criteria for next-step therapy." in page  # the read-only summary
    attachment = submitted_request.attachments.first()
    assert reverse("grants:attachment_download", args=[submitted_request.pk, attachment.pk]) in page


def test_staff_are_shown_as_the_ime_team_and_information_requests_are_a_banner(
    applicant_client, submitted_request, staff_user
):
    perform(submitted_request, "start_screening", by=staff_user)
    perform(submitted_request, "request_information", by=staff_user, message="Please attach the draft agenda.")
    page = applicant_client.get(detail_url(submitted_request)).content.decode()
    assert "The IME team has asked for more information" in page
    assert "Please attach the draft agenda." in page
    assert "by Axsome IME team" in page
    assert staff_user.get_full_name() not in page
    assert staff_user.email not in page


def test_decided_request_offers_no_withdrawal(applicant_client, submitted_request, applicant_user):
    walk(submitted_request, PATHS["declined"], member=applicant_user)
    page = applicant_client.get(detail_url(submitted_request)).content.decode()
    assert reverse("grants:request_withdraw", args=[submitted_request.pk]) not in page


def test_detail_query_count_does_not_grow_with_history_or_documents(applicant_client, submitted_request, staff_user):
    with CaptureQueriesContext(connection) as before:
        applicant_client.get(detail_url(submitted_request))
    for kind in ["other", "other", "needs_assessment"]:
        AttachmentFactory(grant_request=submitted_request, kind=kind)
    perform(submitted_request, "start_screening", by=staff_user)
    perform(submitted_request, "send_to_medical_review", by=staff_user)
    with CaptureQueriesContext(connection) as after:
        applicant_client.get(detail_url(submitted_request))
    assert len(before) == len(after)


def test_printable_view_has_the_whole_request_and_print_styles(applicant_client, submitted_request):
    response = applicant_client.get(reverse("grants:request_print", args=[submitted_request.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page
    assert "use your browser's Print command" in page
    assert submitted_request.reference in page
    assert "Apply guideline criteria for next-step therapy." in page
    assert page.count("<h1") == 1

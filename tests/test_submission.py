import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from grants.models import GrantRequest, StatusChange
from grants.services.submission import submit_request
from outbox.models import Email
from workflow.engine import perform

from .factories import GrantRequestFactory, applicant, attach_required_documents
from .workflow_steps import PATHS, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def complete_draft(draft_request):
    return attach_required_documents(draft_request)


def review_url(grant_request):
    return reverse("grants:request_review", args=[grant_request.pk])


def submit_url(grant_request):
    return reverse("grants:request_submit", args=[grant_request.pk])


def detail_url(grant_request):
    return reverse("grants:request_detail", args=[grant_request.pk])


def withdraw_url(grant_request):
    return reverse("grants:request_withdraw", args=[grant_request.pk])


def delete_url(grant_request):
    return reverse("grants:request_delete", args=[grant_request.pk])


# --- Review page -------------------------------------------------------------------------------


def test_review_shows_the_whole_request_and_the_submit_button_when_eligible(applicant_client, complete_draft):
    response = applicant_client.get(review_url(complete_draft))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Review and submit</h1>" in page
    assert "Ready to submit" in page
    assert f'action="{submit_url(complete_draft)}"' in page
    assert complete_draft.title in page
    assert "Apply guideline criteria for next-step therapy." in page  # learning objective
    assert "$25,000.00" in page  # amount requested
    assert "$30,000.00" in page  # budget total
    assert "request-letter.pdf" in page


def test_review_lists_every_problem_with_a_link_to_its_section(applicant_client, draft_request):
    GrantRequest.objects.filter(pk=draft_request.pk).update(
        start_date=timezone.localdate() + timedelta(days=30),
        end_date=timezone.localdate() + timedelta(days=31),
        amount_requested=Decimal("40000"),
    )
    response = applicant_client.get(review_url(draft_request))
    page = response.content.decode()
    assert "things to fix before you can submit" in page
    assert "The request letter" in page or "request letter" in page.lower()
    programme = reverse("grants:request_section", args=[draft_request.pk, "programme"])
    budget = reverse("grants:request_section", args=[draft_request.pk, "budget"])
    attachments = reverse("grants:request_section", args=[draft_request.pk, "attachments"])
    for link in (programme, budget, attachments):
        assert f'href="{link}">fix this in' in page
    assert f'action="{submit_url(draft_request)}"' not in page


def test_review_of_a_submitted_request_goes_to_its_page(applicant_client, complete_draft):
    submit_request(complete_draft, applicant_client.user)
    response = applicant_client.get(review_url(complete_draft), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(complete_draft)
    assert "already submitted" in response.content.decode()


# --- Refusals ----------------------------------------------------------------------------------


def test_submit_refuses_program_starting_in_30_days(applicant_client, complete_draft):
    start = timezone.localdate() + timedelta(days=30)
    GrantRequest.objects.filter(pk=complete_draft.pk).update(start_date=start, end_date=start)
    response = applicant_client.post(submit_url(complete_draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "One thing to fix before you can submit" in page
    assert "60 days" in page
    complete_draft.refresh_from_db()
    assert complete_draft.status == "draft"
    assert complete_draft.reference is None
    assert not StatusChange.objects.exists()
    assert not Email.objects.exists()


def test_submit_refuses_amount_above_budget(applicant_client, complete_draft):
    GrantRequest.objects.filter(pk=complete_draft.pk).update(amount_requested=Decimal("45000"))
    response = applicant_client.post(submit_url(complete_draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "$45,000.00" in page and "$30,000.00" in page
    assert reverse("grants:request_section", args=[complete_draft.pk, "budget"]) in page
    complete_draft.refresh_from_db()
    assert complete_draft.status == "draft"
    assert not Email.objects.exists()


def test_submit_refuses_missing_documents(applicant_client, draft_request):
    response = applicant_client.post(submit_url(draft_request))
    assert response.status_code == 200
    assert "things to fix before you can submit" in response.content.decode()
    assert GrantRequest.objects.get(pk=draft_request.pk).status == "draft"


def test_submit_needs_a_post(applicant_client, complete_draft):
    assert applicant_client.get(submit_url(complete_draft)).status_code == 405


# --- Submitting ----------------------------------------------------------------------------------


def test_good_submit_gives_a_reference_logs_the_change_and_queues_the_emails(
    applicant_client, complete_draft, settings
):
    settings.IME_STAFF_MAILBOX = "grants-team@axsome.example.com"
    response = applicant_client.post(submit_url(complete_draft), follow=True)
    assert response.redirect_chain == [(detail_url(complete_draft), 302)]
    complete_draft.refresh_from_db()
    year = timezone.localdate().year
    assert re.fullmatch(rf"IME-{year}-\d{{5}}", complete_draft.reference)
    assert complete_draft.status == "submitted"
    assert complete_draft.submitted_at is not None
    page = response.content.decode()
    assert f"Its reference is {complete_draft.reference}" in page

    change = StatusChange.objects.get(grant_request=complete_draft)
    assert (change.from_status, change.to_status, change.actor) == ("draft", "submitted", applicant_client.user)

    receipt = Email.objects.get(template="submission_receipt")
    assert receipt.to == [complete_draft.requester_email, "sam.ortiz@provider.example.org"]
    assert complete_draft.reference in receipt.subject
    assert complete_draft.title in receipt.body_text
    assert f"{settings.SITE_URL}{detail_url(complete_draft)}" in receipt.body_text
    assert "30 to 60 days" in receipt.body_text
    assert complete_draft.reference in receipt.body_html

    alert = Email.objects.get(template="submission_alert")
    assert alert.to == ["grants-team@axsome.example.com"]
    assert complete_draft.organisation.legal_name in alert.subject
    assert "$25,000.00" in alert.body_text
    assert f"{settings.SITE_URL}/admin/grants/grantrequest/{complete_draft.pk}/change/" in alert.body_text
    assert Email.objects.count() == 2


def test_references_count_up_within_the_year(applicant_client, complete_draft):
    second = attach_required_documents(
        GrantRequestFactory(organisation=complete_draft.organisation, created_by=applicant_client.user)
    )
    first_ref = submit_request(complete_draft, applicant_client.user).grant_request.reference
    second_ref = submit_request(second, applicant_client.user).grant_request.reference
    assert int(second_ref[-5:]) == int(first_ref[-5:]) + 1


def test_double_submit_makes_one_submission_and_one_set_of_emails(applicant_client, complete_draft):
    first = applicant_client.post(submit_url(complete_draft))
    reference = GrantRequest.objects.get(pk=complete_draft.pk).reference
    second = applicant_client.post(submit_url(complete_draft), follow=True)
    assert first.status_code == 302
    assert second.redirect_chain == [(detail_url(complete_draft), 302)]
    assert f"This request was already submitted (reference {reference})." in second.content.decode()
    assert GrantRequest.objects.get(pk=complete_draft.pk).reference == reference
    assert StatusChange.objects.filter(grant_request=complete_draft).count() == 1
    assert Email.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_makes_one_submission():
    user = applicant()
    grant_request = attach_required_documents(
        GrantRequestFactory(organisation=user.membership.organisation, created_by=user)
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            results.append(submit_request(GrantRequest.objects.get(pk=grant_request.pk), user))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(r.newly_submitted for r in results) == [False, True]
    assert len({r.grant_request.reference for r in results}) == 1
    assert StatusChange.objects.filter(grant_request=grant_request).count() == 1
    assert Email.objects.filter(template="submission_receipt").count() == 1
    assert Email.objects.filter(template="submission_alert").count() == 1


# --- Withdrawing -------------------------------------------------------------------------------


@pytest.fixture
def submitted_request(applicant_client, complete_draft):
    submit_request(complete_draft, applicant_client.user)
    Email.objects.all().delete()
    complete_draft.refresh_from_db()
    return complete_draft


def test_withdraw_shows_a_confirmation_first(applicant_client, submitted_request):
    response = applicant_client.get(withdraw_url(submitted_request))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Withdraw request {submitted_request.reference}?" in page
    assert "This is final" in page
    assert 'name="expected_status" value="submitted"' in page
    assert GrantRequest.objects.get(pk=submitted_request.pk).status == "submitted"


def test_withdraw_post_withdraws_and_tells_everyone(applicant_client, submitted_request, settings):
    response = applicant_client.post(
        withdraw_url(submitted_request),
        {"expected_status": "submitted", "reason": "Our faculty withdrew; the symposium is cancelled."},
        follow=True,
    )
    assert response.redirect_chain == [(detail_url(submitted_request), 302)]
    assert "was withdrawn" in response.content.decode()
    submitted_request.refresh_from_db()
    assert submitted_request.status == "withdrawn"
    change = StatusChange.objects.filter(grant_request=submitted_request).last()
    assert (change.from_status, change.to_status) == ("submitted", "withdrawn")
    assert change.note == "Our faculty withdrew; the symposium is cancelled."

    acknowledgement = Email.objects.get(template="withdrawal_acknowledged")
    assert acknowledgement.to == [submitted_request.requester_email, submitted_request.secondary_email]
    assert submitted_request.reference in acknowledgement.subject
    alert = Email.objects.get(template="withdrawal_alert")
    assert alert.to == [settings.IME_STAFF_MAILBOX]
    assert "the symposium is cancelled" in alert.body_text


def test_decided_request_cannot_be_withdrawn(applicant_client, submitted_request, applicant_user):
    walk(submitted_request, PATHS["declined"], member=applicant_user)
    Email.objects.all().delete()  # the decision's own mail; the refusal must send none
    response = applicant_client.get(withdraw_url(submitted_request), follow=True)
    assert response.redirect_chain == [(detail_url(submitted_request), 302)]
    assert "can be withdrawn only before a decision" in response.content.decode()
    response = applicant_client.post(withdraw_url(submitted_request), {"expected_status": "declined"}, follow=True)
    assert "can be withdrawn only before a decision" in response.content.decode()
    assert GrantRequest.objects.get(pk=submitted_request.pk).status == "declined"
    assert not Email.objects.exists()


def test_withdraw_is_refused_when_staff_moved_the_request_meanwhile(applicant_client, submitted_request, staff_user):
    perform(submitted_request, "start_screening", by=staff_user)
    response = applicant_client.post(withdraw_url(submitted_request), {"expected_status": "submitted"}, follow=True)
    page = response.content.decode()
    assert "moved to “Screening”; nothing was changed" in page
    assert staff_user.email not in page
    assert GrantRequest.objects.get(pk=submitted_request.pk).status == "screening"
    assert not Email.objects.exists()


def test_a_draft_is_deleted_not_withdrawn(applicant_client, draft_request):
    response = applicant_client.post(withdraw_url(draft_request), {"expected_status": "draft"}, follow=True)
    assert response.redirect_chain == [(delete_url(draft_request), 302)]
    assert "nothing to withdraw" in response.content.decode()
    assert GrantRequest.objects.get(pk=draft_request.pk).status == "draft"


# --- Deleting a draft ----------------------------------------------------------------------------


def test_delete_draft_asks_first_then_deletes_it_with_its_documents(
    applicant_client, complete_draft, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    stored = list(complete_draft.attachments.values_list("file", flat=True))
    page = applicant_client.get(delete_url(complete_draft)).content.decode()
    assert "<h1>Delete this draft?</h1>" in page
    assert GrantRequest.objects.filter(pk=complete_draft.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(delete_url(complete_draft), follow=True)
    assert response.redirect_chain[-1][0] == reverse("grants:request_list")
    assert not GrantRequest.objects.filter(pk=complete_draft.pk).exists()
    assert stored and not any(default_storage.exists(name) for name in stored)


def test_submitted_request_cannot_be_deleted(applicant_client, submitted_request):
    response = applicant_client.post(delete_url(submitted_request), follow=True)
    assert "Only drafts can be deleted" in response.content.decode()
    assert GrantRequest.objects.filter(pk=submitted_request.pk).exists()

"""The committee's decision as the applicant sees it: on the request page, in the list and by email.
A declined request is final: nothing can be changed, answered, withdrawn or written about it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.choices import DeclineReason
from grants.models import GrantRequest, Message
from outbox.models import Email
from workflow.engine import perform
from workflow.roles import Role

from .factories import grant_request_in_screening, staff_with_role
from .workflow_steps import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return staff_with_role(Role.COORDINATOR)


@pytest.fixture
def committee_member(db):
    return staff_with_role(Role.COMMITTEE, first_name="Morgan", last_name="Committee")


@pytest.fixture
def with_committee(applicant_user, coordinator):
    grant_request = grant_request_in_screening(applicant_user, coordinator)
    perform(grant_request, "send_to_medical_review", by=coordinator)
    perform(grant_request, "send_to_committee", by=coordinator)
    return grant_request


def detail_url(grant_request):
    return reverse("grants:request_detail", args=[grant_request.pk])


def decision_html(page: str) -> str:
    return page.split('aria-labelledby="decision-heading"', 1)[1].split("</section>", 1)[0]


def flash(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_no_decision_section_before_the_committee_decides(applicant_client, with_committee):
    page = applicant_client.get(detail_url(with_committee)).content.decode()
    assert "decision-heading" not in page
    assert "With the grants committee" in page


def test_approval_shows_the_amount_and_what_happens_next(applicant_client, with_committee, committee_member):
    decide(with_committee, by=committee_member, outcome="approved", message="We look forward to the program.")

    page = applicant_client.get(detail_url(with_committee)).content.decode()
    decision = decision_html(page)
    assert "Decision: Approved" in decision
    assert "$25,000.00" in decision
    assert "We look forward to the program." in decision
    assert "Letter of Agreement" in decision
    assert "final" not in decision
    assert committee_member.get_full_name() not in page
    list_page = applicant_client.get(reverse("grants:request_list")).content.decode()
    assert "Approved — agreement to follow" in list_page


def test_partial_approval_shows_approved_and_requested_amounts_and_why(
    applicant_client, with_committee, committee_member
):
    decide(
        with_committee,
        by=committee_member,
        outcome="partially_approved",
        approved_amount=Decimal("15000"),
        reason_codes=[DeclineReason.BUDGET],
        message="The platform fee is above what we fund.",
    )

    decision = decision_html(applicant_client.get(detail_url(with_committee)).content.decode())
    assert "Decision: Partially approved" in decision
    assert "Amount requested" in decision and "$25,000.00" in decision
    assert "Amount approved" in decision and "$15,000.00" in decision
    assert "Budget not reasonable or includes costs we cannot support" in decision
    assert "The platform fee is above what we fund." in decision
    list_page = applicant_client.get(reverse("grants:request_list")).content.decode()
    assert "Approved in part — agreement to follow" in list_page


def test_decline_shows_the_reasons_and_says_it_is_final(applicant_client, with_committee, committee_member):
    decide(
        with_committee,
        by=committee_member,
        outcome="declined",
        reason_codes=[DeclineReason.BUDGET, DeclineReason.NOT_ALIGNED],
        message="The budget includes attendee travel.",
    )

    page = applicant_client.get(detail_url(with_committee)).content.decode()
    decision = decision_html(page)
    assert "Decision: Declined" in decision
    assert "Budget not reasonable or includes costs we cannot support" in decision
    assert "Outside the areas of educational need we support" in decision
    assert "The budget includes attendee travel." in decision
    assert "This decision is final for this request" in decision
    assert "Amount approved" not in decision
    list_page = applicant_client.get(reverse("grants:request_list")).content.decode()
    assert "Declined (final)" in list_page


def test_declined_request_offers_no_edit_answer_withdraw_or_message(
    applicant_client, applicant_user, coordinator, committee_member
):
    grant_request = grant_request_in_screening(applicant_user, coordinator)
    decide(
        grant_request,
        by=coordinator,
        outcome="declined",
        reason_codes=[DeclineReason.LATE],
        message="The program starts too soon.",
    )
    page = applicant_client.get(detail_url(grant_request)).content.decode()
    pk = grant_request.pk

    for name in ["request_withdraw", "request_answer", "request_message", "request_review"]:
        assert reverse(f"grants:{name}", args=[pk]) not in page
    assert reverse("grants:request_section", args=[pk, "organisation"]) not in page
    assert "Edit the request" not in page

    edit = applicant_client.get(reverse("grants:request_section", args=[pk, "programme"]), follow=True)
    assert "read-only" in flash(edit)
    answer = applicant_client.post(reverse("grants:request_answer", args=[pk]), {"answer": "Please reconsider"})
    message = applicant_client.post(reverse("grants:request_message", args=[pk]), {"body": "Please reconsider"})
    withdraw = applicant_client.post(
        reverse("grants:request_withdraw", args=[pk]), {"expected_status": "declined", "reason": "Changed plans"}
    )
    assert answer.status_code == message.status_code == withdraw.status_code == 302
    assert GrantRequest.objects.get(pk=pk).status == "declined"
    assert not Message.objects.filter(grant_request=grant_request, from_staff=False).exists()


# --- The emails, rendered through the service ---------------------------------------------------------


def test_approval_email(with_committee, committee_member):
    decide(with_committee, by=committee_member, outcome="approved", message="Well-designed program.")
    email = Email.objects.get(template="decision_approved")
    assert email.to == [with_committee.requester_email, with_committee.secondary_email]
    assert email.subject == f"{with_committee.reference}: your IME grant request is approved"
    assert "approved for $25,000.00." in email.body_text
    assert "Well-designed program." in email.body_text
    assert "Letter of Agreement" in email.body_text and with_committee.signer_name in email.body_text
    assert f"/requests/{with_committee.pk}/" in email.body_text
    assert "<strong>$25,000.00</strong>" in email.body_html


def test_partial_approval_email(with_committee, committee_member):
    decide(
        with_committee, by=committee_member, outcome="partially_approved", approved_amount=Decimal("12500.50"),
        reason_codes=[DeclineReason.BUDGET], message="Platform costs <above> our limit.",
    )  # fmt: skip
    email = Email.objects.get(template="decision_partially_approved")
    assert email.subject == f"{with_committee.reference}: your IME grant request is partially approved"
    assert "$12,500.50 of the $25,000.00 requested" in email.body_text
    assert "- Budget not reasonable or includes costs we cannot support" in email.body_text
    assert "Platform costs <above> our limit." in email.body_text
    assert "Platform costs &lt;above&gt; our limit." in email.body_html


def test_decline_email(with_committee, committee_member):
    decide(
        with_committee, by=committee_member, outcome="declined", reason_codes=[DeclineReason.COMPLIANCE],
        message="The agenda names a product.",
    )  # fmt: skip
    email = Email.objects.get(template="decision_declined")
    assert email.subject == f"{with_committee.reference}: decision on your IME grant request"
    assert "- Independence or compliance concerns" in email.body_text
    assert "The agenda names a product." in email.body_text
    assert "This decision is final for this request." in email.body_text
    assert "<li>Independence or compliance concerns</li>" in email.body_html

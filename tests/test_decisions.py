"""The committee's decision, made from the admin: approve in full, approve in part or decline, each
recorded, emailed to the applicant and shown on their request page. A decline is final."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from grants.models import Decision, GrantRequest, StatusChange
from grants.status import GrantStatus
from grants.workflow import TRANSITIONS
from outbox.models import Email
from reviews.models import Assignment, Review
from workflow.engine import IllegalTransition, perform
from workflow.roles import Role

from .factories import GrantRequestFactory, staff_with_role
from .workflow_steps import SAMPLE_INPUTS

pytestmark = pytest.mark.django_db
SECONDARY = "sam.ortiz@provider.example.org"


@pytest.fixture
def in_committee(applicant_user):
    grant_request = GrantRequestFactory(
        organisation=applicant_user.membership.organisation,
        created_by=applicant_user,
        amount_requested=Decimal("25000.00"),
        secondary_email=SECONDARY,
    )
    GrantRequest.objects.filter(pk=grant_request.pk).update(
        status=GrantStatus.COMMITTEE_REVIEW, reference=f"IME-2026-{grant_request.pk:05d}", submitted_at=timezone.now()
    )
    grant_request.refresh_from_db()
    return grant_request


@pytest.fixture
def committee_client(client, in_committee):
    from django.test import Client

    member = staff_with_role(Role.COMMITTEE, first_name="Kim", last_name="Chair")
    # A committee member decides after declaring, on their review, that they have no conflict.
    stage = GrantStatus.COMMITTEE_REVIEW
    Assignment.objects.create(grant_request=in_committee, reviewer=member, stage=stage, assigned_by=member)
    Review.objects.create(grant_request=in_committee, reviewer=member, stage=stage, has_conflict=False)
    staff = Client()
    staff.force_login(member)
    return staff


def decide_url(grant_request, name):
    return reverse("admin:grants_grantrequest_action", args=[grant_request.pk, name])


def post_decision(staff_client, grant_request, name, **data):
    return staff_client.post(decide_url(grant_request, name), {"expected_status": GrantStatus.COMMITTEE_REVIEW, **data})


def flash(response) -> str:
    return " | ".join(str(m) for m in get_messages(response.wsgi_request))


def test_approving_grants_the_full_amount_and_emails_both_contacts(committee_client, in_committee):
    confirmation = committee_client.get(decide_url(in_committee, "approve")).content.decode()
    assert "The full amount requested, $25,000.00, is approved." in confirmation

    response = post_decision(committee_client, in_committee, "approve", message="We look forward to the program.")

    assert response.status_code == 302
    in_committee.refresh_from_db()
    assert in_committee.status == GrantStatus.APPROVED
    assert in_committee.approved_amount == Decimal("25000.00")
    decision = Decision.objects.get(grant_request=in_committee)
    assert (decision.outcome, decision.approved_amount) == ("approved", Decimal("25000.00"))
    email = Email.objects.get(template="decision_approved")
    assert set(email.to) == {in_committee.requester_email, SECONDARY}
    assert "We look forward to the program." in email.body_text
    page = committee_client.get(reverse("admin:grants_grantrequest_change", args=[in_committee.pk])).content.decode()
    assert "Decision: Approved" in page and "by Kim Chair" in page


def test_a_partial_approval_must_be_for_less_than_requested(committee_client, in_committee):
    response = post_decision(
        committee_client, in_committee, "partially_approve", approved_amount="25000", message="Venue costs trimmed."
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "less than the $25,000.00 requested" in page
    assert "Venue costs trimmed." in page  # what was typed is kept
    assert GrantRequest.objects.get(pk=in_committee.pk).status == GrantStatus.COMMITTEE_REVIEW
    assert not Decision.objects.exists()


def test_a_partial_approval_needs_a_reason(committee_client, in_committee):
    response = post_decision(committee_client, in_committee, "partially_approve", approved_amount="15000", message="")

    assert response.status_code == 200
    assert "Tell the applicant why only part of the amount is approved." in response.content.decode()
    assert not Decision.objects.exists()


def test_a_partial_approval_records_the_amount_and_tells_the_applicant(committee_client, in_committee):
    post_decision(
        committee_client, in_committee, "partially_approve", approved_amount="15000.00", message="Platform fee reduced."
    )

    in_committee.refresh_from_db()
    assert in_committee.status == GrantStatus.PARTIALLY_APPROVED
    assert in_committee.approved_amount == Decimal("15000.00")
    email = Email.objects.get(template="decision_partially_approved")
    assert set(email.to) == {in_committee.requester_email, SECONDARY}
    assert "Platform fee reduced." in email.body_text


def test_declining_needs_reason_codes_and_a_message(committee_client, in_committee):
    response = post_decision(committee_client, in_committee, "decline", message="")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose at least one reason for declining." in page
    assert "Write the message the applicant will receive." in page
    assert not Email.objects.exists()


def test_declining_records_the_reasons_and_emails_the_applicant(committee_client, in_committee):
    response = post_decision(
        committee_client, in_committee, "decline",
        reason_codes=["budget", "not_aligned"], message="The budget includes attendee travel.",
    )  # fmt: skip

    assert response.status_code == 302
    decision = Decision.objects.get(grant_request=in_committee)
    assert decision.reason_codes == ["budget", "not_aligned"]
    assert GrantRequest.objects.get(pk=in_committee.pk).approved_amount is None
    email = Email.objects.get(template="decision_declined")
    assert set(email.to) == {in_committee.requester_email, SECONDARY}
    assert "Budget not reasonable or includes costs we cannot support" in email.body_text
    assert "The budget includes attendee travel." in email.body_text
    page = committee_client.get(reverse("admin:grants_grantrequest_change", args=[in_committee.pk])).content.decode()
    assert "Decision: Declined" in page and "Outside the areas of educational need we support" in page


def test_a_medical_reviewer_cannot_decide(in_committee, client):
    client.force_login(staff_with_role(Role.MEDICAL))

    response = post_decision(client, in_committee, "approve", message="")

    assert "You do not have a role that may “approve” this request." in flash(response)
    assert not Decision.objects.exists()
    assert GrantRequest.objects.get(pk=in_committee.pk).status == GrantStatus.COMMITTEE_REVIEW


def test_a_declined_request_is_final(committee_client, in_committee, applicant_user):
    post_decision(committee_client, in_committee, "decline", reason_codes=["funds"], message="Budget committed.")
    in_committee.refresh_from_db()
    administrator = staff_with_role(Role.ADMINISTRATOR, is_superuser=True)
    member = applicant_user

    for rule in TRANSITIONS:
        actor = member if rule.roles == {Role.APPLICANT} else administrator
        with pytest.raises(IllegalTransition):
            perform(in_committee, rule.name, by=actor, **{**{i.name: "given" for i in rule.inputs},
                    **SAMPLE_INPUTS.get(rule.name, {})})  # fmt: skip
    again = committee_client.post(
        decide_url(in_committee, "approve"), {"expected_status": GrantStatus.DECLINED, "message": ""}
    )

    assert "is not possible while the request is declined" in flash(again)
    assert Decision.objects.count() == 1
    assert StatusChange.objects.filter(grant_request=in_committee).count() == 1
    assert GrantRequest.objects.get(pk=in_committee.pk).status == GrantStatus.DECLINED


def test_the_applicant_sees_the_decision_on_their_request_page(committee_client, in_committee, applicant_client):
    post_decision(
        committee_client, in_committee, "partially_approve", approved_amount="18000", message="Faculty fees capped."
    )

    page = applicant_client.get(reverse("grants:request_detail", args=[in_committee.pk])).content.decode()

    assert "Partially approved" in page
    assert "Faculty fees capped." in page
    assert "$18,000.00" in page

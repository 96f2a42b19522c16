"""Each transition is a whole business event: the status, the audit entry, the records it implies
and the emails of its event, written together or not at all. And the engine serves any table: a
second kind with its own table runs through the same ``perform``."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.models import (
    Agreement,
    ChangeRequest,
    Decision,
    GrantRequest,
    InformationRequest,
    Message,
    Payment,
    Refund,
    StatusChange,
)
from grants.notifications import NOTIFICATIONS, Event
from grants.status import STATES, GrantStatus
from grants.workflow import TRANSITIONS
from outbox.models import Email
from workflow.engine import Input, MissingInput, State, Workflow, perform, register, row, workflow_of
from workflow.roles import Role

from .factories import staff_with_role
from .workflow_steps import SAMPLE_INPUTS, actor_for, inputs_for, request_at

pytestmark = pytest.mark.django_db
STAFF = "medicaleducation@axsome.com"


def _records(grant_request):
    return {
        "decisions": Decision.objects.filter(grant_request=grant_request).count(),
        "information_requests": InformationRequest.objects.filter(grant_request=grant_request).count(),
        "open_information_requests": InformationRequest.objects.filter(
            grant_request=grant_request, answered_at__isnull=True
        ).count(),
        "messages": Message.objects.filter(grant_request=grant_request).count(),
        "log": StatusChange.objects.filter(grant_request=grant_request).count(),
        "agreements": Agreement.objects.filter(grant_request=grant_request).count(),
        "payments": Payment.objects.filter(grant_request=grant_request).count(),
        "refunds": Refund.objects.filter(grant_request=grant_request).count(),
        "change_requests": ChangeRequest.objects.filter(grant_request=grant_request).count(),
    }


# transition: (source, records it adds, emails it queues as (template, recipients))
EFFECTS = {
    "submit": (GrantStatus.DRAFT, {"log": 1}, {"submission_receipt": "applicants", "submission_alert": "staff"}),
    "start_screening": (GrantStatus.SUBMITTED, {"log": 1}, {}),
    "request_information": (
        GrantStatus.SCREENING,
        {"log": 1, "information_requests": 1, "open_information_requests": 1, "messages": 1},
        {"information_requested": "applicants"},
    ),
    "resubmit": (
        GrantStatus.INFORMATION_REQUESTED,
        {"log": 1, "open_information_requests": -1, "messages": 1},
        {"information_answered": "asker"},
    ),
    "send_to_medical_review": (GrantStatus.SCREENING, {"log": 1}, {}),
    "send_to_committee": (GrantStatus.MEDICAL_REVIEW, {"log": 1}, {}),
    "approve": (GrantStatus.COMMITTEE_REVIEW, {"log": 1, "decisions": 1}, {"decision_approved": "applicants"}),
    "partially_approve": (
        GrantStatus.COMMITTEE_REVIEW,
        {"log": 1, "decisions": 1},
        {"decision_partially_approved": "applicants"},
    ),
    "decline": (GrantStatus.SCREENING, {"log": 1, "decisions": 1}, {"decision_declined": "applicants"}),
    "withdraw": (
        GrantStatus.SUBMITTED,
        {"log": 1},
        {"withdrawal_acknowledged": "applicants", "withdrawal_alert": "staff"},
    ),
    # After approval (grants/post_award.py)
    "issue_agreement": (GrantStatus.APPROVED, {"log": 1, "agreements": 1}, {"agreement_issued": "signer+applicants"}),
    "sign_agreement": (GrantStatus.AGREEMENT_SENT, {"log": 1}, {"agreement_signed_alert": "staff"}),
    "countersign_agreement": (GrantStatus.AGREEMENT_SENT, {"log": 1}, {"agreement_executed": "signer+applicants"}),
    "record_instalment": (GrantStatus.AGREEMENT_SIGNED, {"log": 1, "payments": 1}, {"payment_recorded": "requester"}),
    "record_final_payment": (GrantStatus.AGREEMENT_SIGNED, {"log": 1, "payments": 1}, {"payment_recorded": "requester"}),  # noqa: E501
    "confirm_paid": (GrantStatus.AGREEMENT_SIGNED, {"log": 1}, {}),
    "start_program": (GrantStatus.PAID, {"log": 1}, {}),
    "end_program": (GrantStatus.IN_PROGRESS, {"log": 1}, {"reconciliation_opened": "signer+applicants"}),
    "file_change_request": (
        GrantStatus.APPROVED,
        {"log": 1, "change_requests": 1},
        {"change_request_received": "applicants", "change_request_alert": "staff"},
    ),
    "approve_change": (GrantStatus.APPROVED, {"log": 1}, {"change_request_decided": "applicants"}),
    "approve_change_and_reissue": (
        GrantStatus.AGREEMENT_SIGNED,
        {"log": 1, "agreements": 1},
        {"change_request_decided": "applicants", "agreement_issued": "signer+applicants"},
    ),
    "refuse_change": (GrantStatus.APPROVED, {"log": 1}, {"change_request_decided": "applicants"}),
    "cancel": (GrantStatus.APPROVED, {"log": 1}, {"grant_cancelled": "signer+applicants"}),
    "cancel_with_refund": (GrantStatus.PAID, {"log": 1}, {"grant_cancelled": "signer+applicants"}),
    "record_cancellation_refund": (
        GrantStatus.CANCELLATION_REFUND_DUE, {"log": 1, "refunds": 1}, {"refund_received": "applicants"},
    ),
}


def test_every_transition_of_the_table_has_its_effect_listed_here():
    assert set(EFFECTS) == {t.name for t in TRANSITIONS}


@pytest.mark.parametrize("name", list(EFFECTS))
def test_each_transition_writes_exactly_its_records_and_queues_exactly_its_emails(name):
    source, added, mails = EFFECTS[name]
    admin = staff_with_role(Role.ADMINISTRATOR, first_name="Alex", last_name="Admin")
    grant_request = request_at(source, staff=admin)
    actor = actor_for(name, grant_request, member=grant_request.created_by, staff=admin)
    inputs = inputs_for(name, grant_request)  # may itself file a change or sign first: counted before
    before, emails_before = _records(grant_request), set(Email.objects.values_list("pk", flat=True))

    perform(grant_request, name, by=actor, **inputs)

    after = _records(grant_request)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == added
    queued = Email.objects.exclude(pk__in=emails_before)
    applicants = [grant_request.requester_email, grant_request.secondary_email]
    expected_to = {
        "applicants": applicants, "staff": [STAFF], "asker": [admin.email],
        "signer+applicants": [grant_request.signer_email, *applicants], "requester": [grant_request.requester_email],
    }  # fmt: skip
    assert {(e.template, tuple(e.to)) for e in queued} == {(t, tuple(expected_to[who])) for t, who in mails.items()}


def test_a_decision_writes_the_approved_amount_through_the_model_so_history_records_it():
    admin = staff_with_role(Role.ADMINISTRATOR)
    grant_request = request_at(GrantStatus.COMMITTEE_REVIEW, staff=admin)
    perform(grant_request, "partially_approve", by=admin, **SAMPLE_INPUTS["partially_approve"])

    latest = GrantRequest.history.filter(id=grant_request.pk).latest("history_date")
    assert latest.approved_amount == Decimal("1000.00")
    assert latest.status == GrantStatus.PARTIALLY_APPROVED


def test_a_refused_check_leaves_no_trace_at_all():
    admin = staff_with_role(Role.ADMINISTRATOR)
    grant_request = request_at(GrantStatus.COMMITTEE_REVIEW, staff=admin)
    before, emails = _records(grant_request), Email.objects.count()
    with pytest.raises(ValidationError, match="less than"):
        perform(grant_request, "partially_approve", by=admin, approved_amount=Decimal("999999"), message="Too much")
    grant_request.refresh_from_db()
    assert grant_request.status == GrantStatus.COMMITTEE_REVIEW
    assert _records(grant_request) == before and Email.objects.count() == emails


def test_every_event_a_transition_raises_has_its_emails_mapped():
    raised = {t.event for t in TRANSITIONS if t.event}
    assert raised <= set(NOTIFICATIONS)
    assert all(NOTIFICATIONS[event] for event in Event)


def test_every_state_has_its_flags_and_the_table_uses_only_declared_states():
    assert {s.value for s in STATES} == set(GrantStatus.values)
    assert workflow_of(GrantRequest()).kind == "ime_grant_request"


# --- A second kind, with its own small table, through the same engine ------------------------------


class Proposal(GrantRequest):
    """A stand-in for another kind of request (a research proposal): same rows, its own workflow."""

    class Meta:
        proxy = True
        app_label = "grants"


PROPOSAL_EVENTS = []


def _number_it(move):
    move.subject.reference, move.subject.submitted_at = f"TEST-{move.subject.pk:05d}", timezone.now()
PROPOSAL_WORKFLOW = Workflow(
    kind="test_proposal",
    states=[State("draft"), State("submitted", awaiting_staff=True), State("approved", terminal=True)],
    transitions=[
        row("send", "draft", "submitted", {Role.APPLICANT}, "Send the concept", effect=_number_it,
            event="concept_sent"),
        row("accept", "submitted", "approved", {Role.COMMITTEE}, "Accept", inputs=(Input("reason"),),
            note_input="reason"),  # fmt: skip
    ],
    log_model=StatusChange,
    log_subject="grant_request",
    notify=lambda event, subject, **context: PROPOSAL_EVENTS.append((event, subject.pk, context["actor"])),
)
register(Proposal, PROPOSAL_WORKFLOW)


def test_a_second_table_runs_through_the_same_engine():
    PROPOSAL_EVENTS.clear()
    draft = request_at(GrantStatus.DRAFT)
    proposal = Proposal.objects.get(pk=draft.pk)
    member = draft.created_by
    committee = staff_with_role(Role.COMMITTEE)

    assert workflow_of(proposal) is PROPOSAL_WORKFLOW
    assert [t.name for t in PROPOSAL_WORKFLOW.available(proposal, member)] == ["send"]
    perform(proposal, "send", by=member)
    assert PROPOSAL_EVENTS == [("concept_sent", proposal.pk, member)]
    with pytest.raises(MissingInput):
        perform(proposal, "accept", by=committee)
    entry = perform(proposal, "accept", by=committee, reason="Fits our areas of interest.")

    assert proposal.status == "approved"
    assert (entry.transition, entry.from_status, entry.to_status, entry.note) == (
        "accept", "submitted", "approved", "Fits our areas of interest.",
    )  # fmt: skip
    # The IME table knows none of this: its own moves are refused on the proposal and vice versa.
    assert "submit" not in PROPOSAL_WORKFLOW.by_name


# --- Roles by code, stages by status ---------------------------------------------------------------


def test_a_role_group_can_be_renamed_without_anyone_losing_the_role():
    from django.contrib.auth.models import Group, Permission

    from reviews.permissions import sync_role_groups
    from workflow.models import RoleGroup
    from workflow.roles import roles_of

    coordinator = staff_with_role(Role.COORDINATOR)
    group = RoleGroup.objects.get(code=Role.COORDINATOR).group
    group.name = "IME grants coordinators (renamed)"
    group.save()
    grant_request = request_at(GrantStatus.SUBMITTED)

    assert Role.COORDINATOR in roles_of(coordinator, grant_request)
    perform(grant_request, "start_screening", by=coordinator)

    sync_role_groups(Group, Permission, RoleGroup)  # the label comes back; the members stay
    group.refresh_from_db()
    assert group.name == Role.COORDINATOR.label and group.user_set.filter(pk=coordinator.pk).exists()


def test_a_review_stage_is_the_status_the_request_is_in_during_that_review():
    from reviews.choices import ReviewStage
    from reviews.services import current_stage

    assert set(ReviewStage.values) <= set(GrantStatus.values)
    for stage in ReviewStage:
        assert current_stage(GrantRequest(status=stage.value)) == stage
    assert current_stage(GrantRequest(status=GrantStatus.SCREENING)) is None

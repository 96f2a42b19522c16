"""The transition table, checked exhaustively: every legal move by every allowed role succeeds and is
logged; every other move, and every other role, is refused and leaves no trace. Requests reach each
state through the real workflow (tests/workflow_steps.py), never by writing a status."""

import threading

import pytest
from django.db import connection

from grants.models import GrantRequest, Membership, StatusChange
from grants.status import GrantStatus
from grants.workflow import TRANSITIONS
from reviews.models import Assignment, Review
from workflow.engine import AlreadyMoved, IllegalTransition, MissingInput, NotAllowed, perform
from workflow.models import system_actor
from workflow.roles import STAFF_ROLES, Role

from .factories import applicant, staff_with_role
from .services import undone
from .workflow_steps import SAMPLE_INPUTS, inputs_for, request_at, signer_of

pytestmark = pytest.mark.django_db
ALL_ROLES = [Role.APPLICANT, *STAFF_ROLES, Role.SYSTEM]


def actor_with(role, grant_request, rule=None):
    if role == Role.SYSTEM:
        return system_actor()
    if role == Role.APPLICANT and rule is not None and rule.name == "sign_agreement":
        return signer_of(grant_request)
    if role == Role.APPLICANT:
        return applicant(organisation=grant_request.organisation, role=Membership.Role.MEMBER)
    actor = staff_with_role(role)
    if role == Role.COMMITTEE and grant_request.status == GrantStatus.COMMITTEE_REVIEW:
        # A committee member decides only after declaring no conflict on their own review.
        Assignment.objects.create(grant_request=grant_request, reviewer=actor, stage=grant_request.status,
                                  assigned_by=actor)  # fmt: skip
        Review.objects.create(
            grant_request=grant_request, reviewer=actor, stage=grant_request.status, has_conflict=False
        )
    return actor


PAIRS = [(t, source) for t in TRANSITIONS for source in sorted(t.sources)]


@pytest.mark.parametrize("rule, source", PAIRS, ids=[f"{t.name}-{s}" for t, s in PAIRS])
def test_each_transition_by_each_role(rule, source):
    """Every role tries the move on the same request, each attempt undone afterwards (a savepoint), so the
    request is built once, not once per role: the allowed roles succeed and are logged, every other role
    is refused and leaves no trace."""
    pk = request_at(source).pk
    for role in ALL_ROLES:
        with undone():
            grant_request = GrantRequest.objects.get(pk=pk)
            actor = actor_with(role, grant_request, rule)
            inputs = inputs_for(rule.name, grant_request)
            entries_before = StatusChange.objects.count()

            if role in rule.roles:
                change = perform(grant_request, rule.name, by=actor, expected_status=source, **inputs)
                grant_request.refresh_from_db()
                target = rule.target_from(source)
                assert grant_request.status == target, role
                assert (change.from_status, change.to_status, change.actor) == (source, target, actor), role
            else:
                with pytest.raises(NotAllowed):
                    perform(grant_request, rule.name, by=actor, **inputs)
                grant_request.refresh_from_db()
                assert grant_request.status == source, role
                assert StatusChange.objects.count() == entries_before, role


def inputs_for_illegal(rule):
    """Every input present (the state is refused before any input is read)."""
    return {**{spec.name: "given" for spec in rule.inputs}, **SAMPLE_INPUTS.get(rule.name, {})}


# Every state with the moves that may not start from it; a request is built once per state (a refusal
# leaves no trace, so each move is tried on the same request).
ILLEGAL = {status: [t for t in TRANSITIONS if status not in t.sources] for status in GrantStatus}


@pytest.mark.parametrize("status", list(ILLEGAL), ids=[str(s) for s in ILLEGAL])
def test_transition_from_a_state_that_does_not_allow_it_is_refused(status):
    grant_request = request_at(status)
    superuser = staff_with_role(Role.ADMINISTRATOR, is_superuser=True)
    member = applicant(organisation=grant_request.organisation, role=Membership.Role.MEMBER)
    entries_before = StatusChange.objects.count()
    for rule in ILLEGAL[status]:
        for actor in (superuser, member):
            with pytest.raises(IllegalTransition):
                perform(grant_request, rule.name, by=actor, **inputs_for_illegal(rule))
            grant_request.refresh_from_db()
            assert grant_request.status == status, rule.name
    assert StatusChange.objects.count() == entries_before


def test_a_declined_request_stays_declined():
    grant_request = request_at(GrantStatus.DECLINED)
    member = grant_request.created_by
    coordinator = staff_with_role(Role.COORDINATOR)
    for name, actor in [
        ("resubmit", member),
        ("submit", member),
        ("withdraw", member),
        ("start_screening", coordinator),
    ]:
        with pytest.raises(IllegalTransition):
            perform(grant_request, name, by=actor, **SAMPLE_INPUTS.get(name, {}))


def test_another_organisations_member_is_not_an_applicant_for_this_request():
    grant_request = request_at(GrantStatus.SUBMITTED)
    with pytest.raises(NotAllowed):
        perform(grant_request, "withdraw", by=applicant())


def test_acting_on_stale_information_is_refused_with_who_moved_it():
    grant_request = request_at(GrantStatus.SCREENING)
    first = staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Quick")
    second = staff_with_role(Role.COMPLIANCE)
    before = StatusChange.objects.count()
    perform(grant_request, "send_to_medical_review", by=first, expected_status=GrantStatus.SCREENING)
    with pytest.raises(AlreadyMoved, match="by Casey Quick"):
        perform(grant_request, "send_to_medical_review", by=second, expected_status=GrantStatus.SCREENING)
    assert StatusChange.objects.count() == before + 1


def test_the_log_is_append_only_and_outlives_clean_up():
    grant_request = request_at(GrantStatus.SCREENING)
    change = grant_request.status_changes.last()
    change.note = "rewritten"
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        GrantRequest.objects.filter(pk=grant_request.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_two_staff_clicking_at_once_leave_one_state_and_one_log_entry():
    grant_request = request_at(GrantStatus.SCREENING)
    staff = [staff_with_role(Role.COMPLIANCE), staff_with_role(Role.COORDINATOR)]
    before = StatusChange.objects.count()
    barrier = threading.Barrier(2)
    outcomes = []

    def click(user, name, inputs):
        try:
            barrier.wait()
            perform(grant_request, name, by=user, expected_status=GrantStatus.SCREENING, **inputs)
            outcomes.append("moved")
        except AlreadyMoved as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=click, args=(staff[0], "send_to_medical_review", {})),
        threading.Thread(target=click, args=(staff[1], "decline", SAMPLE_INPUTS["decline"])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o == "moved" for o in outcomes) == [False, True]
    assert any("already moved" in o for o in outcomes)
    assert StatusChange.objects.count() == before + 1
    grant_request.refresh_from_db()
    assert grant_request.status == StatusChange.objects.last().to_status


# --- A bare call cannot make half an event ---------------------------------------------------------

NEEDS_INPUT = [t for t in TRANSITIONS if any(i.required for i in t.inputs)]


@pytest.mark.parametrize("rule", NEEDS_INPUT, ids=[t.name for t in NEEDS_INPUT])
def test_a_bare_call_without_the_moves_input_is_refused_and_changes_nothing(rule):
    source = sorted(rule.sources)[0]
    grant_request = request_at(source)
    actor = actor_with(next(iter(sorted(rule.roles))), grant_request)
    entries_before = StatusChange.objects.count()
    with pytest.raises(MissingInput):
        perform(grant_request, rule.name, by=actor)
    grant_request.refresh_from_db()
    assert grant_request.status == source
    assert StatusChange.objects.count() == entries_before


def test_input_a_move_does_not_take_is_refused():
    grant_request = request_at(GrantStatus.SUBMITTED)
    with pytest.raises(MissingInput, match="takes no approved amount|takes no approved_amount"):
        perform(grant_request, "start_screening", by=staff_with_role(Role.COORDINATOR), approved_amount=5)

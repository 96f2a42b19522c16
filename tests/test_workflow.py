"""The transition table, checked exhaustively: every legal move by every allowed role succeeds and is
logged; every other move, and every other role, is refused and leaves no trace."""

import threading

import pytest
from django.db import connection

from grants.models import GrantRequest
from grants.status import GrantStatus
from reviews.models import StatusChange
from reviews.roles import STAFF_ROLES, Role
from reviews.workflow import TRANSITIONS, AlreadyMoved, IllegalTransition, NotAllowed, NoteRequired, transition

from .factories import GrantRequestFactory, applicant, staff_with_role

pytestmark = pytest.mark.django_db
ALL_ROLES = [Role.APPLICANT, *STAFF_ROLES]


def actor_with(role, grant_request):
    if role == Role.APPLICANT:
        return applicant(organisation=grant_request.organisation)
    return staff_with_role(role)


def request_in(status):
    grant_request = GrantRequestFactory()
    GrantRequest.objects.filter(pk=grant_request.pk).update(status=status)
    grant_request.refresh_from_db()
    return grant_request


CASES = [(t, source, role) for t in TRANSITIONS for source in sorted(t.sources) for role in ALL_ROLES]


@pytest.mark.parametrize("rule, source, role", CASES, ids=[f"{t.name}-{s}-{r.value}" for t, s, r in CASES])
def test_each_transition_by_each_role(rule, source, role):
    grant_request = request_in(source)
    actor = actor_with(role, grant_request)

    if role in rule.roles:
        change = transition(grant_request, rule.name, by=actor, note="reason given", expected_status=source)
        grant_request.refresh_from_db()
        assert grant_request.status == rule.target
        assert (change.from_status, change.to_status, change.actor, change.note) == (
            source, rule.target, actor, "reason given",
        )  # fmt: skip
    else:
        with pytest.raises(NotAllowed):
            transition(grant_request, rule.name, by=actor, note="reason given")
        grant_request.refresh_from_db()
        assert grant_request.status == source
        assert not StatusChange.objects.exists()


ILLEGAL = [(t, status) for t in TRANSITIONS for status in GrantStatus if status not in t.sources]


@pytest.mark.parametrize("rule, status", ILLEGAL, ids=[f"{t.name}-from-{s}" for t, s in ILLEGAL])
def test_transition_from_a_state_that_does_not_allow_it_is_refused(rule, status):
    grant_request = request_in(status)
    superuser = staff_with_role(Role.ADMINISTRATOR, is_superuser=True)
    member = applicant(organisation=grant_request.organisation)
    for actor in (superuser, member):
        with pytest.raises(IllegalTransition):
            transition(grant_request, rule.name, by=actor, note="n")
    grant_request.refresh_from_db()
    assert grant_request.status == status
    assert not StatusChange.objects.exists()


def test_a_declined_request_stays_declined():
    grant_request = request_in(GrantStatus.DECLINED)
    member = applicant(organisation=grant_request.organisation)
    coordinator = staff_with_role(Role.COORDINATOR)
    for name, actor in [
        ("resubmit", member),
        ("submit", member),
        ("withdraw", member),
        ("start_screening", coordinator),
    ]:
        with pytest.raises(IllegalTransition):
            transition(grant_request, name, by=actor)


def test_transitions_that_need_a_reason_refuse_an_empty_note():
    grant_request = request_in(GrantStatus.SCREENING)
    with pytest.raises(NoteRequired):
        transition(grant_request, "decline", by=staff_with_role(Role.COORDINATOR), note="  ")
    assert GrantRequest.objects.get(pk=grant_request.pk).status == GrantStatus.SCREENING


def test_another_organisations_member_is_not_an_applicant_for_this_request():
    grant_request = request_in(GrantStatus.SUBMITTED)
    outsider = applicant()
    with pytest.raises(NotAllowed):
        transition(grant_request, "withdraw", by=outsider)


def test_acting_on_stale_information_is_refused_with_who_moved_it():
    grant_request = request_in(GrantStatus.SCREENING)
    first = staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Quick")
    second = staff_with_role(Role.COMPLIANCE)
    transition(grant_request, "send_to_medical_review", by=first, expected_status=GrantStatus.SCREENING)
    with pytest.raises(AlreadyMoved, match="by Casey Quick"):
        transition(grant_request, "send_to_medical_review", by=second, expected_status=GrantStatus.SCREENING)
    assert StatusChange.objects.count() == 1


def test_the_log_is_append_only():
    grant_request = request_in(GrantStatus.SUBMITTED)
    change = transition(grant_request, "start_screening", by=staff_with_role(Role.COORDINATOR))
    change.note = "rewritten"
    with pytest.raises(ValueError):
        change.save()
    with pytest.raises(ValueError):
        change.delete()


@pytest.mark.django_db(transaction=True)
def test_two_staff_clicking_at_once_leave_one_state_and_one_log_entry():
    grant_request = request_in(GrantStatus.SCREENING)
    staff = [staff_with_role(Role.COMPLIANCE), staff_with_role(Role.COORDINATOR)]
    barrier = threading.Barrier(2)
    outcomes = []

    def click(user, name):
        try:
            barrier.wait()
            transition(grant_request, name, by=user, note="n", expected_status=GrantStatus.SCREENING)
            outcomes.append("moved")
        except AlreadyMoved as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=click, args=(staff[0], "send_to_medical_review")),
        threading.Thread(target=click, args=(staff[1], "decline")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o == "moved" for o in outcomes) == [False, True]
    assert any("already moved" in o for o in outcomes)
    assert StatusChange.objects.count() == 1
    grant_request.refresh_from_db()
    assert grant_request.status == StatusChange.objects.get().to_status

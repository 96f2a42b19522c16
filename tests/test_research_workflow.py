"""The research transition table, checked exhaustively as tests/test_workflow.py checks the IME one:
every legal move by every allowed role succeeds and is logged; every other role and every other state
is refused and leaves no trace. And both kinds go through the one engine."""

import pytest

import grants.workflow
import research.workflow
from grants.models import GrantRequest, Membership
from grants.services import submission as ime_submission
from outbox.models import Email
from research import admin_actions as research_admin_actions
from research import services as research_services
from research.models import ResearchProposal, ResearchStatusChange
from research.notifications import NOTIFICATIONS, SERVICE_EVENTS
from research.status import ResearchStatus as R
from research.workflow import TRANSITIONS
from workflow import engine
from workflow.engine import IllegalTransition, NotAllowed, perform
from workflow.models import system_actor
from workflow.roles import STAFF_ROLES, Role

from .factories import applicant, staff_with_role
from .research_steps import DECISIONS, REACHABLE, fill_full_proposal, inputs_for, owner_of, proposal_at, reviewed
from .services import undone

pytestmark = pytest.mark.django_db
ALL_ROLES = [Role.APPLICANT, *STAFF_ROLES, Role.SYSTEM]


def actor_with(role, proposal, rule=None):
    if role == Role.SYSTEM:
        return system_actor()
    if role == Role.APPLICANT and rule is not None and rule.guard is not None:
        return owner_of(proposal)  # the institution's authorized signer
    if role == Role.APPLICANT:
        return applicant(organisation=proposal.organisation, role=Membership.Role.MEMBER)
    return staff_with_role(role)


def prepared(rule, source):
    proposal = proposal_at(source)
    if rule.name == "submit_full_proposal":
        fill_full_proposal(proposal)
    if rule.name in DECISIONS:
        reviewed(proposal)
    return proposal


PAIRS = [(t, source) for t in TRANSITIONS for source in sorted(t.sources)]


@pytest.mark.parametrize("rule, source", PAIRS, ids=[f"{t.name}-{s}" for t, s in PAIRS])
def test_each_research_transition_by_each_role(rule, source):
    """Every role tries the move on the same proposal, each attempt undone afterwards (a savepoint), as
    tests/test_workflow.py does for the IME table."""
    pk = prepared(rule, source).pk
    for role in ALL_ROLES:
        with undone():
            proposal = ResearchProposal.objects.get(pk=pk)
            actor = actor_with(role, proposal, rule)
            inputs = inputs_for(rule.name, proposal)
            entries_before = ResearchStatusChange.objects.count()

            if role in rule.roles:
                change = perform(proposal, rule.name, by=actor, expected_status=source, **inputs)
                proposal.refresh_from_db()
                target = rule.target_from(source)
                assert proposal.status == target, role
                assert (change.from_status, change.to_status, change.actor) == (source, target, actor), role
                assert ResearchStatusChange.objects.count() == entries_before + 1, role
            else:
                with pytest.raises(NotAllowed):
                    perform(proposal, rule.name, by=actor, **inputs)
                proposal.refresh_from_db()
                assert proposal.status == source, role
                assert ResearchStatusChange.objects.count() == entries_before, role


# Every reachable state with the moves that may not start from it; one proposal per state (as the IME one).
ILLEGAL = {status: [t for t in TRANSITIONS if status not in t.sources] for status in REACHABLE}


@pytest.mark.parametrize("status", list(ILLEGAL), ids=[str(s) for s in ILLEGAL])
def test_research_transition_from_a_state_that_does_not_allow_it_is_refused(status):
    proposal = proposal_at(status)
    superuser = staff_with_role(Role.ADMINISTRATOR, is_superuser=True)
    member = applicant(organisation=proposal.organisation, role=Membership.Role.MEMBER)
    entries_before = ResearchStatusChange.objects.count()
    for rule in ILLEGAL[status]:
        for actor in (superuser, member):
            with pytest.raises(IllegalTransition):
                perform(proposal, rule.name, by=actor, **inputs_for(rule.name, None))
            proposal.refresh_from_db()
            assert proposal.status == status, rule.name
    assert ResearchStatusChange.objects.count() == entries_before


def test_both_kinds_go_through_the_one_perform_of_the_one_engine():
    assert research_services.perform is ime_submission.perform is engine.perform
    assert research_admin_actions.perform is engine.perform
    assert engine.workflow_of(ResearchProposal()) is research.workflow.RESEARCH_WORKFLOW
    assert engine.workflow_of(GrantRequest()) is grants.workflow.IME_WORKFLOW
    assert engine._REGISTRY[ResearchProposal] is not engine._REGISTRY[GrantRequest]
    assert engine.Workflow is type(research.workflow.RESEARCH_WORKFLOW) is type(grants.workflow.IME_WORKFLOW)


def test_a_research_move_is_logged_in_the_research_log_and_numbered_iis():
    proposal = proposal_at(R.CONCEPT_SUBMITTED)
    assert proposal.reference.startswith(f"IIS-{proposal.submitted_at.year}-")
    assert len(proposal.reference) == len("IIS-2027-00001")
    entry = ResearchStatusChange.objects.get(proposal=proposal)
    assert (entry.transition, entry.from_status) == ("submit_concept", R.CONCEPT_DRAFT)
    assert entry.to_status == R.CONCEPT_SUBMITTED


def test_a_stale_click_is_refused_with_nothing_changed():
    proposal = proposal_at(R.CONCEPT_SUBMITTED)
    office = staff_with_role(Role.COORDINATOR)
    perform(proposal, "start_concept_review", by=office, expected_status=R.CONCEPT_SUBMITTED)
    with pytest.raises(engine.AlreadyMoved):
        perform(proposal, "decline_concept", by=staff_with_role(Role.MEDICAL), expected_status=R.CONCEPT_SUBMITTED,
                reason_codes=["other"], message="Late click.")  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.status == R.CONCEPT_REVIEW


def test_every_research_event_has_its_emails_mapped():
    raised = {rule.event for rule in TRANSITIONS if rule.event}
    assert raised | SERVICE_EVENTS == set(NOTIFICATIONS)
    assert not raised & SERVICE_EVENTS


EMAILING = [rule for rule in TRANSITIONS if rule.event]


@pytest.mark.parametrize("rule", EMAILING, ids=[rule.name for rule in EMAILING])
def test_each_research_move_queues_exactly_its_emails_in_the_one_outbox(rule):
    source = sorted(rule.sources)[0]
    proposal = prepared(rule, source)
    actor = actor_with((sorted(rule.roles - {Role.SYSTEM}) or [Role.SYSTEM])[0], proposal, rule)
    inputs = inputs_for(rule.name, proposal)
    before = set(Email.objects.values_list("pk", flat=True))
    perform(proposal, rule.name, by=actor, expected_status=source, **inputs)
    queued = Email.objects.exclude(pk__in=before)
    assert sorted(queued.values_list("template", flat=True)) == sorted(m.template for m in NOTIFICATIONS[rule.event])
    for email in queued:
        assert proposal.reference in email.subject
        assert email.body_text.strip() and email.body_html.strip()

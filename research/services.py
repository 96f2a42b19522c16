"""What the investigator's pages call. Every status change goes through ``workflow.engine.perform``."""

from dataclasses import dataclass

from django.db import transaction

from grants.services.organisations import membership_of
from workflow.engine import TransitionError, perform

from . import rules
from .models import ResearchProposal
from .status import ResearchStatus as R

# While information is requested the investigator may change the whole full proposal (SPEC §4b).
FULL_PROPOSAL_EDITABLE = frozenset({R.FULL_PROPOSAL_INVITED, R.INFORMATION_REQUESTED})


class NotAnInstitution(TransitionError):
    """The person is not a member of an institution that may propose research; the message says why."""


class NotEditable(TransitionError):
    pass


def institution_of(user):
    membership = membership_of(user)
    return membership.organisation if membership else None


def start_concept(user) -> ResearchProposal:
    """A new concept draft for the user's institution; refused (with the reason) without one."""
    organisation = institution_of(user)
    refusal = rules.institution_problem(organisation)
    if refusal:
        raise NotAnInstitution(refusal)
    return ResearchProposal.objects.create(
        organisation=organisation, created_by=user, pi_name=user.get_full_name(), pi_email=user.email
    )


def save_concept(proposal, form) -> ResearchProposal:
    with transaction.atomic():
        locked = ResearchProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != R.CONCEPT_DRAFT:
            raise NotEditable("The concept was already submitted; it can no longer be changed.")
        return form.save()


def save_full_proposal(proposal, form, budget_formset) -> ResearchProposal:
    with transaction.atomic():
        locked = ResearchProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in FULL_PROPOSAL_EDITABLE:
            raise NotEditable("The full proposal can be changed only while it is invited and not yet submitted, "
                              "or while the committee asks for information.")  # fmt: skip
        # The deadline is for the first submission; answering the committee is not bound by it.
        late = rules.deadline_problem(locked) if locked.status == R.FULL_PROPOSAL_INVITED else None
        if late:
            raise NotEditable(late)
        saved = form.save()
        budget_formset.instance = saved
        budget_formset.save()
        return saved


@dataclass
class Submission:
    proposal: ResearchProposal
    newly_submitted: bool


def submit_concept(proposal, user) -> Submission:
    """Submit the draft; a second click (double submit) finds it already submitted and changes nothing."""
    if proposal.status != R.CONCEPT_DRAFT:
        return Submission(proposal, False)
    try:
        perform(proposal, "submit_concept", by=user, expected_status=R.CONCEPT_DRAFT)
    except TransitionError:
        proposal.refresh_from_db()
        if proposal.status != R.CONCEPT_DRAFT:
            return Submission(proposal, False)
        raise
    return Submission(proposal, True)


def submit_full_proposal(proposal, user) -> Submission:
    if proposal.status != R.FULL_PROPOSAL_INVITED:
        return Submission(proposal, False)
    perform(proposal, "submit_full_proposal", by=user, expected_status=R.FULL_PROPOSAL_INVITED)
    return Submission(proposal, True)


def withdraw(proposal, user, *, reason, expected_status):
    return perform(proposal, "withdraw", by=user, expected_status=expected_status, reason=reason)

"""What the research post-award pages call. Each function makes its move through the workflow's one door
(``workflow.engine.perform``); where one intention is two rows (countersigning executes the agreement
and starts the study; the payment of the last milestone before the final report asks for the report),
the second row is the portal's own, made in the same transaction so the two never come apart."""

from django.db import transaction

from workflow.engine import perform
from workflow.models import system_actor

from . import post_award as award
from .status import ResearchStatus as R


def sign_agreement(proposal, agreement, *, by, signer_name, signer_title, authority_confirmed, ip=None,
                   user_agent=""):  # fmt: skip
    """Signing twice is harmless: the first signature stands."""
    try:
        perform(
            proposal, "sign_research_agreement", by=by, agreement=agreement, signer_name=signer_name,
            signer_title=signer_title, authority_confirmed=authority_confirmed, ip=ip, user_agent=user_agent,
        )  # fmt: skip
    except award.AlreadySigned:
        pass
    agreement.refresh_from_db()
    return agreement


def countersign_agreement(proposal, *, by, signer_title, ip=None, expected_status=None):
    with transaction.atomic():
        entry = perform(proposal, "countersign_research_agreement", by=by, signer_title=signer_title, ip=ip,
                        expected_status=expected_status)  # fmt: skip
        perform(proposal, "start_study", by=system_actor())
    return entry


def record_payment(proposal, *, by, milestone, method, reference, paid_on, expected_status=None):
    with transaction.atomic():
        entry = perform(proposal, "record_milestone_payment", by=by, milestone=milestone, method=method,
                        reference=reference, paid_on=paid_on, expected_status=expected_status)  # fmt: skip
        if proposal.status == R.ACTIVE and not award.before_the_final_report(proposal).filter(
            payment__isnull=True
        ).exists():
            perform(proposal, "request_final_report", by=system_actor())
    return entry


# The rows whose staff action page goes through a function above rather than straight to ``perform``.
DOORS = {"countersign_research_agreement": countersign_agreement, "record_milestone_payment": record_payment}

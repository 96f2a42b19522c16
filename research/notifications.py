"""Every workflow event of a research proposal and the emails it sends: one map, as
``grants/notifications.py`` has for IME requests, sent by the same ``queue_mails`` through the outbox."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from grants.notifications import Mail, mail_recipients, queue_mails

# What the receipts tell the investigator to expect (DOMAIN: IIS timelines).
CONCEPT_TIMELINE = (
    "We acknowledge a concept within about 10 business days and tell you whether we are interested within "
    "about 30 days."
)
FULL_PROPOSAL_TIMELINE = "A decision on a complete full proposal usually follows within about 90 days."


class ResearchEvent(models.TextChoices):
    CONCEPT_SUBMITTED = "concept_submitted", "Concept submitted"
    FULL_PROPOSAL_INVITED = "full_proposal_invited", "Full proposal invited"
    CONCEPT_DECLINED = "concept_declined", "Concept declined"
    FULL_PROPOSAL_SUBMITTED = "full_proposal_submitted", "Full proposal submitted"
    WITHDRAWN = "withdrawn", "Proposal withdrawn"
    # --- Scientific review (research/workflow.py rows, research/conversation.py, research/review.py) ---
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    INFORMATION_ANSWERED = "information_answered", "Information request answered"
    PROPOSAL_APPROVED = "proposal_approved", "Proposal approved"
    PROPOSAL_DECLINED = "proposal_declined", "Proposal declined"
    MESSAGE_TO_INVESTIGATOR = "message_to_investigator", "Message to the investigator"
    MESSAGE_FROM_INVESTIGATOR = "message_from_investigator", "Message from the investigator"
    REVIEWER_ASSIGNED = "reviewer_assigned", "Reviewer assigned"


# Events raised by services and the reminder task rather than by a row of the transition table.
SERVICE_EVENTS = frozenset({
    ResearchEvent.MESSAGE_TO_INVESTIGATOR, ResearchEvent.MESSAGE_FROM_INVESTIGATOR, ResearchEvent.REVIEWER_ASSIGNED,
})  # fmt: skip
# (Reminders, such as "full-proposal deadline approaching", are occasions in research/reminders.py.)


def investigator_recipients(proposal, fallback_user=None) -> list[str]:
    """The principal investigator and whoever started the proposal (or, before those exist, the actor)."""
    addresses = [proposal.pi_email, proposal.created_by.email if proposal.created_by_id else ""]
    if not any(addresses) and fallback_user is not None:
        addresses.append(fallback_user.email)
    return list(dict.fromkeys(a for a in addresses if a))


def _investigators(proposal, context):
    return investigator_recipients(proposal, context.get("actor"))


def _staff_mailbox(proposal, context):
    return [settings.IME_STAFF_MAILBOX]


def _staff_mailbox_reply(proposal, context):
    return settings.IME_STAFF_MAILBOX


def _reviewer(proposal, context):
    return [context["reviewer"].email] if context["reviewer"].email else []


NOTIFICATIONS: dict[ResearchEvent, list[Mail]] = {
    ResearchEvent.CONCEPT_SUBMITTED: [
        Mail("research_concept_receipt", _investigators, _staff_mailbox_reply),
        Mail("research_concept_alert", _staff_mailbox, _investigators),
    ],
    ResearchEvent.FULL_PROPOSAL_INVITED: [Mail("research_full_proposal_invited", _investigators, _staff_mailbox_reply)],
    ResearchEvent.CONCEPT_DECLINED: [Mail("research_concept_declined", _investigators, _staff_mailbox_reply)],
    ResearchEvent.FULL_PROPOSAL_SUBMITTED: [
        Mail("research_full_proposal_receipt", _investigators, _staff_mailbox_reply),
        Mail("research_full_proposal_alert", _staff_mailbox, _investigators),
    ],
    ResearchEvent.WITHDRAWN: [
        Mail("research_withdrawn", _investigators, _staff_mailbox_reply),
        Mail("research_withdrawal_alert", _staff_mailbox),
    ],
    ResearchEvent.INFORMATION_REQUESTED: [
        Mail("research_information_requested", _investigators, _staff_mailbox_reply)
    ],
    ResearchEvent.INFORMATION_ANSWERED: [Mail("research_information_answered", _staff_mailbox, _investigators)],
    ResearchEvent.PROPOSAL_APPROVED: [Mail("research_proposal_approved", _investigators, _staff_mailbox_reply)],
    ResearchEvent.PROPOSAL_DECLINED: [Mail("research_proposal_declined", _investigators, _staff_mailbox_reply)],
    ResearchEvent.MESSAGE_TO_INVESTIGATOR: [Mail("research_message_to_investigator", _investigators,
                                                 _staff_mailbox_reply)],
    ResearchEvent.MESSAGE_FROM_INVESTIGATOR: [Mail("research_message_from_investigator", _staff_mailbox,
                                                   _investigators)],
    ResearchEvent.REVIEWER_ASSIGNED: [Mail("research_review_assignment", _reviewer)],
}


def proposal_links(proposal) -> dict:
    site = settings.SITE_URL
    return {
        "proposal_url": site + reverse("research:proposal_detail", args=[proposal.pk]),
        "admin_url": site + reverse("admin:research_researchproposal_change", args=[proposal.pk]),
    }


def recipients_of(event, proposal, **context) -> list[str]:
    """Everyone the event emails (what the staff confirmation page says before they act)."""
    return mail_recipients(NOTIFICATIONS.get(ResearchEvent(event), []), proposal, {"proposal": proposal, **context})


def notify(event, proposal, **context) -> list:
    """Queue every email of ``event`` in the outbox, in the caller's transaction; returns the rows."""
    context = {
        "proposal": proposal,
        "organisation": proposal.organisation,
        "mailbox": settings.IME_STAFF_MAILBOX,
        "concept_timeline": CONCEPT_TIMELINE,
        "full_proposal_timeline": FULL_PROPOSAL_TIMELINE,
        "safety_contact": settings.IIS_SAFETY_REPORTING_CONTACT,
        **proposal_links(proposal),
        **context,
    }
    return queue_mails(NOTIFICATIONS[ResearchEvent(event)], proposal, context)

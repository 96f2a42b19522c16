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
    # After approval (research/post_award.py)
    AGREEMENT_ISSUED = "agreement_issued", "Research agreement issued"
    AGREEMENT_SIGNED = "agreement_signed", "Research agreement signed by the institution"
    AGREEMENT_EXECUTED = "agreement_executed", "Research agreement executed"
    MILESTONE_EVIDENCE_SUBMITTED = "milestone_evidence_submitted", "Milestone evidence submitted"
    MILESTONE_VERIFIED = "milestone_verified", "Milestone verified"
    MILESTONE_RETURNED = "milestone_returned", "Milestone evidence returned"
    MILESTONE_PAID = "milestone_paid", "Milestone paid"
    FINAL_REPORT_DUE = "final_report_due", "Final report due"
    FINAL_REPORT_SUBMITTED = "final_report_submitted", "Final report submitted"
    STUDY_CLOSED = "study_closed", "Study closed"
    TERMINATED = "terminated", "Study terminated"
    REFUND_RECEIVED = "refund_received", "Refund received"
    AMENDMENT_FILED = "amendment_filed", "Amendment filed"
    AMENDMENT_DECIDED = "amendment_decided", "Amendment decided"


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


def _investigators_and_signer(proposal, context):
    """The investigators and the institution's authorized signer (its owner account), who signs."""
    owner = proposal.organisation.memberships.filter(role="owner").select_related("user").first()
    extra = [owner.user.email] if owner is not None and owner.user.email else []
    return list(dict.fromkeys(investigator_recipients(proposal, context.get("actor")) + extra))


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
    ResearchEvent.AGREEMENT_ISSUED: [
        Mail("research_agreement_issued", _investigators_and_signer, _staff_mailbox_reply)
    ],
    ResearchEvent.AGREEMENT_SIGNED: [Mail("research_agreement_signed_alert", _staff_mailbox)],
    ResearchEvent.AGREEMENT_EXECUTED: [
        Mail("research_agreement_executed", _investigators_and_signer, _staff_mailbox_reply)
    ],
    ResearchEvent.MILESTONE_EVIDENCE_SUBMITTED: [Mail("research_evidence_alert", _staff_mailbox, _investigators)],
    ResearchEvent.MILESTONE_VERIFIED: [Mail("research_milestone_verified", _investigators, _staff_mailbox_reply)],
    ResearchEvent.MILESTONE_RETURNED: [Mail("research_evidence_returned", _investigators, _staff_mailbox_reply)],
    ResearchEvent.MILESTONE_PAID: [Mail("research_milestone_paid", _investigators, _staff_mailbox_reply)],
    ResearchEvent.FINAL_REPORT_DUE: [Mail("research_final_report_due", _investigators, _staff_mailbox_reply)],
    ResearchEvent.FINAL_REPORT_SUBMITTED: [Mail("research_final_report_alert", _staff_mailbox, _investigators)],
    ResearchEvent.STUDY_CLOSED: [Mail("research_study_closed", _investigators, _staff_mailbox_reply)],
    ResearchEvent.TERMINATED: [Mail("research_study_terminated", _investigators_and_signer, _staff_mailbox_reply)],
    ResearchEvent.REFUND_RECEIVED: [Mail("research_refund_received", _investigators_and_signer, _staff_mailbox_reply)],
    ResearchEvent.AMENDMENT_FILED: [Mail("research_amendment_alert", _staff_mailbox, _investigators)],
    ResearchEvent.AMENDMENT_DECIDED: [Mail("research_amendment_decided", _investigators, _staff_mailbox_reply)],
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

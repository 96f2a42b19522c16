"""Every workflow event of a grant request and the emails it sends: one map, read top to bottom.

``notify(event, grant_request, **context)`` renders each mail listed for the event and queues it in
the outbox (``outbox.services.queue_email``), inside the caller's transaction. The workflow engine
calls it for the event a transition raises; the few events that are not status changes (a message
posted, a reviewer assigned) call it directly.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse

from outbox.services import queue_email

# What the receipt tells the applicant to expect (DOMAIN: decisions typically 30-60 days after submission).
DECISION_TIMELINE = "Most requests receive a decision within 30 to 60 days of submission."


class Event(models.TextChoices):
    SUBMITTED = "submitted", "Request submitted"
    WITHDRAWN = "withdrawn", "Request withdrawn"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    INFORMATION_ANSWERED = "information_answered", "Information request answered"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Approved in part"
    DECLINED = "declined", "Declined"
    MESSAGE_TO_APPLICANT = "message_to_applicant", "Message to the applicant"
    MESSAGE_FROM_APPLICANT = "message_from_applicant", "Message from the applicant"
    REVIEWER_ASSIGNED = "reviewer_assigned", "Reviewer assigned"
    AGREEMENT_ISSUED = "agreement_issued", "Letter of Agreement issued"
    AGREEMENT_SIGNED_BY_RECIPIENT = "agreement_signed_by_recipient", "Agreement signed by the recipient"
    AGREEMENT_EXECUTED = "agreement_executed", "Agreement executed"
    PAYMENT_RECORDED = "payment_recorded", "Payment recorded"
    RECONCILIATION_OPENED = "reconciliation_opened", "Program ended: reconciliation due"
    CHANGE_REQUESTED = "change_requested", "Change request filed"
    CHANGE_APPROVED = "change_approved", "Change request approved"
    CHANGE_APPROVED_REISSUED = "change_approved_reissued", "Change request approved, agreement re-issued"
    CHANGE_REFUSED = "change_refused", "Change request refused"
    CANCELLED = "cancelled", "Grant cancelled"
    CANCELLED_REFUND_DUE = "cancelled_refund_due", "Grant cancelled, refund due"
    REFUND_RECEIVED = "refund_received", "Refund received"
    RECONCILIATION_SUBMITTED = "reconciliation_submitted", "Reconciliation submitted"
    RECONCILIATION_RETURNED = "reconciliation_returned", "Reconciliation returned with questions"
    RECONCILIATION_ANSWERED = "reconciliation_answered", "Reconciliation questions answered"
    RECONCILIATION_ACCEPTED = "reconciliation_accepted", "Reconciliation accepted"
    GRANT_CLOSED = "grant_closed", "Grant closed"


# --- Recipients: each takes the request and the event's context --------------------------------


def applicant_recipients(grant_request, fallback_user=None) -> list[str]:
    """Who is emailed on the applicant's side: the requester and the secondary contact (or, before
    those are filled in, the person who acted)."""
    addresses = [grant_request.requester_email, grant_request.secondary_email]
    if not any(addresses) and fallback_user is not None:
        addresses.append(fallback_user.email)
    return list(dict.fromkeys(a for a in addresses if a))


def _applicants(grant_request, context):
    return applicant_recipients(grant_request, context.get("actor"))


def _staff_mailbox(grant_request, context):
    return [settings.IME_STAFF_MAILBOX]


def _staff_mailbox_reply(grant_request, context):
    return settings.IME_STAFF_MAILBOX


def _who_asked(grant_request, context):
    return [context["rfi"].requested_by.email or settings.IME_STAFF_MAILBOX]


def _reviewer(grant_request, context):
    return [context["reviewer"].email]


def _signer_and_applicants(grant_request, context):
    return list(dict.fromkeys([a for a in [grant_request.signer_email] if a] + _applicants(grant_request, context)))


def _requester(grant_request, context):
    return [grant_request.requester_email] if grant_request.requester_email else _applicants(grant_request, context)


@dataclass(frozen=True)
class Mail:
    template: str
    to: Callable
    reply_to: Callable | None = None


NOTIFICATIONS: dict[Event, list[Mail]] = {
    Event.SUBMITTED: [
        Mail("submission_receipt", _applicants, _staff_mailbox_reply),
        Mail("submission_alert", _staff_mailbox, _applicants),
    ],
    Event.WITHDRAWN: [
        Mail("withdrawal_acknowledged", _applicants, _staff_mailbox_reply),
        Mail("withdrawal_alert", _staff_mailbox),
    ],
    Event.INFORMATION_REQUESTED: [Mail("information_requested", _applicants, _staff_mailbox_reply)],
    Event.INFORMATION_ANSWERED: [Mail("information_answered", _who_asked)],
    Event.APPROVED: [Mail("decision_approved", _applicants, _staff_mailbox_reply)],
    Event.PARTIALLY_APPROVED: [Mail("decision_partially_approved", _applicants, _staff_mailbox_reply)],
    Event.DECLINED: [Mail("decision_declined", _applicants, _staff_mailbox_reply)],
    Event.MESSAGE_TO_APPLICANT: [Mail("message_to_applicant", _applicants)],
    Event.MESSAGE_FROM_APPLICANT: [Mail("message_from_applicant", _staff_mailbox)],
    Event.REVIEWER_ASSIGNED: [Mail("review_assignment", _reviewer)],
    Event.AGREEMENT_ISSUED: [Mail("agreement_issued", _signer_and_applicants, _staff_mailbox_reply)],
    Event.AGREEMENT_SIGNED_BY_RECIPIENT: [Mail("agreement_signed_alert", _staff_mailbox)],
    Event.AGREEMENT_EXECUTED: [Mail("agreement_executed", _signer_and_applicants, _staff_mailbox_reply)],
    Event.PAYMENT_RECORDED: [Mail("payment_recorded", _requester, _staff_mailbox_reply)],
    Event.RECONCILIATION_OPENED: [Mail("reconciliation_opened", _signer_and_applicants, _staff_mailbox_reply)],
    Event.CHANGE_REQUESTED: [
        Mail("change_request_received", _applicants, _staff_mailbox_reply),
        Mail("change_request_alert", _staff_mailbox, _applicants),
    ],
    Event.CHANGE_APPROVED: [Mail("change_request_decided", _applicants, _staff_mailbox_reply)],
    Event.CHANGE_APPROVED_REISSUED: [
        Mail("change_request_decided", _applicants, _staff_mailbox_reply),
        Mail("agreement_issued", _signer_and_applicants, _staff_mailbox_reply),
    ],
    Event.CHANGE_REFUSED: [Mail("change_request_decided", _applicants, _staff_mailbox_reply)],
    Event.CANCELLED: [Mail("grant_cancelled", _signer_and_applicants, _staff_mailbox_reply)],
    Event.CANCELLED_REFUND_DUE: [Mail("grant_cancelled", _signer_and_applicants, _staff_mailbox_reply)],
    Event.REFUND_RECEIVED: [Mail("refund_received", _applicants, _staff_mailbox_reply)],
    Event.RECONCILIATION_SUBMITTED: [
        Mail("reconciliation_receipt", _applicants, _staff_mailbox_reply),
        Mail("reconciliation_alert", _staff_mailbox, _applicants),
    ],
    Event.RECONCILIATION_RETURNED: [Mail("reconciliation_returned", _applicants, _staff_mailbox_reply)],
    Event.RECONCILIATION_ANSWERED: [Mail("reconciliation_answered", _who_asked, _applicants)],
    Event.RECONCILIATION_ACCEPTED: [Mail("reconciliation_accepted", _applicants, _staff_mailbox_reply)],
    Event.GRANT_CLOSED: [Mail("grant_closed", _signer_and_applicants, _staff_mailbox_reply)],
}


def request_links(grant_request) -> dict:
    site = settings.SITE_URL
    return {
        "request_url": site + reverse("grants:request_detail", args=[grant_request.pk]),
        "admin_url": site + reverse("admin:grants_grantrequest_change", args=[grant_request.pk]),
    }


def mail_recipients(mails, subject, context) -> list[str]:
    """Everyone ``mails`` would reach, each once (any kind of request: ``subject`` is the request)."""
    return list(dict.fromkeys(a for mail in mails for a in mail.to(subject, context)))


def queue_mails(mails, subject, context) -> list:
    """Render and queue each of ``mails`` that has someone to go to; returns the outbox rows."""
    sent = []
    for mail in mails:
        to = mail.to(subject, context)
        if not to:
            continue
        reply_to = mail.reply_to(subject, context) if mail.reply_to else None
        sent.append(queue_email(mail.template, to, context, reply_to=reply_to))
    return sent


def recipients_of(event, grant_request, **context) -> list[str]:
    """Everyone the event emails (what confirmation pages tell staff before they act)."""
    context = {"grant_request": grant_request, **context}
    return mail_recipients(NOTIFICATIONS.get(Event(event), []), grant_request, context)


def notify(event, grant_request, **context) -> list:
    """Queue every email of ``event`` in the outbox; returns the outbox rows."""
    context = {
        "grant_request": grant_request,
        "organisation": grant_request.organisation,
        "mailbox": settings.IME_STAFF_MAILBOX,
        "timeline": DECISION_TIMELINE,
        **request_links(grant_request),
        **context,
    }
    return queue_mails(NOTIFICATIONS[Event(event)], grant_request, context)

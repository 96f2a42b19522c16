"""The applicant's side of the conversation with the IME team, as the request page shows it: the open
request for information, the message thread and the decision.

Both sides post messages here (``post_message``); the applicant's answer to a request for information
is a workflow move (``answer_information_request``), which records it and queues the emails.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction

from portal.people import person_name
from workflow.engine import perform

from .. import sections
from ..choices import DecisionOutcome, DeclineReason
from ..models import Message
from ..notifications import Event, notify
from ..status import CONVERSATION_OVER, GrantStatus

IME_TEAM = "Axsome IME team"


def post_message(grant_request, *, by, body: str, from_staff: bool) -> Message:
    if not body.strip():
        raise ValidationError("The message is empty.")
    with transaction.atomic():
        message = Message.objects.create(grant_request=grant_request, author=by, from_staff=from_staff, body=body)
        event = Event.MESSAGE_TO_APPLICANT if from_staff else Event.MESSAGE_FROM_APPLICANT
        notify(event, grant_request, message=message)
    return message


def answer_information_request(grant_request, *, by, answer: str):
    """The applicant replies; the request goes back to screening with the changes visible to staff."""
    if not answer.strip():
        raise ValidationError("Write a short reply describing what you changed or are sending.")
    entry = perform(
        grant_request, "resubmit", by=by, answer=answer, expected_status=GrantStatus.INFORMATION_REQUESTED
    )
    return entry.records["rfi"]




def can_write_to_team(grant_request) -> bool:
    return grant_request.status not in CONVERSATION_OVER


@dataclass(frozen=True)
class ThreadEntry:
    author: str
    from_staff: bool
    body: str
    sent_at: object
    # "question" for a request for information, "answer" for the applicant's reply to one.
    kind: str = ""


def message_thread(grant_request) -> list[ThreadEntry]:
    """Every message on the request, oldest first, in one query; staff appear as the IME team."""
    messages = Message.objects.filter(grant_request=grant_request).select_related("author").order_by("created_at", "pk")
    return [
        ThreadEntry(
            author=IME_TEAM if message.from_staff else person_name(message.author),
            from_staff=message.from_staff,
            body=message.body,
            sent_at=message.created_at,
            kind=("question" if message.from_staff else "answer") if message.information_request_id else "",
        )
        for message in messages
    ]


@dataclass(frozen=True)
class SectionLink:
    slug: str
    title: str
    url: str


@dataclass(frozen=True)
class OpenQuestion:
    """What the IME team asked and what the applicant may change to answer it."""

    message: str
    asked_at: object
    sections: list[SectionLink] = field(default_factory=list)
    # False when the request was moved to "information requested" without a recorded request (and so
    # without named sections or an answer to send): the applicant replies with a message instead.
    can_answer: bool = True

    @property
    def attachments_named(self) -> bool:
        return any(link.slug == "attachments" for link in self.sections)


def open_question(grant_request, information_request, timeline=()) -> OpenQuestion | None:
    """The banner's content while information is requested. ``timeline`` (the status history already
    loaded for the page) supplies the note when no InformationRequest row exists."""
    if grant_request.status != GrantStatus.INFORMATION_REQUESTED:
        return None
    if information_request is None:
        asked = next((e for e in reversed(timeline) if e["transition"] == "request_information"), None)
        return OpenQuestion(
            message=asked["note"] if asked else "",
            asked_at=asked["when"] if asked else grant_request.status_changed_at,
            can_answer=False,
        )
    named = set(information_request.sections)
    links = [
        SectionLink(section.slug, section.title, sections.section_url(grant_request, section.slug))
        for section in sections.SECTIONS
        if section.slug in named
    ]
    return OpenQuestion(message=information_request.message, asked_at=information_request.created_at, sections=links)


@dataclass(frozen=True)
class DecisionFacts:
    outcome: str
    label: str
    approved_amount: object
    requested_amount: object
    reasons: list[str]
    message: str
    decided_at: object

    @property
    def is_declined(self) -> bool:
        return self.outcome == DecisionOutcome.DECLINED

    @property
    def is_partial(self) -> bool:
        return self.outcome == DecisionOutcome.PARTIALLY_APPROVED


def decision_facts(grant_request) -> DecisionFacts | None:
    """The committee's decision as the applicant reads it, or None before there is one."""
    try:
        decision = grant_request.decision
    except ObjectDoesNotExist:
        return None
    return DecisionFacts(
        outcome=decision.outcome,
        label=decision.get_outcome_display(),
        approved_amount=decision.approved_amount,
        requested_amount=grant_request.amount_requested,
        reasons=[_reason_label(code) for code in decision.reason_codes or []],
        message=decision.message_to_applicant,
        decided_at=decision.decided_at,
    )


def _reason_label(code: str) -> str:
    try:
        return DeclineReason(code).label
    except ValueError:
        return code

"""The conversation between the research team and the investigator on a proposal: the committee's
questions (information requests) and the message thread, both ways, with an optional checked
attachment. Questions are opened and answered inside the workflow rows ``request_information`` and
``answer_information`` (research/workflow.py), which call ``ask_investigator`` / ``record_answer``;
messages are ``post_message``. Why research keeps its own small tables on the IME base classes is
explained at the top of research/review_models.py."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from grants.uploads import clean_filename, validate_upload
from portal.people import person_name

from .forms_review import AnswerForm, InvestigatorMessageForm
from .models import ResearchInformationRequest, ResearchMessage
from .notifications import ResearchEvent, notify
from .status import STATES
from .status import ResearchStatus as R

RESEARCH_TEAM = "The research team"
_CONVERSATION_OPEN = {state.value for state in STATES if state.conversation_open}


def attachment_fields(upload) -> dict:
    """A checked upload as the message's fields (type judged by content, name cleaned)."""
    if not upload:
        return {}
    accepted = validate_upload(upload)
    return {
        "attachment": upload,
        "attachment_original_name": clean_filename(upload.name),
        "attachment_content_type": accepted.content_type,
    }


def ask_investigator(proposal, *, by, message):
    return ResearchInformationRequest.open(proposal, by=by, message=message)


def record_answer(proposal, *, by, answer, attachment=None):
    return ResearchInformationRequest.answer_open(
        proposal, by=by, answer=answer, none_open="This question was already answered; nothing was changed.",
        **attachment_fields(attachment),
    )  # fmt: skip


def can_message(proposal) -> bool:
    return proposal.status in _CONVERSATION_OPEN


def post_message(proposal, *, by, body: str, from_staff: bool, attachment=None) -> ResearchMessage:
    if not body.strip():
        raise ValidationError("The message is empty.")
    if not can_message(proposal):
        raise ValidationError(f"Messages are closed while the proposal is {proposal.get_status_display().lower()}.")
    fields = attachment_fields(attachment)
    with transaction.atomic():
        message = ResearchMessage.objects.create(proposal=proposal, author=by, from_staff=from_staff, body=body,
                                                 **fields)  # fmt: skip
        event = ResearchEvent.MESSAGE_TO_INVESTIGATOR if from_staff else ResearchEvent.MESSAGE_FROM_INVESTIGATOR
        notify(event, proposal, message=message, actor=by)
    return message


def open_question(proposal):
    """The committee's open question while information is requested, or None."""
    if proposal.status != R.INFORMATION_REQUESTED:
        return None
    return ResearchInformationRequest.objects.filter(proposal=proposal, answered_at__isnull=True).first()


@dataclass(frozen=True)
class ThreadEntry:
    pk: int
    author: str
    from_staff: bool
    body: str
    sent_at: object
    kind: str
    attachment_name: str


def message_thread(proposal, *, for_staff: bool) -> list[ThreadEntry]:
    """Every message, oldest first, in one query; the investigator sees staff as the research team."""
    rows = ResearchMessage.objects.filter(proposal=proposal).select_related("author").order_by("created_at", "pk")
    return [
        ThreadEntry(
            pk=m.pk,
            author=person_name(m.author) if for_staff or not m.from_staff else RESEARCH_TEAM,
            from_staff=m.from_staff, body=m.body, sent_at=m.created_at,
            kind=("question" if m.from_staff else "answer") if m.information_request_id else "",
            attachment_name=m.attachment_original_name if m.attachment else "",
        )
        for m in rows
    ]  # fmt: skip


def conversation_context(proposal, *, answer_form=None, message_form=None) -> dict:
    """What the investigator's proposal page shows of the conversation; bound forms come back with errors."""
    question = open_question(proposal)
    if answer_form is None and question is not None:
        answer_form = AnswerForm(initial={"expected_status": proposal.status})
    return {
        "question": question,
        "answer_form": answer_form if question is not None else None,
        "thread": message_thread(proposal, for_staff=False),
        "can_message": can_message(proposal) and proposal.status != R.CONCEPT_DRAFT,
        "message_form": message_form or InvestigatorMessageForm(),
    }

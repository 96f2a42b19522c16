"""The investigator's side of the scientific review on the proposal page: the committee's open question
with its answer form, the message thread both ways and the messages' attachments. Every proposal is
loaded scoped to the user's institution (404 for anyone else); the answer is the workflow row
``answer_information``, made through ``workflow.engine.perform``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from grants.downloads import file_download
from workflow.engine import AlreadyMoved, TransitionError, perform

from . import conversation
from .forms_review import AnswerForm, InvestigatorMessageForm
from .models import ResearchMessage, ResearchProposal
from .views import detail_page


def _proposal_for(user, pk):
    queryset = ResearchProposal.objects.for_user(user).select_related("organisation", "created_by")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_POST
def answer(request, pk):
    proposal = _proposal_for(request.user, pk)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = form.cleaned_data
            perform(proposal, "answer_information", by=request.user, expected_status=data["expected_status"],
                    answer=data["answer"], attachment=data["attachment"])  # fmt: skip
        except AlreadyMoved:
            messages.error(request, "The question was already answered or withdrawn meanwhile; nothing was changed.")
            return redirect("research:proposal_detail", pk=pk)
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionError as error:
            messages.error(request, str(error))
            return redirect("research:proposal_detail", pk=pk)
        else:
            messages.success(request, "Your answer was sent to the committee; the scientific review resumes.")
            return redirect("research:proposal_detail", pk=pk)
    return detail_page(request, proposal, answer_form=form)


@login_required
@require_POST
def send_message(request, pk):
    proposal = _proposal_for(request.user, pk)
    form = InvestigatorMessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            conversation.post_message(proposal, by=request.user, body=form.cleaned_data["body"], from_staff=False,
                                      attachment=form.cleaned_data["attachment"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Message sent to the research team.")
            return redirect("research:proposal_detail", pk=pk)
    return detail_page(request, proposal, message_form=form)


@login_required
@require_GET
def message_attachment(request, pk, message_pk):
    proposal = _proposal_for(request.user, pk)
    message = get_object_or_404(ResearchMessage, pk=message_pk, proposal=proposal)
    return file_download(message.attachment, message.attachment_original_name, message.attachment_content_type or None)

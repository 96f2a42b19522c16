"""The applicant writes to the IME team from the request page: the answer to a request for
information, and messages. Invalid input re-renders the request page with the error and the text kept."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from workflow.engine import TransitionError

from ..forms.conversation import AnswerForm, MessageForm
from ..services.conversation import answer_information_request, can_write_to_team, post_message
from ..services.editing import current_information_request
from .requests import applicant_request, render_request_page

ANSWER_SENT = "Your answer has been sent; the request is back with the IME team."
NOTHING_TO_ANSWER = "There is no open request for information on this request, so there is nothing to answer."
MESSAGE_SENT = "Your message has been sent to the IME team. You will get an email when they reply."


def _request_page(grant_request, anchor=""):
    return reverse("grants:request_detail", args=[grant_request.pk]) + anchor


@login_required
@require_POST
def request_answer(request, pk):
    grant_request = applicant_request(request.user, pk)
    if current_information_request(grant_request) is None:
        messages.error(request, NOTHING_TO_ANSWER)
        return redirect(_request_page(grant_request))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer_information_request(grant_request, by=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            form.add_error("answer", error)
        except TransitionError:
            # Answered or withdrawn by a colleague meanwhile: the page now shows where the request stands.
            grant_request.refresh_from_db(fields=["status", "status_changed_at"])
            messages.error(
                request,
                f"This request is now “{grant_request.get_status_display().lower()}”, so your answer was not sent.",
            )
            return redirect(_request_page(grant_request))
        else:
            messages.success(request, ANSWER_SENT)
            return redirect(_request_page(grant_request))
    return render_request_page(request, grant_request, answer_form=form)


@login_required
@require_POST
def request_message(request, pk):
    grant_request = applicant_request(request.user, pk)
    if not can_write_to_team(grant_request):
        messages.error(
            request,
            "Messages can be sent only about a request that has been submitted and is still open. Nothing was sent.",
        )
        return redirect(_request_page(grant_request))
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            post_message(grant_request, by=request.user, body=form.cleaned_data["body"], from_staff=False)
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, MESSAGE_SENT)
            return redirect(_request_page(grant_request, "#messages"))
    return render_request_page(request, grant_request, message_form=form)


urlpatterns = [
    path("requests/<int:pk>/answer/", request_answer, name="request_answer"),
    path("requests/<int:pk>/messages/", request_message, name="request_message"),
]

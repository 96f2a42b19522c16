"""Deciding a change request from the request page's panel: approve (the request is updated; a change
to the agreement's terms re-issues the letter) or refuse with a note, through
``grants.services.post_award.decide_change_request``. The workflow checks the role and the stale page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from grants import post_award as award
from grants.models import ChangeRequest
from grants.services.post_award import decide_change_request
from workflow.engine import TransitionError

from ..forms import ChangeDecisionForm
from .common import back_to_request, load_request, post_only, report_error
from .request_page import render_request_page

PANEL = "change-requests"


def _already_decided(request, grant_request, change):
    messages.error(
        request, f"This change request was already {change.get_status_display().lower()}; nothing was changed."
    )
    return back_to_request(grant_request, PANEL)


@post_only
def decide_change(model_admin, request, pk, change_pk):
    grant_request = load_request(model_admin, request, pk)
    change = get_object_or_404(ChangeRequest, pk=change_pk, grant_request=grant_request)
    if not change.is_pending:
        return _already_decided(request, grant_request, change)
    form = ChangeDecisionForm(request.POST, short_notice=award.short_notice(grant_request, change))
    if form.is_valid():
        data = form.cleaned_data
        try:
            decide_change_request(
                change, by=request.user, approve=data["decision"] == "approve", note=data["note"],
                short_notice_accepted=bool(data.get("short_notice_accepted")), expected_status=data["expected_status"],
            )  # fmt: skip
        except TransitionError as error:
            report_error(request, error)
            return back_to_request(grant_request, PANEL)
        except ValidationError as error:
            change.refresh_from_db()
            if not change.is_pending:
                return _already_decided(request, grant_request, change)
            form.add_error(None, error)
        else:
            change.refresh_from_db()
            messages.success(
                request,
                f"{grant_request.display_reference}: the change request was {change.get_status_display().lower()}.",
            )
            return back_to_request(grant_request, PANEL)
    return render_request_page(model_admin, request, pk, change_form=form)

"""One page per staff action, built from its transition row(s) in ``grants/workflow.py``. The page
is the confirmation: it says what will happen (the move, who is emailed, what the row explains), asks
for the inputs through the form registered for the row, and carries the status the member of staff
saw, so a click on a stale page changes nothing. A new transition needs a row and, if it takes input,
a form registered in ``reviews/forms.py``; nothing here. The actions themselves (one per row, or one
intention served by a service that picks between two rows) are listed in ``staff_actions.py``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.response import TemplateResponse

from grants.notifications import recipients_of
from grants.status import TERMINAL, GrantStatus
from workflow.engine import TransitionError

from ..forms import form_for, inputs_from
from .common import admin_context, back_to_request, load_request, report_error
from .staff_actions import STAFF_ACTIONS

TEMPLATE = "admin/grants/grantrequest/action_form.html"


def _money(amount) -> str:
    return f"${amount:,.2f}" if amount is not None else "the amount requested"


def consequences(rule, grant_request) -> list[str]:
    """What the confirmation page tells the member of staff will happen, read off the row."""
    current = grant_request.get_status_display()
    if rule.moves:
        sentences = [f"The request moves from “{current}” to “{GrantStatus(rule.target).label}”."]
    else:
        sentences = [f"The request stays “{current}”; this is recorded in its audit trail."]
    sentences += [text.format(requested=_money(grant_request.amount_requested)) for text in rule.explains]
    if rule.event:
        recipients = " and ".join(recipients_of(rule.event, grant_request))
        sentences.append(
            f"The applicant will be emailed ({recipients})." if recipients else "The applicant has no email on file."
        )
    return sentences


def _done(action, grant_request, previous) -> str:
    now = GrantStatus(grant_request.status).label
    if now == previous:
        return f"{grant_request.display_reference}: “{action.label}” done — the request stays {previous}."
    return f"{grant_request.display_reference}: “{action.label}” done — moved from {previous} to {now}."


def action_page(model_admin, request, pk, name):
    grant_request = load_request(model_admin, request, pk)
    action = STAFF_ACTIONS.get(name)
    if action is None:
        raise Http404("No such staff action.")
    rule = action.rule_now(grant_request)
    form_class = form_for(rule)

    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            previous = grant_request.get_status_display()
            extra = action.from_request(request) if action.from_request else {}
            try:
                action.service(
                    grant_request, by=request.user, expected_status=form.cleaned_data["expected_status"],
                    **inputs_from(form), **extra,
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            except TransitionError as error:
                # Refused by the workflow (stale page, wrong role, impossible now): nothing changed.
                report_error(request, error)
                return back_to_request(grant_request)
            else:
                messages.success(request, _done(action, grant_request, previous))
                return back_to_request(grant_request)
    else:
        refusal = action.refusal(grant_request, request.user) or (
            action.blocked(grant_request) if action.blocked else None
        )
        if refusal:
            messages.error(request, refusal)
            return back_to_request(grant_request)
        form = form_class(initial={"expected_status": grant_request.status})

    context = admin_context(
        model_admin,
        request,
        title=f"{'Error: ' if form.errors else ''}{action.label}: {grant_request.display_reference}",
        grant_request=grant_request,
        original=grant_request,
        rule=rule,
        action=action,
        form=form,
        consequences=action.explains(grant_request) if action.explains else consequences(rule, grant_request),
        is_final=rule.target in TERMINAL,
    )
    return TemplateResponse(request, TEMPLATE, context)

"""One page per workflow action, built from the transition's row in ``grants/workflow.py``. The page
is the confirmation: it says what will happen (the move, who is emailed, what the row explains), asks
for the transition's inputs through its form, and carries the status the member of staff saw, so a
click on a stale page changes nothing. A new transition needs a row and, if it takes input, a form
registered in ``reviews/forms.py``; nothing here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.response import TemplateResponse

from grants.notifications import recipients_of
from grants.status import TERMINAL, GrantStatus
from grants.workflow import BY_NAME
from workflow.engine import TransitionError, perform, why_not
from workflow.roles import Role

from ..forms import form_for, inputs_from
from .common import admin_context, back_to_request, load_request, report_error

TEMPLATE = "admin/grants/grantrequest/action_form.html"


def _money(amount) -> str:
    return f"${amount:,.2f}" if amount is not None else "the amount requested"


def consequences(rule, grant_request) -> list[str]:
    """What the confirmation page tells the member of staff will happen, read off the row."""
    if rule.moves:
        sentences = [
            f"The request moves from “{grant_request.get_status_display()}” to “{GrantStatus(rule.target).label}”."
        ]
    else:
        sentences = [f"The request stays “{grant_request.get_status_display()}”; the audit trail records this."]
    sentences += [text.format(requested=_money(grant_request.amount_requested)) for text in rule.explains]
    if rule.event:
        recipients = " and ".join(recipients_of(rule.event, grant_request))
        sentences.append(
            f"The applicant will be emailed ({recipients})." if recipients else "The applicant has no email on file."
        )
    return sentences


def action_page(model_admin, request, pk, name):
    grant_request = load_request(model_admin, request, pk)
    rule = BY_NAME.get(name)
    if rule is None or not (rule.roles - {Role.APPLICANT}):
        raise Http404("No such staff action.")
    form_class = form_for(rule)

    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            previous = grant_request.get_status_display()
            try:
                perform(
                    grant_request, rule.name, by=request.user,
                    expected_status=form.cleaned_data["expected_status"], **inputs_from(form),
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            except TransitionError as error:
                # Refused by the workflow (stale page, wrong role, impossible now): nothing changed.
                report_error(request, error)
                return back_to_request(grant_request)
            else:
                moved = f"moved from {previous} to {GrantStatus(grant_request.status).label}" if rule.moves else (
                    f"still {previous.lower()}"
                )
                messages.success(request, f"{grant_request.display_reference}: “{rule.label}” done — {moved}.")
                return back_to_request(grant_request)
    else:
        refusal = why_not(grant_request, request.user, rule)
        if refusal:
            messages.error(request, refusal)
            return back_to_request(grant_request)
        form = form_class(initial={"expected_status": grant_request.status})

    context = admin_context(
        model_admin,
        request,
        title=f"{'Error: ' if form.errors else ''}{rule.label}: {grant_request.display_reference}",
        grant_request=grant_request,
        original=grant_request,
        rule=rule,
        form=form,
        consequences=consequences(rule, grant_request),
        is_final=rule.target in TERMINAL,
    )
    return TemplateResponse(request, TEMPLATE, context)

"""One page per workflow action. The page is the confirmation: it says what will happen (who is
emailed, whether it can be undone), asks for the note or decision details, and carries the status the
member of staff saw, so a click on a stale page changes nothing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.response import TemplateResponse

from grants.status import GrantStatus

from ..choices import DecisionOutcome
from ..forms import ApprovalForm, DeclineForm, InformationRequestForm, PartialApprovalForm, TransitionForm
from ..roles import Role
from ..services import applicant_recipients, decide, request_information
from ..workflow import BY_NAME, TransitionError, available_transitions, transition
from .common import admin_context, back_to_request, load_request, report_error

DECISIONS = {
    "approve": (ApprovalForm, DecisionOutcome.APPROVED),
    "partially_approve": (PartialApprovalForm, DecisionOutcome.PARTIALLY_APPROVED),
    "decline": (DeclineForm, DecisionOutcome.DECLINED),
}
TEMPLATE = "admin/grants/grantrequest/action_form.html"


def _money(amount) -> str:
    return f"${amount:,.2f}" if amount is not None else "the amount requested"


def consequences(rule, grant_request) -> list[str]:
    """What the confirmation page tells the member of staff will happen."""
    recipients = " and ".join(applicant_recipients(grant_request))
    emailed = f"The applicant will be emailed ({recipients})." if recipients else "The applicant has no email on file."
    moves = f"The request moves from “{grant_request.get_status_display()}” to “{rule.target.label}”."
    requested = _money(grant_request.amount_requested)
    return {
        "start_screening": [moves, "The applicant sees the new status on their request page; no email is sent."],
        "request_information": [
            moves,
            emailed + " They can change the sections you tick and send an answer; the request waits until they do.",
        ],
        "send_to_medical_review": [
            moves,
            "Assign one or more medical reviewers on the request page; each is emailed when assigned.",
        ],
        "send_to_committee": [
            moves,
            "Assign committee members on the request page; each is emailed when assigned.",
        ],
        "approve": [
            moves,
            f"The full amount requested, {requested}, is approved.",
            emailed + " The Letter of Agreement follows.",
        ],
        "partially_approve": [
            moves,
            f"You approve less than the {requested} requested; the applicant is told the amount and your reason.",
            emailed,
        ],
        "decline": [
            moves,
            "A decline is final: the request cannot be changed, reopened or resubmitted afterwards.",
            emailed + " The email lists the reasons you tick and your message.",
        ],
    }.get(rule.name, [moves])


def _form_class(name):
    if name in DECISIONS:
        return DECISIONS[name][0]
    if name == "request_information":
        return InformationRequestForm
    return TransitionForm


def _perform(rule, grant_request, user, data):
    """Carry out the action through the service that owns it; every status change goes through the workflow."""
    expected = data["expected_status"]
    if rule.name in DECISIONS:
        return decide(
            grant_request,
            by=user,
            outcome=DECISIONS[rule.name][1],
            approved_amount=data.get("approved_amount"),
            reason_codes=data.get("reason_codes", []),
            message=data.get("message", ""),
            expected_status=expected,
        )
    if rule.name == "request_information":
        return request_information(
            grant_request, by=user, message=data["message"], sections=data["sections"], expected_status=expected
        )
    return transition(grant_request, rule.name, by=user, note=data.get("note", ""), expected_status=expected)


def action_page(model_admin, request, pk, name):
    grant_request = load_request(model_admin, request, pk)
    rule = BY_NAME.get(name)
    if rule is None or not (rule.roles - {Role.APPLICANT}):
        raise Http404("No such staff action.")
    form_class = _form_class(name)
    kwargs = {"rule": rule} if form_class is TransitionForm else {}

    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            previous = grant_request.get_status_display()
            try:
                _perform(rule, grant_request, request.user, form.cleaned_data)
            except TransitionError as error:
                # Refused by the workflow (stale page, wrong role, impossible now): nothing changed.
                report_error(request, error)
                return back_to_request(grant_request)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"{grant_request.display_reference}: “{rule.label}” done — moved from {previous} "
                    f"to {GrantStatus(grant_request.status).label}.",
                )
                return back_to_request(grant_request)
    else:
        if rule not in available_transitions(grant_request, request.user):
            messages.error(
                request, f"“{rule.label}” is not something you can do on this request while it is "
                f"{grant_request.get_status_display().lower()}.",
            )  # fmt: skip
            return back_to_request(grant_request)
        form = form_class(initial={"expected_status": grant_request.status}, **kwargs)

    context = admin_context(
        model_admin,
        request,
        title=f"{rule.label}: {grant_request.display_reference}",
        grant_request=grant_request,
        original=grant_request,
        rule=rule,
        form=form,
        consequences=consequences(rule, grant_request),
        is_final=rule.target == GrantStatus.DECLINED,
    )
    return TemplateResponse(request, TEMPLATE, context, status=400 if form.is_bound else 200)

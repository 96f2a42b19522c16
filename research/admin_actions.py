"""The staff action page of a research move, read off its row in research/workflow.py, as the IME action
page (reviews/admin_views/actions.py) is read off grants/workflow.py: it says what will happen, asks
for the row's inputs and carries the status staff saw, so a stale click changes nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from portal.client_ip import client_ip
from reviews.admin_views.common import report_error
from reviews.forms import inputs_from
from workflow.engine import TransitionError, perform, why_not
from workflow.roles import Role

from .admin_forms import form_for
from .models import ResearchProposal
from .notifications import recipients_of
from .review import DECISION_ROWS, has_countable_review
from .services_post_award import DOORS
from .status import TERMINAL
from .status import ResearchStatus as R
from .workflow import BY_NAME


def staff_proposals():
    """Every proposal staff may open: never an investigator's unsubmitted concept draft."""
    return ResearchProposal.objects.exclude(status=R.CONCEPT_DRAFT)


def proposal_page_url(proposal) -> str:
    return reverse("admin:research_researchproposal_change", args=[proposal.pk])


def consequences(rule, proposal) -> list[str]:
    if rule.moves:
        sentences = [f"The proposal moves from “{proposal.get_status_display()}” to “{R(rule.target).label}”."]
    else:
        sentences = [f"The proposal stays “{proposal.get_status_display()}”; the audit trail records the event."]
    sentences += list(rule.explains)
    if rule.name in DECISION_ROWS and not has_countable_review(proposal):
        # Said before staff type a schedule or a message, not only after the refusal.
        sentences.insert(0, "No reviewer free of a conflict of interest has submitted a review yet: "
                            "the decision will be refused until one has.")  # fmt: skip
    if rule.event:
        recipients = " and ".join(recipients_of(rule.event, proposal))
        sentences.append(f"The investigator will be emailed ({recipients})." if recipients else "No email is on file.")
    return sentences


def action_page(model_admin, request, pk, name):
    proposal = get_object_or_404(staff_proposals().select_related("organisation"), pk=pk)
    if not model_admin.has_view_permission(request, proposal):
        raise PermissionDenied
    rule = BY_NAME.get(name)
    if rule is None or not (rule.roles - {Role.APPLICANT}):
        raise Http404("No such staff action.")
    form_class = form_for(rule)
    # A form that needs the proposal (the approval's schedule, a milestone to choose) says so.
    extra = {"proposal": proposal} if getattr(form_class, "takes_proposal", False) else {}
    door = DOORS.get(rule.name)
    if request.method == "POST":
        form = form_class(request.POST, **extra)
        if form.is_valid():
            previous = proposal.get_status_display()
            inputs = inputs_from(form)
            if "ip" in rule.input_names:
                inputs["ip"] = client_ip(request)
            try:
                if door is not None:
                    door(proposal, by=request.user, expected_status=form.cleaned_data["expected_status"], **inputs)
                else:
                    perform(proposal, rule.name, by=request.user, expected_status=form.cleaned_data["expected_status"],
                            **inputs)  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            except TransitionError as error:
                report_error(request, error)
                return redirect(proposal_page_url(proposal))
            else:
                now = R(proposal.status).label
                outcome = f"the proposal stays {previous}" if now == previous else f"moved from {previous} to {now}"
                messages.success(request, f"{proposal.display_reference}: “{rule.label}” done — {outcome}.")
                return redirect(proposal_page_url(proposal))
    else:
        refusal = why_not(proposal, request.user, rule)
        if refusal:
            messages.error(request, refusal)
            return redirect(proposal_page_url(proposal))
        # A panel's link may preselect its record (?milestone=12); the form still limits the choices.
        chosen = {k: v for k, v in request.GET.items() if k in form_class.base_fields}
        initial = {"expected_status": proposal.status, **chosen}
        form = form_class(initial=initial, **extra)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": ResearchProposal._meta,
        "title": f"{'Error: ' if getattr(form, 'errors_anywhere', form.errors) else ''}{rule.label}: "
                 f"{proposal.display_reference}",
        "proposal": proposal, "original": proposal, "rule": rule, "form": form,
        # A termination is final for the study, though finance still records the refund afterwards.
        "consequences": consequences(rule, proposal), "is_final": rule.target in TERMINAL | {R.TERMINATED},
    }  # fmt: skip
    return TemplateResponse(request, "admin/research/action_form.html", context)

"""The investigator's pages: the public research page, the list of the institution's proposals, the
concept (save and resume, submit), the proposal page, the full proposal and its documents, withdraw.
Thin over research/services.py; every proposal is loaded scoped to the user's institution (404 otherwise)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grants.downloads import file_download
from portal.caching import render_public_page
from workflow.engine import AlreadyMoved, TransitionError

from . import conversation, rules, services
from .choices import ConceptDeclineReason, ProposalDeclineReason
from .forms import BudgetLineFormSet, ConceptForm, FullProposalForm, WithdrawalForm
from .models import ResearchProposal, ResearchStatusChange
from .status import NEXT_ACTIONS
from .status import ResearchStatus as R
from .workflow import BY_NAME, ProposalIncomplete

PROPOSALS_PER_PAGE = 25
RESEARCH_TEAM = "The research team"


def public_page(request):
    return render_public_page(request, "research", "research/public.html")


def proposal_for(user, pk, *related):
    """The proposal if ``user`` belongs to its institution; 404 for anyone else (staff included)."""
    queryset = ResearchProposal.objects.for_user(user).select_related("organisation", "created_by", *related)
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_GET
def proposal_list(request):
    organisation = services.institution_of(request.user)
    refusal = rules.institution_problem(organisation)
    if organisation is None:
        return render(request, "research/not_an_institution.html", {"refusal": refusal})
    proposals = (
        ResearchProposal.objects.filter(organisation=organisation)
        .only("pk", "reference", "title", "status", "study_type", "submitted_at", "full_proposal_due_on",
              "created_at", "organisation_id")
        .order_by("-created_at", "-pk")
    )  # fmt: skip
    page = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"proposal": p, "next_action": NEXT_ACTIONS.get(p.status, "")} for p in page.object_list]
    return render(
        request, "research/list.html",
        {"organisation": organisation, "page": page, "rows": rows, "refusal": refusal},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request):
    if request.method == "GET":
        return redirect("research:proposal_list")
    try:
        proposal = services.start_concept(request.user)
    except services.NotAnInstitution as refusal:
        return render(request, "research/not_an_institution.html", {"refusal": str(refusal), "refused": True})
    messages.success(
        request, "Your concept draft is started. Save it as often as you like; submit it when it is ready."
    )
    return redirect("research:concept_edit", pk=proposal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def concept_edit(request, pk):
    proposal = proposal_for(request.user, pk)
    if proposal.status != R.CONCEPT_DRAFT:
        messages.info(request, f"The concept was submitted as {proposal.reference}; it can no longer be changed.")
        return redirect("research:proposal_detail", pk=pk)
    form = ConceptForm(request.POST or None, instance=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_concept(proposal, form)
        except TransitionError as error:
            messages.error(request, str(error))
            return redirect("research:proposal_detail", pk=pk)
        messages.success(request, "Concept saved.")
        if "submit" in request.POST:
            return _submit_concept(request, proposal)
        return redirect("research:concept_edit", pk=pk)
    return render(request, "research/concept_form.html", {"proposal": proposal, "form": form})


def _submit_concept(request, proposal):
    try:
        result = services.submit_concept(proposal, request.user)
    except ProposalIncomplete as refused:
        form = ConceptForm(instance=proposal)
        return render(request, "research/concept_form.html", {
            "proposal": proposal, "form": form, "problems": _problem_rows(refused.problems),
        })  # fmt: skip
    if result.newly_submitted:
        messages.success(
            request,
            f"Your concept was submitted. Its reference is {result.proposal.reference}; a receipt is on its way.",
        )  # fmt: skip
    return redirect("research:proposal_detail", pk=proposal.pk)


@login_required
@require_POST
def concept_submit(request, pk):
    proposal = proposal_for(request.user, pk)
    return _submit_concept(request, proposal)


def _problem_rows(problems) -> list[dict]:
    return [{"anchor": f"id_{p.field}" if p.field and p.field != "budget" else "", "text": p.message} for p in problems]


def timeline(proposal) -> list[dict]:
    changes = (
        ResearchStatusChange.objects.filter(proposal=proposal).select_related("actor").order_by("created_at", "pk")
    )
    rows = []
    for change in changes:
        rule = BY_NAME.get(change.transition)
        rows.append({
            "when": change.created_at, "from": change.get_from_status_display(), "to": change.get_to_status_display(),
            "note": change.note if rule is not None and rule.applicant_sees_note else "",
            "actor": RESEARCH_TEAM if change.actor.is_staff else change.actor_display,
        })  # fmt: skip
    return rows


@login_required
@require_GET
def proposal_detail(request, pk):
    return detail_page(request, proposal_for(request.user, pk))


def detail_page(request, proposal, **bound):
    """The proposal page; ``bound`` holds the answer or message form when it came back with errors."""
    to_do = []
    if proposal.status == R.CONCEPT_DRAFT:
        to_do = _problem_rows(rules.concept_problems(proposal))
    elif proposal.status == R.FULL_PROPOSAL_INVITED:
        to_do = _problem_rows(rules.full_proposal_problems(proposal))
    return render(request, "research/detail.html", {
        "proposal": proposal, "timeline": timeline(proposal), "next_action": NEXT_ACTIONS.get(proposal.status, ""),
        "to_do": to_do,
        "late": rules.deadline_problem(proposal) if proposal.status == R.FULL_PROPOSAL_INVITED else None,
        "budget_lines": proposal.budget_lines.all(), "decline_reasons": _decline_labels(proposal),
        "proposal_decline_reasons": [ProposalDeclineReason(code).label for code in proposal.decision_reasons
                                     if code in ProposalDeclineReason.values],
        "milestones": proposal.milestones.all() if proposal.approved_amount is not None else [],
        "has_errors": bool(bound),
        **conversation.conversation_context(proposal, **bound),
    })  # fmt: skip


def _decline_labels(proposal):
    labels = dict(ConceptDeclineReason.choices)
    return [labels.get(code, code) for code in proposal.concept_decline_reasons]


@login_required
@require_http_methods(["GET", "POST"])
def full_proposal_edit(request, pk):
    proposal = proposal_for(request.user, pk)
    if proposal.status not in services.FULL_PROPOSAL_EDITABLE:
        messages.info(request, "The full proposal can be written only once it is invited, until it is submitted, "
                               "and changed while the committee asks for information.")  # fmt: skip
        return redirect("research:proposal_detail", pk=pk)
    late = rules.deadline_problem(proposal) if proposal.status == R.FULL_PROPOSAL_INVITED else None
    if late:
        messages.error(request, late)
        return redirect("research:proposal_detail", pk=pk)
    form = FullProposalForm(request.POST or None, request.FILES or None, instance=proposal)
    budget = BudgetLineFormSet(request.POST or None, instance=proposal, prefix="budget")
    if request.method == "POST":
        if form.is_valid() and budget.is_valid():
            try:
                services.save_full_proposal(proposal, form, budget)
            except TransitionError as error:
                messages.error(request, str(error))
                return redirect("research:proposal_detail", pk=pk)
            messages.success(request, "Full proposal saved.")
            if proposal.status == R.INFORMATION_REQUESTED:
                # Answering the committee's question is its own step, on the proposal page.
                messages.info(request, "When you are ready, answer the committee's question on the proposal page.")
                return redirect("research:proposal_detail", pk=pk)
            if "submit" in request.POST:
                return _submit_full(request, proposal)
            return redirect("research:full_proposal_edit", pk=pk)
    return _render_full(request, proposal, form, budget)


def _render_full(request, proposal, form, budget, problems=None):
    return render(request, "research/full_proposal_form.html", {
        "proposal": proposal, "form": form, "budget": budget, "problems": problems or [],
        "has_errors": bool(form.errors or budget.total_error_count() or problems),
    })  # fmt: skip


def _submit_full(request, proposal):
    proposal = proposal_for(request.user, proposal.pk)
    try:
        result = services.submit_full_proposal(proposal, request.user)
    except ProposalIncomplete as refused:
        form = FullProposalForm(instance=proposal)
        budget = BudgetLineFormSet(instance=proposal, prefix="budget")
        return _render_full(request, proposal, form, budget, _problem_rows(refused.problems))
    if result.newly_submitted:
        messages.success(
            request, f"Your full proposal for {proposal.reference} was submitted; a receipt is on its way."
        )
    return redirect("research:proposal_detail", pk=proposal.pk)


@login_required
@require_POST
def full_proposal_submit(request, pk):
    proposal = proposal_for(request.user, pk)
    if proposal.status != R.FULL_PROPOSAL_INVITED:
        return redirect("research:proposal_detail", pk=pk)
    return _submit_full(request, proposal)


DOCUMENTS = {"protocol": ("protocol", "protocol_original_name", "protocol_content_type"),
             "cv": ("pi_cv", "pi_cv_original_name", "pi_cv_content_type")}  # fmt: skip


@login_required
@require_GET
def proposal_document(request, pk, kind):
    if kind not in DOCUMENTS:
        raise Http404("No such document.")
    proposal = proposal_for(request.user, pk)
    field, name, content_type = DOCUMENTS[kind]
    return file_download(getattr(proposal, field), getattr(proposal, name), getattr(proposal, content_type) or None)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, pk):
    proposal = proposal_for(request.user, pk)
    if not proposal.can_be_withdrawn:
        messages.error(request, f"A proposal that is {proposal.get_status_display().lower()} cannot be withdrawn.")
        return redirect("research:proposal_detail", pk=pk)
    form = WithdrawalForm(request.POST or None, initial={"expected_status": proposal.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(proposal, request.user, reason=form.cleaned_data["reason"],
                              expected_status=form.cleaned_data["expected_status"])  # fmt: skip
        except AlreadyMoved:
            proposal.refresh_from_db(fields=["status"])
            messages.error(
                request,
                f"While you were deciding, the proposal moved to “{proposal.get_status_display()}”; "
                "nothing was changed.",
            )
            return redirect("research:proposal_detail", pk=pk)
        except TransitionError as error:
            messages.error(request, str(error))
            return redirect("research:proposal_detail", pk=pk)
        messages.success(request, f"{proposal.reference} was withdrawn. The research team has been told.")
        return redirect("research:proposal_detail", pk=pk)
    return render(
        request,
        "research/withdraw_confirm.html",
        {"proposal": proposal, "form": form, "cancel_url": reverse("research:proposal_detail", args=[pk])},
    )

"""The grant request editor: start a draft, then fill it in one section per page."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods

from .. import eligibility, sections
from ..forms.requests import EXTRA_ROWS, build_section_forms, error_summary, excluded_category_labels
from ..models import GrantRequest, Membership
from ..services.drafts import RequestNotEditable, save_section, start_draft
from ..services.editing import (
    ONLY_ASKED_SECTIONS_MESSAGE,
    after_last_section_url,
    can_edit_section,
    is_answering_information_request,
    next_open_section,
    previous_open_section,
)
from .attachments import attachments_section

READ_ONLY_MESSAGE = "This request has been submitted and is read-only."


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    """GET explains what a request needs; POST starts the draft and opens its first section."""
    if not Membership.objects.filter(user=request.user).exists():
        messages.info(request, "Before you start a grant request, register your organization or join it by invitation.")
        return redirect("grants:organisation_create")
    if request.method == "GET":
        return render(request, "grants/requests/section_start.html", {"sections": sections.SECTIONS})
    grant_request = start_draft(request.user)
    messages.success(
        request,
        f"Your draft request ({grant_request.display_reference}) has been started. "
        "Save as you go: you can leave and come back to it at any time.",
    )
    return redirect(sections.section_url(grant_request, sections.SECTIONS[0].slug))


@login_required
@require_http_methods(["GET"])
def request_edit(request, pk):
    """Resume a draft where there is something still to do."""
    grant_request = get_object_or_404(GrantRequest.objects.for_user(request.user), pk=pk)
    states = sections.section_states(grant_request)
    # While answering a request for information, only the sections the IME team named are candidates.
    open_slugs = [slug for slug in states if can_edit_section(grant_request, slug)] or [sections.SECTIONS[0].slug]
    first_gap = next((slug for slug in open_slugs if not states[slug]), open_slugs[0])
    return redirect(sections.section_url(grant_request, first_gap))


@login_required
@require_http_methods(["GET", "POST"])
def request_section(request, pk, section):
    current = sections.get_section(section)
    if current is None:
        raise Http404("There is no such section.")
    grant_request = get_object_or_404(GrantRequest.objects.for_user(request.user).select_related("organisation"), pk=pk)
    if not grant_request.is_editable_by_applicant:
        messages.info(request, READ_ONLY_MESSAGE)
        return redirect(sections.detail_url(grant_request))
    if not can_edit_section(grant_request, current.slug):
        messages.info(request, ONLY_ASKED_SECTIONS_MESSAGE)
        return redirect(sections.detail_url(grant_request))
    if current.slug == "attachments":
        return attachments_section(request, grant_request)
    if _accreditation_not_applicable(grant_request, current):
        if request.method == "POST":
            return _after_save(request, grant_request, current, {})
        return _render(request, grant_request, current, None, {})

    if request.method == "GET":
        form, formsets = build_section_forms(current.slug, grant_request, extra_rows=_rows_asked_for(request))
        return _render(request, grant_request, current, form, formsets)

    # Worked out before the form touches the instance: the page shows what is saved, not what was typed.
    page = _page_facts(grant_request, current)
    form, formsets = build_section_forms(current.slug, grant_request, data=request.POST)
    if not all([form.is_valid(), *[formset.is_valid() for formset in formsets.values()]]):
        return _render(request, grant_request, current, form, formsets, page=page)
    try:
        save_section(grant_request, current, form, formsets, request.user)
    except RequestNotEditable as refused:
        messages.error(request, str(refused))
        return redirect(sections.detail_url(grant_request))
    return _after_save(request, grant_request, current, formsets)


def _accreditation_not_applicable(grant_request, current) -> bool:
    """Accreditation details are asked for unless the applicant chose a type of request that has none."""
    return (
        current.slug == "accreditation" and bool(grant_request.request_type) and not grant_request.is_accredited_request
    )


def _after_save(request, grant_request, current, formsets):
    action = request.POST.get("action", "draft")
    here = sections.section_url(grant_request, current.slug)
    grown = request.POST.get("add_rows")
    if grown in formsets:
        formset = formsets[grown]
        blank_rows = sum(1 for row in formset.extra_forms if not row.has_changed())
        messages.success(request, "Saved. More blank rows have been added below.")
        return redirect(f"{here}?{grown}_rows={blank_rows + EXTRA_ROWS}#{grown}-rows")
    if action == "continue":
        following = next_open_section(grant_request, current.slug)
        messages.success(request, f"“{current.title}” saved.")
        if following is None:
            return redirect(after_last_section_url(grant_request))
        return redirect(sections.section_url(grant_request, following.slug))
    saved_at = dateformat.format(timezone.localtime(), "g:i A")
    messages.success(request, f"Draft saved at {saved_at}. You can leave now and carry on later.")
    return redirect(here)


def _rows_asked_for(request) -> dict[str, int]:
    asked = {}
    for key, value in request.GET.items():
        if key.endswith("_rows") and value.isdigit():
            asked[key.removesuffix("_rows")] = int(value)
    return asked


def _page_facts(grant_request, current) -> dict:
    """What the page shows about the saved request: title, section states, what is still missing, totals."""
    missing = sections.missing_items(grant_request)
    facts = {
        "saved_title": grant_request.title,
        "section_states": {slug: not items for slug, items in missing.items()},
        "missing": missing.get(current.slug, []),
    }
    if current.slug == "budget":
        facts.update(_budget_facts(grant_request))
    return facts


def _budget_facts(grant_request) -> dict:
    lines = list(grant_request.budget_lines.all())
    total = sum((line.total for line in lines), Decimal("0"))
    other_support = grant_request.other_support_total()
    requested = grant_request.amount_requested
    excluded = set(settings.IME_EXCLUDED_BUDGET_CATEGORIES)
    return {
        "line_totals": {line.pk: line.total for line in lines},
        "budget_total": total,
        "other_support_total": other_support,
        "amount_requested": requested,
        "requested_exceeds_total": requested is not None and requested > total,
        "uncovered": total - other_support - (requested or Decimal("0")),
        "excluded_lines": [line for line in lines if line.category in excluded],
        "excluded_category_labels": excluded_category_labels(),
    }


def _render(request, grant_request, current, form, formsets, page=None):
    page = page or _page_facts(grant_request, current)
    prefilled = [] if form is None or form.is_bound else getattr(form, "prefilled", [])
    if prefilled:
        # Boxes filled in from the organization profile are not missing on screen: the page says to save them.
        shown = {eligibility.accreditation_field_message(name) for name in prefilled}
        page = {**page, "missing": [item for item in page["missing"] if item not in shown]}
    for formset in formsets.values():
        for row in formset.forms:
            row.saved_total = page.get("line_totals", {}).get(row.instance.pk)
    bound = form is not None and form.is_bound
    context = {
        **page,
        "grant_request": grant_request,
        "section": current,
        "current_section": current.slug,
        "section_number": sections.section_number(current.slug),
        "section_count": len(sections.SECTIONS),
        "previous_section": previous_open_section(grant_request, current.slug),
        "next_section": next_open_section(grant_request, current.slug),
        "form": form,
        "formsets": formsets,
        "errors": error_summary(form, formsets) if bound else [],
        "not_applicable": form is None,
        "prefilled_labels": [str(form[name].label).lower() for name in prefilled],
        "answering_information_request": is_answering_information_request(grant_request),
    }
    return render(request, f"grants/requests/section_{current.slug}.html", context)


urlpatterns = [
    path("requests/new/", request_create, name="request_create"),
    path("requests/<int:pk>/edit/", request_edit, name="request_edit"),
    path("requests/<int:pk>/edit/<slug:section>/", request_section, name="request_section"),
]

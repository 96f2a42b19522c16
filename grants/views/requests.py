"""The applicant's requests: the list, one request's page and its printable view.

The request page also carries the conversation with the IME team (a request for information, messages,
the decision); the forms on it post to ``grants.views.conversation``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET

from portal.formatting import day, money, url_maker

from .. import sections
from ..choices import RequestType
from ..forms.conversation import AnswerForm, MessageForm
from ..models import Attachment, GrantRequest, StatusChange
from ..services.award_facts import post_award_facts
from ..services.conversation import IME_TEAM, can_write_to_team, decision_facts, message_thread, open_question
from ..services.editing import current_information_request, editable_sections
from ..services.organisations import membership_of
from ..status import APPLICANT_TURN, NEXT_ACTIONS, GrantStatus
from ..workflow import BY_NAME

REQUESTS_PER_PAGE = 25

def next_action(status: str) -> str:
    return NEXT_ACTIONS.get(status, "")


@login_required
@require_GET
def request_list(request):
    membership = membership_of(request.user)
    if membership is None:
        messages.info(request, "Tell us about your organization first; its grant requests will then appear here.")
        return redirect("grants:organisation_create")
    organisation = membership.organisation
    requests_qs = GrantRequest.objects.filter(organisation=organisation).only(
        "pk", "reference", "title", "request_type", "status", "submitted_at", "start_date", "end_date",
        "amount_requested", "created_at", "organisation_id",
    ).order_by("-created_at", "-pk")  # fmt: skip
    page = Paginator(requests_qs, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "grants/requests/list.html", {"organisation": organisation, "page": page, "rows": _list_rows(page)}
    )


def _list_rows(page) -> list[dict]:
    """Each row's text made here, once: resolving model attributes, choice labels, dates and URLs in the
    template cost most of the page's time (profiled, docs/performance.md)."""
    detail_url = url_maker("grants:request_detail")
    rows = []
    for r in page.object_list:
        end_shown = r.end_date is not None and r.end_date != r.start_date
        rows.append(
            {
                "url": detail_url(r.pk),
                "title": r.title or "Untitled request",
                "reference": r.reference or "Draft",
                "request_type": RequestType(r.request_type).label if r.request_type else "",
                "status": GrantStatus(r.status).label,
                "next_action": next_action(r.status),
                "applicants_turn": r.status in APPLICANT_TURN,
                "start_date": day(r.start_date),
                "end_date": day(r.end_date) if end_shown else "",
                "submitted": day(r.submitted_at, default="—"),
                "amount": "" if r.amount_requested is None else money(r.amount_requested),
            }
        )
    return rows


def applicant_request(user, pk):
    """The request with everything its pages show, loaded in a fixed number of queries; 404 for
    anyone outside the requesting organisation."""
    queryset = (
        GrantRequest.objects.for_user(user)
        .select_related("organisation", "created_by", "decision")
        .prefetch_related(
            "learning_objectives",
            "budget_lines",
            "other_supporters",
            Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "uploaded_at")),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def _applicant_sees_note(change) -> bool:
    rule = BY_NAME.get(change.transition)
    return rule is not None and rule.applicant_sees_note


def timeline(grant_request) -> list[dict]:
    """Every status change, oldest first, with the actor named as the applicant sees them."""
    changes = (
        StatusChange.objects.filter(grant_request=grant_request).select_related("actor").order_by("created_at", "pk")
    )
    return [
        {
            "when": change.created_at,
            "from": change.get_from_status_display(),
            "to": change.get_to_status_display(),
            "transition": change.transition,
            "note": change.note if _applicant_sees_note(change) else "",
            "actor": IME_TEAM if change.actor.is_staff else change.actor_display,
        }
        for change in changes
    ]


@login_required
@require_GET
def request_detail(request, pk):
    return render_request_page(request, applicant_request(request.user, pk))


def render_request_page(request, grant_request, *, answer_form=None, message_form=None):
    """The request page; the answer and message views re-render it with their bound, invalid form so
    the error shows next to what was typed. A fixed number of queries however long the history."""
    entries = timeline(grant_request)
    question = open_question(grant_request, current_information_request(grant_request), entries)
    editable = editable_sections(grant_request)
    bound_form = answer_form or message_form
    award = post_award_facts(grant_request, request.user)
    return render(
        request,
        "grants/requests/detail.html",
        {
            "grant_request": grant_request,
            "timeline": entries,
            "information_request": question,
            "decision": decision_facts(grant_request),
            "thread": message_thread(grant_request),
            "can_write_to_team": can_write_to_team(grant_request),
            "answer_form": answer_form or AnswerForm(),
            "message_form": message_form or MessageForm(),
            "has_errors": bool(bound_form and bound_form.errors),
            "next_action": award["next_step"] if award else next_action(grant_request.status),
            "award": award,
            "first_section_url": _first_editable_section_url(grant_request, editable),
        },
    )


def _first_editable_section_url(grant_request, editable) -> str | None:
    """The "Edit the request" button's target: the first section open to changes, if any."""
    for section in sections.SECTIONS:
        if editable is None or section.slug in editable:
            return sections.section_url(grant_request, section.slug)
    return None


@login_required
@require_GET
def request_print(request, pk):
    grant_request = applicant_request(request.user, pk)
    return render(
        request, "grants/requests/print.html", {"grant_request": grant_request, "timeline": timeline(grant_request)}
    )


urlpatterns = [
    path("requests/", request_list, name="request_list"),
    path("requests/<int:pk>/", request_detail, name="request_detail"),
    path("requests/<int:pk>/print/", request_print, name="request_print"),
]

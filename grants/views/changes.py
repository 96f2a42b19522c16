"""The applicant asks for a change after approval (SPEC §4a): new dates, a new format or venue, a budget
reallocation between the approved lines, or the cancellation of the program. The page shows the
current values beside the proposed ones; the change is filed through
``grants.services.post_award.file_change_request``, whose refusals come back on the form with
everything typed kept. Staff decide in the admin; the request page lists every change request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from workflow.engine import TransitionError, why_not

from ..agreement_terms import long_date, money
from ..forms.post_award import CHANGE_FORMS, summary_of
from ..models import BudgetLine, ChangeKind, ChangeStatus, GrantRequest
from ..services.post_award import file_change_request
from ..workflow import BY_NAME

FILED = "Your change request has been sent to the IME team. You will get an email when they decide."


def _changeable_request(user, pk):
    queryset = GrantRequest.objects.for_user(user).select_related("organisation").prefetch_related(
        Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("position", "pk"))
    )
    return get_object_or_404(queryset, pk=pk)


def _why_no_change(grant_request, user) -> str | None:
    if grant_request.change_requests.filter(status=ChangeStatus.PENDING).exists():
        return "A change request is already awaiting a decision; wait for it before filing another."
    refusal = why_not(grant_request, user, BY_NAME["file_change_request"])
    if refusal:
        return f"A change cannot be requested now: {refusal[:1].lower()}{refusal[1:]}"
    return None


def current_values(grant_request, kind) -> dict[str, str]:
    """What the request says now about what the change would touch, by label, beside the proposal."""
    if kind == ChangeKind.DATES:
        return {"Start date": long_date(grant_request.start_date), "End date": long_date(grant_request.end_date)}
    if kind == ChangeKind.FORMAT_VENUE:
        return {
            "Format": grant_request.get_program_format_display() or "(not given)",
            "Venue and city": grant_request.location or "(not given)",
            "Program URL": grant_request.program_url or "(not given)",
        }
    if kind == ChangeKind.BUDGET:
        return {"Budget total now": money(grant_request.budget_total()),
                "Amount approved": money(grant_request.approved_amount)}  # fmt: skip
    return {
        "Program": grant_request.title,
        "Dates": f"{long_date(grant_request.start_date)} to {long_date(grant_request.end_date)}",
        "Amount approved": money(grant_request.approved_amount),
    }


@login_required
@require_http_methods(["GET", "POST"])
def change_request_new(request, pk):
    grant_request = _changeable_request(request.user, pk)
    refusal = _why_no_change(grant_request, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("grants:request_detail", pk=grant_request.pk)
    kind = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    form_class = CHANGE_FORMS.get(kind)
    if form_class is None:
        return render(request, "grants/changes/choose.html", {"grant_request": grant_request, "kinds": ChangeKind})
    form = form_class(request.POST if request.method == "POST" else None, grant_request=grant_request)
    if request.method == "POST" and form.is_valid():
        try:
            file_change_request(
                grant_request, by=request.user, kind=form.kind, reason=form.cleaned_data["reason"], **form.proposed()
            )
        except ValidationError as error:
            form.add_error(None, error)
        except TransitionError as error:
            messages.error(request, f"{error} Nothing was sent.")
            return redirect("grants:request_detail", pk=grant_request.pk)
        else:
            messages.success(request, FILED)
            return redirect(reverse("grants:request_detail", args=[grant_request.pk]) + "#change-requests")
    return render(
        request,
        "grants/changes/new.html",
        {
            "grant_request": grant_request,
            "form": form,
            "kind": ChangeKind(form.kind),
            "current": current_values(grant_request, form.kind),
            "errors": summary_of(form) if form.is_bound else [],
        },
    )


urlpatterns = [
    path("requests/<int:pk>/changes/new/", change_request_new, name="change_request_new"),
]

"""Review and submit a draft, withdraw a sent request, delete a draft."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from workflow.engine import AlreadyMoved, TransitionError

from ..eligibility import check_request
from ..forms.withdrawal import WithdrawalForm
from ..sections import SECTIONS, SECTIONS_BY_SLUG, section_url
from ..services.submission import NotADraft, SubmissionRefused, delete_draft, submit_request, withdraw_request
from ..status import GrantStatus
from .requests import applicant_request


def _problem_rows(grant_request, problems) -> list[dict]:

    rows = []
    for problem in problems:
        section = SECTIONS_BY_SLUG.get(problem.section) if problem.section else None
        rows.append(
            {
                "message": problem.message,
                "rule": problem.rule,
                "section_title": section.title if section else "",
                "url": section_url(grant_request, section.slug) if section else "",
            }
        )
    return rows


def _render_review(request, grant_request, problems, refused=False):

    return render(
        request,
        "grants/requests/review.html",
        {
            "grant_request": grant_request,
            "problems": _problem_rows(grant_request, problems),
            # A refused "Submit" is an error page (title, focus); the same list on a plain visit is a to-do list.
            "refused": refused,
            "section_links": {s.slug: section_url(grant_request, s.slug) for s in SECTIONS},
        },
    )


def _not_a_draft(request, grant_request):
    messages.info(
        request,
        f"This request was already submitted (reference {grant_request.reference})."
        if grant_request.reference
        else "This request can no longer be submitted.",
    )
    return redirect("grants:request_detail", pk=grant_request.pk)


@login_required
@require_http_methods(["GET"])
def request_review(request, pk):

    grant_request = applicant_request(request.user, pk)
    if grant_request.status != GrantStatus.DRAFT:
        return _not_a_draft(request, grant_request)
    return _render_review(request, grant_request, check_request(grant_request))


@login_required
@require_POST
def request_submit(request, pk):
    grant_request = applicant_request(request.user, pk)
    try:
        result = submit_request(grant_request, request.user)
    except SubmissionRefused as refused:
        grant_request = applicant_request(request.user, pk)
        return _render_review(request, grant_request, refused.problems, refused=True)
    if not result.newly_submitted:
        return _not_a_draft(request, result.grant_request)
    messages.success(
        request,
        f"Your request was submitted. Its reference is {result.grant_request.reference}; "
        "we have emailed a receipt to the requester and the secondary contact.",
    )
    return redirect("grants:request_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request, pk):
    grant_request = applicant_request(request.user, pk)
    if grant_request.status == GrantStatus.DRAFT:
        messages.info(request, "This draft was never sent, so there is nothing to withdraw; you can delete it instead.")
        return redirect("grants:request_delete", pk=pk)
    if not grant_request.can_be_withdrawn:
        messages.error(request, _too_late_message(grant_request))
        return redirect("grants:request_detail", pk=pk)
    form = WithdrawalForm(request.POST or None, initial={"expected_status": grant_request.status})
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_request(
                grant_request,
                request.user,
                reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except AlreadyMoved:
            # The workflow's message names the person who moved it; applicants see the team, not staff names.
            grant_request.refresh_from_db(fields=["status"])
            messages.error(
                request,
                f"While you were deciding, this request moved to “{grant_request.get_status_display()}”; "
                "nothing was changed. Please check it before deciding again.",
            )
            return redirect("grants:request_detail", pk=pk)
        except TransitionError as error:
            messages.error(request, str(error))
            return redirect("grants:request_detail", pk=pk)
        messages.success(request, f"Request {grant_request.reference} was withdrawn. The IME team has been told.")
        return redirect("grants:request_detail", pk=pk)
    return render(
        request,
        "grants/requests/withdraw_confirm.html",
        {"grant_request": grant_request, "form": form},
    )


def _too_late_message(grant_request) -> str:
    return (
        f"This request is {grant_request.get_status_display().lower()}; a request can be withdrawn only "
        "before a decision is made. If your program cannot go ahead, please write to the IME team."
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_delete(request, pk):
    grant_request = applicant_request(request.user, pk)
    if grant_request.status != GrantStatus.DRAFT:
        messages.error(request, "Only drafts can be deleted. A submitted request can be withdrawn before a decision.")
        return redirect("grants:request_detail", pk=pk)
    if request.method == "POST":
        try:
            delete_draft(grant_request)
        except NotADraft as error:
            messages.error(request, str(error))
            return redirect("grants:request_detail", pk=pk)
        messages.success(request, f"The draft “{grant_request.title or 'Untitled request'}” was deleted.")
        return redirect("grants:request_list")
    return render(request, "grants/requests/delete_confirm.html", {"grant_request": grant_request})


urlpatterns = [
    path("requests/<int:pk>/review/", request_review, name="request_review"),
    path("requests/<int:pk>/submit/", request_submit, name="request_submit"),
    path("requests/<int:pk>/withdraw/", request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/delete/", request_delete, name="request_delete"),
]

"""Form posts from the request page: messages to the applicant, reviewer assignment, and a reviewer's
own conflict declaration and scores. Each hands over to a service in reviews.services and comes back
to the request page, with the form and its errors when something needs correcting."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from grants.services.conversation import post_message
from portal.people import person_name
from workflow.engine import TransitionError

from ..choices import RUBRIC, ReviewStage
from ..forms import AssignmentForm, ConflictForm, MessageForm, ReviewForm
from ..models import Assignment
from ..services import assign_reviewer, declare_conflict, review_for, submit_review, unassign_reviewer
from .common import back_to_request, load_request, post_only, report_error
from .request_page import render_request_page


@post_only
def send_message(model_admin, request, pk):
    grant_request = load_request(model_admin, request, pk)
    if not request.user.has_perm("grants.add_message"):
        raise PermissionDenied
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            post_message(grant_request, by=request.user, body=form.cleaned_data["body"], from_staff=True)
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Message sent; the applicant has been emailed.")
            return back_to_request(grant_request, "messages")
    return render_request_page(model_admin, request, pk, message_form=form)


@post_only
def assign(model_admin, request, pk, stage):
    grant_request = load_request(model_admin, request, pk)
    try:
        stage = ReviewStage(stage)
    except ValueError:
        raise PermissionDenied from None
    form = AssignmentForm(request.POST, stage=stage)
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            assign_reviewer(grant_request, reviewer=reviewer, stage=stage, by=request.user)
        except TransitionError as error:
            report_error(request, error)
            return back_to_request(grant_request, "assignments")
        except ValidationError as error:
            form.add_error("reviewer", error)
        else:
            messages.success(
                request, f"{person_name(reviewer)} is assigned to the {stage.label.lower()} and has been emailed."
            )
            return back_to_request(grant_request, "assignments")
    return render_request_page(model_admin, request, pk, **{f"assign_{stage.value}": form})


@post_only
def unassign(model_admin, request, pk, assignment_pk):
    grant_request = load_request(model_admin, request, pk)
    assignment = get_object_or_404(
        Assignment.objects.select_related("reviewer", "grant_request"), pk=assignment_pk, grant_request=grant_request
    )
    try:
        unassign_reviewer(assignment, by=request.user)
    except (TransitionError, ValidationError) as error:
        report_error(request, error)
    else:
        stage = assignment.get_stage_display().lower()
        messages.success(request, f"{person_name(assignment.reviewer)} no longer reviews this request ({stage}).")
    return back_to_request(grant_request, "assignments")


def _own_review(model_admin, request, pk):
    """The signed-in reviewer's review at the current stage, or the redirect that explains why not."""
    grant_request = load_request(model_admin, request, pk)
    try:
        return grant_request, review_for(grant_request, request.user), None
    except TransitionError as error:
        report_error(request, error)
        return grant_request, None, back_to_request(grant_request)


@post_only
def conflict(model_admin, request, pk):
    grant_request, review, refusal = _own_review(model_admin, request, pk)
    if refusal:
        return refusal
    form = ConflictForm(request.POST)
    if form.is_valid():
        has_conflict = form.cleaned_data["has_conflict"]
        try:
            declare_conflict(review, has_conflict=has_conflict, details=form.cleaned_data["conflict_details"])
        except ValidationError as error:
            form.add_error("conflict_details" if has_conflict else None, error)
        else:
            if has_conflict:
                messages.warning(request, "Conflict of interest recorded: you will not score this request.")
            else:
                messages.success(request, "No conflict of interest recorded. You can now score the request.")
            return back_to_request(grant_request, "your-review")
    return render_request_page(model_admin, request, pk, conflict_form=form)


@post_only
def score(model_admin, request, pk):
    grant_request, review, refusal = _own_review(model_admin, request, pk)
    if refusal:
        return refusal
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return render_request_page(model_admin, request, pk, review_form=form)
    data = form.cleaned_data
    try:
        submit_review(
            review,
            scores={name: data[name] for name, _ in RUBRIC},
            comments=data["comments"],
            recommendation=data["recommendation"],
            recommended_amount=data["recommended_amount"],
        )
    except ValidationError as error:
        # The form was complete, so the refusal is about the review itself (no declaration yet,
        # a declared conflict, already submitted, or the request has moved on).
        report_error(request, error)
    else:
        messages.success(request, f"Your {review.get_stage_display().lower()} is submitted. Thank you.")
    return back_to_request(grant_request, "your-review")

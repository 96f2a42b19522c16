"""The scientific review and the conversation on the staff proposal page: the committee's reviews and
average, reviewer assignment, a reviewer's own conflict declaration and scores, and messages with the
investigator. Each post hands over to research/review.py or research/conversation.py and comes back to
the proposal page, re-rendered with the form and its errors when something needs correcting."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect

from grants.downloads import file_download
from portal.people import person_name
from reviews.admin_views.common import post_only, report_error
from reviews.forms import SCORE_CHOICES, TEXTAREA, ConflictForm, ReviewerChoiceField
from workflow.engine import TransitionError
from workflow.roles import roles_of

from . import conversation, review
from .admin_actions import proposal_page_url, staff_proposals
from .choices import RESEARCH_RUBRIC, ResearchRecommendation
from .models import ResearchAssignment, ResearchMessage, ResearchReview


class ResearchAssignmentForm(forms.Form):
    reviewer = ReviewerChoiceField(
        queryset=None, empty_label="Choose a committee member…", label="Committee member to assign",
        error_messages={
            "required": "Choose the committee member to assign.",
            "invalid_choice": "Choose one of the committee members listed; nobody else reviews research proposals.",
        },
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="assign", **kwargs)
        self.fields["reviewer"].queryset = review.committee_members()


class ResearchConflictForm(ConflictForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="conflict", **kwargs)
        self.fields["has_conflict"].label = "Do you have a conflict of interest with this proposal or its institution?"


class ResearchReviewForm(forms.Form):
    comments = forms.CharField(
        label="Comments", required=False, widget=forms.Textarea(attrs=TEXTAREA), help_text="Seen by staff only."
    )
    recommendation = forms.ChoiceField(
        label="Your recommendation", choices=ResearchRecommendation.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose a recommendation."},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="review", **kwargs)
        scores = {
            name: forms.ChoiceField(
                label=label, choices=SCORE_CHOICES, widget=forms.RadioSelect(attrs={"class": "score-scale"}),
                error_messages={"required": f"Score “{label}” from 1 to 5."},
            )  # fmt: skip
            for name, label in RESEARCH_RUBRIC
        }
        self.fields = {**scores, **self.fields}


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the investigator", widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Emailed to the principal investigator; they answer on their proposal page.",
        error_messages={"required": "Write the message before sending it."},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="message", **kwargs)


def review_context(request, proposal, bound) -> dict:
    """What the proposal page shows of the review and the conversation; ``bound`` holds forms with errors."""
    user = request.user
    assignments = list(ResearchAssignment.objects.filter(proposal=proposal).select_related("reviewer", "assigned_by"))
    reviews = list(ResearchReview.objects.filter(proposal=proposal).select_related("reviewer"))
    own = next((r for r in reviews if r.reviewer_id == user.pk), None)
    assigned = any(a.reviewer_id == user.pk for a in assignments)
    panel = None
    if (assigned and proposal.status in review.REVIEWABLE) or own is not None:
        if own is None or own.has_conflict is None:
            step = "declare" if proposal.status in review.REVIEWABLE else "closed"
        elif own.submitted_at:
            step = "conflict" if own.has_conflict else "done"
        else:
            step = "score" if proposal.status in review.REVIEWABLE else "closed"
        panel = {
            "review": own, "step": step,
            "conflict_form": bound.get("conflict_form") or ResearchConflictForm(),
            "review_form": bound.get("review_form") or ResearchReviewForm(),
        }  # fmt: skip
    submitted_ids = {r.reviewer_id for r in reviews if r.submitted_at}
    for assignment in assignments:
        assignment.removable = assignment.reviewer_id not in submitted_ids
    can_assign = review.can_assign(user, proposal)
    return {
        "assignments": assignments,
        "review_rows": review.review_rows(assignments, reviews),
        "review_average": review.average_of(reviews),
        "review_counted": sum(r.counts for r in reviews),
        # A reviewer who has not yet submitted does not see the others' scores: their judgement is their own.
        "reviews_hidden": panel is not None and panel["step"] in ("declare", "score"),
        "your_review": panel,
        "can_assign": can_assign,
        "assign_form": (bound.get("assign_form") or ResearchAssignmentForm()) if can_assign else None,
        "rubric": RESEARCH_RUBRIC,
        "thread": conversation.message_thread(proposal, for_staff=True),
        "can_message": conversation.can_message(proposal) and bool(roles_of(user, proposal)),
        "message_form": bound.get("message_form") or StaffMessageForm(),
    }


def _proposal(model_admin, request, pk):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return get_object_or_404(staff_proposals().select_related("organisation"), pk=pk)


def _back(proposal, anchor=""):
    return redirect(proposal_page_url(proposal) + (f"#{anchor}" if anchor else ""))


@post_only
def assign(model_admin, request, pk):
    proposal = _proposal(model_admin, request, pk)
    form = ResearchAssignmentForm(request.POST)
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            review.assign_reviewer(proposal, reviewer=reviewer, by=request.user)
        except TransitionError as error:
            report_error(request, error)
            return _back(proposal, "reviewers")
        except ValidationError as error:
            form.add_error("reviewer", error)
        else:
            messages.success(request, f"{person_name(reviewer)} is assigned to review and has been emailed.")
            return _back(proposal, "reviewers")
    return model_admin.proposal_page(request, proposal, assign_form=form)


@post_only
def unassign(model_admin, request, pk, assignment_pk):
    proposal = _proposal(model_admin, request, pk)
    assignment = get_object_or_404(
        ResearchAssignment.objects.select_related("reviewer", "proposal"), pk=assignment_pk, proposal=proposal
    )
    try:
        review.unassign_reviewer(assignment, by=request.user)
    except (TransitionError, ValidationError) as error:
        report_error(request, error)
    else:
        messages.success(request, f"{person_name(assignment.reviewer)} no longer reviews this proposal.")
    return _back(proposal, "reviewers")


def _own_review(request, proposal):
    try:
        return review.review_for(proposal, request.user), None
    except TransitionError as error:
        report_error(request, error)
        return None, _back(proposal)


@post_only
def conflict(model_admin, request, pk):
    proposal = _proposal(model_admin, request, pk)
    own, refusal = _own_review(request, proposal)
    if refusal:
        return refusal
    form = ResearchConflictForm(request.POST)
    if form.is_valid():
        has_conflict = form.cleaned_data["has_conflict"]
        try:
            review.declare_conflict(own, has_conflict=has_conflict, details=form.cleaned_data["conflict_details"])
        except ValidationError as error:
            form.add_error("conflict_details" if has_conflict else None, error)
        else:
            if has_conflict:
                messages.warning(request, "Conflict of interest recorded: you will not score this proposal.")
            else:
                messages.success(request, "No conflict of interest recorded. You can now score the proposal.")
            return _back(proposal, "your-review")
    return model_admin.proposal_page(request, proposal, conflict_form=form)


@post_only
def score(model_admin, request, pk):
    proposal = _proposal(model_admin, request, pk)
    own, refusal = _own_review(request, proposal)
    if refusal:
        return refusal
    form = ResearchReviewForm(request.POST)
    if not form.is_valid():
        return model_admin.proposal_page(request, proposal, review_form=form)
    data = form.cleaned_data
    try:
        review.submit_review(own, scores={name: data[name] for name, _ in RESEARCH_RUBRIC},
                             comments=data["comments"], recommendation=data["recommendation"])  # fmt: skip
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, "Your scientific review is submitted. Thank you.")
    return _back(proposal, "your-review")


@post_only
def send_message(model_admin, request, pk):
    proposal = _proposal(model_admin, request, pk)
    form = StaffMessageForm(request.POST)
    if form.is_valid():
        try:
            conversation.post_message(proposal, by=request.user, body=form.cleaned_data["body"], from_staff=True)
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, "Message sent; the investigator has been emailed.")
            return _back(proposal, "messages")
    return model_admin.proposal_page(request, proposal, message_form=form)


def message_attachment(model_admin, request, pk, message_pk):
    proposal = _proposal(model_admin, request, pk)
    message = get_object_or_404(ResearchMessage, pk=message_pk, proposal=proposal)
    return file_download(message.attachment, message.attachment_original_name, message.attachment_content_type or None)

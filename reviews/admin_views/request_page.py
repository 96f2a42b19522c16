"""The staff page of one grant request: the application read-only, where it stands, what staff may do
next, the reviews, the conversation with the applicant and the audit trail."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse

from grants.choices import DeclineReason
from grants.models import Attachment, Decision, InformationRequest, Membership
from grants.sections import section_titles
from grants.status import UNDECIDED
from workflow.engine import available_transitions
from workflow.models import RoleGroup
from workflow.roles import REVIEWER_ASSIGNERS, remember_staff_roles, roles_of

from ..choices import ReviewStage
from ..forms import AssignmentForm, ConflictForm, MessageForm, ReviewForm, reviewers_by_stage
from ..services import STAGE_ROLES, current_stage
from .changes import last_resubmission
from .common import admin_context, days_since, load_request, relative_day, staff_requests
from .post_award import post_award_panels
from .scoring import reviews_by_stage
from .staff_actions import available_actions

TEMPLATE = "admin/grants/grantrequest/request_page.html"


def page_queryset(user):
    return (
        staff_requests()
        # The decision rides along (one to one); whether the viewer belongs to the applicant organization
        # too, so their roles need no membership query of their own.
        .select_related("organisation", "created_by", "decision__decided_by")
        .annotate(
            viewer_is_member=Exists(Membership.objects.filter(user=user, organisation=OuterRef("organisation"))),
            viewer_role_codes=ArraySubquery(RoleGroup.objects.filter(group__user=user).values("code")),
        )
        .prefetch_related(
            "learning_objectives",
            "budget_lines",
            "other_supporters",
            Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "uploaded_at")),
        )
    )


def staff_actions(grant_request, open_rules):
    """The actions this member of staff may take now (the applicant's and the portal's own moves, and
    the change decisions made on their panel, are not offered as buttons)."""
    return available_actions(grant_request, open_rules)


def your_review_panel(grant_request, user, assignments, reviews, bound):
    """The reviewer's own panel at the current stage: conflict declaration first, then the rubric."""
    stage = current_stage(grant_request)
    if stage is None or not any(a.reviewer_id == user.pk and a.stage == stage for a in assignments):
        return None
    review = next((r for r in reviews if r.reviewer_id == user.pk and r.stage == stage), None)
    if review is None or review.has_conflict is None:
        step = "declare"
    elif review.submitted_at:
        step = "conflict" if review.has_conflict else "done"
    else:
        step = "score"
    return {
        "stage": ReviewStage(stage),
        "review": review,
        "step": step,
        "conflict_form": bound.get("conflict_form") or ConflictForm(),
        "review_form": bound.get("review_form") or ReviewForm(),
    }


def render_request_page(model_admin, request, pk, **bound):
    """Render the page; ``bound`` holds forms that came back with errors, shown instead of blank ones
    (answered 200, as Django's forms do, with "Error:" in the title)."""
    user = request.user
    grant_request = load_request(model_admin, request, pk, queryset=page_queryset(user))
    remember_staff_roles(user, grant_request.viewer_role_codes)
    roles = roles_of(user, grant_request, is_member=grant_request.viewer_is_member)
    open_rules = available_transitions(grant_request, user, roles)
    status_changes = list(grant_request.status_changes.select_related("actor"))
    assignments = list(grant_request.assignments.select_related("reviewer", "assigned_by"))
    reviews = list(grant_request.reviews.select_related("reviewer"))
    try:
        decision = grant_request.decision
    except Decision.DoesNotExist:
        decision = None
    information_requests = list(
        InformationRequest.objects.filter(grant_request=grant_request).select_related("requested_by", "answered_by")
    )
    for rfi in information_requests:
        rfi.section_titles = section_titles(rfi.sections)

    can_assign = bool(roles & REVIEWER_ASSIGNERS) and grant_request.status in UNDECIDED
    assignment_forms = []
    if can_assign:
        reviewers = reviewers_by_stage()  # one query for both forms' lists
        for stage in ReviewStage:
            form = bound.get(f"assign_{stage.value}") or AssignmentForm(stage=stage)
            form.fields["reviewer"].reviewers = reviewers[stage]
            assignment_forms.append(
                {
                    "form": form,
                    # Named by who is assigned, so the two buttons on the page say which is which.
                    "button": f"Assign {STAGE_ROLES[stage].label.lower()}",
                }
            )
    reviewed_by_me = {(r.stage, r.reviewer_id) for r in reviews if r.submitted_at}
    for assignment in assignments:
        assignment.removable = can_assign and (assignment.stage, assignment.reviewer_id) not in reviewed_by_me

    context = admin_context(
        model_admin,
        request,
        title=f"{'Error: ' if bound else ''}{grant_request.display_reference} — "
        f"{grant_request.title or 'Untitled request'}",
        grant_request=grant_request,
        original=grant_request,
        days_in_status=days_since(grant_request.status_changed_at),
        starts_when=relative_day(grant_request.start_date) if grant_request.start_date else "",
        actions=staff_actions(grant_request, open_rules),
        post_award=post_award_panels(grant_request, user, roles, {rule.name for rule in open_rules}, bound),
        status_changes=status_changes,
        resubmission=last_resubmission(grant_request, status_changes),
        information_requests=information_requests,
        thread=list(grant_request.messages.select_related("author")),
        message_form=bound.get("message_form") or MessageForm(),
        can_message=user.has_perm("grants.add_message"),
        stage_reviews=reviews_by_stage(assignments, reviews, user) if user.has_perm("reviews.view_review") else [],
        assignments=assignments,
        assignment_forms=assignment_forms,
        your_review=your_review_panel(grant_request, user, assignments, reviews, bound),
        decision=decision,
        decline_reasons=[DeclineReason(code).label for code in decision.reason_codes] if decision else [],
        history_url=reverse("admin:grants_grantrequest_history", args=[grant_request.pk]),
        organisation_url=reverse("admin:grants_organisation_change", args=[grant_request.organisation_id]),
        committee_url=reverse("admin:reviews_committee"),
    )
    return TemplateResponse(request, TEMPLATE, context)


def request_page(model_admin, request, pk):
    return render_request_page(model_admin, request, pk)

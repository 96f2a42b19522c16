"""The committee agenda: every request waiting for the grants committee, with the medical reviewers'
verdict and each committee member's recommendation side by side."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse

from grants.status import GrantStatus
from portal.people import person_name

from ..choices import ReviewStage
from ..models import Assignment, Review
from .common import days_since, staff_requests
from .scoring import mean_score


def agenda_rows(requests, members):
    rows = []
    for grant_request in requests:
        medical = [r for r in grant_request.agenda_reviews if r.stage == ReviewStage.MEDICAL]
        committee = {r.reviewer_id: r for r in grant_request.agenda_reviews if r.stage == ReviewStage.COMMITTEE}
        assigned = {a.reviewer_id for a in grant_request.agenda_assignments}
        cells = []
        for member in members:
            review = committee.get(member.pk)
            if review is not None and review.submitted_at:
                state = "conflict" if review.has_conflict else "submitted"
            else:
                state = "awaiting" if member.pk in assigned else "not_assigned"
            cells.append({"member": member, "review": review, "state": state})
        rows.append(
            {
                "grant_request": grant_request,
                "url": reverse("admin:grants_grantrequest_change", args=[grant_request.pk]),
                "days": days_since(grant_request.status_changed_at),
                "medical_average": mean_score(medical),
                "medical_reviews": [r for r in medical if r.submitted_at],
                "committee_average": mean_score(committee.values()),
                "cells": cells,
            }
        )
    return rows


def committee_agenda(model_admin, request):
    if not request.user.has_perm("reviews.view_review"):
        raise PermissionDenied
    requests = list(
        staff_requests()
        .filter(status=GrantStatus.COMMITTEE_REVIEW)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer"), to_attr="agenda_reviews"),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(stage=ReviewStage.COMMITTEE).select_related("reviewer"),
                to_attr="agenda_assignments",
            ),
        )
        .order_by("status_changed_at", "pk")
    )
    # One column per committee member involved in any listed request, in a stable order.
    members = {}
    for grant_request in requests:
        for assignment in grant_request.agenda_assignments:
            members[assignment.reviewer_id] = assignment.reviewer
        for review in grant_request.agenda_reviews:
            if review.stage == ReviewStage.COMMITTEE:
                members[review.reviewer_id] = review.reviewer
    members = sorted(members.values(), key=lambda u: (person_name(u).lower(), u.pk))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Committee agenda",
        "subtitle": None,
        "opts": model_admin.model._meta,
        "members": [{"user": m, "name": person_name(m)} for m in members],
        "rows": agenda_rows(requests, members),
        "queue_url": reverse("admin:grants_grantrequest_changelist") + f"?status={GrantStatus.COMMITTEE_REVIEW}",
    }
    return TemplateResponse(request, "admin/reviews/committee.html", context)

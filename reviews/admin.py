"""Read-only lists of the review records (audit log, assignments, reviews, decisions) and the
committee agenda. Everything here is written by the request page's actions, never edited directly."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from grants.models import Decision, StatusChange
from portal.people import person_name

from . import admin_budgets  # noqa: F401  (annual budgets)
from .admin_requests import ReadOnlyAdminMixin
from .admin_views.committee import committee_agenda
from .models import Assignment, Review


def request_link(grant_request):
    url = reverse("admin:grants_grantrequest_change", args=[grant_request.pk])
    return format_html('<a href="{}">{}</a>', url, grant_request.display_reference)


class RequestLinkMixin:
    list_select_related = ("grant_request",)

    @admin.display(description="request", ordering="grant_request__reference")
    def request(self, obj):
        return request_link(obj.grant_request)


@admin.register(StatusChange)
class StatusChangeAdmin(RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "request", "from_status", "to_status", "actor_name", "note")
    list_filter = ("transition", "to_status", "created_at")
    search_fields = ("grant_request__reference", "note", "actor__email", "actor__last_name")
    list_select_related = ("grant_request", "actor")
    date_hierarchy = "created_at"
    list_display_links = None

    @admin.display(description="by", ordering="actor__last_name")
    def actor_name(self, obj):
        return obj.actor_display


class ReviewerFilter(admin.SimpleListFilter):
    title = "reviewer"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Mine")]

    def queryset(self, request, queryset):
        return queryset.filter(reviewer=request.user) if self.value() == "yes" else queryset


@admin.register(Assignment)
class AssignmentAdmin(RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "stage", "reviewer_name", "assigned_by_name", "assigned_at")
    list_filter = (ReviewerFilter, "stage", "assigned_at")
    search_fields = ("grant_request__reference", "reviewer__email", "reviewer__last_name")
    list_select_related = ("grant_request", "reviewer", "assigned_by")
    list_display_links = None

    @admin.display(description="reviewer", ordering="reviewer__last_name")
    def reviewer_name(self, obj):
        return person_name(obj.reviewer)

    @admin.display(description="assigned by")
    def assigned_by_name(self, obj):
        return person_name(obj.assigned_by)


@admin.register(Review)
class ReviewAdmin(RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "stage", "reviewer_name", "outcome", "average", "recommendation", "submitted_at")
    list_filter = (ReviewerFilter, "stage", "recommendation", "has_conflict", "submitted_at")
    search_fields = ("grant_request__reference", "reviewer__email", "reviewer__last_name")
    list_select_related = ("grant_request", "reviewer")
    list_display_links = None

    @admin.display(description="reviewer", ordering="reviewer__last_name")
    def reviewer_name(self, obj):
        return person_name(obj.reviewer)

    @admin.display(description="state")
    def outcome(self, obj):
        if not obj.submitted_at:
            return "Awaiting review"
        return "Declared a conflict" if obj.has_conflict else "Submitted"

    @admin.display(description="average score")
    def average(self, obj):
        return obj.average_score if obj.average_score is not None else "—"

    def get_urls(self):
        return [
            path(
                "committee/",
                self.admin_site.admin_view(lambda request: committee_agenda(self, request)),
                name="reviews_committee",
            )
        ] + super().get_urls()


@admin.register(Decision)
class DecisionAdmin(RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "outcome", "approved_amount", "decided_by_name", "decided_at")
    list_filter = ("outcome", "decided_at")
    search_fields = ("grant_request__reference", "message_to_applicant")
    list_select_related = ("grant_request", "decided_by")
    list_display_links = None

    @admin.display(description="decided by")
    def decided_by_name(self, obj):
        return person_name(obj.decided_by)

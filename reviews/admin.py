"""Read-only lists of the review records (audit log, assignments, reviews, decisions) and the
committee agenda. Everything here is written by the request page's actions, never edited directly."""

from django.contrib import admin
from django.urls import path, reverse
from django.utils.html import format_html

from grants.choices import DeclineReason
from grants.models import Decision, StatusChange
from grants.workflow import TRANSITIONS
from portal.people import person_name

from . import (
    admin_budgets,  # noqa: F401  (annual budgets)
    admin_post_award,  # noqa: F401  (agreement templates, letters, payments, refunds, changes)
)
from .admin_requests import ReadOnlyAdminMixin
from .admin_views.committee import committee_agenda
from .choices import RUBRIC
from .exports.columns import MONEY, NUMBER, TEXT, Column, person
from .exports.mixin import ExportMixin
from .mail_inquiry_exports import EXPORTING_ADMINS
from .models import Assignment, ExportLog, Review

REQUEST = Column("Request", "grant_request__reference")
STEP_LABELS = {transition.name: transition.label for transition in TRANSITIONS}


def step_label(name: str) -> str:
    return STEP_LABELS.get(name, name)


def request_link(grant_request):
    url = reverse("admin:grants_grantrequest_change", args=[grant_request.pk])
    return format_html('<a href="{}">{}</a>', url, grant_request.display_reference)


class RequestLinkMixin:
    list_select_related = ("grant_request",)

    @admin.display(description="request", ordering="grant_request__reference")
    def request(self, obj):
        return request_link(obj.grant_request)


@admin.register(StatusChange)
class StatusChangeAdmin(ExportMixin, RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "request", "from_status", "to_status", "actor_name", "note")
    list_filter = ("transition", "to_status", "created_at")
    search_fields = ("grant_request__reference", "note", "actor__email", "actor__last_name")
    list_select_related = ("grant_request", "actor")
    date_hierarchy = "created_at"
    list_display_links = None
    export_columns = (
        Column("Date", "created_at"),
        REQUEST,
        Column("Step", kind=TEXT, value=lambda change: step_label(change.transition), fields=("transition",)),
        Column("From status", "from_status"),
        Column("To status", "to_status"),
        person("By", "actor"),
        Column("Note", "note"),
    )

    @admin.display(description="by", ordering="actor__last_name")
    def actor_name(self, obj):
        return obj.actor_display


def review_state(review) -> str:
    if not review.submitted_at:
        return "Awaiting review"
    return "Declared a conflict" if review.has_conflict else "Submitted"


class ReviewerFilter(admin.SimpleListFilter):
    title = "reviewer"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Mine")]

    def queryset(self, request, queryset):
        return queryset.filter(reviewer=request.user) if self.value() == "yes" else queryset


@admin.register(Assignment)
class AssignmentAdmin(ExportMixin, RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "stage", "reviewer_name", "assigned_by_name", "assigned_at")
    list_filter = (ReviewerFilter, "stage", "assigned_at")
    search_fields = ("grant_request__reference", "reviewer__email", "reviewer__last_name")
    list_select_related = ("grant_request", "reviewer", "assigned_by")
    list_display_links = None
    export_columns = (
        REQUEST,
        Column("Stage", "stage"),
        person("Reviewer", "reviewer"),
        person("Assigned by", "assigned_by"),
        Column("Assigned", "assigned_at"),
    )

    @admin.display(description="reviewer", ordering="reviewer__last_name")
    def reviewer_name(self, obj):
        return person_name(obj.reviewer)

    @admin.display(description="assigned by")
    def assigned_by_name(self, obj):
        return person_name(obj.assigned_by)


@admin.register(Review)
class ReviewAdmin(ExportMixin, RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "stage", "reviewer_name", "outcome", "average", "recommendation", "submitted_at")
    list_filter = (ReviewerFilter, "stage", "recommendation", "has_conflict", "submitted_at")
    search_fields = ("grant_request__reference", "reviewer__email", "reviewer__last_name")
    list_select_related = ("grant_request", "reviewer")
    list_display_links = None
    export_columns = (
        REQUEST,
        Column("Stage", "stage"),
        person("Reviewer", "reviewer"),
        Column("State", kind=TEXT, value=lambda review: review_state(review), fields=("submitted_at", "has_conflict")),
        Column("Conflict of interest declared", "has_conflict"),
        *(Column(label, name) for name, label in RUBRIC),
        Column("Average score", kind=NUMBER, value=lambda review: review.average_score,
               fields=("has_conflict", *(name for name, _ in RUBRIC))),
        Column("Recommendation", "recommendation"),
        Column("Recommended amount (USD)", "recommended_amount", kind=MONEY),
        Column("Comments", "comments"),
        Column("Submitted", "submitted_at"),
    )  # fmt: skip

    @admin.display(description="reviewer", ordering="reviewer__last_name")
    def reviewer_name(self, obj):
        return person_name(obj.reviewer)

    @admin.display(description="state")
    def outcome(self, obj):
        return review_state(obj)

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
class DecisionAdmin(ExportMixin, RequestLinkMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "outcome", "approved_amount", "decided_by_name", "decided_at")
    list_filter = ("outcome", "decided_at")
    search_fields = ("grant_request__reference", "message_to_applicant")
    list_select_related = ("grant_request", "decided_by")
    list_display_links = None
    export_columns = (
        REQUEST,
        Column("Outcome", "outcome"),
        Column("Approved amount (USD)", "approved_amount", kind=MONEY),
        Column("Reasons", kind=TEXT, value=lambda decision: decline_reasons(decision.reason_codes),
               fields=("reason_codes",)),
        person("Decided by", "decided_by"),
        Column("Decided", "decided_at"),
        Column("Message to the applicant", "message_to_applicant"),
    )  # fmt: skip

    @admin.display(description="decided by")
    def decided_by_name(self, obj):
        return person_name(obj.decided_by)


def decline_reasons(codes) -> str:
    labels = dict(DeclineReason.choices)
    return "; ".join(labels.get(code, code) for code in codes or ())


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who exported which list, with which filters, and how many rows: for administrators to read."""

    list_display = ("started_at", "user_name", "list_name", "format", "query_string", "row_count", "finished_at")
    list_filter = ("list_name", "file_format", "started_at")
    search_fields = ("user__email", "user__last_name", "list_name", "query_string")
    list_select_related = ("user",)
    date_hierarchy = "started_at"
    list_display_links = ("started_at",)

    @admin.display(description="by", ordering="user__last_name")
    def user_name(self, obj):
        return person_name(obj.user)

    @admin.display(description="format", ordering="file_format")
    def format(self, obj):
        return obj.file_format.upper()


# The outbox's and the inquiries' own admins, with exports (their apps sit below this one).
for model, model_admin in EXPORTING_ADMINS.items():
    admin.site.unregister(model)
    admin.site.register(model, model_admin)

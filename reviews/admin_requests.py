"""Staff see applicants' data in the admin but never edit it: the request queue, each request's page
(see reviews/admin_views/) and the organisations, all read-only. Status changes happen only through
the workflow's action pages."""

from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.contrib import admin
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from grants.choices import RequestType, TherapeuticArea
from grants.models import Agreement, ChangeRequest, ChangeStatus, GrantRequest, Membership, Organisation
from grants.status import AWAITING_STAFF, UNDECIDED, GrantStatus
from portal.formatting import day, url_maker
from portal.people import person_name

from .admin_views import actions, change_decisions, downloads, request_page, reviewing, support_statement
from .admin_views import reconciliation as reconciliation_views
from .admin_views.common import staff_requests
from .exports.columns import MONEY, YES_NO, Column
from .exports.mixin import ExportMixin
from .models import Assignment


class ReadOnlyAdminMixin:
    """Applicants own this data: staff look, they do not add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Queue filters ----------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open (before a decision)"), ("awaiting_staff", "Waiting for staff")] + [
            (status.value, status.label) for status in GrantStatus if status != GrantStatus.DRAFT
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "open":
            return queryset.filter(status__in=UNDECIDED)
        if value == "awaiting_staff":
            return queryset.filter(status__in=AWAITING_STAFF)
        if value in GrantStatus.values:
            return queryset.filter(status=value)
        return queryset


class PostAwardFilter(admin.SimpleListFilter):
    """Where a grant stands after approval: whose signature, payment or decision it waits for."""

    title = "post-award"
    parameter_name = "post_award"

    def lookups(self, request, model_admin):
        return [
            ("awaiting_signature", "Awaiting the recipient's signature"),
            ("awaiting_countersignature", "Awaiting countersignature"),
            ("awaiting_payment", "Awaiting payment"),
            ("change_pending", "Change request pending"),
            ("refund_due", "Refund due"),
        ]

    def queryset(self, request, queryset):
        letter = Agreement.objects.filter(grant_request=OuterRef("pk"), superseded_at__isnull=True)
        value = self.value()
        if value == "awaiting_signature":
            unsigned = letter.filter(signed_at__isnull=True)
            return queryset.filter(status=GrantStatus.AGREEMENT_SENT).filter(Exists(unsigned))
        if value == "awaiting_countersignature":
            signed = letter.filter(signed_at__isnull=False, countersigned_at__isnull=True)
            return queryset.filter(status=GrantStatus.AGREEMENT_SENT).filter(Exists(signed))
        if value == "awaiting_payment":
            return queryset.filter(status=GrantStatus.AGREEMENT_SIGNED)
        if value == "change_pending":
            pending = ChangeRequest.objects.filter(grant_request=OuterRef("pk"), status=ChangeStatus.PENDING)
            return queryset.filter(Exists(pending))
        if value == "refund_due":
            return queryset.filter(status=GrantStatus.CANCELLATION_REFUND_DUE)
        return queryset


class ProgramStartFilter(admin.SimpleListFilter):
    title = "program start"
    parameter_name = "starts"

    WINDOWS = {"30": 30, "60": 60, "90": 90}

    def lookups(self, request, model_admin):
        return [
            ("30", "In the next 30 days"),
            ("60", "In the next 60 days"),
            ("90", "In the next 90 days"),
            ("later", "More than 90 days away"),
            ("past", "Already started"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value in self.WINDOWS:
            return queryset.filter(start_date__gte=today, start_date__lte=today + timedelta(days=self.WINDOWS[value]))
        if value == "later":
            return queryset.filter(start_date__gt=today + timedelta(days=90))
        if value == "past":
            return queryset.filter(start_date__lt=today)
        return queryset


class AmountFilter(admin.SimpleListFilter):
    title = "amount requested"
    parameter_name = "amount"

    BUCKETS = {
        "lt10k": ("Under $10,000", Q(amount_requested__lt=Decimal("10000"))),
        "10k-50k": (
            "$10,000 to $50,000",
            Q(amount_requested__gte=Decimal("10000"), amount_requested__lt=Decimal("50000")),
        ),
        "50k-100k": (
            "$50,000 to $100,000",
            Q(amount_requested__gte=Decimal("50000"), amount_requested__lte=Decimal("100000")),
        ),
        "gt100k": ("Over $100,000", Q(amount_requested__gt=Decimal("100000"))),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.BUCKETS.items()]

    def queryset(self, request, queryset):
        bucket = self.BUCKETS.get(self.value())
        return queryset.filter(bucket[1]) if bucket else queryset


class AssignedToMeFilter(admin.SimpleListFilter):
    title = "assigned to me"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", "At the current stage"), ("ever", "At any stage")]

    def queryset(self, request, queryset):
        mine = Assignment.objects.filter(grant_request=OuterRef("pk"), reviewer=request.user)
        if self.value() == "me":
            return queryset.filter(Exists(mine.filter(stage=OuterRef("status"))))
        if self.value() == "ever":
            return queryset.filter(Exists(mine))
        return queryset


# --- Field history ----------------------------------------------------------------------------


class ReadableHistory(HistoricalRecordContextHelper):
    """Field history in the words staff read elsewhere: choice labels rather than stored codes."""

    def prepare_delta_change_value(self, change, value):
        model_field = self.model._meta.get_field(change.field)
        if model_field.choices and value not in (None, ""):
            return dict(model_field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """simple_history's field history, for reading only: no revert button, and no revert on POST."""

    object_history_list_template = "admin/includes/history_list.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)


# --- Grant requests ---------------------------------------------------------------------------


_REQUEST_TYPES, _AREAS = dict(RequestType.choices), dict(TherapeuticArea.choices)


@cache
def _change_url_maker():
    # One reverse per process rather than one per row.
    return url_maker("admin:grants_grantrequest_change")


def _change_url(pk):
    return _change_url_maker()(pk)


@admin.register(GrantRequest)
class GrantRequestAdmin(ExportMixin, ReadOnlyHistoryAdmin):
    export_columns = (
        Column("Reference", "reference"),
        Column("Organization", "organisation__legal_name"),
        Column("Organization EIN", "organisation__ein"),
        Column("Program title", "title"),
        Column("Type", "request_type"),
        Column("Therapeutic area", "therapeutic_area"),
        Column("Format", "program_format"),
        Column("Program start", "start_date"),
        Column("Program end", "end_date"),
        Column("Amount requested (USD)", "amount_requested", kind=MONEY),
        Column("Amount approved (USD)", "approved_amount", kind=MONEY),
        Column("Status", "status"),
        Column("In this status since", "status_changed_at"),
        Column("Submitted", "submitted_at"),
        Column("Requester", "requester_name"),
        Column("Requester email", "requester_email"),
    )
    list_display = (
        "reference_link",
        "organisation_name",
        "title",
        "type_of_request",
        "area",
        "amount",
        "starts",
        "status",
        "days_in_status",
        "assignees",
        reconciliation_views.days_overdue_column,
    )
    list_display_links = None
    list_filter = (
        StatusFilter,
        PostAwardFilter,
        AssignedToMeFilter,
        "request_type",
        "therapeutic_area",
        "program_format",
        ProgramStartFilter,
        ("start_date", admin.DateFieldListFilter),
        AmountFilter,
        reconciliation_views.ReconciliationOverdueFilter,
    )
    search_fields = ("reference", "title", "organisation__legal_name", "organisation__ein")
    search_help_text = "Search by reference, program title, organization legal name or EIN."
    ordering = ("submitted_at", "pk")
    # 25 rows: Django's admin renders each cell through several layers (about 0.15 ms a cell, twelve
    # columns), so 50 rows cost the queue most of its p95 budget (docs/performance.md).
    list_per_page = 25
    # No second COUNT over the whole table on a filtered or searched page ("N results (M total)").
    show_full_result_count = False
    # Accounts show as names: Django would link them to the user admin, which most staff may not open.
    fields = [
        {"created_by": "created_by_name", "attested_by": "attested_by_name"}.get(f.name, f.name)
        for f in GrantRequest._meta.fields
    ]
    readonly_fields = fields
    history_list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        """Django's search (every word in one of the search fields), with the organizations matched first
        in their own small table: an OR across the join made PostgreSQL scan every request twice (the page
        and its count); on the request table alone it reads the reference and title indexes
        (grants/migrations/0012)."""
        # Words as Django's admin reads them: "quoted phrases" stay whole.
        words = [
            unescape_string_literal(bit) if bit.startswith(('"', "'")) and bit[0] == bit[-1] else bit
            for bit in smart_split(search_term)
        ]
        if not words:
            return queryset, False
        for word in words:
            matching = Organisation.objects.filter(Q(legal_name__icontains=word) | Q(ein__icontains=word))
            organisations = list(matching.order_by().values_list("pk", flat=True))
            queryset = queryset.filter(
                Q(reference__icontains=word) | Q(title__icontains=word) | Q(organisation_id__in=organisations)
            )
        return queryset, False

    def get_queryset(self, request):
        # Applicants' unsubmitted drafts are theirs alone.
        return (
            staff_requests()
            .select_related("organisation")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.select_related("reviewer").order_by("assigned_at"),
                    to_attr="queue_assignments",
                )
            )
        )

    @admin.display(description="created by")
    def created_by_name(self, obj):
        return person_name(obj.created_by) if obj.created_by_id else "—"

    @admin.display(description="attested by")
    def attested_by_name(self, obj):
        return person_name(obj.attested_by) if obj.attested_by_id else "—"

    @admin.display(description="reference", ordering="reference")
    def reference_link(self, obj):
        return format_html('<a href="{}">{}</a>', _change_url(obj.pk), obj.display_reference)

    @admin.display(description="organization", ordering="organisation__legal_name")
    def organisation_name(self, obj):
        return obj.organisation.legal_name

    @admin.display(description="type", ordering="request_type")
    def type_of_request(self, obj):
        # As get_request_type_display(), without flattening the choices again for every row.
        return _REQUEST_TYPES.get(obj.request_type, obj.request_type)

    @admin.display(description="therapeutic area", ordering="therapeutic_area")
    def area(self, obj):
        return _AREAS.get(obj.therapeutic_area, obj.therapeutic_area)

    @admin.display(description="starts", ordering="start_date")
    def starts(self, obj):
        return day(obj.start_date, default="—")

    @admin.display(description="requested", ordering="amount_requested")
    def amount(self, obj):
        return f"${obj.amount_requested:,.0f}" if obj.amount_requested is not None else "—"

    @admin.display(description="days in status", ordering="status_changed_at")
    def days_in_status(self, obj):
        return max((timezone.now() - obj.status_changed_at).days, 0)

    @admin.display(description="assigned")
    def assignees(self, obj):
        current = [a.reviewer for a in getattr(obj, "queue_assignments", []) if a.stage == obj.status]
        if not current:
            return "—"
        return format_html_join(", ", "{}", ((u.get_full_name() or u.email,) for u in current))

    # The request page and its actions replace Django's change form.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not str(object_id).isdigit():
            raise Http404("No such grant request.")
        return request_page.request_page(self, request, int(object_id))

    def get_urls(self):
        def staff_view(view):
            def call(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(call)

        return [
            path("<int:pk>/actions/<slug:name>/", staff_view(actions.action_page), name="grants_grantrequest_action"),
            path("<int:pk>/message/", staff_view(reviewing.send_message), name="grants_grantrequest_message"),
            path("<int:pk>/assign/<slug:stage>/", staff_view(reviewing.assign), name="grants_grantrequest_assign"),
            path(
                "<int:pk>/assignments/<int:assignment_pk>/remove/",
                staff_view(reviewing.unassign),
                name="grants_grantrequest_unassign",
            ),
            path("<int:pk>/review/conflict/", staff_view(reviewing.conflict), name="grants_grantrequest_conflict"),
            path("<int:pk>/review/", staff_view(reviewing.score), name="grants_grantrequest_review"),
            path(
                "<int:pk>/changes/<int:change_pk>/decide/",
                staff_view(change_decisions.decide_change),
                name="grants_grantrequest_decide_change",
            ),
            path(
                "<int:pk>/commercial-support/",
                staff_view(support_statement.support_statement),
                name="grants_grantrequest_support_statement",
            ),
            path(
                "<int:pk>/attachments/<int:att_pk>/download/",
                downloads.attachment_download,
                name="grants_grantrequest_attachment",
            ),
            path(
                "<int:pk>/agreements/<int:version>/pdf/",
                downloads.agreement_pdf_download,
                name="grants_grantrequest_agreement_pdf",
            ),
            path(
                "<int:pk>/reconciliation/documents/<int:doc_pk>/download/",
                reconciliation_views.document_download,
                name="grants_grantrequest_reconciliation_document",
            ),
        ] + super().get_urls()


# --- Organisations ----------------------------------------------------------------------------


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Membership
    fields = ("user_email", "user_name", "role", "joined_at")
    readonly_fields = fields
    extra = 0
    verbose_name = "member"
    verbose_name_plural = "members"

    def has_view_permission(self, request, obj=None):
        # Members are part of the organisation record: whoever may see the organisation sees them.
        return request.user.has_perm("grants.view_organisation")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description="email")
    def user_email(self, obj):
        return obj.user.email

    @admin.display(description="name")
    def user_name(self, obj):
        return obj.user.get_full_name() or "—"


class GrantRequestInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = GrantRequest
    fields = ("request_link", "title", "status", "amount_requested", "start_date")
    readonly_fields = fields
    extra = 0
    verbose_name = "grant request"
    verbose_name_plural = "grant requests (submitted)"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(status=GrantStatus.DRAFT).order_by("-submitted_at")

    @admin.display(description="reference")
    def request_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:grants_grantrequest_change", args=[obj.pk]), obj.display_reference
        )


@admin.register(Organisation)
class OrganisationAdmin(ExportMixin, ReadOnlyHistoryAdmin):
    list_display = ("legal_name", "org_type", "tax_status", "ein", "city", "state", "accreditation_body", "w9_file")
    list_filter = ("org_type", "tax_status", "state", "accreditation_body")
    search_fields = ("legal_name", "ein", "city")
    fieldsets = [
        (None, {"fields": ["legal_name", "org_type", "tax_status", "ein", "website"]}),
        ("Address", {"fields": ["address_line1", "address_line2", "city", "state", "postal_code", "country"]}),
        ("Accreditation", {"fields": ["accreditation_body", "accreditation_id", "accreditation_expiry"]}),
        ("Documents", {"fields": ["w9_file", "created_at", "updated_at"]}),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]
    inlines = [MembershipInline, GrantRequestInline]
    export_columns = (
        Column("Legal name", "legal_name"),
        Column("Type", "org_type"),
        Column("Tax status", "tax_status"),
        Column("EIN", "ein"),
        Column("Address", "address_line1"),
        Column("Address line 2", "address_line2"),
        Column("City", "city"),
        Column("State", "state"),
        Column("ZIP code", "postal_code"),
        Column("Website", "website"),
        Column("Accreditation body", "accreditation_body"),
        Column("Accreditation ID", "accreditation_id"),
        Column("Accreditation expires", "accreditation_expiry"),
        Column("W-9 on file", kind=YES_NO, value=lambda organisation: bool(organisation.w9), fields=("w9",)),
        Column("Registered", "created_at"),
    )

    @admin.display(description="W-9")
    def w9_file(self, obj):
        # Through the staff download view: the stored file has no public URL.
        if not obj.w9:
            return "Not uploaded"
        url = reverse("admin:grants_organisation_w9", args=[obj.pk])
        return format_html('<a href="{}">Download W-9</a>', url)

    def get_urls(self):
        return [
            path("<int:pk>/w9/", downloads.w9_download, name="grants_organisation_w9"),
        ] + super().get_urls()

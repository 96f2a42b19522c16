"""The admin after approval (SPEC §4a): the Letter of Agreement templates the legal team versions, and
read-only lists of the letters issued, payments, refunds, change requests and reconciliation reports,
each with its exports.
Letters, payments, refunds and decisions are written by the request page's actions, never here."""

from django.contrib import admin
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from grants.agreement_terms import PLACEHOLDERS
from grants.models import Agreement, AgreementTemplate, ChangeRequest, Payment, Reconciliation, Refund
from portal.people import person_name

from .admin_requests import ReadOnlyAdminMixin, ReadOnlyHistoryAdmin
from .exports.columns import MONEY, TEXT, YES_NO, Column, person
from .exports.mixin import ExportMixin

REQUEST = Column("Request", "grant_request__reference")
ORGANIZATION = Column("Organization", "grant_request__organisation__legal_name")


def request_link(grant_request):
    url = reverse("admin:grants_grantrequest_change", args=[grant_request.pk])
    return format_html('<a href="{}">{}</a>', url, grant_request.display_reference)


class RequestColumnsMixin:
    list_select_related = ("grant_request", "grant_request__organisation")

    @admin.display(description="request", ordering="grant_request__reference")
    def request(self, obj):
        return request_link(obj.grant_request)

    @admin.display(description="organization", ordering="grant_request__organisation__legal_name")
    def organization(self, obj):
        return obj.grant_request.organisation.legal_name


def _money(amount) -> str:
    return f"${amount:,.2f}" if amount is not None else "—"


# --- The agreement's wording --------------------------------------------------------------------


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(ReadOnlyHistoryAdmin):
    """Administrators write new versions; coordinators read them. A version letters were issued from is
    what was signed, so its wording is read-only; "published" decides which versions may be used, and
    the newest published one is used for new letters. Its history is read-only (no revert), like every
    history in the admin."""

    list_display = ("version", "title", "published", "note", "letters_issued", "author", "created_at")
    list_filter = ("published",)
    search_fields = ("title", "body", "note")
    fields = ("version", "title", "body", "placeholders", "published", "note", "author", "created_at")
    history_list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").annotate(letter_count=Count("letters"))

    def get_readonly_fields(self, request, obj=None):
        always = ("version", "placeholders", "author", "created_at")
        if obj is not None and obj.letters.exists():
            return (*always, "title", "body")
        return always

    def get_changeform_initial_data(self, request):
        newest = self.model.objects.order_by("-version").first()
        initial = super().get_changeform_initial_data(request)
        if newest is not None:
            initial.setdefault("title", newest.title)
            initial.setdefault("body", newest.body)
        return initial

    # Unlike the applicants' records, the wording is staff's own: adding and changing follow the permissions.
    def has_add_permission(self, request, obj=None):
        return admin.ModelAdmin.has_add_permission(self, request)

    def has_change_permission(self, request, obj=None):
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # letters point to their version; versions are kept for the record

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def placeholder_list(self):
        return PLACEHOLDERS.items()

    @admin.display(description="placeholders you may use")
    def placeholders(self, obj):
        items = format_html_join(
            "", "<li><code>{{{{ {} }}}}</code>: {}</li>", ((name, meaning) for name, meaning in self.placeholder_list())
        )
        return format_html("<ul class=\"staff-placeholders\">{}</ul>", items)

    @admin.display(description="letters issued", ordering="letter_count")
    def letters_issued(self, obj):
        return getattr(obj, "letter_count", None) if obj.pk else 0

    @admin.display(description="written by")
    def author(self, obj):
        return person_name(obj.created_by) if obj.created_by_id else "The portal (first version)"


# --- Letters, money and changes: read-only ------------------------------------------------------


class AgreementStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("awaiting_signature", "Awaiting the recipient's signature"),
            ("awaiting_countersignature", "Awaiting countersignature"),
            ("executed", "Signed by both parties"),
            ("superseded", "Superseded"),
        ]

    def queryset(self, request, queryset):
        current = queryset.filter(superseded_at__isnull=True)
        return {
            "awaiting_signature": current.filter(signed_at__isnull=True),
            "awaiting_countersignature": current.filter(signed_at__isnull=False, countersigned_at__isnull=True),
            "executed": current.filter(countersigned_at__isnull=False),
            "superseded": queryset.filter(superseded_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Agreement)
class AgreementAdmin(ExportMixin, RequestColumnsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "organization", "version", "state", "issued_at", "signed_at", "countersigned_at")
    list_display_links = ("version",)
    list_filter = (AgreementStateFilter, "issued_at", "signed_at", "countersigned_at")
    search_fields = ("grant_request__reference", "grant_request__organisation__legal_name", "signer_name")
    search_help_text = "Search by request reference, organization legal name or signer's name."
    list_select_related = ("grant_request", "grant_request__organisation")
    fieldsets = [
        (None, {"fields": ["request", "version", "template_version", "issued_at", "issuer", "reason",
                           "superseded_at"]}),
        ("Recipient's signature", {"fields": [
            "signer_name", "signer_title", "signed_at", "signer_ip", "signer_user_agent", "signed_sha256",
        ]}),
        ("Countersignature", {"fields": [
            "countersigner_name", "countersigner_title", "countersigned_at", "countersigner_ip", "countersigned_sha256",
        ]}),
        ("The letter as issued", {"fields": ["text_sha256", "text"]}),
    ]  # fmt: skip
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]
    export_columns = (
        REQUEST,
        ORGANIZATION,
        Column("Version", "version"),
        Column("State", kind=TEXT, value=lambda letter: letter.state_label,
               fields=("superseded_at", "signed_at", "signed_sha256", "countersigned_at", "countersigned_sha256",
                       "text")),
        Column("Issued", "issued_at"),
        person("Issued by", "issued_by"),
        Column("Why issued", "reason"),
        Column("Signed by (typed name)", "signer_name"),
        Column("Signer's title", "signer_title"),
        Column("Signed", "signed_at"),
        Column("Countersigned by", "countersigner_name"),
        Column("Countersigner's title", "countersigner_title"),
        Column("Countersigned", "countersigned_at"),
        Column("Superseded", "superseded_at"),
        Column("SHA-256 of the letter", "text_sha256"),
    )  # fmt: skip

    @admin.display(description="state")
    def state(self, obj):
        return obj.state_label

    @admin.display(description="template")
    def template_version(self, obj):
        # Plain text, not Django's link to the template: most roles may not open the template admin.
        return str(obj.template)

    @admin.display(description="issued by")
    def issuer(self, obj):
        return person_name(obj.issued_by)


@admin.register(Payment)
class PaymentAdmin(ExportMixin, RequestColumnsMixin, ReadOnlyHistoryAdmin):
    list_display = ("request", "organization", "amount_paid", "method", "reference", "paid_on", "recorder")
    list_display_links = ("reference",)
    list_filter = ("method", ("paid_on", admin.DateFieldListFilter))
    search_fields = ("grant_request__reference", "grant_request__organisation__legal_name", "reference")
    search_help_text = "Search by request reference, organization legal name or payment reference."
    list_select_related = ("grant_request", "grant_request__organisation", "recorded_by")
    date_hierarchy = "paid_on"
    fields = ("request", "amount", "method", "reference", "paid_on", "recorder", "recorded_at")
    readonly_fields = fields
    export_columns = (
        REQUEST,
        ORGANIZATION,
        Column("Amount (USD)", "amount", kind=MONEY),
        Column("Method", "method"),
        Column("Reference", "reference"),
        Column("Date paid", "paid_on"),
        person("Recorded by", "recorded_by"),
        Column("Recorded", "recorded_at"),
    )

    @admin.display(description="amount", ordering="amount")
    def amount_paid(self, obj):
        return _money(obj.amount)

    @admin.display(description="recorded by")
    def recorder(self, obj):
        return person_name(obj.recorded_by)


@admin.register(Refund)
class RefundAdmin(ExportMixin, RequestColumnsMixin, ReadOnlyHistoryAdmin):
    list_display = ("request", "organization", "cause", "amount_received", "reference", "received_on", "recorder")
    list_display_links = ("reference",)
    list_filter = ("cause", ("received_on", admin.DateFieldListFilter))
    search_fields = ("grant_request__reference", "grant_request__organisation__legal_name", "reference")
    search_help_text = "Search by request reference, organization legal name or refund reference."
    list_select_related = ("grant_request", "grant_request__organisation", "recorded_by")
    date_hierarchy = "received_on"
    fields = ("request", "cause", "amount", "received_on", "reference", "recorder", "recorded_at")
    readonly_fields = fields
    export_columns = (
        REQUEST,
        ORGANIZATION,
        Column("Cause", "cause"),
        Column("Amount received (USD)", "amount", kind=MONEY),
        Column("Date received", "received_on"),
        Column("Reference", "reference"),
        person("Recorded by", "recorded_by"),
        Column("Recorded", "recorded_at"),
    )

    @admin.display(description="amount received", ordering="amount")
    def amount_received(self, obj):
        return _money(obj.amount)

    @admin.display(description="recorded by")
    def recorder(self, obj):
        return person_name(obj.recorded_by)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ExportMixin, RequestColumnsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("request", "organization", "kind", "status", "filed_at", "decided_at", "reissued_agreement")
    list_display_links = ("kind",)
    list_filter = ("status", "kind", "reissued_agreement", "short_notice_accepted", "filed_at")
    search_fields = ("grant_request__reference", "grant_request__organisation__legal_name", "reason", "decision_note")
    search_help_text = "Search by request reference, organization legal name, reason or decision note."
    list_select_related = ("grant_request", "grant_request__organisation")
    fields = (
        "request", "kind", "status", "reason", "side_by_side", "filer", "filed_at", "decider", "decided_at",
        "decision_note", "short_notice_accepted", "reissued_agreement",
    )  # fmt: skip
    readonly_fields = fields
    export_columns = (
        REQUEST,
        ORGANIZATION,
        Column("What changes", "kind"),
        Column("Status", "status"),
        Column("Reason", "reason"),
        Column("Proposed start date", "new_start_date"),
        Column("Proposed end date", "new_end_date"),
        Column("Proposed format", "new_program_format"),
        Column("Proposed venue", "new_location"),
        person("Filed by", "filed_by"),
        Column("Filed", "filed_at"),
        person("Decided by", "decided_by"),
        Column("Decided", "decided_at"),
        Column("Decision note", "decision_note"),
        Column("Short notice accepted", "short_notice_accepted", kind=YES_NO),
        Column("Letter re-issued", "reissued_agreement", kind=YES_NO),
    )

    @admin.display(description="current and proposed values")
    def side_by_side(self, obj):
        rows = format_html_join(
            "", "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
            ((label, now or "—", obj.proposed_values.get(label) or "—") for label, now in obj.current_values.items()),
        )  # fmt: skip
        return format_html(
            '<table class="staff-table"><thead><tr><th scope="col">What</th><th scope="col">Then</th>'
            '<th scope="col">Proposed</th></tr></thead><tbody>{}</tbody></table>',
            rows,
        )

    @admin.display(description="filed by")
    def filer(self, obj):
        return person_name(obj.filed_by)

    @admin.display(description="decided by")
    def decider(self, obj):
        return person_name(obj.decided_by) if obj.decided_by_id else "—"


@admin.register(Reconciliation)
class ReconciliationAdmin(ExportMixin, RequestColumnsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reconciliation reports; each is read in full, beside the approved budget, on its request page."""

    list_display = ("request", "organization", "grant_status", "submitted_at", "cost", "refund", "moore_level_reached")
    list_display_links = ("submitted_at",)
    list_filter = ("grant_request__status", ("submitted_at", admin.DateFieldListFilter), "moore_level_reached")
    search_fields = ("grant_request__reference", "grant_request__organisation__legal_name", "grant_request__title")
    search_help_text = "Search by request reference, organization legal name or program title."
    fields = ("request", "grant_status", "submitted_at", "cost", "refund", "moore_level_reached", "waiver_reason")
    readonly_fields = fields
    export_columns = (
        REQUEST,
        ORGANIZATION,
        Column("Program title", "grant_request__title"),
        Column("Request status", "grant_request__status"),
        Column("Submitted", "submitted_at"),
        Column("Approved (USD)", "grant_request__approved_amount", kind=MONEY),
        Column("Actual cost (USD)", kind=MONEY, value=lambda obj: obj.actual_cost),
        Column("Refund due (USD)", "grant_request__refund_due", kind=MONEY),
        *(Column(f"Learners: {label}", name) for name, label in (
            ("learners_physicians", "physicians"), ("learners_nps", "nurse practitioners"),
            ("learners_pas", "physician assistants"), ("learners_nurses", "nurses"),
            ("learners_pharmacists", "pharmacists"), ("learners_psychologists", "psychologists"),
            ("learners_other", "other"),
        )),
        Column("Completions", "completions"),
        Column("Moore level reached", "moore_level_reached"),
        Column("Credits awarded", "credits_awarded"),
        Column("Refund waived because", "waiver_reason", kind=TEXT),
    )  # fmt: skip

    def get_queryset(self, request):
        # The actual cost is the sum of the report's lines, computed in the database for the whole list.
        return super().get_queryset(request).annotate(actual_cost=Sum("lines__actual"))

    @admin.display(description="request status", ordering="grant_request__status")
    def grant_status(self, obj):
        return obj.grant_request.get_status_display()

    @admin.display(description="actual cost", ordering="actual_cost")
    def cost(self, obj):
        return _money(obj.actual_cost)

    @admin.display(description="refund due", ordering="grant_request__refund_due")
    def refund(self, obj):
        return _money(obj.grant_request.refund_due)

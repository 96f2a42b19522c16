from django.contrib import admin

from .models import Inquiry


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ("subject", "name", "email", "organisation", "status", "created_at")
    list_filter = ("status", "created_at")
    list_editable = ("status",)
    search_fields = ("subject", "name", "email", "organisation", "message")
    date_hierarchy = "created_at"
    readonly_fields = ("name", "email", "organisation", "subject", "message", "created_at", "updated_at")
    fields = readonly_fields[:5] + ("status", "staff_notes") + readonly_fields[5:]
    actions = ["mark_answered", "mark_closed"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Mark selected inquiries as answered", permissions=["change"])
    def mark_answered(self, request, queryset):
        queryset.update(status=Inquiry.Status.ANSWERED)

    @admin.action(description="Mark selected inquiries as closed", permissions=["change"])
    def mark_closed(self, request, queryset):
        queryset.update(status=Inquiry.Status.CLOSED)

from django.contrib import admin, messages

from . import services
from .models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipients", "template", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "template", "created_at")
    search_fields = ("subject", "to", "last_error")
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    readonly_fields = [f.name for f in Email._meta.fields]

    @admin.display(description="To")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Resend selected emails", permissions=["change"])
    def resend_selected(self, request, queryset):
        count = services.resend(queryset)
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)

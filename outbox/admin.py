from django.contrib import admin, messages
from django.template.defaultfilters import linebreaksbr

from . import services
from .models import Email
from .secrets import hide_secret_links

SEALED = (
    "Not shown: this email carries a one-time link (password reset, address verification or invitation), "
    "which works for whoever reads it. It is erased once sent."
)
ERASED = "Erased once sent: this email carried a one-time link. The person can ask for a new one."


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipients", "template", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "template", "carries_secret", "created_at")
    # Never the bodies: a search is a probe ("is there an email containing this token?"), so staff can
    # find an email by whom it went to, its subject or its error, never by what it says.
    search_fields = ("subject", "to", "last_error")
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    fields = (
        "template", "to", "reply_to", "subject", "text_body", "html_body", "carries_secret", "status", "attempts",
        "last_error", "next_attempt_at", "created_at", "updated_at", "sent_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description="To")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def _body(self, obj, text):
        if obj.body_erased:
            return ERASED
        if obj.carries_secret:
            return SEALED
        # Mail stored before emails were sealed may still hold a link that takes a secret.
        return linebreaksbr(hide_secret_links(text))

    @admin.display(description="Text")
    def text_body(self, obj):
        return self._body(obj, obj.body_text)

    @admin.display(description="HTML (as source)")
    def html_body(self, obj):
        return self._body(obj, obj.body_html)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Resend selected emails", permissions=["change"])
    def resend_selected(self, request, queryset):
        count = services.resend(queryset)
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)
        erased = sum(1 for email in queryset if email.body_erased)
        if erased:
            self.message_user(
                request,
                f"{erased} email(s) carried a one-time link that was erased once sent, so they cannot be sent "
                "again: ask the person to request a new link.",
                messages.WARNING,
            )

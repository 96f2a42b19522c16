from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

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

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledStatusForm(base):
            """The status box in each row of the list says whose status it is (it has no visible label)."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["status"].widget.attrs["aria-label"] = f"Status of “{self.instance.subject}”"

        return LabelledStatusForm

    @admin.action(description="Mark selected inquiries as answered", permissions=["change"])
    def mark_answered(self, request, queryset):
        queryset.update(status=Inquiry.Status.ANSWERED)

    @admin.action(description="Mark selected inquiries as closed", permissions=["change"])
    def mark_closed(self, request, queryset):
        queryset.update(status=Inquiry.Status.CLOSED)


# --- Staff accounts ---------------------------------------------------------------------------
# Django's own pages for accounts, groups and authenticator devices, made usable with a screen reader:
# the two-box picker for groups and permissions carries ARIA attributes its icons may not have (a plain
# multiple-choice list instead), and the sign-in times the system records are shown, not edited in
# date and time boxes that have no labels of their own.


class StaffUserAdmin(UserAdmin):
    """Also without a way up: the administrator role manages staff and their role groups, but only a
    superuser makes a superuser, grants permissions one by one, or touches a superuser's account (its
    password included)."""

    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")
    superuser_only_fields = ("is_superuser", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else fields + self.superuser_only_fields

    def _touches_a_superuser(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._touches_a_superuser(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._touches_a_superuser(request, obj):
            return fieldsets
        # Read-only for this viewer: no "reset password" button leading to a page they may not open.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._touches_a_superuser(request, obj)


class StaffGroupAdmin(GroupAdmin):
    filter_horizontal = ()


class StaffTOTPDeviceAdmin(TOTPDeviceAdmin):
    readonly_fields = [*TOTPDeviceAdmin.readonly_fields, "throttling_failure_timestamp", "throttling_failure_count"]


for model, model_admin in [
    (get_user_model(), StaffUserAdmin),
    (Group, StaffGroupAdmin),
    (TOTPDevice, StaffTOTPDeviceAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, model_admin)

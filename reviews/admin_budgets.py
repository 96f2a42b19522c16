"""The annual IME budget, set by administrators (coordinators may look): a total per calendar year
and the share of it set aside for each therapeutic area. Every change is kept in the history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from grants.models import AnnualBudget, AreaBudget
from portal.people import person_name

from .admin_requests import ReadableHistory


class AreaBudgetFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = self.instance.total
        areas, shares = set(), []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            area = form.cleaned_data.get("therapeutic_area")
            if area in areas:
                raise ValidationError("Each therapeutic area can appear once in a year's budget.")
            areas.add(area)
            shares.append(form.cleaned_data.get("amount") or 0)
        if total is not None and sum(shares) > total:
            raise ValidationError(
                f"The areas add up to ${sum(shares):,.2f}, more than the year's total of ${total:,.2f}."
            )


class AreaBudgetInline(admin.TabularInline):
    model = AreaBudget
    formset = AreaBudgetFormSet
    extra = 0
    fields = ("therapeutic_area", "amount")

    # An area's share is part of the year's budget: whoever may change the budget may change its shares.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("grants.view_annualbudget") or self.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("grants.change_annualbudget") or request.user.has_perm("grants.add_annualbudget")

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(AnnualBudget)
class AnnualBudgetAdmin(SimpleHistoryAdmin):
    list_display = ("year", "total", "updated_by_name", "updated_at")
    list_select_related = ("updated_by",)
    inlines = [AreaBudgetInline]
    # Names, not links: most staff may not open other people's accounts.
    readonly_fields = ("updated_by_name", "updated_at")
    # The project's history list (no inline styles under the strict CSP).
    object_history_list_template = "admin/includes/history_list.html"

    @admin.display(description="updated by", ordering="updated_by__last_name")
    def updated_by_name(self, obj):
        return person_name(obj.updated_by) if obj.updated_by_id else "—"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

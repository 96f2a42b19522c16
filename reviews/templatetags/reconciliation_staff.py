"""{% load reconciliation_staff %}{% reconciliation_staff_panel grant_request %}: the reconciliation
panel of the staff request page (no query before the program has ended)."""

from django import template

from ..admin_views.reconciliation import staff_panel

register = template.Library()


@register.inclusion_tag("admin/grants/grantrequest/includes/reconciliation_panel.html")
def reconciliation_staff_panel(grant_request):
    return {"panel": staff_panel(grant_request)}

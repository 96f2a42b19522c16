"""The reconciliation panel on the applicant's request page: {% load reconciliation %}
{% reconciliation_panel grant_request %} (no query before the program has ended)."""

from django import template

from ..views.reconciliation import panel_for

register = template.Library()


@register.inclusion_tag("grants/reconciliation/panel_body.html")
def reconciliation_panel(grant_request):
    return {"grant_request": grant_request, "panel": panel_for(grant_request)}


@register.filter
def error_texts(lines) -> list[dict]:
    """Plain refusal sentences as error-summary items (no field to link to)."""
    return [{"anchor": "", "text": line} for line in lines or []]


@register.filter
def usd(amount) -> str:
    """A dollar amount as people write it: $1,234.50, and −$3,500.00 when negative."""
    if amount is None:
        return ""
    return f"−${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"

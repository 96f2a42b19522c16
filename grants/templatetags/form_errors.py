"""The error summary's list for any form: {% load form_errors %} … {{ form|error_items }}."""

from django import template

from ..forms.requests import error_summary

register = template.Library()


@register.filter
def error_items(form) -> list[dict]:
    """Every error of a bound form as {anchor, text}, in page order (see includes/error_summary.html)."""
    if form is None or not form.is_bound:
        return []
    return error_summary(form, {})

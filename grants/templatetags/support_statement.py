"""{% load support_statement %} … {% if grant_request|offers_support_statement %}: whether a request's page
links to its commercial-support statement (grants/support_statement.py)."""

from django import template

from ..support_statement import offers_statement

register = template.Library()


@register.filter
def offers_support_statement(grant_request) -> bool:
    return offers_statement(grant_request)

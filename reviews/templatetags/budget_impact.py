"""On the approval pages: what approving this request (or the partial amount entered) would leave of
its area's and the year's budget, with a warning when it would exceed either. The same arithmetic
(``grants.budgets.impact_of_approving``) writes the warning onto the decision when staff go ahead."""

from decimal import Decimal, InvalidOperation

from django import template

from grants.budgets import impact_of_approving, money

register = template.Library()
APPROVING = {"approve", "partially_approve"}


def _entered_amount(form, requested):
    """The partial amount typed, when it is one a partial approval may have (more than $0, less than
    the amount requested); the page then shows its effect. Anything else is refused by the form."""
    if not form.is_bound:
        return None
    try:
        amount = Decimal(str(form.data.get("approved_amount", "")).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        return None
    return amount if 0 < amount < (requested or Decimal("0")) else None


@register.filter(name="money")
def money_filter(amount) -> str:
    """$1,234.56, and -$1,234.56 for a budget gone over."""
    return "" if amount is None else money(amount)


@register.inclusion_tag("admin/grants/grantrequest/budget_impact.html")
def budget_impact(rule, grant_request, form):
    if rule.name not in APPROVING:
        return {"impact": None}
    if rule.name == "approve":
        amount, entered = grant_request.amount_requested, True
    else:
        amount = _entered_amount(form, grant_request.amount_requested)
        entered = amount is not None
    impact = impact_of_approving(grant_request, amount if entered else Decimal("0"))
    return {"impact": impact, "entered": entered, "partial": rule.name == "partially_approve"}

"""Who sees the money and the budget. Added to the role groups after ``reviews.permissions`` has set
them (``reviews.apps``), so the two lists can later be merged into ``ROLE_PERMISSIONS`` unchanged.

- ``grants.view_budget_figures``: the dashboard's money (requested, approved, paid, refunded);
- ``grants.view_annualbudget``: the budget beside it, and the budget pages of the admin;
- add/change/delete of a budget: the administrator only.
"""

from workflow.roles import Role

MONEY = "grants.view_budget_figures"
VIEW_BUDGET = "grants.view_annualbudget"
SET_BUDGET = ["grants.add_annualbudget", "grants.change_annualbudget", "grants.delete_annualbudget"]

REPORTING_PERMISSIONS = {
    Role.COORDINATOR: [MONEY, VIEW_BUDGET],
    Role.COMPLIANCE: [MONEY],
    Role.ADMINISTRATOR: [MONEY, VIEW_BUDGET, *SET_BUDGET],
}


def add_reporting_permissions(permission_model, role_group_model):
    for role, dotted_names in REPORTING_PERMISSIONS.items():
        link = role_group_model.objects.select_related("group").filter(code=role.value).first()
        if link is None:
            continue
        for dotted in dotted_names:
            app_label, codename = dotted.split(".")
            link.group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )

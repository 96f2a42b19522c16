"""Who sees the money and the budget (given to the roles in ``reviews.permissions.ROLE_PERMISSIONS``).

- ``grants.view_budget_figures``: the dashboard's money (requested, approved, paid, refunded);
- ``grants.view_annualbudget``: the budget beside it, and the budget pages of the admin;
- add/change/delete of a budget: the administrator only.
"""

MONEY = "grants.view_budget_figures"
VIEW_BUDGET = "grants.view_annualbudget"
SET_BUDGET = ["grants.add_annualbudget", "grants.change_annualbudget", "grants.delete_annualbudget"]

"""The permissions each staff role's group holds, set after every migrate (``reviews.apps``)."""

from workflow.roles import Role

from .dashboard.permissions import MONEY, SET_BUDGET, VIEW_BUDGET
from .exports.permissions import EXPORT, READ_EXPORT_LOG

VIEW_REQUESTS = [
    "grants.view_grantrequest", "grants.view_all_requests", "grants.view_organisation", "grants.view_attachment",
    "grants.view_budgetline", "grants.view_learningobjective", "grants.view_othersupporter",
    "grants.view_statuschange", "grants.view_message", "grants.view_informationrequest",
    "reviews.view_assignment", "grants.view_decision",
    "grants.view_agreement", "grants.view_payment", "grants.view_refund", "grants.view_changerequest",
    "grants.view_reconciliation",
]  # fmt: skip
# Recording money that moves: finance alone (SPEC §1).
RECORD_MONEY = ["grants.add_payment", "grants.add_refund"]
# The legal team's wording of the Letter of Agreement: administrators publish versions; coordinators read.
AGREEMENT_TERMS = ["grants.view_agreementtemplate", "grants.add_agreementtemplate", "grants.change_agreementtemplate"]
WRITE_MESSAGES = ["grants.add_message", "grants.add_informationrequest"]
REVIEW = ["reviews.view_review", "reviews.add_review", "reviews.change_review"]

ROLE_PERMISSIONS = {
    Role.COORDINATOR: VIEW_REQUESTS + WRITE_MESSAGES + [
        "reviews.view_review", "reviews.add_assignment", "reviews.delete_assignment", "grants.add_decision",
        "grants.add_agreement", "grants.change_changerequest", "grants.view_agreementtemplate",
        "portal.view_inquiry", "portal.change_inquiry", "outbox.view_email", "outbox.change_email",
        MONEY, VIEW_BUDGET, EXPORT,
    ],
    Role.COMPLIANCE: VIEW_REQUESTS + WRITE_MESSAGES + ["reviews.view_review", "portal.view_inquiry", MONEY, EXPORT],
    Role.MEDICAL: VIEW_REQUESTS + REVIEW + ["grants.add_message"],
    Role.COMMITTEE: VIEW_REQUESTS + REVIEW + ["grants.add_message", "grants.add_decision"],
    Role.FINANCE: VIEW_REQUESTS + RECORD_MONEY + ["grants.add_message", MONEY, EXPORT],
    Role.ADMINISTRATOR: VIEW_REQUESTS + WRITE_MESSAGES + REVIEW + AGREEMENT_TERMS + [
        "reviews.add_assignment", "reviews.delete_assignment", "grants.add_decision",
        "grants.add_agreement", "grants.change_agreement", "grants.change_changerequest",
        "portal.view_inquiry", "portal.change_inquiry", "outbox.view_email", "outbox.change_email",
        "auth.view_user", "auth.change_user", "auth.view_group",
        MONEY, VIEW_BUDGET, *SET_BUDGET, EXPORT, READ_EXPORT_LOG,
    ],
}  # fmt: skip


def sync_role_groups(group_model, permission_model, role_group_model):
    """Give each role its group (found by its role code, named by its current label) and exactly its
    permissions."""
    for role, codenames in ROLE_PERMISSIONS.items():
        link = role_group_model.objects.select_related("group").filter(code=role.value).first()
        if link is None:
            group, _ = group_model.objects.get_or_create(name=role.label)
            link = role_group_model.objects.create(code=role.value, group=group)
        group = link.group
        if group.name != role.label:
            group.name = role.label
            group.save(update_fields=["name"])
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(permission_model.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)

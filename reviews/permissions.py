"""The permissions each staff role's group holds. Applied by a migration and by `sync_roles`."""

from .roles import GROUP_NAMES, Role

VIEW_REQUESTS = [
    "grants.view_grantrequest", "grants.view_all_requests", "grants.view_organisation", "grants.view_attachment",
    "grants.view_budgetline", "grants.view_learningobjective", "grants.view_othersupporter",
    "reviews.view_statuschange", "reviews.view_message", "reviews.view_informationrequest",
    "reviews.view_assignment", "reviews.view_decision",
]  # fmt: skip
WRITE_MESSAGES = ["reviews.add_message", "reviews.add_informationrequest"]
REVIEW = ["reviews.view_review", "reviews.add_review", "reviews.change_review"]

ROLE_PERMISSIONS = {
    Role.COORDINATOR: VIEW_REQUESTS + WRITE_MESSAGES + [
        "reviews.view_review", "reviews.add_assignment", "reviews.delete_assignment", "reviews.add_decision",
        "portal.view_inquiry", "portal.change_inquiry", "outbox.view_email", "outbox.change_email",
    ],
    Role.COMPLIANCE: VIEW_REQUESTS + WRITE_MESSAGES + ["reviews.view_review", "portal.view_inquiry"],
    Role.MEDICAL: VIEW_REQUESTS + REVIEW + ["reviews.add_message"],
    Role.COMMITTEE: VIEW_REQUESTS + REVIEW + ["reviews.add_message", "reviews.add_decision"],
    Role.ADMINISTRATOR: VIEW_REQUESTS + WRITE_MESSAGES + REVIEW + [
        "reviews.add_assignment", "reviews.delete_assignment", "reviews.add_decision",
        "portal.view_inquiry", "portal.change_inquiry", "outbox.view_email", "outbox.change_email",
        "auth.view_user", "auth.change_user", "auth.view_group",
    ],
}  # fmt: skip


def sync_role_groups(group_model, permission_model):
    """Create each role's group and give it exactly its permissions."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=GROUP_NAMES[role])
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(permission_model.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)

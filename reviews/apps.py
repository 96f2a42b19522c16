from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_migrate, post_save


def _ensure_role_groups(sender, apps=None, using="default", **kwargs):
    """Re-create the role groups whenever tables are (re)built: a data migration runs once, but
    `flush` (and every transactional test) empties auth_group afterwards."""
    from django.contrib.auth.models import Group, Permission

    from workflow.models import RoleGroup

    from .permissions import sync_role_groups

    if Permission.objects.using(using).exists():
        sync_role_groups(Group.objects.db_manager(using).model, Permission, RoleGroup)


def _budget_changed(sender, instance, **kwargs):
    """A budget set or changed shows on the dashboard at once, not when its cached figures expire."""
    from .dashboard.views import forget_figures

    forget_figures()


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Review and decisions"

    def ready(self):
        from grants.models import AnnualBudget, AreaBudget

        post_migrate.connect(_ensure_role_groups, sender=self, dispatch_uid="reviews.ensure_role_groups")
        for model in (AnnualBudget, AreaBudget):
            for signal in (post_save, post_delete):
                signal.connect(_budget_changed, sender=model, dispatch_uid=f"reviews.budget_changed.{model.__name__}")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the staff dashboard as its home page (``reviews/dashboard/site.py``); named
    in INSTALLED_APPS in place of ``django.contrib.admin``, never picked for the ``reviews`` app itself."""

    default = False
    default_site = "reviews.dashboard.site.StaffAdminSite"

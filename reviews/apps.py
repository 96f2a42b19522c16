from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_role_groups(sender, apps=None, using="default", **kwargs):
    """Re-create the role groups whenever tables are (re)built: a data migration runs once, but
    `flush` (and every transactional test) empties auth_group afterwards."""
    from django.contrib.auth.models import Group, Permission

    from .permissions import sync_role_groups

    if Permission.objects.using(using).exists():
        sync_role_groups(Group.objects.db_manager(using).model, Permission)


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Review and decisions"

    def ready(self):
        from portal import demo

        from . import demo as reviews_demo

        if reviews_demo.seed_demo_staff not in demo.SEEDERS:
            demo.SEEDERS.append(reviews_demo.seed_demo_staff)
        # The demo requests walk through the workflow as the demo applicant and staff, so they load after both.
        from grants.demo_requests import seed_demo_requests

        if seed_demo_requests not in demo.SEEDERS:
            demo.SEEDERS.append(seed_demo_requests)
        post_migrate.connect(_ensure_role_groups, sender=self, dispatch_uid="reviews.ensure_role_groups")

from django.apps import AppConfig
from django.db.models.signals import m2m_changed


def _groups_changed(sender, instance, action, reverse, **kwargs):
    # user.groups.add/remove/clear/set: the roles remembered on that user object are out of date.
    if action.startswith("post_") and not reverse:
        from .roles import forget_staff_roles

        forget_staff_roles(instance)


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Workflow"

    def ready(self):
        from django.contrib.auth import get_user_model

        m2m_changed.connect(_groups_changed, sender=get_user_model().groups.through, dispatch_uid="ime_roles_cache")

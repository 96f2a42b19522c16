from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_agreement_template(sender, apps=None, using="default", **kwargs):
    """Publish the shipped research agreement wording whenever tables are (re)built and none is published:
    migration research 0004 does it once, but `flush` (and every transactional test) empties the table
    afterwards, and no research agreement could then be issued (as grants/apps.py does for the IME letter)."""
    import importlib

    from django.apps import apps as global_apps

    apps = apps or global_apps
    try:
        apps.get_model("research", "ResearchAgreementTemplate")
    except LookupError:  # migrated back to before the model existed
        return
    importlib.import_module("research.migrations.0004_post_award").publish_first_version(apps, None)


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = "Research proposals"

    def ready(self):
        # The research workflow registers itself with the one engine for ResearchProposal, and the
        # research reminders join the one reminder sweep (reviews/reminders.py).
        from . import reminders, workflow  # noqa: F401

        post_migrate.connect(
            _ensure_agreement_template, sender=self, dispatch_uid="research.ensure_agreement_template"
        )

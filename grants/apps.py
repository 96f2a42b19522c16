from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_agreement_template(sender, apps=None, using="default", **kwargs):
    """Publish the shipped Letter of Agreement wording whenever tables are (re)built and none is
    published: migration grants 0008 does it once, but `flush` (and every transactional test) empties the
    table afterwards, and no letter could then be issued."""
    import importlib

    from django.apps import apps as global_apps

    apps = apps or global_apps
    try:
        apps.get_model("grants", "AgreementTemplate")
    except LookupError:  # migrated back to before the model existed
        return
    importlib.import_module("grants.migrations.0008_first_agreement_template").publish_first_version(apps, None)


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Grant requests"

    def ready(self):
        # The IME workflow registers itself with the engine for GrantRequest.
        from . import workflow  # noqa: F401

        post_migrate.connect(_ensure_agreement_template, sender=self, dispatch_uid="grants.ensure_agreement_template")

from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = "Research proposals"

    def ready(self):
        # The research workflow registers itself with the one engine for ResearchProposal.
        from reviews.reminders import ALL_OCCASIONS

        from . import reminders, workflow  # noqa: F401

        # The reminder sweep lives below research in the layers; research adds its occasions to it.
        ALL_OCCASIONS.update(reminders.OCCASIONS)

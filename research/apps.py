from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = "Research proposals"

    def ready(self):
        # The research workflow registers itself with the one engine for ResearchProposal.
        from . import workflow  # noqa: F401

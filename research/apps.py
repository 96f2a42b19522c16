from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = "Research proposals"

    def ready(self):
        # The research workflow registers itself with the one engine for ResearchProposal, and the
        # research reminders join the one reminder sweep (reviews/reminders.py).
        from . import reminders, workflow  # noqa: F401

from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Grant requests"

    def ready(self):
        # The IME workflow registers itself with the engine for GrantRequest.
        from . import workflow  # noqa: F401

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Public site and inquiries"

    def ready(self):
        from . import checks  # noqa: F401  (registers the production checks)
        from .two_factor import idle  # noqa: F401  (starts the staff idle clock at sign-in)

from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"

    def ready(self):
        from portal import demo

        from . import demo as grants_demo

        # ready() can run more than once (e.g. in tests); register the seeder only once.
        if grants_demo.seed_demo_applicant not in demo.SEEDERS:
            demo.SEEDERS.append(grants_demo.seed_demo_applicant)

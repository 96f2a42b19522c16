from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Review and decisions"

    def ready(self):
        from portal import demo

        from . import demo as reviews_demo

        if reviews_demo.seed_demo_staff not in demo.SEEDERS:
            demo.SEEDERS.append(reviews_demo.seed_demo_staff)

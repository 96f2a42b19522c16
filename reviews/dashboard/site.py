"""The admin site with the staff dashboard as its home page (``reviews.apps.StaffAdminConfig`` makes
it Django's default site, so every ``admin.register`` and ``admin.site`` keeps working). It also
serves the pages that belong to no one model: the Open Payments review list."""

from django.contrib.admin import AdminSite
from django.urls import path

from ..admin_views import open_payments
from .views import dashboard_context


class StaffAdminSite(AdminSite):
    index_template = "admin/dashboard.html"

    def index(self, request, extra_context=None):
        return super().index(request, extra_context={**dashboard_context(request), **(extra_context or {})})

    def get_urls(self):
        def view(function):
            return self.admin_view(lambda request, *args, **kwargs: function(self, request, *args, **kwargs))

        return [
            path("open-payments/", view(open_payments.review_page), name="open_payments"),
            path("open-payments/export/<int:year>.xlsx", view(open_payments.review_xlsx), name="open_payments_xlsx"),
        ] + super().get_urls()

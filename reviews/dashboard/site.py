"""The admin site with the staff dashboard as its home page (``reviews.apps.StaffAdminConfig`` makes
it Django's default site, so every ``admin.register`` and ``admin.site`` keeps working)."""

from django.contrib.admin import AdminSite

from .views import dashboard_context


class StaffAdminSite(AdminSite):
    index_template = "admin/dashboard.html"

    def index(self, request, extra_context=None):
        return super().index(request, extra_context={**dashboard_context(request), **(extra_context or {})})

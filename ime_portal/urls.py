from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal.forms import StaffSignInForm

admin.site.site_header = "Axsome IME Grants — Medical Affairs"
admin.site.site_title = "IME Grants staff"
admin.site.index_title = "Grant administration"
# The request queue is wide; the app list is one click away on the admin home instead.
admin.site.enable_nav_sidebar = False
admin.site.login_form = StaffSignInForm

urlpatterns = [
    path("admin/2fa/", include("portal.two_factor.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("grants.urls")),
    path("", include("research.urls")),
    path("", include("grants.public_urls")),
    path("", include("portal.urls")),
]

if settings.IME_BENCHMARK_VIEWS:
    urlpatterns.append(path("bench/", include("ime_portal.bench_views")))

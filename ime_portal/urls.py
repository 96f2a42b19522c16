from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Axsome IME Grants — Medical Affairs"
admin.site.site_title = "IME Grants staff"
admin.site.index_title = "Grant administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("grants.urls")),
    path("", include("portal.urls")),
]

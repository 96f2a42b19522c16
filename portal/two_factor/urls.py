from django.urls import path

from . import views

app_name = "staff_2fa"

urlpatterns = [
    path("", views.start, name="start"),
    path("setup/", views.setup, name="setup"),
    path("verify/", views.verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
]

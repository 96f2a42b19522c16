from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.page, {"name": "home"}, name="home"),
    path("independent-medical-education/", views.page, {"name": "about_ime"}, name="about_ime"),
    path("eligibility/", views.page, {"name": "eligibility"}, name="eligibility"),
    path("acceptable-use/", views.page, {"name": "acceptable_use"}, name="acceptable_use"),
    path("standards/", views.page, {"name": "standards"}, name="standards"),
    path("apply/", views.page, {"name": "apply"}, name="apply"),
    path("faq/", views.page, {"name": "faq"}, name="faq"),
    path("privacy/", views.page, {"name": "privacy"}, name="privacy"),
    path("terms/", views.page, {"name": "terms"}, name="terms"),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.contact_thanks, name="contact_thanks"),
    path("hcp-confirmation/", views.hcp_confirmation, name="hcp_confirmation"),
    path("healthz", views.healthz, name="healthz"),
]

"""Applicant area URLs. Each module in grants/views/ owns its ``urlpatterns`` list; add yours here."""

app_name = "grants"

urlpatterns: list = []

"""Public pages served by grants (they read its records): the transparency report. Kept apart from the
applicant area's URLs (``grants/urls.py``), which serve an organization's members only."""

from .views import transparency

app_name = "transparency"

urlpatterns = transparency.urlpatterns

"""Applicant area URLs. Each module in grants/views/ owns its ``urlpatterns`` list; add yours here."""

app_name = "grants"

urlpatterns: list = []

from .views import organisations  # noqa: E402

urlpatterns += organisations.urlpatterns

from .views import sections  # noqa: E402

urlpatterns += sections.urlpatterns

from .views import attachments, submission  # noqa: E402
from .views import requests as request_views  # noqa: E402

urlpatterns += request_views.urlpatterns + submission.urlpatterns + attachments.urlpatterns

from .views import conversation  # noqa: E402

urlpatterns += conversation.urlpatterns

from .views import eligibility  # noqa: E402

urlpatterns += eligibility.urlpatterns

from .views import agreements, changes  # noqa: E402

urlpatterns += agreements.urlpatterns + changes.urlpatterns

from .views import reconciliation  # noqa: E402

urlpatterns += reconciliation.urlpatterns

from .views import support_statement  # noqa: E402

urlpatterns += support_statement.urlpatterns

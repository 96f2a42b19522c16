"""The applicant's commercial-support statement of an accredited grant: a printable page for the
provider's accreditor. Only the organization's members reach it (404 for anyone else, and for a
request that is not an accredited grant with an executed agreement)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from ..models import GrantRequest
from ..support_statement import offers_statement, statement_for


@login_required
@require_GET
def support_statement(request, pk):
    grant_request = get_object_or_404(GrantRequest.objects.for_user(request.user).select_related("organisation"), pk=pk)
    if not offers_statement(grant_request):
        raise Http404("This request has no commercial-support statement.")
    return render(
        request, "grants/requests/support_statement.html",
        {"grant_request": grant_request, "statement": statement_for(grant_request)},
    )  # fmt: skip


urlpatterns = [
    path("requests/<int:pk>/commercial-support/", support_statement, name="request_support_statement"),
]

"""The staff copy of an accredited grant's commercial-support statement (the applicant's is
``grants.views.support_statement``): the same record, under /admin/, for any staff role that reads
requests."""

from django.http import Http404
from django.template.response import TemplateResponse

from grants.support_statement import offers_statement, statement_for

from .common import admin_context, load_request, request_page_url


def support_statement(model_admin, request, pk):
    grant_request = load_request(model_admin, request, pk)
    if not grant_request.is_accredited_request:
        raise Http404("Only accredited grants have a commercial-support statement.")
    context = admin_context(
        model_admin, request, f"Commercial-support statement · {grant_request.reference}",
        grant_request=grant_request, statement=statement_for(grant_request),
        executed=offers_statement(grant_request), request_url=request_page_url(grant_request),
    )  # fmt: skip
    return TemplateResponse(request, "admin/grants/grantrequest/support_statement.html", context)

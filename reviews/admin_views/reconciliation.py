"""Staff side of reconciliation (SPEC §4a): the report beside the approved budget on the request page
(planned vs actual per line, the variance marked, the refund arithmetic, refunds received, a waiver),
the report's documents, and the queue's "reconciliation overdue" filter with days overdue. The actions
(return, accept, record the refund, close) are rows of the workflow table, served by the generic
action pages (``actions.py``)."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.utils import timezone

from grants import reconciliation as recon
from grants.downloads import file_download
from grants.models import Reconciliation, ReconciliationDocument
from grants.services.reconciliation import REPORT_STATES, current_documents
from grants.status import GrantStatus

from .common import staff_requests
from .downloads import _require_staff_permission


def staff_panel(grant_request) -> dict | None:
    """What the request page's reconciliation panel shows; None before the program has ended."""
    if grant_request.status not in REPORT_STATES:
        return None
    report = (
        Reconciliation.objects.filter(grant_request=grant_request)
        .select_related("attested_by", "waived_by")
        .prefetch_related("lines__budget_line", "supports__supporter", "documents")
        .first()
    )
    overdue = days_overdue(grant_request)
    if report is None:
        return {"grant_request": grant_request, "report": None, "days_overdue": overdue}
    budget = list(grant_request.budget_lines.all())
    actuals = {line.budget_line_id: line.actual for line in report.lines.all() if line.budget_line_id}
    rows = []
    for line in budget:
        actual = actuals.get(line.pk)
        rows.append({"line": line, "planned": line.total, "actual": actual,
                     "variance": None if actual is None else actual - line.total})  # fmt: skip
    given = {s.supporter_id: s.actual for s in report.supports.all()}
    return {
        "grant_request": grant_request, "report": report, "rows": rows, "days_overdue": overdue,
        "added_lines": [line for line in report.lines.all() if line.budget_line_id is None],
        "supporters": [{"supporter": s, "actual": given.get(s.pk)} for s in grant_request.other_supporters.all()],
        "arithmetic": recon.arithmetic_for(grant_request, report), "documents": current_documents(report),
        "missing": recon.missing_parts(grant_request, report),
        "refunds": list(grant_request.refunds.filter(cause="reconciliation")),
        "outstanding": recon.refund_outstanding(grant_request), "questions": recon.questions_on(grant_request, report),
        "document_url_name": "admin:grants_grantrequest_reconciliation_document",
    }  # fmt: skip


def days_overdue(grant_request, today=None) -> int:
    due = grant_request.reconciliation_due_on
    if grant_request.status != GrantStatus.RECONCILIATION_DUE or due is None:
        return 0
    return max(((today or timezone.localdate()) - due).days, 0)


def document_download(request, pk, doc_pk):
    refused = _require_staff_permission(request, "grants.view_all_requests")
    if refused:
        return refused
    grant_request = get_object_or_404(staff_requests(), pk=pk)
    document = get_object_or_404(ReconciliationDocument, pk=doc_pk, reconciliation__grant_request=grant_request)
    return file_download(document.file, document.original_name, document.content_type)


class ReconciliationOverdueFilter(admin.SimpleListFilter):
    """Grants whose reconciliation report is past the date the workflow set when the program ended."""

    title = "reconciliation"
    parameter_name = "reconciliation"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("due", "Due, not overdue yet")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        due = queryset.filter(status=GrantStatus.RECONCILIATION_DUE)
        if self.value() == "overdue":
            return due.filter(reconciliation_due_on__lt=today).order_by("reconciliation_due_on", "pk")
        if self.value() == "due":
            return due.filter(reconciliation_due_on__gte=today).order_by("reconciliation_due_on", "pk")
        return queryset


@admin.display(description="days overdue", ordering="reconciliation_due_on")
def days_overdue_column(obj):
    return days_overdue(obj) or ""

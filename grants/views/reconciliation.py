"""The applicant's reconciliation and outcomes report (SPEC §4a): filled in over several sittings,
read back with the refund arithmetic, submitted, and answered when the IME team returns it with
questions. Every page is scoped to the user's organization: another organization gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workflow.engine import TransitionError

from .. import reconciliation as recon
from ..downloads import file_download
from ..forms.reconciliation import AddedLineFormSet, AnswerQuestionsForm, ReportForm, SubmitReportForm
from ..forms.requests import error_summary
from ..models import GrantRequest, Reconciliation, ReconciliationDocument
from ..services import reconciliation as service
from ..status import GrantStatus as S


def _grant(user, pk):
    queryset = GrantRequest.objects.for_user(user).select_related("organisation").prefetch_related(
        "budget_lines", "other_supporters"
    )
    grant_request = get_object_or_404(queryset, pk=pk)
    if grant_request.status not in service.REPORT_STATES:
        raise Http404("This grant has no reconciliation report.")
    return grant_request


def _report(grant_request) -> Reconciliation:
    report = service.report_for(grant_request)
    return (
        Reconciliation.objects.filter(pk=report.pk)
        .prefetch_related("lines__budget_line", "supports__supporter", "documents")
        .get()
    )


def _added_initial(report):
    return [{"description": line.description, "actual": line.actual, "explanation": line.explanation}
            for line in report.lines.all() if line.budget_line_id is None]  # fmt: skip


def _label_rows(formset):
    for number, row_form in enumerate(formset.forms, start=1):
        row_form.row_label = f"Added line {number}"
    return formset


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    grant_request = _grant(request.user, pk)
    if grant_request.status not in service.EDITABLE:
        return redirect("grants:reconciliation_summary", pk=grant_request.pk)
    report = _report(grant_request)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, grant_request=grant_request, report=report)
        added = _label_rows(AddedLineFormSet(request.POST, prefix="added"))
        if form.is_valid() and added.is_valid():
            lines = [row.cleaned_data for row in added.forms if row.cleaned_data and not row.is_blank]
            try:
                service.save_report(grant_request, by=request.user, form=form, added_lines=lines)
            except service.ReportLocked as error:
                messages.error(request, str(error))
                return redirect("grants:reconciliation_summary", pk=grant_request.pk)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your reconciliation report has been saved.")
                if request.POST.get("action") == "review":
                    return redirect("grants:reconciliation_summary", pk=grant_request.pk)
                return redirect("grants:reconciliation", pk=grant_request.pk)
    else:
        form = ReportForm(grant_request=grant_request, report=report)
        added = _label_rows(AddedLineFormSet(prefix="added", initial=_added_initial(report)))
    errors = error_summary(form, {"added": added}) if form.is_bound else []
    return render(request, "grants/reconciliation/edit.html", {
        "grant_request": grant_request, "report": report, "form": form, "added": added, "errors": errors,
        "documents": service.current_documents(report), "missing": recon.missing_parts(grant_request, report),
    })  # fmt: skip


def _summary_context(grant_request, report):
    budget = {line.pk: line for line in grant_request.budget_lines.all()}
    actuals = {line.budget_line_id: line for line in report.lines.all() if line.budget_line_id}
    rows = [{"line": line, "planned": line.total, "actual": actuals[pk].actual if pk in actuals else None}
            for pk, line in budget.items()]  # fmt: skip
    for row in rows:
        row["variance"] = None if row["actual"] is None else row["actual"] - row["planned"]
    given = {s.supporter_id: s.actual for s in report.supports.all()}
    supporters = [{"supporter": s, "actual": given.get(s.pk)} for s in grant_request.other_supporters.all()]
    questions = recon.questions_on(grant_request, report)
    return {
        "grant_request": grant_request, "report": report, "rows": rows,
        "added_lines": [line for line in report.lines.all() if line.budget_line_id is None],
        "supporters": supporters, "arithmetic": recon.arithmetic_for(grant_request, report),
        "documents": service.current_documents(report), "missing": recon.missing_parts(grant_request, report),
        "questions": questions, "open_question": next((q for q in questions if q.answered_at is None), None),
        "editable": grant_request.status in service.EDITABLE,
        "refunded": recon.refunded_on_reconciliation(grant_request),
        "outstanding": recon.refund_outstanding(grant_request),
    }  # fmt: skip


@login_required
@require_GET
def report_summary(request, pk):
    grant_request = _grant(request.user, pk)
    return _render_summary(request, grant_request)


def _render_summary(request, grant_request, *, submit_form=None, answer_form=None, refusal=None):
    context = _summary_context(grant_request, _report(grant_request))
    context.update(
        submit_form=submit_form or SubmitReportForm(initial={"expected_status": grant_request.status}),
        answer_form=answer_form or AnswerQuestionsForm(initial={"expected_status": grant_request.status}),
        refusal=refusal,
        has_errors=bool(refusal or (answer_form is not None and answer_form.errors)),
    )
    return render(request, "grants/reconciliation/summary.html", context)


def _refusal_lines(error) -> list[str]:
    return list(error.messages) if isinstance(error, ValidationError) else [str(error)]


@login_required
@require_POST
def report_submit(request, pk):
    grant_request = _grant(request.user, pk)
    form = SubmitReportForm(request.POST)
    if not form.is_valid():
        return redirect("grants:reconciliation_summary", pk=grant_request.pk)
    try:
        service.submit_report(grant_request, by=request.user, expected_status=form.cleaned_data["expected_status"])
    except (ValidationError, TransitionError) as error:
        return _render_summary(request, grant_request, refusal=_refusal_lines(error))
    messages.success(request, "Your reconciliation report has been submitted. The IME team has been told.")
    return redirect("grants:reconciliation_summary", pk=grant_request.pk)


@login_required
@require_POST
def report_answer(request, pk):
    grant_request = _grant(request.user, pk)
    form = AnswerQuestionsForm(request.POST)
    if not form.is_valid():
        return _render_summary(request, grant_request, answer_form=form)
    try:
        service.answer_questions(grant_request, by=request.user, answer=form.cleaned_data["answer"],
                                 expected_status=form.cleaned_data["expected_status"])  # fmt: skip
    except (ValidationError, TransitionError) as error:
        return _render_summary(request, grant_request, answer_form=form, refusal=_refusal_lines(error))
    messages.success(request, "Your answer has been sent; the report is back with the IME team.")
    return redirect("grants:reconciliation_summary", pk=grant_request.pk)


@login_required
@require_GET
def report_document(request, pk, doc_pk):
    grant_request = get_object_or_404(GrantRequest.objects.for_user(request.user), pk=pk)
    document = get_object_or_404(ReconciliationDocument, pk=doc_pk, reconciliation__grant_request=grant_request)
    return file_download(document.file, document.original_name, document.content_type)


def panel_for(grant_request) -> dict | None:
    """What the request page's reconciliation panel shows (None before the program has ended)."""
    if grant_request.status not in service.REPORT_STATES:
        return None
    report = Reconciliation.objects.filter(grant_request=grant_request).first()
    return {
        "grant_request": grant_request, "report": report, "editable": grant_request.status in service.EDITABLE,
        "returned": grant_request.status == S.RECONCILIATION_RETURNED,
        "edit_url": reverse("grants:reconciliation", args=[grant_request.pk]),
        "summary_url": reverse("grants:reconciliation_summary", args=[grant_request.pk]),
    }  # fmt: skip


urlpatterns = [
    path("requests/<int:pk>/reconciliation/", report_edit, name="reconciliation"),
    path("requests/<int:pk>/reconciliation/summary/", report_summary, name="reconciliation_summary"),
    path("requests/<int:pk>/reconciliation/submit/", report_submit, name="reconciliation_submit"),
    path("requests/<int:pk>/reconciliation/answer/", report_answer, name="reconciliation_answer"),
    path("requests/<int:pk>/reconciliation/documents/<int:doc_pk>/", report_document,
         name="reconciliation_document"),  # fmt: skip
]

"""What the reconciliation pages call (SPEC §4a): save the report over several sittings, submit it,
answer staff's questions; and for staff, record the refund and close the grant. Every status change
goes through ``workflow.engine.perform``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from workflow.engine import perform

from .. import reconciliation as recon
from ..models import GrantRequest, Reconciliation, ReconciliationDocument, ReconciliationLine, ReconciliationSupport
from ..status import GrantStatus as S
from ..uploads import clean_filename

# While the applicant may change the report: before submission, and while answering questions.
EDITABLE = frozenset({S.RECONCILIATION_DUE, S.RECONCILIATION_RETURNED})
# Once the program has ended the report exists (or is due), and the applicant may read it.
REPORT_STATES = EDITABLE | {S.RECONCILIATION_SUBMITTED, S.RECONCILED, S.CLOSED}


class ReportLocked(Exception):
    """The report has been handed in and is not open to changes."""


def report_for(grant_request) -> Reconciliation:
    return recon.report_of(grant_request)


def save_report(grant_request, *, by, form, added_lines):
    """Store what the applicant typed: the actuals, the added lines (replacing the earlier ones), the
    counts and texts, and any new document. All or nothing."""
    with transaction.atomic():
        locked = GrantRequest.objects.select_for_update().get(pk=grant_request.pk)
        if locked.status not in EDITABLE:
            raise ReportLocked("The reconciliation report has been submitted and can no longer be changed.")
        report, _ = Reconciliation.objects.select_for_update().get_or_create(grant_request=locked)
        data = form.cleaned_data
        for name in ("completions", "moore_level_reached", "outcomes_summary", "disclosure_method", "disclosure_url",
                     "credits_awarded", "attested", *(n for n in data if n.startswith("learners_"))):  # fmt: skip
            setattr(report, name, data[name])
        if report.attested and report.attested_by_id is None:
            report.attested_by, report.attested_at = by, timezone.now()
        if not report.attested:
            report.attested_by, report.attested_at = None, None
        report.save()
        budget_ids = set(locked.budget_lines.values_list("pk", flat=True))
        for pk, amount in form.actuals("line_").items():
            if pk not in budget_ids:
                raise ValidationError("That budget line is not part of this request.")
            if amount is None:
                report.lines.filter(budget_line_id=pk).delete()
            else:
                ReconciliationLine.objects.update_or_create(
                    reconciliation=report, budget_line_id=pk, defaults={"actual": amount}
                )
        report.lines.filter(budget_line__isnull=True).delete()
        for line in added_lines:
            ReconciliationLine.objects.create(
                reconciliation=report, description=line["description"].strip(), actual=line["actual"],
                explanation=line.get("explanation", "").strip(),
            )  # fmt: skip
        supporter_ids = set(locked.other_supporters.values_list("pk", flat=True))
        for pk, amount in form.actuals("supporter_").items():
            if pk not in supporter_ids:
                raise ValidationError("That supporter is not part of this request.")
            if amount is None:
                report.supports.filter(supporter_id=pk).delete()
            else:
                ReconciliationSupport.objects.update_or_create(
                    reconciliation=report, supporter_id=pk, defaults={"actual": amount}
                )
        for kind, upload, accepted in form.documents():
            document = ReconciliationDocument(
                reconciliation=report, kind=kind, original_name=clean_filename(upload.name),
                content_type=accepted.content_type, size=upload.size, uploaded_by=by,
            )  # fmt: skip
            document.file.save(upload.name, upload, save=True)
    return report


def submit_report(grant_request, *, by, expected_status=None):
    return perform(grant_request, "submit_reconciliation", by=by, expected_status=expected_status)


def answer_questions(grant_request, *, by, answer, expected_status=None):
    return perform(grant_request, "answer_reconciliation", by=by, answer=answer, expected_status=expected_status)


def current_documents(report) -> list:
    """The newest document of each kind (earlier uploads are kept but superseded)."""
    newest = {}
    for document in report.documents.all():
        current = newest.get(document.kind)
        if current is None or (document.uploaded_at, document.pk) > (current.uploaded_at, current.pk):
            newest[document.kind] = document
    return sorted(newest.values(), key=lambda d: d.kind)

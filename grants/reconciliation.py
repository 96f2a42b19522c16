"""Reconciliation and close-out (SPEC §4a): the refund arithmetic, and the checks and effects of the
rows ``submit_reconciliation``, ``return_reconciliation``, ``answer_reconciliation``,
``accept_reconciliation``, ``record_reconciliation_refund`` and ``close_grant`` in ``grants/workflow.py``.

The refund is a pure function of four amounts, so it can be shown to the applicant before they submit,
stored on submission (``GrantRequest.refund_due``) and tested as a table."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from .agreement_terms import money
from .choices import ProgramFormat
from .models import InformationRequest, Reconciliation, Refund
from .models.reconciliations import PROFESSIONS, REQUIRED_DOCUMENTS, ReconciliationDocumentKind
from .post_award import amount_paid, refund_received

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RefundArithmetic:
    """Every step of the refund, so the page can show how it was reached."""

    paid: Decimal
    others: Decimal
    actual_cost: Decimal
    threshold: Decimal
    surplus: Decimal
    share: Decimal  # our share of the total support, 0 to 1 (unrounded)
    computed: Decimal  # surplus × share, to the cent, capped at what was paid, never below 0
    capped: bool
    waived: bool  # above 0 but under the threshold
    refund_due: Decimal

    @property
    def total_support(self) -> Decimal:
        return self.paid + self.others

    @property
    def share_percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def refund_arithmetic(paid, others, actual_cost, threshold=None) -> RefundArithmetic:
    """surplus = (paid + others' actual support) − actual cost; refund = surplus × paid / (paid + others),
    half-up to the cent, never below 0, never above the amount paid; waived under the threshold."""
    paid, others, actual_cost = Decimal(paid), Decimal(others), Decimal(actual_cost)
    threshold = Decimal(settings.IME_REFUND_THRESHOLD if threshold is None else threshold)
    total = paid + others
    surplus = total - actual_cost
    share = paid / total if total > 0 else Decimal(0)
    computed = to_cent(surplus * share) if surplus > 0 else ZERO
    capped = computed > paid
    computed = min(computed, to_cent(paid))
    waived = ZERO < computed < threshold
    return RefundArithmetic(
        paid=to_cent(paid), others=to_cent(others), actual_cost=to_cent(actual_cost), threshold=threshold,
        surplus=to_cent(surplus), share=share, computed=computed, capped=capped, waived=waived,
        refund_due=ZERO if waived else computed,
    )  # fmt: skip


# --- The report as it stands ----------------------------------------------------------------------


def report_of(grant_request) -> Reconciliation:
    report, _ = Reconciliation.objects.get_or_create(grant_request=grant_request)
    return report


def actual_cost(report) -> Decimal:
    return report.lines.aggregate(total=Sum("actual"))["total"] or ZERO


def others_actual(report) -> Decimal:
    return report.supports.aggregate(total=Sum("actual"))["total"] or ZERO


def arithmetic_for(grant_request, report=None) -> RefundArithmetic:
    report = report or report_of(grant_request)
    return refund_arithmetic(amount_paid(grant_request), others_actual(report), actual_cost(report))


def refunded_on_reconciliation(grant_request) -> Decimal:
    refunds = grant_request.refunds.filter(cause=Refund.Cause.RECONCILIATION)
    return refunds.aggregate(total=Sum("amount"))["total"] or ZERO


def refund_outstanding(grant_request) -> Decimal:
    return max((grant_request.refund_due or ZERO) - refunded_on_reconciliation(grant_request), ZERO)


def questions_on(grant_request, report) -> list:
    """The IME team's questions on the report (and the answers), oldest first: the information
    requests opened since the report was."""
    return list(
        InformationRequest.objects.filter(grant_request=grant_request, created_at__gte=report.opened_at)
        .select_related("requested_by", "answered_by")
        .order_by("created_at", "pk")
    )


def missing_parts(grant_request, report) -> list[str]:
    """What a report still lacks before it can be submitted, in words for the applicant."""
    missing = []
    line_ids = {line.budget_line_id for line in report.lines.all()}
    for line in grant_request.budget_lines.all():
        if line.pk not in line_ids:
            missing.append(f"The actual spend on “{line.description}”.")
    for line in report.lines.all():
        if line.budget_line_id is None and not line.explanation.strip():
            missing.append(f"An explanation of the added line “{line.description}”.")
    supporter_ids = {s.supporter_id for s in report.supports.all()}
    for supporter in grant_request.other_supporters.all():
        if supporter.pk not in supporter_ids:
            missing.append(f"The actual amount from {supporter.name}.")
    if all(getattr(report, name) is None for name, _ in PROFESSIONS):
        missing.append("The learners reached, by profession.")
    if grant_request.program_format == ProgramFormat.ENDURING and report.completions is None:
        missing.append("The completions of the enduring material.")
    if not report.moore_level_reached:
        missing.append("The Moore outcome level reached.")
    if not report.outcomes_summary.strip():
        missing.append("A summary of the outcomes.")
    if not report.disclosure_method:
        missing.append("How Axsome's support was disclosed to learners.")
    kinds = {doc.kind for doc in report.documents.all()}
    if ReconciliationDocumentKind.DISCLOSURE_EVIDENCE not in kinds and not report.disclosure_url:
        missing.append("Evidence of the disclosure: a file, or the web address where it is shown.")
    if ReconciliationDocumentKind.OUTCOMES_DATA not in kinds:
        missing.append("The outcomes data file.")
    if grant_request.is_accredited_request and report.credits_awarded is None:
        missing.append("The credits awarded.")
    for kind in REQUIRED_DOCUMENTS:
        if kind not in kinds:
            missing.append(f"The {kind.label.lower()}.")
    if not report.attested:
        missing.append("The attestation that the funds paid only for the approved purpose.")
    return missing


# --- Checks and effects of the rows ---------------------------------------------------------------


def check_report_complete(grant_request, inputs):
    report = Reconciliation.objects.filter(grant_request=grant_request).first()
    problems = missing_parts(grant_request, report) if report else ["The reconciliation report."]
    if problems:
        raise ValidationError(["The report is not complete yet. Still needed:", *problems])


def store_submission(move):
    """The report is handed in: the refund is computed and stored with the request."""
    grant_request = move.subject
    report = Reconciliation.objects.select_for_update().get(grant_request=grant_request)
    arithmetic = arithmetic_for(grant_request, report)
    grant_request.refund_due = arithmetic.refund_due
    report.submitted_at = timezone.now()
    report.save(update_fields=["submitted_at", "updated_at"])
    return {"reconciliation": report, "arithmetic": arithmetic}


def ask_questions(move):
    """Returned with questions: an information request the applicant answers on the request page."""
    return {"rfi": InformationRequest.open(move.subject, by=move.actor, message=move.inputs["message"])}


def answer_questions(move):
    rfi = InformationRequest.answer_open(
        move.subject, by=move.actor, answer=move.inputs["answer"],
        none_open="There is no open question on this reconciliation.",
    )  # fmt: skip
    # The applicant may have corrected the figures while answering: the refund follows the report.
    records = store_submission(move)
    return {"rfi": rfi, **records}


def check_reconciliation_refund(grant_request, inputs):
    amount = Decimal(inputs["amount"])
    outstanding = refund_outstanding(grant_request)
    if not outstanding:
        raise ValidationError("No reconciliation refund is due on this grant.")
    if not ZERO < amount <= outstanding:
        raise ValidationError(f"The refund still due is {money(outstanding)}; record an amount up to that.")


record_reconciliation_refund = refund_received(Refund.Cause.RECONCILIATION)


def check_close(grant_request, inputs):
    outstanding = refund_outstanding(grant_request)
    if outstanding and not (inputs.get("waiver_reason") or "").strip():
        raise ValidationError(
            f"A refund of {money(outstanding)} is still due. Close the grant once finance has recorded it, "
            "or waive it and give the reason."
        )


def close_out(move):
    outstanding = refund_outstanding(move.subject)
    if not outstanding:
        return {"waived": None}
    report = Reconciliation.objects.select_for_update().get(grant_request=move.subject)
    report.waiver_reason = move.inputs["waiver_reason"].strip()
    report.waived_by = move.actor
    report.waived_at = timezone.now()
    report.save(update_fields=["waiver_reason", "waived_by", "waived_at", "updated_at"])
    return {"waived": outstanding}

"""A research proposal's records after approval (SPEC §4b): the research agreement and its template,
what finance paid for each milestone, refunds after a termination and amendments.

The agreement is a ``grants.models.agreements.SignedLetter`` like the IME Letter of Agreement (one
frozen text, its SHA-256 and both signatures, signed through the same methods and printed by the
same PDF machinery); only what it belongs to, its template's wording and its placeholders are
research's own. A payment is a ``grants.models.payments.PaymentRecord`` tied to one milestone, so a
milestone can never be paid twice (a unique key, not only a check)."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from grants.models.agreements import LetterTemplate, SignedLetter
from grants.models.payments import PaymentRecord

from .agreement_terms import PLACEHOLDERS
from .choices import AmendmentKind, AmendmentStatus

MONEY = {"max_digits": 12, "decimal_places": 2}


def _unguessable(prefix: str, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"{prefix}/{secrets.token_urlsafe(24)}{suffix if suffix[1:].isalnum() else ''}"


def evidence_key(instance, filename: str) -> str:
    return _unguessable("research/evidence", filename)


def final_report_key(instance, filename: str) -> str:
    return _unguessable("research/final-reports", filename)


def amendment_key(instance, filename: str) -> str:
    return _unguessable("research/amendments", filename)


class ResearchAgreementTemplate(LetterTemplate):
    """The research agreement's wording, versioned and published as the IME letter's is; its
    placeholders are in ``research/agreement_terms.py``."""

    placeholders = PLACEHOLDERS

    title = models.CharField(max_length=200, default="Research Agreement for an Investigator-Initiated Study")
    history = HistoricalRecords()

    class Meta(LetterTemplate.Meta):
        verbose_name = "research agreement template"


class ResearchAgreement(SignedLetter):
    """One issued research agreement of a proposal; the institution's authorized signer signs it, then
    the company's signatory countersigns, and only then may anything be paid."""

    proposal = models.ForeignKey("research.ResearchProposal", on_delete=models.PROTECT, related_name="agreements")
    template = models.ForeignKey(ResearchAgreementTemplate, on_delete=models.PROTECT, related_name="letters")
    amount = models.DecimalField("approved amount (USD)", **MONEY, null=True, editable=False)

    class Meta:
        ordering = ["proposal", "-version"]
        verbose_name = "research agreement"
        constraints = [
            models.UniqueConstraint(fields=["proposal", "version"], name="one_research_agreement_per_version"),
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(superseded_at__isnull=True), name="one_current_research_agreement"
            ),
            models.CheckConstraint(
                condition=Q(countersigned_at__isnull=True) | Q(signed_at__isnull=False),
                name="research_countersigned_after_signed",
            ),
        ]

    def __str__(self):
        reference = self.proposal.display_reference if self.proposal_id else "?"
        return f"{reference} — research agreement, version {self.version}"


class MilestonePayment(PaymentRecord):
    """Finance's payment of one verified milestone: exactly the milestone's amount, once."""

    proposal = models.ForeignKey("research.ResearchProposal", on_delete=models.PROTECT, related_name="payments")
    milestone = models.OneToOneField("research.Milestone", on_delete=models.PROTECT, related_name="payment")
    history = HistoricalRecords()

    class Meta(PaymentRecord.Meta):
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_payment_positive")]


class ResearchRefund(models.Model):
    """Unearned funds received back after a termination, recorded by finance.

    The IME ``grants.Refund`` row has a foreign key to a grant request and a cause only IME has
    (cancellation, reconciliation), so research keeps its own row of the same shape."""

    proposal = models.ForeignKey("research.ResearchProposal", on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField("amount received (USD)", **MONEY)
    received_on = models.DateField("date received")
    reference = models.CharField("refund reference", max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["received_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="research_refund_positive")]

    def __str__(self):
        return f"${self.amount:,.2f} received on {self.received_on}"


class Amendment(models.Model):
    """An amendment the investigator files during the study (protocol, budget or timeline), applied to
    the proposal only when staff approve it (``research/post_award.py``)."""

    proposal = models.ForeignKey("research.ResearchProposal", on_delete=models.CASCADE, related_name="amendments")
    kind = models.CharField(max_length=20, choices=AmendmentKind.choices)
    reason = models.TextField("what changes and why")
    status = models.CharField(max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING)
    # Protocol: the amended protocol document.
    protocol = models.FileField(upload_to=amendment_key, blank=True)
    protocol_original_name = models.CharField(max_length=255, blank=True)
    protocol_content_type = models.CharField(max_length=100, blank=True)
    # Timeline: the new dates (blank keeps the current one).
    new_last_patient_out = models.DateField("new last patient out", null=True, blank=True)
    new_final_report_on = models.DateField("new final study report date", null=True, blank=True)
    # Budget: new amounts of unpaid milestones, {"<milestone pk>": "12345.00"}; the approved amount follows.
    new_amounts = models.JSONField(default=dict, blank=True)
    current_values = models.JSONField(default=dict, editable=False)
    proposed_values = models.JSONField(default=dict, editable=False)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(status="pending"), name="one_pending_amendment_per_proposal"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} amendment ({self.get_status_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.status == AmendmentStatus.PENDING

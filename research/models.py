"""A research proposal (investigator-initiated study) and its records.

``ResearchProposal`` is its own model rather than a kind of ``GrantRequest``: see the design note in
``research/workflow.py``. It belongs to an ``grants.Organisation`` (the institution), is numbered
``IIS-YYYY-NNNNN`` from its own locked per-year counter and has its own append-only audit log.
"""

import secrets
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from simple_history.models import HistoricalRecords

from grants.choices import TherapeuticArea
from grants.models import Organisation
from workflow.models import AuditEntry, YearlyReference

from .choices import BudgetCategory, DrugRoute, EvidenceState, IrbStatus, MilestoneKind, StudyType

# The records after approval live in their own module; imported here so Django registers them.
from .models_post_award import (  # noqa: F401
    Amendment,
    MilestonePayment,
    ResearchAgreement,
    ResearchAgreementTemplate,
    ResearchRefund,
    evidence_key,
    final_report_key,
)  # fmt: skip
from .status import APPLICANT_TURN, UNDECIDED, ResearchStatus

MONEY = {"max_digits": 12, "decimal_places": 2}
# The concept is short (DOMAIN: about 1,000 characters for each of its four texts).
CONCEPT_TEXT_MAX = 1000
CONCEPT_TEXTS = ("rationale", "objectives", "design")


def _concept_text(label):
    return models.TextField(label, blank=True, validators=[MaxLengthValidator(CONCEPT_TEXT_MAX)])


def _unguessable(prefix: str, filename: str) -> str:
    """A random storage key keeping only a plain extension (as grants.keys does for request documents)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"{prefix}/{secrets.token_urlsafe(24)}{suffix if suffix[1:].isalnum() else ''}"


def protocol_key(instance, filename: str) -> str:
    return _unguessable("research/protocols", filename)


def cv_key(instance, filename: str) -> str:
    return _unguessable("research/cv", filename)


class ResearchProposalQuerySet(models.QuerySet):
    def for_user(self, user):
        """The proposals a signed-in investigator may see: their institution's, nobody else's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)


class ResearchProposal(models.Model):
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="research_proposals", verbose_name="institution"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Written only by workflow.engine.perform() (research/workflow.py).
    status = models.CharField(
        max_length=30, choices=ResearchStatus.choices, default=ResearchStatus.CONCEPT_DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(auto_now_add=True)

    # --- Concept ---
    title = models.CharField("study title", max_length=250, blank=True)
    rationale = _concept_text("scientific rationale")
    objectives = _concept_text("objectives")
    design = _concept_text("study design")
    pi_name = models.CharField("principal investigator's name", max_length=150, blank=True)
    pi_email = models.EmailField("principal investigator's email", blank=True)
    pi_department = models.CharField("department", max_length=200, blank=True)
    therapeutic_area = models.CharField(max_length=30, choices=TherapeuticArea.choices, blank=True)
    study_type = models.CharField("type of study", max_length=30, choices=StudyType.choices, blank=True)
    estimated_sample_size = models.PositiveIntegerField("estimated sample size", null=True, blank=True)
    estimated_duration_months = models.PositiveSmallIntegerField(
        "estimated duration (months)", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    estimated_budget = models.DecimalField(
        "estimated budget (USD)", **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    study_drug_needed = models.BooleanField("study drug needed", null=True, blank=True)

    # --- Invitation (written by the workflow) ---
    full_proposal_due_on = models.DateField("full proposal due", null=True, blank=True)
    concept_decline_reasons = models.JSONField(default=list, blank=True)
    concept_decision_message = models.TextField(blank=True)

    # --- Full proposal: protocol and synopsis ---
    protocol = models.FileField(upload_to=protocol_key, blank=True)
    protocol_original_name = models.CharField(max_length=255, blank=True)
    protocol_content_type = models.CharField(max_length=100, blank=True)
    objectives_and_endpoints = models.TextField("objectives and endpoints", blank=True)
    population = models.TextField("population, with inclusion and exclusion criteria", blank=True)
    sample_size = models.PositiveIntegerField("sample size", null=True, blank=True)
    sample_size_justification = models.TextField("justification of the sample size", blank=True)
    statistical_plan = models.TextField("statistical analysis plan", blank=True)
    sites = models.TextField("sites and sub-investigators", blank=True)
    # Timeline
    first_patient_in = models.DateField("first patient in", null=True, blank=True)
    last_patient_out = models.DateField("last patient out", null=True, blank=True)
    final_report_on = models.DateField("final study report", null=True, blank=True)
    # Budget: itemized direct costs (ResearchBudgetLine) plus overhead as a share of them.
    overhead_pct = models.DecimalField(
        "overhead (indirect costs, % of direct costs)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    # Drug supply
    drug_product = models.CharField("product", max_length=200, blank=True)
    drug_quantity = models.CharField("quantity", max_length=200, blank=True)
    drug_dose = models.CharField("dose", max_length=200, blank=True)
    drug_route = models.CharField("route", max_length=20, choices=DrugRoute.choices, blank=True)
    # Ethics, safety, publication, disclosures
    irb_status = models.CharField("IRB/ethics status", max_length=20, choices=IrbStatus.choices, blank=True)
    safety_plan = models.TextField("safety-reporting plan", blank=True)
    publication_plan = models.TextField("publication plan", blank=True)
    pi_cv = models.FileField("PI's CV", upload_to=cv_key, blank=True)
    pi_cv_original_name = models.CharField(max_length=255, blank=True)
    pi_cv_content_type = models.CharField(max_length=100, blank=True)
    coi_disclosures = models.TextField("conflict-of-interest disclosures", blank=True)

    # --- Decision (written by the workflow at approval; the schedule is in Milestone) ---
    approved_amount = models.DecimalField("approved amount (USD)", **MONEY, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # A declined full proposal: the committee's reasons (ProposalDeclineReason codes) and message.
    decision_reasons = models.JSONField(default=list, blank=True)
    decision_message = models.TextField(blank=True)

    # --- After approval (written by the workflow's post-award rows, research/post_award.py) ---
    termination_reason = models.TextField(blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    refund_due = models.DecimalField("unearned funds to return (USD)", **MONEY, null=True, blank=True)
    # Close-out: the final study report, the results registration and the publications.
    final_report = models.FileField("final study report", upload_to=final_report_key, blank=True)
    final_report_original_name = models.CharField(max_length=255, blank=True)
    final_report_content_type = models.CharField(max_length=100, blank=True)
    results_nct_number = models.CharField("results registration (NCT number)", max_length=11, blank=True)
    publication_links = models.JSONField("publication links", default=list, blank=True)
    final_report_submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    submitted_at = models.DateTimeField("concept submitted", null=True, blank=True)
    full_proposal_submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ResearchProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["submitted_at", "id"], name="research_queue_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ResearchStatus.CONCEPT_DRAFT)
                | Q(reference__isnull=False, submitted_at__isnull=False),
                name="submitted_proposal_has_reference",
            )
        ]

    def __str__(self):
        return f"{self.reference or 'Concept draft'} — {self.title or 'Untitled study'}"

    @property
    def display_reference(self) -> str:
        return self.reference or f"Concept draft #{self.pk}"

    @property
    def can_be_withdrawn(self) -> bool:
        return self.status in UNDECIDED

    @property
    def applicants_turn(self) -> bool:
        return self.status in APPLICANT_TURN

    def direct_costs(self) -> Decimal:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("budget_lines")
        if prefetched is not None:
            return sum((line.amount for line in prefetched), Decimal("0.00"))
        return self.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")

    def overhead_amount(self) -> Decimal:
        return (self.direct_costs() * (self.overhead_pct or Decimal(0)) / 100).quantize(Decimal("0.01"))

    def total_budget(self) -> Decimal:
        return self.direct_costs() + self.overhead_amount()


class ResearchBudgetLine(models.Model):
    proposal = models.ForeignKey(ResearchProposal, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(max_length=250)
    amount = models.DecimalField("amount (USD)", **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description}"


class Milestone(models.Model):
    """One row of the payment schedule set at approval: what must be shown, and what it pays.

    The rows of a proposal sum to its approved amount (checked where the schedule is set). The
    investigator uploads the evidence, staff verify it, then finance pays; never before the research
    agreement is executed.
    """

    proposal = models.ForeignKey(ResearchProposal, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=30, choices=MilestoneKind.choices, default=MilestoneKind.OTHER)
    title = models.CharField("milestone", max_length=200)
    amount = models.DecimalField("amount (USD)", **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    evidence_required = models.CharField("evidence required", max_length=300)
    due_on = models.DateField("expected by", null=True, blank=True)

    # The evidence the investigator uploads (research/post_award.py), then staff's verdict on it.
    evidence_state = models.CharField(max_length=10, choices=EvidenceState.choices, default=EvidenceState.AWAITED)
    evidence = models.FileField(upload_to=evidence_key, blank=True)
    evidence_original_name = models.CharField(max_length=255, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    evidence_note = models.TextField("investigator's note", blank=True)
    nct_number = models.CharField("trial registration (NCT number)", max_length=11, blank=True)
    enrolled = models.PositiveIntegerField("participants enrolled", null=True, blank=True)
    evidence_submitted_at = models.DateTimeField(null=True, blank=True)
    evidence_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField("why the evidence was returned", blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "position"], name="one_milestone_per_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"

    @property
    def is_verified(self) -> bool:
        return self.evidence_state == EvidenceState.VERIFIED

    @property
    def is_paid(self) -> bool:
        """True once finance recorded its payment (reads a prefetched payment when there is one)."""
        try:
            return self.payment is not None
        except MilestonePayment.DoesNotExist:
            return False

    @property
    def needs_registration(self) -> bool:
        return self.kind == MilestoneKind.IRB_AND_REGISTRATION

    @property
    def counts_enrollment(self) -> bool:
        return self.kind in (MilestoneKind.FIRST_PATIENT_IN, MilestoneKind.ENROLLMENT)


class ResearchStatusChange(AuditEntry):
    """Append-only audit log of a proposal's moves, the same shape as ``grants.StatusChange``."""

    proposal = models.ForeignKey(ResearchProposal, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=ResearchStatus.choices)
    to_status = models.CharField(max_length=30, choices=ResearchStatus.choices)

    class Meta(AuditEntry.Meta):
        verbose_name = "research status change"


class ResearchReferenceCounter(YearlyReference):
    """Per-year sequence behind IIS-YYYY-NNNNN references."""

    PREFIX = "IIS"


# The review and conversation records live in their own module (the scientific review stage); imported
# here so that Django registers them with the research app.
from .review_models import (  # noqa: E402, F401
    ResearchAssignment,
    ResearchInformationRequest,
    ResearchMessage,
    ResearchReview,
)  # fmt: skip

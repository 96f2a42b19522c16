from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from simple_history.models import HistoricalRecords

from workflow.models import YearlyReference

from ..choices import AccreditationBody, BudgetCategory, MooreLevel, ProgramFormat, RequestType, TherapeuticArea
from ..status import APPLICANT_EDITABLE, UNDECIDED, GrantStatus
from .organisations import Organisation

MONEY = {"max_digits": 12, "decimal_places": 2}


class GrantRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """The requests a signed-in applicant may see: their organisation's, nobody else's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)


class GrantRequest(models.Model):
    """An application for an independent educational grant, from first draft to close-out."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="grant_requests", verbose_name="organization"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Written only by workflow.engine.perform() — the one door for status changes (grants/workflow.py).
    status = models.CharField(max_length=30, choices=GrantStatus.choices, default=GrantStatus.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)

    # Contacts
    requester_name = models.CharField("requester's name", max_length=150, blank=True)
    requester_email = models.EmailField("requester's email", blank=True)
    requester_phone = models.CharField("requester's phone", max_length=30, blank=True)
    secondary_name = models.CharField("secondary contact's name", max_length=150, blank=True)
    secondary_email = models.EmailField("secondary contact's email", blank=True)
    signer_name = models.CharField("authorized signer's name", max_length=150, blank=True)
    signer_title = models.CharField("authorized signer's title", max_length=150, blank=True)
    signer_email = models.EmailField("authorized signer's email", blank=True)

    # Programme
    request_type = models.CharField("type of request", max_length=30, choices=RequestType.choices, blank=True)
    title = models.CharField("program title", max_length=250, blank=True)
    therapeutic_area = models.CharField(max_length=30, choices=TherapeuticArea.choices, blank=True)
    therapeutic_area_other = models.CharField("other therapeutic area", max_length=150, blank=True)
    program_format = models.CharField("format", max_length=30, choices=ProgramFormat.choices, blank=True)
    start_date = models.DateField("program start date", null=True, blank=True)
    end_date = models.DateField("program end date", null=True, blank=True)
    location = models.CharField("venue and city", max_length=250, blank=True)
    program_url = models.URLField("program URL", blank=True)
    target_audience = models.TextField("target audience", blank=True, help_text="Professions and specialties.")
    expected_learners = models.PositiveIntegerField("expected number of learners", null=True, blank=True)

    # Educational content
    needs_assessment = models.TextField("needs assessment and gap analysis", blank=True)
    needs_references = models.TextField("references", blank=True)
    educational_design = models.TextField("educational design", blank=True)
    outcomes_plan = models.TextField("outcomes plan", blank=True)
    moore_level = models.CharField(
        "highest Moore outcome level targeted", max_length=2, choices=MooreLevel.choices, blank=True
    )

    # Accreditation (accredited requests)
    accredited_provider = models.CharField("accredited provider", max_length=200, blank=True)
    accreditation_body = models.CharField(max_length=20, choices=AccreditationBody.choices, blank=True)
    credit_types = models.CharField("credit types", max_length=250, blank=True, help_text="e.g. AMA PRA Category 1")
    credit_hours = models.DecimalField(
        "credit hours", max_digits=5, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    # Budget
    amount_requested = models.DecimalField(
        "amount requested (USD)", **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )

    # Attestations
    attest_independence = models.BooleanField(default=False)
    attest_open_payments = models.BooleanField(default=False)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attested_at = models.DateTimeField(null=True, blank=True)

    # Decision (written by reviews when the committee decides)
    approved_amount = models.DecimalField(**MONEY, null=True, blank=True)

    # After the award (written by the workflow: grants/workflow.py)
    reconciliation_due_on = models.DateField("reconciliation due", null=True, blank=True, db_index=True)
    # Money the grantee owes back (a cancellation after payment, or the reconciliation's surplus).
    refund_due = models.DecimalField("refund due (USD)", **MONEY, null=True, blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = GrantRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_all_requests", "Can see every organization's grant requests")]
        # The staff queue lists submitted requests oldest first.
        indexes = [
            models.Index(fields=["submitted_at", "id"], name="grantrequest_queue_order"),
            # The dashboard's "waiting on staff", longest waiting first: read in this order, the first ten
            # waiting rows are found without sorting every waiting request.
            models.Index(fields=["status_changed_at", "id"], name="grantrequest_waiting_order"),
        ]
        constraints = [
            # Submitting numbers the request and stamps the time; nothing past a draft may lack either.
            models.CheckConstraint(
                condition=Q(status=GrantStatus.DRAFT) | Q(reference__isnull=False, submitted_at__isnull=False),
                name="submitted_request_has_reference",
            )
        ]

    def __str__(self):
        return f"{self.reference or 'Draft'} — {self.title or 'Untitled request'}"

    @property
    def display_reference(self) -> str:
        return self.reference or f"Draft #{self.pk}"

    @property
    def is_accredited_request(self) -> bool:
        return self.request_type == RequestType.ACCREDITED

    @property
    def is_editable_by_applicant(self) -> bool:
        return self.status in APPLICANT_EDITABLE

    @property
    def can_be_withdrawn(self) -> bool:
        return self.status in UNDECIDED

    def budget_total(self) -> Decimal:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("budget_lines")
        if prefetched is not None:
            return sum((line.total for line in prefetched), Decimal("0.00"))
        total = self.budget_lines.aggregate(
            total=Sum(ExpressionWrapper(F("unit_cost") * F("quantity"), output_field=DecimalField(**MONEY)))
        )["total"]
        return total or Decimal("0.00")

    def other_support_total(self) -> Decimal:
        return self.other_supporters.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


class LearningObjective(models.Model):
    grant_request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="learning_objectives")
    text = models.CharField("learning objective", max_length=500)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class BudgetLine(models.Model):
    grant_request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=30, choices=BudgetCategory.choices)
    description = models.CharField(max_length=250)
    unit_cost = models.DecimalField("unit cost (USD)", **MONEY, validators=[MinValueValidator(0)])
    quantity = models.DecimalField(max_digits=9, decimal_places=2, default=1, validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description}"

    @property
    def total(self) -> Decimal:
        return (self.unit_cost or Decimal(0)) * (self.quantity or Decimal(0))


class OtherSupporter(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        PENDING = "pending", "Requested, pending"

    grant_request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="other_supporters")
    name = models.CharField("supporter", max_length=200)
    amount = models.DecimalField("amount (USD)", **MONEY, validators=[MinValueValidator(0)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name}: {self.amount}"


class ReferenceCounter(YearlyReference):
    """Per-year sequence behind IME-YYYY-NNNNN references."""

    PREFIX = "IME"

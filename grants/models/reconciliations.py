"""The reconciliation and outcomes report a grantee files when the program has ended (SPEC §4a): actual
spending per approved budget line (and any line added, explained), other supporters' actual amounts,
learners reached, outcomes against the Moore level planned, how the support was disclosed, and the
supporting documents. One per grant, saved over several sittings; the workflow row
``submit_reconciliation`` hands it to staff."""


from django.conf import settings
from django.db import models
from django.db.models import Q

from ..choices import MooreLevel
from ..keys import reconciliation_key
from .requests import BudgetLine, GrantRequest, OtherSupporter

MONEY = {"max_digits": 12, "decimal_places": 2}

# Learners reached, by profession: (field, label), in the order the report lists them.
PROFESSIONS = (
    ("learners_physicians", "Physicians"),
    ("learners_nps", "Nurse practitioners (NPs)"),
    ("learners_pas", "Physician assistants (PAs)"),
    ("learners_nurses", "Nurses"),
    ("learners_pharmacists", "Pharmacists"),
    ("learners_psychologists", "Psychologists"),
    ("learners_other", "Other"),
)


class DisclosureMethod(models.TextChoices):
    SLIDE = "slide", "A slide shown to learners"
    SYLLABUS = "syllabus", "The syllabus or program handout"
    WEB_PAGE = "web_page", "A web page"


class ReconciliationDocumentKind(models.TextChoices):
    FINAL_BUDGET = "final_budget", "Final budget"
    ATTENDANCE_SUMMARY = "attendance_summary", "Attendance summary"
    OUTCOMES_REPORT = "outcomes_report", "Outcomes report"
    OUTCOMES_DATA = "outcomes_data", "Outcomes data file"
    DISCLOSURE_EVIDENCE = "disclosure_evidence", "Disclosure evidence"


# The documents a complete report has (the disclosure evidence may be a URL instead).
REQUIRED_DOCUMENTS = (
    ReconciliationDocumentKind.FINAL_BUDGET,
    ReconciliationDocumentKind.ATTENDANCE_SUMMARY,
    ReconciliationDocumentKind.OUTCOMES_REPORT,
)


class Reconciliation(models.Model):
    grant_request = models.OneToOneField(GrantRequest, on_delete=models.CASCADE, related_name="reconciliation")
    learners_physicians = models.PositiveIntegerField("physicians", null=True, blank=True)
    learners_nps = models.PositiveIntegerField("nurse practitioners", null=True, blank=True)
    learners_pas = models.PositiveIntegerField("physician assistants", null=True, blank=True)
    learners_nurses = models.PositiveIntegerField("nurses", null=True, blank=True)
    learners_pharmacists = models.PositiveIntegerField("pharmacists", null=True, blank=True)
    learners_psychologists = models.PositiveIntegerField("psychologists", null=True, blank=True)
    learners_other = models.PositiveIntegerField("other learners", null=True, blank=True)
    completions = models.PositiveIntegerField("completions (enduring material)", null=True, blank=True)
    moore_level_reached = models.CharField(max_length=2, choices=MooreLevel.choices, blank=True)
    outcomes_summary = models.TextField(blank=True)
    disclosure_method = models.CharField(max_length=10, choices=DisclosureMethod.choices, blank=True)
    disclosure_url = models.URLField("disclosure web address", blank=True)
    credits_awarded = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    attested = models.BooleanField(default=False)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attested_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Close-out without the refund due: who waived it and why (SPEC §4a).
    waiver_reason = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waived_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Reconciliation of {self.grant_request.display_reference}"

    @property
    def learners_total(self) -> int | None:
        counts = [getattr(self, name) for name, _ in PROFESSIONS]
        return None if all(c is None for c in counts) else sum(c or 0 for c in counts)

    @property
    def learners_by_profession(self) -> list[tuple[str, int | None]]:
        return [(label, getattr(self, name)) for name, label in PROFESSIONS]


class ReconciliationLine(models.Model):
    """Actual spend on one approved budget line, or on a line added since (``budget_line`` empty), which
    needs an explanation."""

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(max_length=250, blank=True)
    actual = models.DecimalField("actual spend (USD)", **MONEY)
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["budget_line__position", "budget_line_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "budget_line"], condition=Q(budget_line__isnull=False),
                name="one_actual_per_budget_line",
            ),
            models.CheckConstraint(condition=Q(actual__gte=0), name="reconciliation_actual_not_negative"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.description or self.budget_line}: {self.actual}"


class ReconciliationSupport(models.Model):
    """What another supporter named on the request actually gave."""

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="supports")
    supporter = models.ForeignKey(OtherSupporter, on_delete=models.PROTECT, related_name="+")
    actual = models.DecimalField("actual support (USD)", **MONEY)

    class Meta:
        ordering = ["supporter_id"]
        constraints = [
            models.UniqueConstraint(fields=["reconciliation", "supporter"], name="one_actual_per_supporter"),
            models.CheckConstraint(condition=Q(actual__gte=0), name="reconciliation_support_not_negative"),
        ]

    def __str__(self):
        return f"{self.supporter.name}: {self.actual}"


class ReconciliationDocument(models.Model):
    """A supporting document of the report; the newest of each kind counts."""

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=ReconciliationDocumentKind.choices)
    file = models.FileField(upload_to=reconciliation_key, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

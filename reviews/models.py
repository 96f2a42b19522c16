from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .choices import RUBRIC, Recommendation, ReviewStage


class ReviewerAssignment(models.Model):
    """A reviewer asked to review something (an IME request at one stage, a research proposal). The
    concrete model adds the foreign keys, so each keeps its own table, names and related names."""

    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


def score_field(label):
    """A 1–5 rubric score, empty until the reviewer scores (and forever, when they declare a conflict)."""
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


def score_constraints(rubric, prefix: str) -> list:
    """The database's own check that every rubric score, when given, is 1 to 5."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
            name=f"{prefix}_{name}_1_to_5",
        )
        for name, _ in rubric
    ]


class ConflictFirstReview(models.Model):
    """One reviewer's assessment against a rubric, conflict-of-interest declaration first.

    Shared by IME reviews (``Review``) and research reviews (``research.ResearchReview``): the concrete
    model sets ``RUBRIC`` (score field name, label) and declares one ``score_field`` per criterion and
    its own foreign keys. A reviewer who declares a conflict cannot score, and their review counts in
    no average (``average_score`` is None). The services that enforce the order are in
    ``reviews/services.py`` (``record_conflict``, ``record_scores``).
    """

    RUBRIC: list[tuple[str, str]] = []

    has_conflict = models.BooleanField("I have a conflict of interest with this request", null=True)
    conflict_details = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def scores(self) -> list[int | None]:
        return [getattr(self, name) for name, _ in self.RUBRIC]

    @property
    def average_score(self) -> Decimal | None:
        given = [s for s in self.scores if s is not None]
        if not given or self.has_conflict:
            return None
        return (Decimal(sum(given)) / len(given)).quantize(Decimal("0.01"))

    @property
    def counts(self) -> bool:
        """Submitted without a conflict: the reviews a committee decision may rest on."""
        return bool(self.submitted_at) and self.has_conflict is False


class Assignment(ReviewerAssignment):
    """A reviewer asked to review a request at one stage."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    stage = models.CharField(max_length=20, choices=ReviewStage.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["grant_request", "reviewer", "stage"], name="one_assignment_per_stage")
        ]

    def __str__(self):
        return f"{self.reviewer} — {self.get_stage_display()}"

class Review(ConflictFirstReview):
    """One reviewer's assessment at one stage. The conflict-of-interest declaration comes first: a
    reviewer who declares a conflict cannot score the request."""

    RUBRIC = RUBRIC

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    stage = models.CharField(max_length=20, choices=ReviewStage.choices)
    score_educational_need = score_field("Educational need")
    score_design_quality = score_field("Design quality")
    score_audience_fit = score_field("Audience fit")
    score_outcomes_plan = score_field("Outcomes plan")
    score_budget = score_field("Budget reasonableness")
    score_independence = score_field("Independence and compliance")
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    recommended_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["stage", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["grant_request", "reviewer", "stage"], name="one_review_per_stage"),
            *score_constraints(RUBRIC, "review"),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} review by {self.reviewer}"


class ExportLog(models.Model):
    """One CSV or XLSX export of a staff list: who took which rows out of the portal. Written when the
    export starts, so a download broken off halfway still leaves its trace; the row count is filled in
    once the last row is written."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    list_name = models.CharField("list", max_length=100)
    file_format = models.CharField("format", max_length=4)
    query_string = models.TextField("filters and search", blank=True)
    row_count = models.PositiveIntegerField("rows", null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "export"
        permissions = [("export_data", "Can export staff lists as CSV or XLSX")]

    def __str__(self):
        return f"{self.list_name} ({self.file_format.upper()}) by {self.user} at {self.started_at:%Y-%m-%d %H:%M}"

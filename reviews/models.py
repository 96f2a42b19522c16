from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from grants.status import GrantStatus

from .choices import RUBRIC, DecisionOutcome, Recommendation, ReviewStage


class StatusChange(models.Model):
    """Append-only audit log of every status change: who, when, from, to, and why."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="status_changes")
    transition = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, choices=GrantStatus.choices)
    to_status = models.CharField(max_length=30, choices=GrantStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Status changes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Status changes are append-only.")

    @property
    def actor_display(self) -> str:
        return self.actor.get_full_name() or self.actor.email or self.actor.get_username()


class Assignment(models.Model):
    """A reviewer asked to review a request at one stage."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    stage = models.CharField(max_length=20, choices=ReviewStage.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "assigned_at"]
        constraints = [
            models.UniqueConstraint(fields=["grant_request", "reviewer", "stage"], name="one_assignment_per_stage")
        ]

    def __str__(self):
        return f"{self.reviewer} — {self.get_stage_display()}"


def _score_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class Review(models.Model):
    """One reviewer's assessment at one stage. The conflict-of-interest declaration comes first: a
    reviewer who declares a conflict cannot score the request."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    stage = models.CharField(max_length=20, choices=ReviewStage.choices)
    has_conflict = models.BooleanField("I have a conflict of interest with this request", null=True)
    conflict_details = models.TextField(blank=True)
    score_educational_need = _score_field("Educational need")
    score_design_quality = _score_field("Design quality")
    score_audience_fit = _score_field("Audience fit")
    score_outcomes_plan = _score_field("Outcomes plan")
    score_budget = _score_field("Budget reasonableness")
    score_independence = _score_field("Independence and compliance")
    comments = models.TextField(blank=True)
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    recommended_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["stage", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["grant_request", "reviewer", "stage"], name="one_review_per_stage")
        ]

    def __str__(self):
        return f"{self.get_stage_display()} review by {self.reviewer}"

    @property
    def scores(self) -> list[int | None]:
        return [getattr(self, name) for name, _ in RUBRIC]

    @property
    def average_score(self) -> Decimal | None:
        given = [s for s in self.scores if s is not None]
        if not given or self.has_conflict:
            return None
        return (Decimal(sum(given)) / len(given)).quantize(Decimal("0.01"))


class InformationRequest(models.Model):
    """Staff ask the applicant for more information; the applicant may edit the named sections."""

    grant_request = models.ForeignKey(
        "grants.GrantRequest", on_delete=models.CASCADE, related_name="information_requests"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField("what we need")
    sections = models.JSONField(default=list, help_text="Slugs of the sections the applicant may edit.")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Information request of {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class Message(models.Model):
    """The staff ↔ applicant thread on a request."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField()
    body = models.TextField()
    information_request = models.ForeignKey(
        InformationRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Message of {self.created_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    grant_request = models.OneToOneField("grants.GrantRequest", on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason_codes = models.JSONField(default=list, blank=True)
    message_to_applicant = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.get_outcome_display()

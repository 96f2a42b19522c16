from django.db import models

from grants.status import GrantStatus


class ReviewStage(models.TextChoices):
    """A review stage is named by the status the request is in while that review happens, so a
    request's stage is simply its status (``current_stage``); the values are the statuses' own."""

    MEDICAL = GrantStatus.MEDICAL_REVIEW.value, "Medical review"
    COMMITTEE = GrantStatus.COMMITTEE_REVIEW.value, "Committee review"


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve in full"
    APPROVE_PARTIALLY = "approve_partially", "Approve in part"
    DECLINE = "decline", "Decline"


RUBRIC = [
    ("score_educational_need", "Educational need"),
    ("score_design_quality", "Design quality"),
    ("score_audience_fit", "Audience fit"),
    ("score_outcomes_plan", "Outcomes plan"),
    ("score_budget", "Budget reasonableness"),
    ("score_independence", "Independence and compliance"),
]

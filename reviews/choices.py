from django.db import models


class ReviewStage(models.TextChoices):
    MEDICAL = "medical_review", "Medical review"
    COMMITTEE = "committee_review", "Committee review"


class Recommendation(models.TextChoices):
    APPROVE = "approve", "Approve in full"
    APPROVE_PARTIALLY = "approve_partially", "Approve in part"
    DECLINE = "decline", "Decline"


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DECLINED = "declined", "Declined"


class DeclineReason(models.TextChoices):
    LATE = "late", "Submitted with less than the required lead time"
    RETROACTIVE = "retroactive", "Program already started or took place"
    INELIGIBLE_APPLICANT = "ineligible_applicant", "Applicant is not an eligible organization"
    INCOMPLETE = "incomplete", "Request incomplete after a request for information"
    NOT_ALIGNED = "not_aligned", "Outside the areas of educational need we support"
    EDUCATIONAL_QUALITY = "educational_quality", "Needs assessment or design did not meet the review criteria"
    BUDGET = "budget", "Budget not reasonable or includes costs we cannot support"
    COMPLIANCE = "compliance", "Independence or compliance concerns"
    FUNDS = "funds", "Budget for the period is fully committed"
    OTHER = "other", "Other (explained in the message)"


RUBRIC = [
    ("score_educational_need", "Educational need"),
    ("score_design_quality", "Design quality"),
    ("score_audience_fit", "Audience fit"),
    ("score_outcomes_plan", "Outcomes plan"),
    ("score_budget", "Budget reasonableness"),
    ("score_independence", "Independence and compliance"),
]

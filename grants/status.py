"""The states a grant request can be in (SPEC §4). The legal moves between them live in
``reviews/workflow.py``; this module only names the states so both apps can refer to them."""

from django.db import models


class GrantStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SCREENING = "screening", "Screening"
    INFORMATION_REQUESTED = "information_requested", "Information requested"
    MEDICAL_REVIEW = "medical_review", "Medical review"
    COMMITTEE_REVIEW = "committee_review", "Committee review"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    AGREEMENT_SENT = "agreement_sent", "Agreement sent"
    AGREEMENT_SIGNED = "agreement_signed", "Agreement signed"
    PAID = "paid", "Paid"
    IN_PROGRESS = "in_progress", "In progress"
    RECONCILIATION_DUE = "reconciliation_due", "Reconciliation due"
    RECONCILED = "reconciled", "Reconciled"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# Before a decision the applicant may still withdraw; after it the request is fixed.
UNDECIDED = {
    GrantStatus.SUBMITTED,
    GrantStatus.SCREENING,
    GrantStatus.INFORMATION_REQUESTED,
    GrantStatus.MEDICAL_REVIEW,
    GrantStatus.COMMITTEE_REVIEW,
}
# The applicant may edit only in these states (information_requested: the named sections only).
APPLICANT_EDITABLE = {GrantStatus.DRAFT, GrantStatus.INFORMATION_REQUESTED}

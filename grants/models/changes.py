"""Change requests after approval (SPEC §4a): the applicant proposes new dates, a new format or venue,
a budget reallocation, or cancellation, with a reason; staff approve or refuse it with a note."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..choices import ProgramFormat


class ChangeKind(models.TextChoices):
    DATES = "dates", "New dates"
    FORMAT_VENUE = "format_venue", "New format or venue"
    BUDGET = "budget", "Budget reallocation between lines"
    CANCELLATION = "cancellation", "Cancellation of the program"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class ChangeRequest(models.Model):
    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField("what changes", max_length=20, choices=ChangeKind.choices)
    reason = models.TextField("why the change is needed")
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)

    # Proposed values (only those of the kind are filled in).
    new_start_date = models.DateField("proposed start date", null=True, blank=True)
    new_end_date = models.DateField("proposed end date", null=True, blank=True)
    new_program_format = models.CharField("proposed format", max_length=30, choices=ProgramFormat.choices, blank=True)
    new_location = models.CharField("proposed venue and city", max_length=250, blank=True)
    new_program_url = models.URLField("proposed program URL", blank=True)
    # [{"line": <BudgetLine pk>, "unit_cost": "1200.00", "quantity": "2"}] for every line of the budget.
    new_budget = models.JSONField("proposed budget lines", default=list, blank=True)
    # What the request said when the change was filed, shown beside the proposal: {label: value}.
    current_values = models.JSONField(default=dict, blank=True, editable=False)
    proposed_values = models.JSONField(default=dict, blank=True, editable=False)

    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("note to the applicant", blank=True)
    # Staff accepted a start date inside the lead time (or already past) when approving.
    short_notice_accepted = models.BooleanField(default=False)
    # The approval re-issued the Letter of Agreement (the change touched its terms).
    reissued_agreement = models.BooleanField(default=False)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant_request"], condition=Q(status="pending"), name="one_pending_change_request"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="change_request_decided_when_not_pending",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING

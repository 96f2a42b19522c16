"""What happens to a grant request, as both sides read it: the audit log of its status changes, the
requests for information and the message thread, and the decision. The workflow writes them
(``grants/workflow.py``); staff and applicant pages read them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from workflow.engine import TransitionError
from workflow.models import AuditEntry

from ..choices import DecisionOutcome
from ..status import GrantStatus


class StatusChange(AuditEntry):
    """Append-only audit log of every status change: who, when, from, to, and why. A request with a
    log cannot be deleted (PROTECT): the record outlives any clean-up."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=30, choices=GrantStatus.choices)
    to_status = models.CharField(max_length=30, choices=GrantStatus.choices)

    class Meta(AuditEntry.Meta):
        indexes = [
            # "When did this request first reach status X": the dashboard's cycle times ask it once per
            # request (a correlated MIN), which without this index reads the request's whole history.
            models.Index(fields=["grant_request", "to_status", "created_at"], name="statuschange_reached_idx"),
            # "Which requests reached status X this year" (the same figures, narrowed first).
            models.Index(fields=["to_status", "created_at"], name="statuschange_to_when_idx"),
        ]


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
        constraints = [
            models.UniqueConstraint(
                fields=["grant_request"], condition=Q(answered_at__isnull=True), name="one_open_information_request"
            )
        ]

    def __str__(self):
        return f"Information request of {date_format(timezone.localtime(self.created_at))}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @classmethod
    def open(cls, grant_request, *, by, message, sections=()):
        """Ask the applicant (the request's one open question), posted in the thread too."""
        rfi = cls.objects.create(grant_request=grant_request, requested_by=by, message=message, sections=list(sections))
        Message.objects.create(
            grant_request=grant_request, author=by, from_staff=True, body=rfi.message, information_request=rfi
        )
        return rfi

    @classmethod
    def answer_open(cls, grant_request, *, by, answer, none_open: str):
        """Answer the open question under a row lock, posted in the thread too; ``none_open`` is the
        refusal when there is none (already answered from another tab)."""
        rfi = (
            cls.objects.select_for_update()
            .filter(grant_request=grant_request, answered_at__isnull=True)
            .select_related("requested_by")
            .first()
        )
        if rfi is None:
            raise TransitionError(none_open)
        rfi.answered_at = timezone.now()
        rfi.answered_by = by
        rfi.answer = answer
        rfi.save(update_fields=["answered_at", "answered_by", "answer"])
        Message.objects.create(
            grant_request=grant_request, author=by, from_staff=False, body=rfi.answer, information_request=rfi
        )
        return rfi


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
        return f"Message of {date_format(timezone.localtime(self.created_at), 'DATETIME_FORMAT')}"


class Decision(models.Model):
    grant_request = models.OneToOneField("grants.GrantRequest", on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    approved_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reason_codes = models.JSONField(default=list, blank=True)
    message_to_applicant = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    # What the decision page warned about when the approval took the area or the year over its budget
    # (grants/budgets.py); staff may still decide, and the warning stays with the decision. NULL: none.
    budget_warning = models.TextField(null=True, blank=True)  # noqa: DJ001

    class Meta:
        constraints = [
            # An approval carries the amount approved; a decline carries none.
            models.CheckConstraint(
                condition=(
                    Q(outcome=DecisionOutcome.DECLINED, approved_amount__isnull=True)
                    | Q(
                        outcome__in=[DecisionOutcome.APPROVED, DecisionOutcome.PARTIALLY_APPROVED],
                        approved_amount__gt=0,
                    )
                ),
                name="decision_outcome_matches_amount",
            )
        ]

    def __str__(self):
        return self.get_outcome_display()

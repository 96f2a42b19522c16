"""Money that moved: payments to the grantee and refunds from them (SPEC §4a)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 12, "decimal_places": 2}


class PaymentMethod(models.TextChoices):
    ACH = "ach", "ACH transfer"
    WIRE = "wire", "Wire transfer"
    CHECK = "check", "Check"


class PaymentRecord(models.Model):
    """What finance records of any payment it makes (an IME grant's, a research milestone's)."""

    amount = models.DecimalField("amount (USD)", **MONEY)
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField("payment reference", max_length=100, help_text="ACH trace, wire or check number.")
    paid_on = models.DateField("date paid")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["paid_on", "pk"]

    def __str__(self):
        return f"${self.amount:,.2f} by {self.get_method_display()} on {self.paid_on}"


class Payment(PaymentRecord):
    """One payment (or instalment) of an approved grant, recorded by finance."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.PROTECT, related_name="payments")
    history = HistoricalRecords()

    class Meta(PaymentRecord.Meta):
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]


class Refund(models.Model):
    """Unused or returned funds received back from the grantee (after a cancellation or a
    reconciliation), recorded by finance."""

    class Cause(models.TextChoices):
        CANCELLATION = "cancellation", "Cancellation"
        RECONCILIATION = "reconciliation", "Reconciliation"

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.PROTECT, related_name="refunds")
    cause = models.CharField(max_length=20, choices=Cause.choices)
    amount = models.DecimalField("amount received (USD)", **MONEY)
    received_on = models.DateField("date received")
    reference = models.CharField("refund reference", max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["received_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"${self.amount:,.2f} received on {self.received_on}"

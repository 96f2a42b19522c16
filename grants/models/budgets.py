"""The annual IME budget: what Medical Affairs may commit in a calendar year, in total and per
therapeutic area. Set by administrators in the admin; the dashboard and the decision page compare it
with what is approved, paid and refunded (``grants/budgets.py``)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import TherapeuticArea

MONEY = {"max_digits": 12, "decimal_places": 2}


class AnnualBudget(models.Model):
    year = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text="Calendar year."
    )
    total = models.DecimalField("total budget (USD)", **MONEY, validators=[MinValueValidator(Decimal("0"))])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Every change of a budget is kept: who moved the ceiling, when, from what.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-year"]
        verbose_name = "annual IME budget"
        permissions = [
            (
                "view_budget_figures",
                "Can see the money on the dashboard: amounts requested, approved, paid and refunded",
            )
        ]

    def __str__(self):
        return f"IME budget {self.year}"


class AreaBudget(models.Model):
    """The share of a year's budget set aside for one therapeutic area."""

    budget = models.ForeignKey(AnnualBudget, on_delete=models.CASCADE, related_name="areas")
    therapeutic_area = models.CharField(max_length=30, choices=TherapeuticArea.choices)
    amount = models.DecimalField("amount (USD)", **MONEY, validators=[MinValueValidator(Decimal("0"))])
    history = HistoricalRecords()

    class Meta:
        ordering = ["therapeutic_area"]
        verbose_name = "therapeutic-area budget"
        constraints = [
            models.UniqueConstraint(fields=["budget", "therapeutic_area"], name="one_budget_per_area_and_year")
        ]

    def __str__(self):
        return f"{self.get_therapeutic_area_display()}: {self.amount}"

"""What the applicant fills in after approval: the signature of the Letter of Agreement and the change
requests (new dates, a new format or venue, a budget reallocation, a cancellation)."""

from decimal import Decimal

from django import forms

from ..choices import ProgramFormat
from ..models import ChangeKind
from .requests import error_summary

REASON_LENGTH = 5_000


def summary_of(form) -> list[dict]:
    """The error summary's items: a refusal of the whole form in its own words, then each field's."""
    whole = [{"anchor": "", "text": str(message)} for message in form.non_field_errors()]
    fields = [item for item in error_summary(form, {}) if item["anchor"]]
    return whole + fields


class SignAgreementForm(forms.Form):
    signer_name = forms.CharField(
        label="Your full name",
        max_length=150,
        help_text="Typed as your signature.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name: it is your signature."},
    )
    signer_title = forms.CharField(
        label="Your title",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"required": "Enter your title, for example Director of Continuing Medical Education."},
    )
    authority_confirmed = forms.BooleanField(
        label="I confirm that I am authorized to sign this agreement for the organization",
        error_messages={"required": "Confirm that you are authorized to sign for the organization."},
    )

    def __init__(self, *args, organisation_name="", **kwargs):
        super().__init__(*args, **kwargs)
        if organisation_name:
            self.fields["authority_confirmed"].label = (
                f"I confirm that I am authorized to sign this agreement for {organisation_name}"
            )

    def clean_signer_name(self):
        return " ".join(self.cleaned_data["signer_name"].split())

    def clean_signer_title(self):
        return " ".join(self.cleaned_data["signer_title"].split())


def _reason_field():
    return forms.CharField(
        label="Why is the change needed?",
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say why the change is needed.",
            "max_length": f"Keep the reason under {REASON_LENGTH:,} characters.",
        },
    )


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )


class ChangeForm(forms.Form):
    """The reason every change request gives; each kind adds its proposed values."""

    kind = None
    reason = _reason_field()

    def __init__(self, *args, grant_request, **kwargs):
        self.grant_request = grant_request
        super().__init__(*args, **kwargs)

    def proposed(self) -> dict:
        """The ChangeRequest fields of the proposal, for ``file_change_request``."""
        return {}


class DatesChangeForm(ChangeForm):
    kind = ChangeKind.DATES
    new_start_date = _date_field("New start date")
    new_end_date = _date_field("New end date")

    def clean(self):
        cleaned = super().clean()
        typed_badly = "new_start_date" in self.errors or "new_end_date" in self.errors
        if not typed_badly and cleaned.get("new_start_date") is None and cleaned.get("new_end_date") is None:
            self.add_error("new_start_date", "Give the new start date, the new end date, or both.")
        return cleaned

    def proposed(self):
        return {name: self.cleaned_data[name] for name in ("new_start_date", "new_end_date")}


VENUE_FIELDS = ("new_program_format", "new_location", "new_program_url")


class FormatVenueChangeForm(ChangeForm):
    kind = ChangeKind.FORMAT_VENUE
    new_program_format = forms.ChoiceField(
        label="New format", required=False, choices=[("", "Keep the current format"), *ProgramFormat.choices]
    )
    new_location = forms.CharField(label="New venue and city", required=False, max_length=250)
    new_program_url = forms.URLField(
        label="New program URL",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the full address, starting with https://"},
    )

    def clean(self):
        cleaned = super().clean()
        typed_badly = any(name in self.errors for name in VENUE_FIELDS)
        if not typed_badly and not any(cleaned.get(name) for name in VENUE_FIELDS):
            self.add_error("new_program_format", "Give the new format, venue or URL.")
        return cleaned

    def proposed(self):
        return {name: self.cleaned_data[name] for name in VENUE_FIELDS}


class BudgetChangeForm(ChangeForm):
    """One row per approved budget line: its new unit cost and quantity (the current ones to start with)."""

    kind = ChangeKind.BUDGET

    def __init__(self, *args, grant_request, **kwargs):
        super().__init__(*args, grant_request=grant_request, **kwargs)
        self.lines = list(grant_request.budget_lines.all())
        for line in self.lines:
            self.fields[f"unit_cost_{line.pk}"] = forms.DecimalField(
                label=f"Unit cost of {line}", min_value=Decimal("0"), max_digits=12, decimal_places=2,
                initial=line.unit_cost,
                error_messages={"required": f"Enter the unit cost of {line} (0 to drop the line).",
                                "invalid": "Enter an amount in dollars, such as 1200.00."},
            )  # fmt: skip
            self.fields[f"quantity_{line.pk}"] = forms.DecimalField(
                label=f"Quantity of {line}", min_value=Decimal("0"), max_digits=9, decimal_places=2,
                initial=line.quantity,
                error_messages={"required": f"Enter the quantity of {line} (0 to drop the line).",
                                "invalid": "Enter a number, such as 2."},
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if not self.lines:
            raise forms.ValidationError("This request has no budget lines to move money between.")
        return cleaned

    def rows(self):
        """Each line with its current values and its two bound fields, for the table."""
        return [
            {"line": line, "unit_cost": self[f"unit_cost_{line.pk}"], "quantity": self[f"quantity_{line.pk}"]}
            for line in self.lines
        ]

    def proposed(self):
        budget = [
            {
                "line": line.pk,
                "unit_cost": str(self.cleaned_data[f"unit_cost_{line.pk}"]),
                "quantity": str(self.cleaned_data[f"quantity_{line.pk}"]),
            }
            for line in self.lines
        ]
        return {"new_budget": budget}


class CancellationChangeForm(ChangeForm):
    kind = ChangeKind.CANCELLATION


CHANGE_FORMS = {
    form.kind: form for form in (DatesChangeForm, FormatVenueChangeForm, BudgetChangeForm, CancellationChangeForm)
}

"""One form (and its formsets) per section of the grant request editor.

Every field is optional here: a draft may be saved half-written, and completeness is judged when the
request is submitted. What these forms do refuse is input that cannot be right whatever else is typed —
a malformed email, an end date before the start date, a negative cost, a word where a number belongs.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.forms import BaseInlineFormSet, inlineformset_factory

from ..choices import AccreditationBody, BudgetCategory
from ..models import BudgetLine, GrantRequest, LearningObjective, OtherSupporter

EXTRA_ROWS = 3
MAX_EXTRA_ROWS = 30
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOORE_HELP = (
    "The highest level your outcomes plan will measure: 1 participation (attendance), 2 satisfaction, "
    "3a declarative knowledge (learners know), 3b procedural knowledge (learners know how), 4 competence "
    "(learners show how, e.g. in cases), 5 performance (what they do in practice), 6 patient health, "
    "7 community health."
)


class MoneyField(forms.DecimalField):
    """A US dollar amount; accepts what people type from a spreadsheet, such as "$2,500.00"."""

    # A text box, not type="number": browsers refuse "$" and "," in number inputs and send nothing.
    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        if self.min_value:
            self.error_messages["min_value"] = "Enter an amount greater than zero."
        else:
            self.error_messages["min_value"] = "Enter an amount of zero or more; amounts cannot be negative."
        self.error_messages["invalid"] = "Enter an amount in dollars and cents, for example 2500 or 2500.00."

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal"})
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("$", "").replace(",", "").strip()
        return super().to_python(value)


def with_prompt(field, prompt: str) -> None:
    """Start a select with a prompt saying what to choose instead of Django's "---------"."""
    field.choices = [("", prompt), *[(value, label) for value, label in field.choices if value != ""]]


class QuantityField(forms.DecimalField):
    """A number of units: shown as typed ("4", "2.5"), not padded to the column's two decimals ("4.00")."""

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            # normalize() drops trailing zeros; "f" keeps 100 from turning into "1E+2".
            return format(value.normalize(), "f")
        return super().prepare_value(value)


class OrganisationContactsForm(forms.ModelForm):
    class Meta:
        model = GrantRequest
        fields = [
            "requester_name", "requester_email", "requester_phone",
            "secondary_name", "secondary_email",
            "signer_name", "signer_title", "signer_email",
        ]  # fmt: skip
        widgets = {
            "requester_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "requester_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "requester_phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "secondary_email": forms.EmailInput(),
            "signer_email": forms.EmailInput(),
        }
        help_texts = {
            "requester_email": "We send the submission receipt and every status update here.",
            "secondary_email": "Receives a copy of the receipt and updates, so nothing is missed when you are away.",
            "signer_name": "The person who may sign the Letter of Agreement for your organization.",
            "signer_title": "For example Director of Continuing Medical Education.",
        }


class ProgrammeForm(forms.ModelForm):
    expected_learners = forms.IntegerField(
        label="Expected number of learners",
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"min": "0", "step": "1", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the expected number of learners as a whole number, e.g. 250.",
            "min_value": "The expected number of learners cannot be negative.",
        },
    )
    program_url = forms.URLField(
        label="Program URL",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="For virtual, hybrid and on-demand education: where learners take part.",
    )

    class Meta:
        model = GrantRequest
        fields = [
            "request_type", "title", "therapeutic_area", "therapeutic_area_other", "program_format",
            "start_date", "end_date", "location", "program_url", "target_audience", "expected_learners",
        ]  # fmt: skip
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "target_audience": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "request_type": "Accredited IME carries CME/CE credit; the accreditation section applies only to it.",
            "therapeutic_area_other": "Only if you chose “Other CNS condition” above.",
            "start_date": f"Requests must reach us at least {settings.IME_MIN_LEAD_DAYS} days before this date.",
            "end_date": "For enduring material, the date it stops being available for credit.",
            "location": "For in-person, hybrid and grand rounds education.",
            "target_audience": "Professions and specialties, for example psychiatrists and psychiatric NPs.",
        }
        error_messages = {
            "start_date": {"invalid": "Enter the start date as a real date, for example 2026-09-15."},
            "end_date": {"invalid": "Enter the end date as a real date, for example 2026-09-16."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_prompt(self.fields["request_type"], "Choose the type of request")
        with_prompt(self.fields["therapeutic_area"], "Choose a therapeutic area")
        with_prompt(self.fields["program_format"], "Choose a format")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be the same as or later than the start date.")
        return cleaned


class ContentForm(forms.ModelForm):
    class Meta:
        model = GrantRequest
        fields = ["needs_assessment", "needs_references", "educational_design", "outcomes_plan", "moore_level"]
        widgets = {
            "needs_assessment": forms.Textarea(attrs={"rows": 8}),
            "needs_references": forms.Textarea(attrs={"rows": 4}),
            "educational_design": forms.Textarea(attrs={"rows": 5}),
            "outcomes_plan": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "needs_assessment": (
                "Describe the gap between current and desired practice, who has it, and how you found it "
                "(literature, learner surveys, past evaluations, quality data, expert input)."
            ),
            "needs_references": "Number each source; cite recent, peer-reviewed sources where you can.",
            "educational_design": "Formats, methods and why they suit the gap and the audience.",
            "outcomes_plan": "What you will measure, how and when (e.g. pre/post and follow-up surveys).",
            "moore_level": MOORE_HELP,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_prompt(self.fields["moore_level"], "Choose the highest level")


class AccreditationForm(forms.ModelForm):
    credit_hours = forms.DecimalField(
        label="Credit hours",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0", "inputmode": "decimal"}),
        error_messages={"min_value": "Credit hours cannot be negative.", "invalid": "Enter the hours as a number."},
    )

    class Meta:
        model = GrantRequest
        fields = ["accredited_provider", "accreditation_body", "credit_types", "credit_hours"]
        labels = {"accreditation_body": "Accrediting body"}
        help_texts = {
            "accredited_provider": "The organization accredited to award credit, and any joint provider.",
            "credit_types": "For example AMA PRA Category 1 Credit™, ANCC contact hours, ACPE credit.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields["accreditation_body"]
        body.choices = [(value, label) for value, label in body.choices if value != AccreditationBody.NONE]
        with_prompt(body, "Choose the accrediting body")
        organisation = self.instance.organisation
        # The instance's blank values are already in ``initial``, so the profile's must replace them.
        # ``prefilled`` names the boxes showing a value that is not saved yet (the checklist says so).
        self.prefilled = []
        if not self.instance.accredited_provider and organisation.legal_name:
            self.initial["accredited_provider"] = organisation.legal_name
            self.prefilled.append("accredited_provider")
        if not self.instance.accreditation_body and organisation.is_accredited:
            self.initial["accreditation_body"] = organisation.accreditation_body
            self.prefilled.append("accreditation_body")


class BudgetForm(forms.ModelForm):
    amount_requested = MoneyField(
        label="Amount requested from Axsome (USD)",
        help_text="No more than the total program budget.",
        min_value=Decimal("0.01"),
    )

    class Meta:
        model = GrantRequest
        fields = ["amount_requested"]


class AttestationsForm(forms.ModelForm):
    class Meta:
        model = GrantRequest
        fields = ["attest_independence", "attest_open_payments"]
        labels = {
            "attest_independence": (
                "We confirm the education is independent: our organization alone decides its content, faculty, "
                "delivery and evaluation, and Axsome will have no control, influence or involvement in them."
            ),
            "attest_open_payments": (
                "We will tell Axsome of any payments or transfers of value from this grant to covered recipients "
                "(for example physicians, physician assistants and nurse practitioners), so they can be reported "
                "under Open Payments."
            ),
        }


# --- Repeating rows ----------------------------------------------------------------------------


def _excluded_categories() -> set[str]:
    return set(settings.IME_EXCLUDED_BUDGET_CATEGORIES)


def budget_category_choices() -> list:
    excluded = _excluded_categories()
    fundable = [(value, label) for value, label in BudgetCategory.choices if value not in excluded]
    not_fundable = [(value, f"{label} (not fundable)") for value, label in BudgetCategory.choices if value in excluded]
    return [("", "Choose a category"), ("Costs we can support", fundable), ("Not fundable", not_fundable)]


def excluded_category_labels() -> list[str]:
    excluded = _excluded_categories()
    return [label for value, label in BudgetCategory.choices if value in excluded]


class LearningObjectiveForm(forms.ModelForm):
    """One objective box. No box is required on its own (the section asks for at least one, and blank
    new boxes are ignored), but a saved objective cannot be emptied: it is removed with "Remove"."""

    class Meta:
        model = LearningObjective
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text and self.instance.pk is not None:
            raise forms.ValidationError("Write the objective, or tick “Remove” to delete it.", code="required")
        return text


class BudgetLineForm(forms.ModelForm):
    unit_cost = MoneyField(label="Unit cost (USD)", required=True)
    quantity = QuantityField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=1,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"}),
        error_messages={"min_value": "The quantity cannot be negative.", "invalid": "Enter the quantity as a number."},
    )

    class Meta:
        model = BudgetLine
        fields = ["category", "description", "unit_cost", "quantity"]
        error_messages = {
            "category": {"required": "Choose a category for this line."},
            "description": {"required": "Describe what this line pays for."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = budget_category_choices()
        self.fields["category"].help_text = "Categories marked “not fundable” cannot be paid for by grant support."
        self.fields["unit_cost"].error_messages["required"] = "Enter the unit cost for this line."
        self.fields["quantity"].error_messages["required"] = "Enter the quantity for this line."

    @property
    def is_excluded_category(self) -> bool:
        return self.instance.pk is not None and self.instance.category in _excluded_categories()


class OtherSupporterForm(forms.ModelForm):
    amount = MoneyField(label="Amount (USD)", required=True)

    class Meta:
        model = OtherSupporter
        fields = ["name", "amount", "status"]
        labels = {"name": "Supporter's name"}
        error_messages = {"name": {"required": "Enter the supporter's name for this amount."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].error_messages["required"] = "Enter the amount this supporter gives or was asked for."


class RowFormSet(BaseInlineFormSet):
    """Rows numbered for people ("Budget line 2"), so labels and error messages say which row is meant."""

    row_noun = "Row"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.row_label = f"{self.row_noun} {index + 1}" if index is not None else self.row_noun
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove {form.row_label.lower()}"


class LearningObjectiveFormSet(RowFormSet):
    row_noun = "Learning objective"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["text"].label = form.row_label


class BudgetLineFormSet(RowFormSet):
    row_noun = "Budget line"


class OtherSupporterFormSet(RowFormSet):
    row_noun = "Other supporter"


def _formset(model, form, formset):
    return inlineformset_factory(
        GrantRequest, model, form=form, formset=formset, extra=EXTRA_ROWS, can_delete=True, can_delete_extra=False
    )


# Each repeating part of a section: (prefix, formset class, heading). The prefix is also the page anchor.
SECTION_FORMSETS = {
    "content": [("objectives", _formset(LearningObjective, LearningObjectiveForm, LearningObjectiveFormSet))],
    "budget": [
        ("budget_lines", _formset(BudgetLine, BudgetLineForm, BudgetLineFormSet)),
        ("supporters", _formset(OtherSupporter, OtherSupporterForm, OtherSupporterFormSet)),
    ],
}

SECTION_FORMS = {
    "organisation": OrganisationContactsForm,
    "programme": ProgrammeForm,
    "content": ContentForm,
    "accreditation": AccreditationForm,
    "budget": BudgetForm,
    "attestations": AttestationsForm,
}


def build_section_forms(slug, grant_request, data=None, extra_rows=None):
    """The section's main form and its formsets (by prefix), bound to ``data`` when given."""
    form_class = SECTION_FORMS[slug]
    form = form_class(data=data, instance=grant_request)
    formsets = {}
    for prefix, formset_class in SECTION_FORMSETS.get(slug, []):
        formset = formset_class(data=data, instance=grant_request, prefix=prefix)
        requested = (extra_rows or {}).get(prefix)
        if requested:
            formset.extra = max(EXTRA_ROWS, min(requested, MAX_EXTRA_ROWS))
        formsets[prefix] = formset
    return form, formsets


def error_summary(form, formsets) -> list[dict]:
    """Every error on the page as {anchor, text}, in page order, for the summary that links to each field."""
    items = []

    def add(bound_form, label_prefix=""):
        # Page order: the form's own problems first, then each field as it appears.
        for message in bound_form.non_field_errors():
            items.append({"anchor": "", "text": f"{label_prefix.rstrip(', ') or 'This section'}: {message}"})
        for name in bound_form.fields:
            if name not in bound_form.errors:
                continue
            field = bound_form[name]
            if field.is_hidden:
                # A hidden field has no label to name nor box to link to: its message says what to do.
                items.extend({"anchor": "", "text": str(message)} for message in field.errors)
                continue
            label = str(field.label)
            if label_prefix and label != label_prefix.rstrip(", "):
                label = f"{label_prefix}{label[:1].lower()}{label[1:]}"
            for message in field.errors:
                items.append({"anchor": field.id_for_label or "", "text": f"{label}: {message}"})

    if form is not None:
        add(form)
    for formset in formsets.values():
        for message in formset.non_form_errors():
            items.append({"anchor": f"{formset.prefix}-rows", "text": message})
        for row_form in formset.forms:
            if row_form.errors:
                add(row_form, label_prefix=f"{row_form.row_label}, ")
    return items

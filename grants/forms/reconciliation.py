"""The reconciliation report's form. As with the request sections, every field is optional when saving
(the report is filled over several sittings); completeness is judged when it is submitted
(``grants.reconciliation.missing_parts``). What is refused here is input that cannot be right: a
negative amount, a word where a number belongs, an added line without its amount, a file we do not
accept."""

from django import forms
from django.core.exceptions import ValidationError

from ..choices import MooreLevel
from ..models import DisclosureMethod, ReconciliationDocumentKind
from ..models.reconciliations import PROFESSIONS
from ..uploads import validate_upload
from .requests import MoneyField, with_prompt

LONG_TEXT = 10_000
ADDED_LINE_ROWS = 2


class ReportForm(forms.Form):
    """One field per approved budget line (``line_<pk>``) and per other supporter (``supporter_<pk>``),
    then the fixed fields and the documents."""

    completions = forms.IntegerField(label="Completions of the enduring material", min_value=0, required=False)
    moore_level_reached = forms.ChoiceField(label="Moore outcome level reached", choices=MooreLevel.choices,
                                            required=False)  # fmt: skip
    outcomes_summary = forms.CharField(
        label="Summary of the outcomes", required=False, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was measured, how, and what changed for learners, against the level you planned.",
    )  # fmt: skip
    disclosure_method = forms.ChoiceField(
        label="How Axsome's support was disclosed to learners", choices=DisclosureMethod.choices, required=False,
        widget=forms.RadioSelect,
    )  # fmt: skip
    disclosure_url = forms.URLField(
        label="Web address of the disclosure", required=False, assume_scheme="https",
        help_text="If it is on a web page. Otherwise upload the slide or syllabus below.",
    )  # fmt: skip
    credits_awarded = forms.DecimalField(
        label="Credits awarded", required=False, min_value=0, max_digits=6, decimal_places=2,
        help_text="For accredited activities: the total credits awarded to learners.",
    )  # fmt: skip
    attested = forms.BooleanField(
        label="I attest that the funds paid by Axsome were used only for the approved purpose of this grant.",
        required=False,
    )

    def __init__(self, *args, grant_request, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant_request = grant_request
        with_prompt(self.fields["moore_level_reached"], "Choose the level reached…")
        planned = grant_request.get_moore_level_display() if grant_request.moore_level else "none stated"
        self.fields["moore_level_reached"].help_text = f"Planned in the request: {planned}."
        actuals = {line.budget_line_id: line.actual for line in report.lines.all() if line.budget_line_id}
        lines = {}
        for line in grant_request.budget_lines.all():
            lines[f"line_{line.pk}"] = MoneyField(
                label=f"{line.description}", help_text=f"Approved budget: ${line.total:,.2f}.",
                initial=actuals.get(line.pk),
            )  # fmt: skip
        given = {s.supporter_id: s.actual for s in report.supports.all()}
        supporters = {}
        for supporter in grant_request.other_supporters.all():
            supporters[f"supporter_{supporter.pk}"] = MoneyField(
                label=f"{supporter.name}", help_text=f"Expected in the request: ${supporter.amount:,.2f}.",
                initial=given.get(supporter.pk),
            )  # fmt: skip
        learners = {
            name: forms.IntegerField(label=label, min_value=0, required=False, initial=getattr(report, name))
            for name, label in PROFESSIONS
        }
        documents = {
            f"document_{kind.value}": forms.FileField(label=kind.label, required=False)
            for kind in ReconciliationDocumentKind
        }
        self.fields = {**lines, **supporters, **learners, **self.fields, **documents}
        for name in ("completions", "moore_level_reached", "outcomes_summary", "disclosure_method", "disclosure_url",
                     "credits_awarded", "attested"):  # fmt: skip
            self.fields[name].initial = getattr(report, name)
        for field in self.fields.values():
            field.error_messages.setdefault("min_value", "Enter zero or more.")
            if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField):
                field.error_messages["invalid"] = "Enter a whole number, for example 120."

    def clean(self):
        cleaned = super().clean()
        for kind in ReconciliationDocumentKind:
            upload = cleaned.get(f"document_{kind.value}")
            if upload:
                try:
                    cleaned[f"accepted_{kind.value}"] = validate_upload(upload)
                except ValidationError as error:
                    self.add_error(f"document_{kind.value}", error)
        return cleaned

    def fields_named(self, prefix):
        return [self[name] for name in self.fields if name.startswith(prefix)]

    @property
    def line_fields(self):
        return self.fields_named("line_")

    @property
    def supporter_fields(self):
        return self.fields_named("supporter_")

    @property
    def learner_fields(self):
        return self.fields_named("learners_")

    @property
    def document_fields(self):
        return self.fields_named("document_")

    def actuals(self, prefix) -> dict[int, object]:
        """{pk: amount} for the fields ``<prefix><pk>`` (None when left empty)."""
        return {int(name[len(prefix):]): value for name, value in self.cleaned_data.items()
                if name.startswith(prefix)}  # fmt: skip

    def documents(self) -> list[tuple[str, object, object]]:
        return [
            (kind.value, self.cleaned_data[f"document_{kind.value}"], self.cleaned_data[f"accepted_{kind.value}"])
            for kind in ReconciliationDocumentKind
            if self.cleaned_data.get(f"document_{kind.value}")
        ]


class AddedLineForm(forms.Form):
    """A cost not in the approved budget, with why it was needed."""

    description = forms.CharField(label="What was paid for", max_length=250, required=False)
    actual = MoneyField(label="Actual spend (USD)")
    explanation = forms.CharField(label="Why it was added", required=False, max_length=LONG_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        described, amount = (cleaned.get("description") or "").strip(), cleaned.get("actual")
        if described and amount is None and "actual" not in self.errors:
            self.add_error("actual", "Enter what this added line cost, or clear its description.")
        if amount is not None and not described:
            self.add_error("description", "Say what this amount paid for, or clear the amount.")
        return cleaned

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("description") or "").strip() and data.get("actual") is None


AddedLineFormSet = forms.formset_factory(AddedLineForm, extra=ADDED_LINE_ROWS, max_num=30, absolute_max=30)


class SubmitReportForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)


class AnswerQuestionsForm(SubmitReportForm):
    answer = forms.CharField(
        label="Your answer", max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Answer the questions and say what you corrected in the report.",
        error_messages={"required": "Write your answer before sending it."},
    )  # fmt: skip

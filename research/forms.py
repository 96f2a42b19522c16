"""The investigator's forms. They parse and check input; saving a part-filled form is allowed (save and
resume), and completeness is judged at submission by research/rules.py."""

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory

from grants.choices import TherapeuticArea
from grants.uploads import DOCUMENT_TYPES, PDF_ONLY, clean_filename, validate_upload

from . import rules
from .choices import DrugRoute, IrbStatus, StudyType
from .models import CONCEPT_TEXT_MAX, CONCEPT_TEXTS, ResearchBudgetLine, ResearchProposal

TEXT = {"rows": 6}
YES_NO = [("yes", "Yes"), ("no", "No")]


def _with_blank(choices, label):
    return [("", label)] + list(choices)


class ConceptForm(forms.ModelForm):
    study_drug = forms.TypedChoiceField(
        label="Does the study need study drug from the company?", choices=YES_NO, widget=forms.RadioSelect,
        required=False, coerce=lambda value: value == "yes", empty_value=None,
    )  # fmt: skip

    class Meta:
        model = ResearchProposal
        fields = [
            "title", "rationale", "objectives", "design", "pi_name", "pi_email", "pi_department", "therapeutic_area",
            "study_type", "estimated_sample_size", "estimated_duration_months", "estimated_budget",
        ]  # fmt: skip
        widgets = {name: forms.Textarea(attrs=TEXT) for name in CONCEPT_TEXTS}
        error_messages = {
            "pi_email": {"invalid": "Enter the investigator's email address, like name@institution.edu."},
            "estimated_budget": {"invalid": "Enter the estimated budget in US dollars, like 150000."},
            "estimated_sample_size": {"invalid": "Enter the estimated sample size as a whole number."},
            "estimated_duration_months": {"invalid": "Enter the duration as a whole number of months."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONCEPT_TEXTS:
            self.fields[name].help_text = f"Up to {CONCEPT_TEXT_MAX:,} characters."
        self.fields["therapeutic_area"].choices = _with_blank(TherapeuticArea.choices, "Choose an area")
        self.fields["study_type"].choices = _with_blank(StudyType.choices, "Choose a type of study")
        if self.instance.study_drug_needed is not None:
            self.initial["study_drug"] = "yes" if self.instance.study_drug_needed else "no"

    def _capped(self, name):
        text = self.cleaned_data.get(name, "")
        too_long = rules.text_too_long(self.fields[name].label, text)
        if too_long:
            raise forms.ValidationError(too_long, code="too_long")
        return text

    def clean_rationale(self):
        return self._capped("rationale")

    def clean_objectives(self):
        return self._capped("objectives")

    def clean_design(self):
        return self._capped("design")

    def save(self, commit=True):
        self.instance.study_drug_needed = self.cleaned_data.get("study_drug")
        return super().save(commit)


class FullProposalForm(forms.ModelForm):
    protocol_file = forms.FileField(label="Study protocol", required=False, help_text="PDF or Word (.docx).")
    cv_file = forms.FileField(label="Principal investigator's CV", required=False, help_text="PDF.")

    class Meta:
        model = ResearchProposal
        fields = [
            "objectives_and_endpoints", "population", "sample_size", "sample_size_justification", "statistical_plan",
            "sites", "first_patient_in", "last_patient_out", "final_report_on", "overhead_pct", "drug_product",
            "drug_quantity", "drug_dose", "drug_route", "irb_status", "safety_plan", "publication_plan",
            "coi_disclosures",
        ]  # fmt: skip
        widgets = {
            **{name: forms.Textarea(attrs=TEXT) for name in (
                "objectives_and_endpoints", "population", "sample_size_justification", "statistical_plan", "sites",
                "safety_plan", "publication_plan", "coi_disclosures")},
            **{name: forms.DateInput(attrs={"type": "date"}) for name in (
                "first_patient_in", "last_patient_out", "final_report_on")},
        }  # fmt: skip
        error_messages = {
            name: {"invalid": "Enter the date as YYYY-MM-DD."}
            for name in ("first_patient_in", "last_patient_out", "final_report_on")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drug_route"].choices = _with_blank(DrugRoute.choices, "Choose a route")
        self.fields["irb_status"].choices = _with_blank(IrbStatus.choices, "Choose a status")
        self.fields[
            "overhead_pct"
        ].help_text = f"At most {settings.IIS_MAX_OVERHEAD_PCT}% of the direct costs itemized below."
        self.fields["drug_product"].help_text = "Only if the study needs study drug from the company."
        self.fields[
            "safety_plan"
        ].help_text = (
            "How adverse events will be reported to the company's pharmacovigilance (never through this portal)."
        )
        if self.instance.protocol:
            self.fields[
                "protocol_file"
            ].help_text = f"On file: {self.instance.protocol_original_name}. Choose a file only to replace it."
        if self.instance.pi_cv:
            self.fields[
                "cv_file"
            ].help_text = f"On file: {self.instance.pi_cv_original_name}. Choose a file only to replace it."

    def clean_overhead_pct(self):
        value = self.cleaned_data.get("overhead_pct")
        too_high = rules.overhead_problem(value)
        if too_high:
            raise forms.ValidationError(too_high, code="overhead_cap")
        return value

    def clean_protocol_file(self):
        upload = self.cleaned_data.get("protocol_file")
        if upload:
            self.protocol_type = validate_upload(upload, allowed=DOCUMENT_TYPES)
        return upload

    def clean_cv_file(self):
        upload = self.cleaned_data.get("cv_file")
        if upload:
            self.cv_type = validate_upload(upload, allowed=PDF_ONLY)
        return upload

    def clean(self):
        cleaned = super().clean()
        for problem in rules.timeline_problems(ResearchProposal(**{
            name: cleaned.get(name) for name in ("first_patient_in", "last_patient_out", "final_report_on")
        })):  # fmt: skip
            self.add_error(problem.field, problem.message)
        return cleaned

    def save(self, commit=True):
        proposal = self.instance
        protocol, cv = self.cleaned_data.get("protocol_file"), self.cleaned_data.get("cv_file")
        if protocol:
            proposal.protocol_original_name = clean_filename(protocol.name)
            proposal.protocol_content_type = self.protocol_type.content_type
            proposal.protocol.save(proposal.protocol_original_name, protocol, save=False)
        if cv:
            proposal.pi_cv_original_name = clean_filename(cv.name)
            proposal.pi_cv_content_type = self.cv_type.content_type
            proposal.pi_cv.save(proposal.pi_cv_original_name, cv, save=False)
        return super().save(commit)


BudgetLineFormSet = inlineformset_factory(
    ResearchProposal, ResearchBudgetLine, fields=["category", "description", "amount"], extra=2, can_delete=True,
    error_messages={"amount": {"invalid": "Enter the amount in US dollars, like 12500."}},
)  # fmt: skip


class WithdrawalForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shared with the research team.",
    )  # fmt: skip

"""The investigator's post-award forms: a milestone's evidence, the final study report, an amendment.
Uploads are checked by content (``grants/uploads.py``); the NCT number and publication links are
checked here so the page says what is wrong, field by field, and keeps what was typed."""

from decimal import Decimal

from django import forms
from django.core.validators import URLValidator

from grants.uploads import DOCUMENT_TYPES, PDF_ONLY, clean_filename, validate_upload

from . import post_award as award
from .choices import AmendmentKind
from .models import Amendment

DATE = forms.DateInput(attrs={"type": "date"})


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label="Evidence document", help_text="PDF, Word, Excel, PowerPoint, PNG or JPEG.",
                               error_messages={"required": "Choose the evidence document to upload."})  # fmt: skip
    nct_number = forms.CharField(label="Trial registration (NCT number)", max_length=11, required=False,
                                 help_text="NCT followed by 8 digits, like NCT01234567.")  # fmt: skip
    enrolled = forms.IntegerField(label="Participants enrolled so far", min_value=0, required=False)
    note = forms.CharField(label="Note for the research team (optional)", required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, milestone, **kwargs):
        super().__init__(*args, prefix=f"m{milestone.pk}", **kwargs)
        self.milestone = milestone
        self.evidence_type = None
        if not milestone.needs_registration:
            del self.fields["nct_number"]
        if not milestone.counts_enrollment:
            del self.fields["enrolled"]
        else:
            self.fields["enrolled"].required = True
            self.fields["enrolled"].error_messages["required"] = "Give the number of participants enrolled so far."

    def clean_evidence(self):
        upload = self.cleaned_data["evidence"]
        self.evidence_type = validate_upload(upload, allowed=DOCUMENT_TYPES)
        return upload

    def clean_nct_number(self):
        value = self.cleaned_data["nct_number"].strip().upper()
        problem = award.nct_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class FinalReportForm(forms.Form):
    report = forms.FileField(label="Final study report (PDF)",
                             error_messages={"required": "Choose the final study report to upload."})  # fmt: skip
    results_nct_number = forms.CharField(
        label="Results registration (NCT number)", max_length=11,
        help_text="The ClinicalTrials.gov record where the results are posted: NCT followed by 8 digits.",
        error_messages={"required": "Give the NCT number of the results registration."},
    )  # fmt: skip
    publication_links = forms.CharField(
        label="Publication links (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One web address per line (journal article, DOI, conference abstract).",
    )  # fmt: skip

    def clean_report(self):
        upload = self.cleaned_data["report"]
        self.report_type = validate_upload(upload, allowed=PDF_ONLY)
        return upload

    def clean_results_nct_number(self):
        value = self.cleaned_data["results_nct_number"].strip().upper()
        problem = award.nct_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_publication_links(self):
        links = [line.strip() for line in self.cleaned_data["publication_links"].splitlines() if line.strip()]
        check = URLValidator(schemes=["https", "http"])
        for link in links:
            try:
                check(link)
            except forms.ValidationError:
                raise forms.ValidationError(f"“{link[:80]}” is not a web address; start it with https://.") from None
        return links


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(label="What the amendment changes", choices=AmendmentKind.choices,
                             widget=forms.RadioSelect)  # fmt: skip
    reason = forms.CharField(label="What changes and why", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Say what changes and why."})  # fmt: skip
    protocol = forms.FileField(label="Amended protocol (protocol amendments)", required=False)
    new_last_patient_out = forms.DateField(label="New last patient out (timeline amendments)", required=False,
                                           widget=DATE)  # fmt: skip
    new_final_report_on = forms.DateField(label="New final study report date (timeline amendments)", required=False,
                                          widget=DATE)  # fmt: skip

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.protocol_type = None
        self.unpaid = [m for m in milestones if not m.is_paid]
        for milestone in self.unpaid:
            self.fields[f"amount_{milestone.pk}"] = forms.DecimalField(
                label=f"New amount of “{milestone.title}” (budget amendments, USD)", required=False,
                max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                help_text=f"Now ${milestone.amount:,.2f}; leave blank to keep it.",
            )  # fmt: skip

    def clean_protocol(self):
        upload = self.cleaned_data.get("protocol")
        if upload:
            self.protocol_type = validate_upload(upload, allowed=DOCUMENT_TYPES)
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == AmendmentKind.PROTOCOL and not cleaned.get("protocol") and "protocol" not in self.errors:
            self.add_error("protocol", "Upload the amended protocol.")
        if kind == AmendmentKind.TIMELINE and not (cleaned.get("new_last_patient_out") or
                                                   cleaned.get("new_final_report_on")):  # fmt: skip
            self.add_error("new_final_report_on", "Give the new last-patient-out date, the new report date, or both.")
        if kind == AmendmentKind.BUDGET and not self.new_amounts(cleaned):
            self.add_error(None, "Give the new amount of at least one unpaid milestone.")
        return cleaned

    def new_amounts(self, cleaned=None) -> dict:
        cleaned = cleaned if cleaned is not None else self.cleaned_data
        return {str(m.pk): str(cleaned[f"amount_{m.pk}"]) for m in self.unpaid if cleaned.get(f"amount_{m.pk}")}

    def amendment(self) -> Amendment:
        data, kind = self.cleaned_data, self.cleaned_data["kind"]
        amendment = Amendment(kind=kind, reason=data["reason"])
        if kind == AmendmentKind.PROTOCOL:
            upload = data["protocol"]
            amendment.protocol_original_name = clean_filename(upload.name)
            amendment.protocol_content_type = self.protocol_type.content_type
            amendment.protocol.save(amendment.protocol_original_name, upload, save=False)
        elif kind == AmendmentKind.TIMELINE:
            amendment.new_last_patient_out = data.get("new_last_patient_out")
            amendment.new_final_report_on = data.get("new_final_report_on")
        else:
            amendment.new_amounts = self.new_amounts()
        return amendment

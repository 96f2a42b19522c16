from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from ..choices import INELIGIBLE_ORGANISATION_TYPES, US_STATES, AccreditationBody, OrganisationType
from ..models import Organisation
from ..services.organisations import INELIGIBLE_TYPE_MESSAGE
from ..uploads import PDF_ONLY, validate_upload

DETAIL_FIELDS = [
    "legal_name",
    "org_type",
    "tax_status",
    "ein",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "website",
    "accreditation_body",
    "accreditation_id",
    "accreditation_expiry",
]


class OrganisationForm(forms.ModelForm):
    """Registration and editing of an organisation's details; the W-9 is a separate, optional upload."""

    website = forms.URLField(
        label="Website (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
        help_text="For example https://www.example.org",
        error_messages={"invalid": "Enter the full website address, for example https://www.example.org"},
    )

    w9_file = forms.FileField(
        label="W-9 (PDF)",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text="A W-9 signed within the last 12 months, as a PDF. You can add it later.",
    )
    w9_signed_on = forms.DateField(
        label="Date the W-9 was signed",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        help_text="The date next to the signature on the W-9. Required with a new W-9.",
        error_messages={"invalid": "Enter the date the W-9 was signed as YYYY-MM-DD."},
    )

    class Meta:
        model = Organisation
        fields = DETAIL_FIELDS
        labels = {
            "legal_name": "Legal name",
            "org_type": "Type of organization",
            "tax_status": "Tax status",
            "address_line1": "Street address",
            "address_line2": "Address line 2 (optional)",
            "state": "State",
            "website": "Website (optional)",
            "accreditation_body": "Accrediting body",
            "accreditation_id": "Accreditation ID",
            "accreditation_expiry": "Accreditation expiry date",
        }
        help_texts = {
            "legal_name": "Exactly as it appears on your W-9.",
            "ein": "Your Employer Identification Number, e.g. 12-3456789.",
            "postal_code": "5 digits, or ZIP+4 such as 10001-1234.",
            "website": "For example https://www.example.org",
            "accreditation_id": "The provider number your accrediting body gave you. Required if you are accredited.",
            "accreditation_expiry": "Required if you are accredited. Format YYYY-MM-DD.",
        }
        widgets = {
            "accreditation_expiry": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ein": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "NN-NNNNNNN"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "legal_name": forms.TextInput(attrs={"autocomplete": "organization"}),
        }
        error_messages = {
            "legal_name": {"required": "Enter your organization's legal name, as on its W-9."},
            "org_type": {"required": "Choose the type of organization."},
            "tax_status": {"required": "Choose whether the organization is non-profit or for-profit."},
            "ein": {"required": "Enter the organization's EIN (US tax ID), e.g. 12-3456789."},
            "address_line1": {"required": "Enter the street address."},
            "city": {"required": "Enter the city."},
            "state": {"required": "Choose the US state the organization is based in."},
            "postal_code": {"required": "Enter the ZIP code."},
            "website": {"invalid": "Enter the full website address, starting with https://"},
            "accreditation_expiry": {"invalid": "Enter the expiry date as YYYY-MM-DD."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", "Choose a state")] + list(US_STATES)
        self.fields["org_type"].choices = [("", "Choose a type")] + list(OrganisationType.choices)
        self.fields["tax_status"].choices = [("", "Choose a tax status")] + [
            c for c in self.fields["tax_status"].choices if c[0]
        ]
        self.fields["accreditation_body"].help_text = "Choose “Not accredited” if you do not hold accreditation."
        self.fields["accreditation_expiry"].input_formats = ["%Y-%m-%d", "%m/%d/%Y"]
        if self.instance.pk and self.instance.w9:
            self.fields["w9_file"].label = "Replace the W-9 (PDF)"
            self.fields["w9_file"].help_text = "Leave empty to keep the current W-9."

    def clean_org_type(self):
        org_type = self.cleaned_data["org_type"]
        if org_type in INELIGIBLE_ORGANISATION_TYPES:
            raise ValidationError(INELIGIBLE_TYPE_MESSAGE, code="ineligible_type")
        return org_type

    def clean_ein(self):
        ein = "".join(self.cleaned_data["ein"].split())
        # People often type the nine digits without the hyphen; that is still unambiguous.
        if ein.isdigit() and len(ein) == 9:
            ein = f"{ein[:2]}-{ein[2:]}"
        return ein

    def clean_legal_name(self):
        return " ".join(self.cleaned_data["legal_name"].split())

    def clean_w9_file(self):
        upload = self.cleaned_data.get("w9_file")
        if upload:
            validate_upload(upload, allowed=PDF_ONLY)
        return upload

    def clean(self):
        cleaned = super().clean()
        self._clean_w9_signed_on(cleaned)
        body = cleaned.get("accreditation_body")
        org_type = cleaned.get("org_type")
        if body and body != AccreditationBody.NONE:
            body_label = AccreditationBody(body).label
            if not cleaned.get("accreditation_id") and "accreditation_id" not in self.errors:
                self.add_error("accreditation_id", f"Enter the accreditation ID issued by {body_label}.")
            expiry = cleaned.get("accreditation_expiry")
            if expiry is None and "accreditation_expiry" not in self.errors:
                self.add_error("accreditation_expiry", "Enter the date your accreditation expires.")
            elif expiry is not None and expiry < timezone.localdate():
                self.add_error(
                    "accreditation_expiry",
                    f"This accreditation expired on {date_format(expiry)}. Enter the expiry date of your "
                    "current accreditation, or choose “Not accredited”.",
                )
        elif body == AccreditationBody.NONE:
            if org_type == OrganisationType.ACCREDITED_PROVIDER:
                self.add_error(
                    "accreditation_body",
                    "An accredited CME/CE provider must name its accrediting body. Choose it, or pick another "
                    "type of organization.",
                )
            # Details of an accreditation the organisation says it does not hold would only mislead reviewers.
            cleaned["accreditation_id"] = ""
            cleaned["accreditation_expiry"] = None
        return cleaned

    def _clean_w9_signed_on(self, cleaned):
        """A new W-9 comes with the date it was signed (finance pays only on a recent one); never a future date."""
        signed_on = cleaned.get("w9_signed_on")
        if "w9_signed_on" in self.errors:
            return
        if signed_on is not None and signed_on > timezone.localdate():
            self.add_error("w9_signed_on", "The W-9 cannot be signed on a future date. Enter the date it was signed.")
        elif signed_on is None and cleaned.get("w9_file"):
            self.add_error("w9_signed_on", "Enter the date the new W-9 was signed.")
        elif signed_on is not None and not cleaned.get("w9_file") and "w9_file" not in self.errors:
            # A date alone would make an old W-9 look recent: it goes with the W-9 it belongs to.
            self.add_error("w9_file", "Choose the W-9 this signature date belongs to, or clear the date.")

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address of the person to invite",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter the email address of the person you want to invite.",
            "invalid": "Enter a valid email address, like name@example.org.",
        },
    )

    def __init__(self, *args, inviter=None, **kwargs):
        self.inviter = inviter
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.inviter is not None and email == (self.inviter.email or "").lower():
            raise ValidationError("That is your own address; you are already a member.")
        return email

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm

from .models import Inquiry


class InquiryForm(forms.ModelForm):
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(required=False, label="Leave this field empty")

    class Meta:
        model = Inquiry
        fields = ["name", "email", "organisation", "subject", "message"]
        labels = {"name": "Your name", "email": "Your email address", "organisation": "Organization (optional)"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "message": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {"message": "Up to 5,000 characters. Please do not include patient information."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class StaffSignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, asking for what staff actually type: their email address.

    Staff accounts are found by email (allauth's authentication backend accepts the email as the username).
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Enter the email address and password of a staff account. The password is case-sensitive.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = "Email"
        field.widget = forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})

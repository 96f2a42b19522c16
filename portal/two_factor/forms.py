from datetime import timedelta

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.timesince import timeuntil

from .devices import CodeCheck, check_code


def _how_long(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    # django-otp doubles the wait after each wrong code, so it can grow to hours.
    return timeuntil(timezone.now() + timedelta(seconds=seconds))


class CodeField(forms.CharField):
    def to_python(self, value):
        # Apps and people often show or type the code as "123 456".
        return "".join(super().to_python(value).split())


class AuthenticatorCodeForm(forms.Form):
    """The 6-digit code from the staff member's authenticator app, checked against their device."""

    code = CodeField(
        label="6-digit code",
        help_text="The number your authenticator app shows for Axsome IME Grants now. It changes every 30 seconds.",
        max_length=12,
        validators=[RegexValidator(r"^\d{6}$", "Enter the 6 digits your authenticator app shows, numbers only.")],
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.check: CodeCheck | None = None

    def clean(self):
        cleaned = super().clean()
        if "code" not in cleaned:
            return cleaned
        self.check = check_code(self.device, cleaned["code"])
        if self.check.wait_seconds:
            self.add_error(
                "code",
                f"Too many wrong codes in a row. Wait {_how_long(self.check.wait_seconds)}, "
                "then enter the code your app shows at that moment.",
            )
        elif not self.check.accepted:
            self.add_error(
                "code",
                "That code is not right, or it has expired or was already used. Enter the code your app "
                "shows now, and check that your phone sets its clock automatically.",
            )
        return cleaned

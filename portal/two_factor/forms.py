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


class RecoveryCodeField(forms.CharField):
    def to_python(self, value):
        # Codes are shown in lower case; people copy them with spaces or dashes, or type them in capitals.
        return "".join(super().to_python(value).replace("-", " ").split()).lower()


class _CheckedCodeForm(forms.Form):
    """A form with one code field, checked against a django-otp device with its throttling."""

    field_name = "code"
    wrong_code_message = ""

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device
        self.check: CodeCheck | None = None

    def clean(self):
        cleaned = super().clean()
        if self.field_name not in cleaned:
            return cleaned
        self.check = check_code(self.device, cleaned[self.field_name])
        if self.check.wait_seconds:
            self.add_error(
                self.field_name,
                f"Too many wrong codes in a row. Wait {_how_long(self.check.wait_seconds)}, "
                "then enter the code your app shows at that moment.",
            )
        elif not self.check.accepted:
            self.add_error(self.field_name, self.wrong_code_message)
        return cleaned


class AuthenticatorCodeForm(_CheckedCodeForm):
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
    wrong_code_message = (
        "That code is not right, or it has expired or was already used. Enter the code your app "
        "shows now, and check that your phone sets its clock automatically."
    )


class RecoveryCodeForm(_CheckedCodeForm):
    """One of the staff member's recovery codes, in place of an authenticator code; each works once."""

    field_name = "recovery_code"
    recovery_code = RecoveryCodeField(
        label="Recovery code",
        help_text="One of the codes you saved when you set up two-factor sign-in. Each code works once.",
        max_length=40,
        validators=[RegexValidator(r"^[a-z2-7]{8}$", "A recovery code has 8 letters and digits, as it was shown.")],
        error_messages={"required": "Enter one of your recovery codes."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    wrong_code_message = "That recovery code is not right, or it was already used. Each code works only once."

    def clean(self):
        if self.device is None:
            # Nothing to check against: say so rather than count a failure against nobody.
            cleaned = forms.Form.clean(self)
            if self.field_name in cleaned:
                self.add_error(
                    self.field_name, "You have no recovery codes. Ask a portal administrator to reset your sign-in."
                )
            return cleaned
        return super().clean()

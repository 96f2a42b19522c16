from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from ..choices import AttachmentKind
from ..uploads import DOCUMENT_TYPES, validate_upload


class AttachmentUploadForm(forms.Form):
    """One document and what it is. The file is judged by its content, not by its name."""

    kind = forms.ChoiceField(
        label="Type of document",
        choices=[("", "Choose the type of document…"), *AttachmentKind.choices],
    )
    # Empty files reach validate_upload, whose message says what to do about them.
    file = forms.FileField(label="File to upload", allow_empty_file=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = ", ".join(a.label for a in DOCUMENT_TYPES)
        self.fields["file"].help_text = (
            f"Accepted: {accepted}. Up to {settings.IME_MAX_UPLOAD_MB} MB. "
            "We check what the file contains, not only its name."
        )
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted({a.extension for a in DOCUMENT_TYPES} | {".jpeg"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.accepted_type = validate_upload(upload)
        except ValidationError as error:
            raise ValidationError(error.messages, code=error.code) from error
        return upload

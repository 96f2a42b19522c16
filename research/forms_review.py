"""The investigator's forms on the proposal page while the committee reviews: the answer to the
committee's question and a message to the research team, each with an optional attachment checked by
its content (grants/uploads.py)."""

from django import forms

from grants.uploads import DOCUMENT_TYPES, validate_upload

ATTACHMENT_HELP = "Optional. PDF, Word, Excel, PowerPoint, PNG or JPEG; judged by its content, not its name."


class _WithAttachment(forms.Form):
    attachment = forms.FileField(label="Attach a document", required=False, help_text=ATTACHMENT_HELP)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_upload(upload, allowed=DOCUMENT_TYPES)
        return upload


class AnswerForm(_WithAttachment):
    expected_status = forms.CharField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label="Your answer to the committee", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what you changed in the full proposal or what you are sending; the review resumes on it.",
        error_messages={"required": "Write your answer; say what you changed or what you are sending."},
    )  # fmt: skip
    field_order = ["answer", "attachment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].label = "Attach a document to your answer"


class InvestigatorMessageForm(_WithAttachment):
    body = forms.CharField(
        label="Message to the research team", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the message before sending it."},
    )  # fmt: skip
    field_order = ["body", "attachment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="message", **kwargs)
        self.fields["attachment"].label = "Attach a document to your message"

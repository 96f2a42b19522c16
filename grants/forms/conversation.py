"""What the applicant writes to the IME team: the answer to a request for information, and messages."""

from django import forms

LONGEST_TEXT = 10_000


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        max_length=LONGEST_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what you changed or which documents you added, and answer any question the IME team asked.",
        error_messages={
            "required": "Write your answer before sending it: say what you changed or which documents you added.",
            "max_length": f"Keep your answer under {LONGEST_TEXT:,} characters; attach a document for anything longer.",
        },
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message to the IME team",
        max_length=LONGEST_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The IME team is emailed and replies here; you will get an email when they do.",
        error_messages={
            "required": "Write your message before sending it.",
            "max_length": f"Keep your message under {LONGEST_TEXT:,} characters.",
        },
    )

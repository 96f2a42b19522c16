"""Forms of the staff action pages for research moves; each names the transitions it serves, as
``reviews/forms.py`` does for IME moves (the optional-note form is reused from there)."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from reviews.forms import TEXTAREA, StaleGuardForm, TransitionForm

from .admin_forms_post_award import POST_AWARD_FORMS
from .choices import ConceptDeclineReason


class InviteFullProposalForm(StaleGuardForm):
    transitions = ("invite_full_proposal",)
    due_on = forms.DateField(
        label="Full proposal due on", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Give the deadline for the full proposal.",
            "invalid": "Enter the date as YYYY-MM-DD.",
        },
    )  # fmt: skip
    message = forms.CharField(
        label="Message to the investigator", required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Optional. Included in the invitation email.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = timezone.localdate() + timedelta(days=settings.IIS_FULL_PROPOSAL_DAYS)
        self.fields["due_on"].initial = default
        self.fields[
            "due_on"
        ].help_text = f"{settings.IIS_FULL_PROPOSAL_DAYS} days from today by default; change it if needed."


class DeclineConceptForm(StaleGuardForm):
    transitions = ("decline_concept",)
    reason_codes = forms.MultipleChoiceField(
        label="Reasons", choices=ConceptDeclineReason.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one reason."},
    )  # fmt: skip
    message = forms.CharField(
        label="Message to the investigator", widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": "Write a message to the investigator; it is part of the email."},
    )  # fmt: skip


ACTION_FORMS = {name: form for form in (InviteFullProposalForm, DeclineConceptForm) for name in form.transitions}
ACTION_FORMS.update({name: form for form in POST_AWARD_FORMS for name in form.transitions})


def form_for(rule):
    return ACTION_FORMS.get(rule.name, TransitionForm)

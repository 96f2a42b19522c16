"""Forms of the staff action pages for research moves; each names the transitions it serves, as
``reviews/forms.py`` does for IME moves (the optional-note form is reused from there)."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone

from reviews.forms import TEXTAREA, StaleGuardForm, TransitionForm

from .admin_forms_post_award import POST_AWARD_FORMS
from .choices import ConceptDeclineReason, MilestoneKind, ProposalDeclineReason


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


# --- Scientific review decisions and questions ------------------------------------------------------

# The usual split of an approved amount (DOMAIN): kind, title, evidence required, share in percent.
USUAL_SCHEDULE = [
    (MilestoneKind.EXECUTION, "Research agreement executed", "The executed research agreement", 30),
    (MilestoneKind.IRB_AND_REGISTRATION, "IRB approval and trial registration",
     "IRB approval letter and the registration number", 20),
    (MilestoneKind.ENROLLMENT, "Enrollment target reached", "Enrollment log showing the target reached", 35),
    (MilestoneKind.FINAL_REPORT, "Final study report", "The final study report and results registration", 15),
]  # fmt: skip


def usual_schedule(amount: Decimal) -> list[dict]:
    """The usual split of ``amount``, in cents; the last row takes the rounding so the rows add up exactly."""
    rows, paid = [], Decimal("0.00")
    for position, (kind, title, evidence, pct) in enumerate(USUAL_SCHEDULE, start=1):
        share = amount - paid if position == len(USUAL_SCHEDULE) else (amount * pct / 100).quantize(Decimal("0.01"))
        paid += share
        rows.append({"kind": kind, "title": title, "evidence_required": evidence, "amount": share})
    return rows


class MilestoneRowForm(forms.Form):
    # A blank first choice, so the spare row the browser posts untouched stays unchanged (and is skipped).
    kind = forms.ChoiceField(label="Milestone kind", choices=[("", "Choose the kind…"), *MilestoneKind.choices],
                             error_messages={"required": "Choose the kind of milestone."})  # fmt: skip
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Name the milestone."})
    amount = forms.DecimalField(
        label="Amount (USD)", max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        error_messages={"required": "Give the milestone's amount.", "min_value": "A milestone pays more than $0."},
    )  # fmt: skip
    evidence_required = forms.CharField(
        label="Evidence required", max_length=300, error_messages={"required": "Say what evidence releases it."}
    )
    due_on = forms.DateField(
        label="Expected by", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )  # fmt: skip


MilestoneFormSet = forms.formset_factory(MilestoneRowForm, extra=1, can_delete=True, max_num=12, validate_max=True)


class ApproveProposalForm(StaleGuardForm):
    """The approved amount and its editable milestone schedule (a formset inside the form, so the table-
    driven action page needs no code of its own). The rows must add up to the amount: the workflow's
    check says so, and the page comes back with everything typed."""

    transitions = ("approve_proposal",)
    takes_proposal = True
    amount = forms.DecimalField(
        label="Approved amount (USD)", max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        error_messages={"required": "Give the approved amount.", "min_value": "The approved amount is above $0."},
    )  # fmt: skip
    message = forms.CharField(
        label="Message to the investigator", required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Optional. Included in the approval email.",
    )  # fmt: skip

    def __init__(self, data=None, *args, proposal=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        requested = proposal.total_budget() if proposal is not None else Decimal("0.00")
        if requested > 0:
            self.fields["amount"].initial = requested
        self.fields["amount"].help_text = (
            f"Requested: ${requested:,.2f}. The milestones below must add up to this amount; "
            "they are prefilled with the usual split (30 % execution, 20 % IRB approval and registration, "
            "35 % enrollment, 15 % final report) of the requested budget."
        )
        initial = usual_schedule(requested) if requested else None
        self.schedule = MilestoneFormSet(data, prefix="schedule", initial=initial)

    def is_valid(self):
        return all([super().is_valid(), self.schedule.is_valid()])

    def clean(self):
        cleaned = super().clean()
        if self.schedule.is_bound and self.schedule.is_valid():
            cleaned["schedule"] = [
                {key: row[key] for key in ("kind", "title", "evidence_required", "amount", "due_on")}
                for row in self.schedule.cleaned_data
                if row and not row.get("DELETE")
            ]
        return cleaned

    @property
    def errors_anywhere(self) -> bool:
        return bool(self.errors or self.schedule.total_error_count())


class DeclineProposalForm(StaleGuardForm):
    transitions = ("decline_proposal",)
    reason_codes = forms.MultipleChoiceField(
        label="Reasons", choices=ProposalDeclineReason.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one reason."},
    )  # fmt: skip
    message = forms.CharField(
        label="Message to the investigator", widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": "Write a message to the investigator; it is part of the email."},
    )  # fmt: skip


class RequestInformationForm(StaleGuardForm):
    transitions = ("request_information",)
    message = forms.CharField(
        label="What the committee needs from the investigator", widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Emailed to the principal investigator and shown on their proposal page.",
        error_messages={"required": "Write the question; the email cannot be empty."},
    )  # fmt: skip


ACTION_FORMS.update({
    name: form for form in (ApproveProposalForm, DeclineProposalForm, RequestInformationForm)
    for name in form.transitions
})  # fmt: skip


def form_for(rule):
    return ACTION_FORMS.get(rule.name, TransitionForm)

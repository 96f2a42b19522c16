"""Forms behind the staff pages in the admin. They only parse input: the rules live in
``reviews.services`` and ``grants/workflow.py``, whose refusals the views attach to these forms.

A workflow action's form names the transitions it serves (``transitions``); ``form_for`` finds it, so
an action page needs no code of its own. Its fields are the transition's inputs."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db import models

from grants.choices import DeclineReason
from grants.models import PaymentMethod
from grants.sections import SECTIONS

from .choices import RUBRIC, Recommendation, ReviewStage
from .services import STAGE_ROLES

SCORE_CHOICES = [
    ("1", "1 — Poor"),
    ("2", "2 — Weak"),
    ("3", "3 — Adequate"),
    ("4", "4 — Good"),
    ("5", "5 — Excellent"),
]
TEXTAREA = {"rows": 5, "cols": 70}


class StaleGuardForm(forms.Form):
    """Carries the status the member of staff saw, so a click on a page that is out of date is refused."""

    expected_status = forms.CharField(widget=forms.HiddenInput)


class TransitionForm(StaleGuardForm):
    """A move that needs no more than an optional note for the audit log (hand-offs between stages)."""

    transitions = ()
    note = forms.CharField(
        label="Note for the record",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Optional. Kept in the request's audit log.",
    )


class InformationRequestForm(StaleGuardForm):
    transitions = ("request_information",)
    message = forms.CharField(
        label="What the applicant needs to provide",
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Sent to the requester and the secondary contact, and shown on their request page.",
        error_messages={"required": "Write what the applicant needs to provide; the email cannot be empty."},
    )
    sections = forms.MultipleChoiceField(
        label="Sections the applicant may change",
        choices=[(s.slug, s.title) for s in SECTIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked if you only need a written answer.",
    )


class ApprovalForm(StaleGuardForm):
    transitions = ("approve",)
    message = forms.CharField(
        label="Message to the applicant",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Optional. Included in the approval email.",
    )


class PartialApprovalForm(StaleGuardForm):
    transitions = ("partially_approve",)
    approved_amount = forms.DecimalField(
        label="Amount approved (USD)",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"required": "Enter the amount approved, in US dollars."},
    )
    message = forms.CharField(
        label="Why only part of the request is approved",
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Sent to the applicant with the decision.",
        error_messages={"required": "Tell the applicant why only part of the amount is approved."},
    )


class DeclineForm(StaleGuardForm):
    transitions = ("decline",)
    reason_codes = forms.MultipleChoiceField(
        label="Reasons for declining",
        choices=DeclineReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one reason for declining."},
    )
    message = forms.CharField(
        label="Message to the applicant",
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Sent with the decision. The reasons ticked above are listed in the email too.",
        error_messages={"required": "Write the message the applicant will receive."},
    )


# --- After approval (SPEC §4a) ---------------------------------------------------------------------

MONEY_FIELD = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IssueAgreementForm(TransitionForm):
    transitions = ("issue_agreement",)


class CountersignForm(StaleGuardForm):
    transitions = ("countersign_agreement",)
    signer_title = forms.CharField(
        label="Your title",
        max_length=150,
        help_text="Printed under your signature, e.g. “Senior Director, Medical Affairs”.",
        error_messages={"required": "Enter your title; it is printed under your signature."},
    )


class PaymentForm(StaleGuardForm):
    """One form for both payment rows: the service records an instalment, or the final payment when
    the amount completes the approved amount."""

    transitions = ("record_instalment", "record_final_payment")
    amount = forms.DecimalField(
        label="Amount paid (USD)", **MONEY_FIELD, error_messages={"required": "Enter the amount paid, in US dollars."}
    )
    method = forms.ChoiceField(
        label="Method", choices=PaymentMethod.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose how the payment was made."},
    )  # fmt: skip
    reference = forms.CharField(
        label="Payment reference", max_length=100, help_text="ACH trace, wire or check number.",
        error_messages={"required": "Enter the payment reference (ACH trace, wire or check number)."},
    )  # fmt: skip
    paid_on = forms.DateField(
        label="Date paid", widget=DATE_INPUT, error_messages={"required": "Enter the date the payment was made."}
    )


class CancelForm(StaleGuardForm):
    """One form for both cancellation rows: the service cancels at once, or makes the amount paid a refund due."""

    transitions = ("cancel", "cancel_with_refund")
    reason = forms.CharField(
        label="Why the grant is cancelled",
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Sent to the applicant and kept in the request's audit log.",
        error_messages={"required": "Write why the grant is cancelled; the applicant reads it."},
    )


class RefundForm(StaleGuardForm):
    transitions = ("record_cancellation_refund",)
    amount = forms.DecimalField(
        label="Amount received (USD)", **MONEY_FIELD,
        error_messages={"required": "Enter the amount received, in US dollars."},
    )  # fmt: skip
    received_on = forms.DateField(
        label="Date received", widget=DATE_INPUT, error_messages={"required": "Enter the date the refund arrived."}
    )
    reference = forms.CharField(
        label="Refund reference", max_length=100, help_text="Check number or transfer reference.",
        error_messages={"required": "Enter the refund reference (check number or transfer reference)."},
    )  # fmt: skip


class ChangeDecisionForm(StaleGuardForm):
    """Approve or refuse a change request from the request page's change-request panel."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve the change"), ("refuse", "Refuse the change")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or refuse the change."},
    )
    note = forms.CharField(
        label="Note to the applicant",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Emailed with the decision. Required when you refuse.",
    )

    def __init__(self, *args, short_notice=False, **kwargs):
        super().__init__(*args, **kwargs)
        if short_notice:
            self.fields["short_notice_accepted"] = forms.BooleanField(
                label="Accept the short notice", required=False,
                help_text="The new start date is inside the minimum lead time; tick to approve it anyway.",
            )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Write why the change is refused; the applicant reads it.")
        return cleaned



# --- Reconciliation and close-out -------------------------------------------------------------

class ReturnReconciliationForm(StaleGuardForm):
    transitions = ("return_reconciliation",)
    message = forms.CharField(
        label="Your questions on the reconciliation report",
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Emailed to the requester and the secondary contact, who answer on their request page.",
        error_messages={"required": "Write the questions the applicant needs to answer."},
    )


class ReconciliationRefundForm(StaleGuardForm):
    transitions = ("record_reconciliation_refund",)
    amount = forms.DecimalField(
        label="Amount received (USD)", max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        error_messages={"required": "Enter the amount received, in US dollars."},
    )  # fmt: skip
    received_on = forms.DateField(
        label="Date received", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date the refund was received.", "invalid": "Enter a real date."},
    )  # fmt: skip
    reference = forms.CharField(
        label="Refund reference", max_length=100, help_text="Check number, ACH trace or wire reference.",
        error_messages={"required": "Enter the refund's reference."},
    )  # fmt: skip


class CloseGrantForm(TransitionForm):
    transitions = ("close_grant",)
    waiver_reason = forms.CharField(
        label="Reason for waiving the refund still due",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Only when a refund is still due and will not be collected; kept with the report.",
    )


ACTION_FORMS = {name: form for form in (
    InformationRequestForm, ApprovalForm, PartialApprovalForm, DeclineForm,
    IssueAgreementForm, CountersignForm, PaymentForm, CancelForm, RefundForm,
    ReturnReconciliationForm, ReconciliationRefundForm, CloseGrantForm,
) for name in form.transitions}  # fmt: skip


def form_for(rule):
    """The form of a workflow action: the one registered for it, else the optional-note form."""
    return ACTION_FORMS.get(rule.name, TransitionForm)


def inputs_from(form) -> dict:
    """The form's cleaned data as the transition's inputs (without the stale-page guard)."""
    return {name: value for name, value in form.cleaned_data.items() if name != "expected_status"}


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the applicant",
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Emailed to the requester and the secondary contact; they answer on their request page.",
        error_messages={"required": "Write the message before sending it."},
    )


def reviewers_for(stage):
    """Active staff in the group that reviews at ``stage``."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__role__code=STAGE_ROLES[ReviewStage(stage)])
        .order_by("first_name", "last_name", "email")
        .distinct()
    )


def reviewers_by_stage() -> dict:
    """Every stage's reviewers (as ``reviewers_for``) from one query, for a page that shows the
    assignment forms of all stages at once."""
    codes = {role.value: stage for stage, role in STAGE_ROLES.items()}
    found = {stage: [] for stage in ReviewStage}
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__role__code__in=codes)
        .annotate(stage_role=models.F("groups__role__code"))
        .order_by("first_name", "last_name", "email", "pk")
    )
    for user in users:
        listed = found[codes[user.stage_role]]
        if not listed or listed[-1].pk != user.pk:
            listed.append(user)
    return found


class ReviewerChoices(forms.models.ModelChoiceIterator):
    """The field's options from the reviewers the page already read (``field.reviewers``), when it did."""

    def __iter__(self):
        reviewers = getattr(self.field, "reviewers", None)
        if reviewers is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in reviewers:
            yield self.choice(user)

    def __len__(self):
        reviewers = getattr(self.field, "reviewers", None)
        if reviewers is None:
            return super().__len__()
        return len(reviewers) + (1 if self.field.empty_label is not None else 0)


class ReviewerChoiceField(forms.ModelChoiceField):
    iterator = ReviewerChoices

    def label_from_instance(self, user):
        name = user.get_full_name()
        return f"{name} ({user.email})" if name else user.email


class AssignmentForm(forms.Form):
    reviewer = ReviewerChoiceField(queryset=None, empty_label="Choose a reviewer…")

    def __init__(self, *args, stage, reviewers=None, **kwargs):
        """``reviewers``: the stage's reviewers already read (``reviewers_by_stage``), listed as the options
        instead of a query of the form's own; the choice is still checked against ``reviewers_for``."""
        super().__init__(*args, prefix=stage, **kwargs)
        self.stage = ReviewStage(stage)
        role = STAGE_ROLES[self.stage]
        field = self.fields["reviewer"]
        field.queryset = reviewers_for(stage)
        field.reviewers = reviewers
        field.label = f"{role.label} to assign"
        field.error_messages["required"] = f"Choose the {role.label.lower()} to assign."
        field.error_messages["invalid_choice"] = (
            f"Choose one of the {role.label.lower()}s listed; nobody else may review at this stage."
        )


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest with this request or its organization?",
        choices=[
            ("no", "No — I have no financial, professional or personal interest in it"),
            ("yes", "Yes — I have a conflict of interest"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you have a conflict of interest."},
    )
    conflict_details = forms.CharField(
        label="If yes, describe the conflict",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
        help_text="Seen by the grants coordinator, who assigns another reviewer.",
    )


class ReviewForm(forms.Form):
    comments = forms.CharField(
        label="Comments", required=False, widget=forms.Textarea(attrs=TEXTAREA), help_text="Seen by staff only."
    )
    recommendation = forms.ChoiceField(
        label="Your recommendation",
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a recommendation."},
    )
    recommended_amount = forms.DecimalField(
        label="Amount you recommend (USD)",
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text="Needed when you recommend approving in part.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scores = {
            name: forms.ChoiceField(
                label=label,
                choices=SCORE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "score-scale"}),
                error_messages={"required": f"Score “{label}” from 1 to 5."},
            )
            for name, label in RUBRIC
        }
        self.fields = {**scores, **self.fields}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("recommendation") == Recommendation.APPROVE_PARTIALLY and not cleaned.get("recommended_amount"):
            self.add_error("recommended_amount", "Enter the amount you recommend when approving in part.")
        return cleaned

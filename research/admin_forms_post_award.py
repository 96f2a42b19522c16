"""Forms of the staff action pages for the post-award research moves (research/workflow.py). The
milestone and amendment moves choose among the proposal's own records only, so the page is built with
the proposal (``takes_proposal``); a record of another proposal is not even a valid choice."""

from django import forms
from django.utils import timezone

from grants.models import PaymentMethod
from reviews.forms import TEXTAREA, StaleGuardForm

from .choices import AmendmentStatus, EvidenceState
from .models import Amendment, Milestone

DATE = forms.DateInput(attrs={"type": "date"})


class MilestoneLabel(forms.ModelChoiceField):
    def label_from_instance(self, milestone):
        return f"{milestone.position}. {milestone.title} (${milestone.amount:,.2f})"


class ProposalRecordForm(StaleGuardForm):
    """A form choosing one of the proposal's milestones (or amendments) in a given state."""

    takes_proposal = True

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.limit(proposal)

    def limit(self, proposal):
        pass


def _milestones(proposal, **where):
    return Milestone.objects.filter(proposal=proposal, **where).select_related("payment") if proposal else None


class CountersignForm(StaleGuardForm):
    transitions = ("countersign_research_agreement",)
    signer_title = forms.CharField(
        label="Your title", max_length=150, error_messages={"required": "Give your title for the signature page."}
    )


class VerifyMilestoneForm(ProposalRecordForm):
    transitions = ("verify_milestone",)
    milestone = MilestoneLabel(
        queryset=Milestone.objects.none(), label="Milestone", empty_label=None,
        error_messages={"required": "Choose the milestone.", "invalid_choice": "Choose a milestone with evidence "
                                                                              "awaiting verification."},
    )  # fmt: skip
    note = forms.CharField(label="Note for the record", required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def limit(self, proposal):
        self.fields["milestone"].queryset = _milestones(proposal, evidence_state=EvidenceState.SUBMITTED)


class ReturnEvidenceForm(VerifyMilestoneForm):
    transitions = ("return_milestone_evidence",)
    note = None
    reason = forms.CharField(
        label="Why the evidence is returned", widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Emailed to the investigator, who uploads the evidence again.",
        error_messages={"required": "Say why the evidence is returned; the investigator reads it."},
    )  # fmt: skip


class MilestonePaymentForm(ProposalRecordForm):
    transitions = ("record_milestone_payment",)
    milestone = MilestoneLabel(
        queryset=Milestone.objects.none(), label="Milestone", empty_label=None,
        help_text="Only verified milestones not yet paid; the payment is the milestone's amount.",
        error_messages={"required": "Choose the milestone.", "invalid_choice": "Choose a verified, unpaid milestone."},
    )  # fmt: skip
    method = forms.ChoiceField(choices=PaymentMethod.choices, label="Method")
    reference = forms.CharField(label="Payment reference", max_length=100, help_text="ACH trace, wire or check number.",
                                error_messages={"required": "Give the payment reference."})  # fmt: skip
    paid_on = forms.DateField(label="Date paid", widget=DATE, error_messages={
        "required": "Give the date paid.", "invalid": "Enter the date as YYYY-MM-DD."})  # fmt: skip

    def limit(self, proposal):
        # Unverified or paid milestones are listed too: the workflow refuses them with its reason.
        self.fields["milestone"].queryset = _milestones(proposal)
        self.fields["paid_on"].initial = timezone.localdate()


class TerminateForm(StaleGuardForm):
    transitions = ("terminate_study",)
    reason = forms.CharField(
        label="Reason for termination", widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Emailed to the investigator and kept in the audit trail.",
        error_messages={"required": "Give the reason for the termination."},
    )  # fmt: skip


class RefundForm(StaleGuardForm):
    transitions = ("record_research_refund",)
    amount = forms.DecimalField(label="Amount received (USD)", max_digits=12, decimal_places=2, min_value=0.01,
                                error_messages={"required": "Give the amount received."})  # fmt: skip
    received_on = forms.DateField(label="Date received", widget=DATE, error_messages={
        "required": "Give the date received.", "invalid": "Enter the date as YYYY-MM-DD."})  # fmt: skip
    reference = forms.CharField(label="Refund reference", max_length=100,
                                error_messages={"required": "Give the refund reference."})  # fmt: skip


class AmendmentLabel(forms.ModelChoiceField):
    def label_from_instance(self, amendment):
        return f"{amendment.get_kind_display()} amendment filed {amendment.filed_at:%Y-%m-%d}: {amendment.reason[:80]}"


class ApproveAmendmentForm(ProposalRecordForm):
    transitions = ("approve_amendment",)
    amendment = AmendmentLabel(queryset=Amendment.objects.none(), label="Amendment", empty_label=None,
                               error_messages={"invalid_choice": "Choose the pending amendment."})  # fmt: skip
    note = forms.CharField(label="Note to the investigator", required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def limit(self, proposal):
        self.fields["amendment"].queryset = (
            Amendment.objects.filter(proposal=proposal, status=AmendmentStatus.PENDING) if proposal else None
        )


class DeclineAmendmentForm(ApproveAmendmentForm):
    transitions = ("decline_amendment",)
    note = forms.CharField(label="Why it is declined", widget=forms.Textarea(attrs=TEXTAREA),
                           error_messages={"required": "Say why the amendment is declined."})  # fmt: skip


POST_AWARD_FORMS = (CountersignForm, VerifyMilestoneForm, ReturnEvidenceForm, MilestonePaymentForm, TerminateForm,
                    RefundForm, ApproveAmendmentForm, DeclineAmendmentForm)  # fmt: skip

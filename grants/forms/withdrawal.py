from django import forms


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this request? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The IME team will see this. For example: the program was cancelled or postponed.",
    )
    # The status the applicant saw when confirming: if staff moved the request meanwhile, we refuse
    # rather than withdraw something the applicant has not seen.
    expected_status = forms.CharField(
        max_length=30,
        widget=forms.HiddenInput,
        error_messages={"required": "This page was out of date: reload it and try again."},
    )

"""The public eligibility self-check: a few questions anyone can answer before creating an account."""

from django import forms

from ..choices import BudgetCategory, OrganisationType, RequestType

YES_NO = [("yes", "Yes"), ("no", "No")]
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]


class SelfCheckForm(forms.Form):
    """Submitted by GET so the answer works without JavaScript and can be bookmarked or shared."""

    organisation_type = forms.ChoiceField(
        label="Who would apply for the grant?",
        choices=[("", "Choose the type of organization")] + OrganisationType.choices,
        error_messages={"required": "Choose the type of organization that would apply."},
    )
    based_in_us = forms.ChoiceField(
        label="Is the organization based in the United States?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer yes or no: is the organization based in the United States?"},
    )
    request_type = forms.ChoiceField(
        label="What kind of education is it?",
        choices=[("", "Choose the kind of education")] + RequestType.choices,
        error_messages={"required": "Choose the kind of education you plan."},
    )
    accreditation_current = forms.ChoiceField(
        label="For accredited education only: will the organization's accreditation be current on the day the "
        "program starts?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
        help_text="Leave this unanswered if the education will not award CME/CE credit.",
    )
    start_date = forms.DateField(
        label="When will the program start?",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example 2027-03-15 (year-month-day).",
        error_messages={
            "required": "Enter the date the program starts.",
            "invalid": "Enter a real calendar date, as year-month-day (for example 2027-03-15).",
        },
    )
    budget_uses = forms.MultipleChoiceField(
        label="What would the grant pay for?",
        choices=BudgetCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick every kind of cost you plan to include in the budget.",
    )

    @classmethod
    def was_submitted(cls, query) -> bool:
        """A visit with any of the questions in the query string is a submitted self-check."""
        return any(name in query for name in cls.base_fields)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("request_type") == RequestType.ACCREDITED and not cleaned.get("accreditation_current"):
            self.add_error(
                "accreditation_current",
                "You chose accredited education: answer yes or no — will the organization's accreditation be "
                "current on the day the program starts?",
            )
        return cleaned

    def answers(self) -> dict:
        """The cleaned answers in the shape ``grants.eligibility.check_self_assessment`` expects."""
        data = self.cleaned_data
        accredited = data["request_type"] == RequestType.ACCREDITED
        return {
            "organisation_type": data["organisation_type"],
            "based_in_us": data["based_in_us"] == "yes",
            "request_type": data["request_type"],
            "accreditation_current": (data["accreditation_current"] == "yes") if accredited else None,
            "start_date": data["start_date"],
            "budget_categories": data["budget_uses"],
        }

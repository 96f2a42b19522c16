"""The eligibility page at /eligibility/: the criteria text plus the self-check, answered in the same page."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from ..eligibility import check_self_assessment, submission_deadline
from ..forms.eligibility import SelfCheckForm


def self_check(request):
    form = SelfCheckForm(request.GET if SelfCheckForm.was_submitted(request.GET) else None)
    done = form.is_bound and form.is_valid()
    problems = check_self_assessment(form.answers(), today=timezone.localdate()) if done else []
    context = {
        "self_check_form": form,
        "self_check_done": done,
        "self_check_problems": problems,
        "self_check_deadline": submission_deadline(form.cleaned_data["start_date"]) if done else None,
    }
    return render(request, "portal/pages/eligibility.html", context)


urlpatterns = [path("eligibility/", self_check, name="eligibility")]

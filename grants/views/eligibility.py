"""The eligibility page at /eligibility/: the criteria text plus the self-check, answered in the same page.

Without answers in the query string the page is the same for every anonymous visitor (an empty
self-check), so it is served from the public page cache like /faq/; the answers render fresh.
"""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from portal.caching import render_public_page

from ..eligibility import check_self_assessment, submission_deadline
from ..forms.eligibility import SelfCheckForm

TEMPLATE = "portal/pages/eligibility.html"


def _empty_self_check() -> dict:
    return {
        "self_check_form": SelfCheckForm(),
        "self_check_done": False,
        "self_check_problems": [],
        "self_check_deadline": None,
    }


def self_check(request):
    if not SelfCheckForm.was_submitted(request.GET):
        return render_public_page(request, "eligibility", TEMPLATE, _empty_self_check)
    form = SelfCheckForm(request.GET)
    done = form.is_valid()
    problems = check_self_assessment(form.answers(), today=timezone.localdate()) if done else []
    context = {
        "self_check_form": form,
        "self_check_done": done,
        "self_check_problems": problems,
        "self_check_deadline": submission_deadline(form.cleaned_data["start_date"]) if done else None,
    }
    return render(request, TEMPLATE, context)


urlpatterns = [path("eligibility/", self_check, name="eligibility")]

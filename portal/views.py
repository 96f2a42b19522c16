from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from . import health
from .caching import render_public_page
from .forms import InquiryForm
from .middleware import remember_confirmation
from .services import receive_inquiry

PAGES = {
    "home": "portal/pages/home.html",
    "about_ime": "portal/pages/about_ime.html",
    "eligibility": "portal/pages/eligibility.html",
    "acceptable_use": "portal/pages/acceptable_use.html",
    "standards": "portal/pages/standards.html",
    "apply": "portal/pages/apply.html",
    "faq": "portal/pages/faq.html",
    "privacy": "portal/pages/privacy.html",
    "terms": "portal/pages/terms.html",
}


def page(request, name):
    return render_public_page(request, name, PAGES[name])


def _safe_next(request, candidate):
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_http_methods(["GET", "POST"])
def hcp_confirmation(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        if request.POST.get("choice") == "confirm":
            return remember_confirmation(redirect(next_url))
        return redirect(settings.IME_HCP_GATE_LEAVE_URL)
    return render(
        request,
        "portal/hcp_confirmation.html",
        {"next": next_url, "leave_url": settings.IME_HCP_GATE_LEAVE_URL},
    )


@require_http_methods(["GET", "POST"])
def contact(request):
    if request.method == "GET":
        return render(request, "portal/contact.html", {"form": InquiryForm()})
    form = InquiryForm(request.POST)
    if is_ratelimited(request, group="inquiry", key="ip", rate=settings.IME_INQUIRY_RATE, increment=True):
        return render(request, "portal/contact.html", {"form": form, "rate_limited": True}, status=429)
    if not form.is_valid():
        return render(request, "portal/contact.html", {"form": form})
    if not form.is_bot():
        receive_inquiry(**{name: form.cleaned_data[name] for name in InquiryForm.Meta.fields})
    return redirect("portal:contact_thanks")


def contact_thanks(request):
    return render(request, "portal/contact_thanks.html")


@never_cache
def healthz(request):
    healthy, checks = health.run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )

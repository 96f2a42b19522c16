"""The two pages between a staff member's password and the admin: first-time setup, and the code."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from .devices import ISSUER, authenticator_uri, confirmed_device, pending_device, secret_for_reading
from .forms import AuthenticatorCodeForm
from .qr import qr_code_svg


def code_page_url(user, next_url: str) -> str:
    """Where a staff member without a verified session goes: setup the first time, the code after."""
    name = "staff_2fa:verify" if confirmed_device(user) else "staff_2fa:setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _admin_page(request, template, context):
    # The admin frame (header, sign-out) without the app sidebar: none of its links open until the code is in.
    return render(request, template, {**admin.site.each_context(request), "is_nav_sidebar_enabled": False, **context})


def _verified(request, device, next_url):
    otp_login(request, device)
    # A session that gains access gets a new id, as Django does at sign-in.
    request.session.cycle_key()
    return redirect(next_url)


@never_cache
@staff_member_required
def start(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    return redirect(code_page_url(request.user, next_url))


@sensitive_post_parameters("code")
@never_cache
@staff_member_required
def setup(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if confirmed_device(request.user):
        # Someone holding only the password must not be able to enrol an authenticator of their own.
        return redirect(code_page_url(request.user, next_url))
    device = pending_device(request.user)
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None, device=device)
    if form.is_valid():
        return _verified(request, form.check.device, next_url)
    uri = authenticator_uri(device)
    return _admin_page(
        request,
        "admin/two_factor/setup.html",
        {
            "title": "Set up two-factor sign-in",
            "form": form,
            "next": next_url,
            "issuer": ISSUER,
            "secret": secret_for_reading(device),
            "authenticator_uri": uri,
            "qr_code": qr_code_svg(uri, label=f"QR code to add {ISSUER} to an authenticator app"),
        },
    )


@sensitive_post_parameters("code")
@never_cache
@staff_member_required
def verify(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    device = confirmed_device(request.user)
    if device is None:
        return redirect(code_page_url(request.user, next_url))
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None, device=device)
    if form.is_valid():
        return _verified(request, form.check.device, next_url)
    return _admin_page(
        request,
        "admin/two_factor/verify.html",
        {"title": "Enter your sign-in code", "form": form, "next": next_url, "issuer": ISSUER},
    )

"""The pages between a staff member's password and the admin: first-time setup, the code, recovery codes."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from .devices import (
    ISSUER,
    RECOVERY_CODE_COUNT,
    authenticator_uri,
    confirmed_device,
    new_recovery_codes,
    pending_device,
    recovery_codes_left,
    recovery_device,
    secret_for_reading,
)
from .forms import AuthenticatorCodeForm, RecoveryCodeForm
from .qr import qr_code_svg

# New recovery codes wait here between the POST that makes them and the page that shows them, once.
NEW_RECOVERY_CODES_KEY = "ime_2fa_new_recovery_codes"


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
    _mark_verified(request, device)
    return redirect(next_url)


def _mark_verified(request, device):
    otp_login(request, device)
    # A session that gains access gets a new id, as Django does at sign-in.
    request.session.cycle_key()


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
        _mark_verified(request, form.check.device)
        # The first set of recovery codes comes with the authenticator: shown on the next page, once.
        request.session[NEW_RECOVERY_CODES_KEY] = new_recovery_codes(request.user)
        return redirect(f"{reverse('staff_2fa:recovery_codes')}?{urlencode({'next': next_url})}")
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


@sensitive_post_parameters("code", "recovery_code")
@never_cache
@staff_member_required
def verify(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    device = confirmed_device(request.user)
    if device is None:
        return redirect(code_page_url(request.user, next_url))
    data = request.POST if request.method == "POST" else None
    # Two forms on the page: the authenticator code, or (phone lost) a recovery code.
    using_recovery_code = data is not None and "recovery_code" in data
    form = AuthenticatorCodeForm(None if using_recovery_code else data, device=device)
    recovery_form = RecoveryCodeForm(data if using_recovery_code else None, device=recovery_device(request.user))
    if form.is_valid():
        return _verified(request, form.check.device, next_url)
    if recovery_form.is_valid():
        left = recovery_codes_left(request.user)
        messages.warning(
            request,
            f"You signed in with a recovery code; {left} of them remain{'s' if left == 1 else ''} unused. "
            "If you lost your phone, ask a portal administrator to remove your authenticator, and make new "
            "recovery codes under “Recovery codes”.",
        )
        return _verified(request, recovery_form.check.device, next_url)
    return _admin_page(
        request,
        "admin/two_factor/verify.html",
        {
            "title": "Enter your sign-in code",
            "form": form,
            "recovery_form": recovery_form,
            "next": next_url,
            "issuer": ISSUER,
        },
    )


@never_cache
@staff_member_required
def recovery_codes(request):
    """Shows new recovery codes once, and makes a new set on request (the old set stops working).

    Only a session that already passed the second factor gets here: these codes are a second factor.
    """
    next_url = _next_url(request)
    if not request.user.is_verified():
        return redirect(code_page_url(request.user, request.get_full_path()))
    if request.method == "POST":
        request.session[NEW_RECOVERY_CODES_KEY] = new_recovery_codes(request.user)
        return redirect(f"{reverse('staff_2fa:recovery_codes')}?{urlencode({'next': next_url})}")
    codes = request.session.pop(NEW_RECOVERY_CODES_KEY, None)
    return _admin_page(
        request,
        "admin/two_factor/recovery_codes.html",
        {
            "title": "Your new recovery codes" if codes else "Recovery codes",
            "codes": codes,
            "codes_left": recovery_codes_left(request.user),
            "code_count": RECOVERY_CODE_COUNT,
            "next": next_url,
        },
    )

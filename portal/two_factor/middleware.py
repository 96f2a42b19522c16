from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .views import code_page_url


class StaffTwoFactorMiddleware:
    """Staff signed in with only a password are sent to the code page before any admin page.

    Must come after django-otp's OTPMiddleware, which tells whether this session entered a code.
    Applicants (non-staff) are let through untouched: their area has its own sign-in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read on each request rather than at start-up, so that tests can switch it with override_settings.
        if settings.IME_STAFF_2FA and self._needs_code(request):
            return redirect(code_page_url(request.user, request.get_full_path()))
        return self.get_response(request)

    @staticmethod
    def _needs_code(request) -> bool:
        path = request.path
        if not path.startswith(reverse("admin:index")):
            return False
        # Signing in, signing out and the code pages themselves stay reachable.
        if path in (reverse("admin:login"), reverse("admin:logout")) or path.startswith(reverse("staff_2fa:start")):
            return False
        user = request.user
        return user.is_authenticated and user.is_staff and not user.is_verified()

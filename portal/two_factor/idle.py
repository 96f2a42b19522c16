"""Staff sessions end after a spell of inactivity, so an unattended signed-in browser does not stay open."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN_KEY = "ime_staff_last_seen"
# The timestamp is rewritten at most this often, so that a busy staff page does not save the session on
# every request; the timeout is then accurate to this many seconds.
RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="ime_staff_last_seen_at_sign_in")
def start_the_idle_clock(sender, request, user, **kwargs):
    # Stamped with the sign-in, so the first page after it does not have to save the session again.
    if user.is_staff and request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


class StaffIdleTimeoutMiddleware:
    """Sign a staff member out when more than IME_STAFF_IDLE_MINUTES passed since their last request.

    Must come after AuthenticationMiddleware and MessageMiddleware. Applicants are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.IME_STAFF_IDLE_MINUTES * 60:
                return self._sign_out(request)
            if last_seen is None or now - last_seen >= RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request):
        logout(request)
        minutes = settings.IME_STAFF_IDLE_MINUTES
        messages.info(
            request,
            f"You were signed out after {minutes} minute{'' if minutes == 1 else 's'} without activity. "
            "Sign in again to continue.",
        )
        admin_prefix = reverse("admin:index")
        if request.path.startswith(admin_prefix):
            login = reverse("admin:login")
            return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
        return redirect(request.get_full_path() if request.method == "GET" else "/")

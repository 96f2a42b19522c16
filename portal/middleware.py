from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect

GATE_COOKIE = "ime_us_hcp"
GATE_PATH = "/hcp-confirmation/"
# Staff, machines and assets are never gated; everything else is a public page.
UNGATED_PREFIXES = ("/admin/", "/healthz", "/static/", "/media/", GATE_PATH, "/favicon.ico", "/robots.txt", "/bench/")


def has_confirmed(request) -> bool:
    return request.COOKIES.get(GATE_COOKIE) == "yes"


class UsHcpGateMiddleware:
    """First visit to any public page: ask the visitor to confirm they are a US healthcare professional."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(UNGATED_PREFIXES) or has_confirmed(request):
            return self.get_response(request)
        target = request.get_full_path()
        return redirect(f"{GATE_PATH}?{urlencode({'next': target})}")


def remember_confirmation(response):
    response.set_cookie(
        GATE_COOKIE,
        "yes",
        max_age=365 * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response

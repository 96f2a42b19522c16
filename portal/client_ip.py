"""The address of the person behind a request, as the proxies in front of the portal report it."""

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied


def client_ip(request) -> str | None:
    """One answer for allauth's sign-in limits, django-axes lockouts and the inquiry rate limit.

    allauth reads X-Forwarded-For only as far as the trusted proxies vouch for it
    (ALLAUTH_TRUSTED_PROXY_COUNT, set from IME_TRUSTED_PROXY_COUNT); with none it uses REMOTE_ADDR, so
    a header a visitor wrote themselves never counts. See grants.accounts.OutboxAccountAdapter.
    """
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        # No address at all: a request made up in-process (e.g. by the test client's force_login).
        return None

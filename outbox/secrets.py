"""Which emails carry a secret, and hiding those secrets from staff.

A password-reset, address-verification or invitation link works for whoever holds it, so the outbox
treats an email carrying one as a sealed envelope: staff never see its body in the admin, and the body
is erased once the email has been sent (or has failed for good). It has to be stored until then: the
outbox's promise is that mail waits in the database while SMTP or the broker is down.

An email is sealed when its sender says so (every django-allauth account email, see grants/accounts.py)
or when its text links to a portal address that takes a secret (a URL argument named like a key or a
token, found with Django's own URL resolver, so a new secret-bearing route is caught without a list).
"""

import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

# URL arguments that are secrets: allauth's reset key and user id, its confirmation key, our invitation token.
SECRET_URL_ARGUMENTS = frozenset({"key", "token", "uidb36", "uidb64"})
HIDDEN_LINK = "[link hidden from staff]"
_URL = re.compile(r"https?://[^\s\"'<>]+")


def _takes_a_secret(url: str) -> bool:
    try:
        match = resolve(urlsplit(url).path or "/")
    except Resolver404:
        return False
    return bool(SECRET_URL_ARGUMENTS & set(match.kwargs))


def has_secret_link(*texts: str) -> bool:
    return any(_takes_a_secret(url) for text in texts for url in _URL.findall(text or ""))


def hide_secret_links(text: str) -> str:
    """``text`` with every link that takes a secret replaced by a placeholder."""
    return _URL.sub(lambda found: HIDDEN_LINK if _takes_a_secret(found.group()) else found.group(), text or "")

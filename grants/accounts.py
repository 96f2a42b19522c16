"""Accounts (django-allauth): every account email goes through the outbox like all other mail, and links
to the portal at SITE_URL like all other mail."""

import logging
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from outbox.services import store_email

logger = logging.getLogger(__name__)


def on_site(url: str) -> str:
    """``url`` (built by allauth from the host the request came in on) moved to the portal's SITE_URL."""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    return urlunsplit((site.scheme, site.netloc, site.path.rstrip("/") + parts.path, parts.query, parts.fragment))


def user_display(user) -> str:
    """How allauth names a person ("Signed in as …"): their name, else their email; never the generated username."""
    return user.get_full_name() or user.email


class OutboxAccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # The verification, reset and sign-up links: the request's host may be an internal name or an alias.
        context = {
            key: on_site(value) if key.endswith("_url") and isinstance(value, str) else value
            for key, value in context.items()
        }
        ctx = {"email": email, "current_site": context.get("current_site"), **context}
        subject = render_to_string(f"{template_prefix}_subject.txt", ctx, self.request)
        subject = self.format_email_subject(" ".join(subject.split()))
        body_text = render_to_string(f"{template_prefix}_message.txt", ctx, self.request).strip()
        try:
            body_html = render_to_string(f"{template_prefix}_message.html", ctx, self.request).strip()
        except TemplateDoesNotExist:
            body_html = ""
        # Account emails (reset links, verification links) are sealed: staff never read them in the outbox.
        store_email(template_prefix.rsplit("/", 1)[-1], email, subject, body_text, body_html, carries_secret=True)

    def get_client_ip(self, request):
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # X-Forwarded-For lists fewer addresses than there are trusted proxies, so the request did not
            # come through them all. Count it against the address that sent it rather than fail the page.
            logger.warning("X-Forwarded-For is shorter than IME_TRUSTED_PROXY_COUNT; using REMOTE_ADDR")
            return request.META["REMOTE_ADDR"]


def axes_username(request, credentials) -> str | None:
    """The account a sign-in attempt was for, so django-axes locks out that account from that address only.

    allauth authenticates with ``email=`` and the admin with ``username=``; axes alone would find neither and
    count every attempt from one address together, locking out everyone behind the same network.
    """
    credentials = credentials or {}
    data = getattr(request, "POST", {}) if request is not None else {}
    for value in (credentials.get("email"), credentials.get("username"), data.get("login"), data.get("username")):
        if value:
            return str(value).strip().lower()
    return None

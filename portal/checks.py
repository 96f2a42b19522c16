"""System checks that keep a production configuration honest (run by every management command)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Words that mark a key copied from an example or a compose file rather than generated.
PLACEHOLDER_MARKERS = (
    "change-me", "changeme", "change_me", "replace-me", "replaceme", "placeholder", "insecure",
    "not-secret", "notsecret", "example", "dummy", "your-secret", "yoursecret", "default", "sample",
)  # fmt: skip
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_DISTINCT_CHARACTERS = 10


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` cannot sign a production portal's sessions and links, or None if it can."""
    lowered = key.lower()
    marker = next((m for m in PLACEHOLDER_MARKERS if m in lowered), None)
    if marker:
        return f"it contains {marker!r}, so it looks copied from an example or a compose file"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"it has {len(key)} characters; it needs at least {MIN_SECRET_KEY_LENGTH}"
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT_CHARACTERS:
        return f"it uses only {len(set(key))} different characters"
    return None


@register(Tags.security)
def production_secret_key(app_configs, **kwargs):
    if settings.IME_ENVIRONMENT != "production":
        return []
    problem = secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [
        Error(
            f"SECRET_KEY is not fit for production: {problem}.",
            hint="Generate one: python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            id="portal.E001",
        )
    ]


@register(Tags.security)
def production_without_https(app_configs, **kwargs):
    if settings.IME_ENVIRONMENT != "production" or settings.SESSION_COOKIE_SECURE:
        return []
    return [
        Warning(
            "HTTPS is off in production: sign-in cookies travel in clear text.",
            hint="Unset HTTPS (it defaults to on in production); HTTPS=0 is only for a local trial.",
            id="portal.W001",
        )
    ]

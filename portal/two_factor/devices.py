"""The staff member's authenticator: creating it, describing it to an app, and checking its codes."""

from base64 import b32encode
from dataclasses import dataclass
from math import ceil
from urllib.parse import quote, urlencode

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

ISSUER = "Axsome IME Grants"
DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up; reused so that reloading the page keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_for_reading(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, as it is typed into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def authenticator_uri(device: TOTPDevice) -> str:
    """The otpauth:// address an authenticator app reads from the QR code, with our name on it."""
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    params = {
        "secret": b32encode(device.bin_key).decode().rstrip("="),
        "issuer": ISSUER,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"


def recovery_device(user) -> StaticDevice | None:
    """The staff member's recovery codes (django-otp static tokens), if they were ever given any."""
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).order_by("pk").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def new_recovery_codes(user) -> list[str]:
    """Replace the staff member's recovery codes with a fresh set, and return it to be shown once.

    Each code signs in once instead of an authenticator code; the previous set stops working.
    """
    with transaction.atomic():
        # One regeneration at a time per staff member, so two clicks cannot leave two sets.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class CodeCheck:
    accepted: bool
    device: Device
    # Set when django-otp refuses to check at all after repeated wrong codes.
    wait_seconds: int = 0


def check_code(device: TOTPDevice | StaticDevice, code: str) -> CodeCheck:
    """Check a code against the device, confirming a new authenticator on its first correct code.

    A wrong code counts as a failure: django-otp then makes the next attempt wait 1, 2, 4, 8…
    seconds. The row is locked so that two quick submissions cannot both dodge that delay, and a
    code already accepted once is never accepted again (a recovery code is deleted when used).
    """
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        if not allowed:
            locked_until = (details or {}).get("locked_until")
            wait = (locked_until - timezone.now()).total_seconds() if locked_until else 1
            return CodeCheck(accepted=False, device=device, wait_seconds=max(1, ceil(wait)))
        accepted = device.verify_token(code)
        if accepted and not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # Secrets shown in other tabs during setup are no longer needed.
            TOTPDevice.objects.filter(user=device.user_id, confirmed=False).delete()
    return CodeCheck(accepted=accepted, device=device)

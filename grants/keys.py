"""Unguessable storage keys: uploaded files never keep the user's file name in their path."""

import secrets
from pathlib import PurePosixPath


def _key(prefix: str, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    if not suffix[1:].isalnum():
        suffix = ""
    return f"{prefix}/{secrets.token_urlsafe(24)}{suffix}"


def attachment_key(instance, filename: str) -> str:
    return _key("attachments", filename)


def w9_key(instance, filename: str) -> str:
    return _key("w9", filename)


def reconciliation_key(instance, filename: str) -> str:
    return _key("reconciliations", filename)

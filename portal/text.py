"""Small helpers for the sentences the portal writes around names it does not control."""


def end_sentence(text) -> str:
    """``text`` with a full stop after it, unless it already ends a sentence ("Acme, Inc." stays as it is)."""
    text = str(text).rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."

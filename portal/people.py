"""How every page and email names a person."""


def person_name(user) -> str:
    """Full name, else the email, else the username."""
    return user.get_full_name() or user.email or user.get_username()

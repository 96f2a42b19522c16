"""Staff two-factor sign-in for the admin: a password, then a code from an authenticator app.

Staff pages hold applicants' confidential submissions, so when ``IME_STAFF_2FA`` is on every staff
session must also prove possession of a TOTP authenticator (django-otp) before it reaches /admin/.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import US_STATES, AccreditationBody, OrganisationType, TaxStatus
from ..keys import w9_key

ein_validator = RegexValidator(r"^\d{2}-\d{7}$", "Enter the EIN as two digits, a hyphen and seven digits (NN-NNNNNNN).")
zip_validator = RegexValidator(r"^\d{5}(-\d{4})?$", "Enter a 5-digit ZIP code (or ZIP+4, e.g. 10001-1234).")


class Organisation(models.Model):
    """An education provider that applies for grants. Its members share all its requests."""

    legal_name = models.CharField(max_length=200, help_text="As it appears on your W-9.")
    org_type = models.CharField("type of organization", max_length=40, choices=OrganisationType.choices)
    tax_status = models.CharField(max_length=20, choices=TaxStatus.choices)
    ein = models.CharField("EIN (US tax ID)", max_length=10, validators=[ein_validator], help_text="Format NN-NNNNNNN.")
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=US_STATES)
    postal_code = models.CharField("ZIP code", max_length=10, validators=[zip_validator])
    country = models.CharField(max_length=2, default="US", help_text="ISO country code; grants go to US organizations.")
    website = models.URLField(blank=True)
    accreditation_body = models.CharField(
        max_length=20, choices=AccreditationBody.choices, default=AccreditationBody.NONE
    )
    accreditation_id = models.CharField("accreditation ID", max_length=50, blank=True)
    accreditation_expiry = models.DateField("accreditation expiry date", null=True, blank=True)
    w9 = models.FileField("W-9", upload_to=w9_key, blank=True, help_text="Signed within the last 12 months (PDF).")
    w9_original_name = models.CharField(max_length=255, blank=True)
    w9_signed_on = models.DateField(
        "date the W-9 was signed", null=True, blank=True, help_text="Payments need a W-9 signed within the last year."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["legal_name"]
        verbose_name = "organization"

    def __str__(self):
        return self.legal_name

    @property
    def is_accredited(self) -> bool:
        return self.accreditation_body != AccreditationBody.NONE

    def accreditation_current_on(self, day) -> bool:
        return self.is_accredited and self.accreditation_expiry is not None and self.accreditation_expiry >= day

    @property
    def owner(self):
        membership = next((m for m in self.memberships.all() if m.role == Membership.Role.OWNER), None)
        return membership.user if membership else None


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name="organization"
    )
    # One organisation per user keeps "whose data may I see" a single, simple question.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(role="owner"), name="one_owner_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.IME_INVITATION_DAYS)


class Invitation(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name="organization"
    )
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One invitation awaiting an answer per organization and address (expired ones are revoked
            # when a new one is sent).
            models.UniqueConstraint(
                Lower("email"), "organisation",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

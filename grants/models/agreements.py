"""The Letter of Agreement (SPEC §4a): the terms staff maintain as versioned templates, and each
letter issued from them, which freezes the exact text it was issued with and carries both signatures.

A letter is never edited once issued: a change to the terms re-issues the agreement as a new version
(``grants/services/agreements.py``) and the old one is superseded, with its signatures void.

What a signed letter is does not depend on what it is for, so it lives in two abstract bases that
the research agreement (``research.ResearchAgreement``) shares: ``LetterTemplate`` (versioned,
published wording with checked placeholders) and ``SignedLetter`` (frozen text, its SHA-256, the
recipient's signature and the supporter's countersignature over exactly that text)."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..agreement_terms import PLACEHOLDERS, unknown_placeholders


def text_hash(text: str) -> str:
    """SHA-256 of the letter exactly as issued (UTF-8), the fingerprint each signature records."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LetterTemplate(models.Model):
    """Versioned wording staff maintain; the newest published version is used for new letters. A
    concrete template says which placeholders it may use (``placeholders``: name → what it is)."""

    placeholders: dict[str, str] = {}

    version = models.PositiveIntegerField(unique=True, editable=False)
    body = models.TextField(help_text="The terms. Placeholders in double braces are filled in when issued.")
    published = models.BooleanField(
        default=False, help_text="Only published versions are used; the newest published one for new letters."
    )
    note = models.CharField("what changed", max_length=250, blank=True)
    # NULL only for a first version shipped by a migration.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-version"]

    def __str__(self):
        return f"Version {self.version}{'' if self.published else ' (draft)'}"

    def save(self, *args, **kwargs):
        if self.version is None:
            last = type(self).objects.aggregate(models.Max("version"))["version__max"] or 0
            self.version = last + 1
        super().save(*args, **kwargs)

    def clean(self):
        unknown = unknown_placeholders(self.body, self.placeholders)
        if unknown:
            raise ValidationError(
                {"body": f"Unknown placeholders: {', '.join(unknown)}. Use only those listed under the text."}
            )

    @classmethod
    def current(cls):
        return cls.objects.filter(published=True).order_by("-version").first()


class AgreementTemplate(LetterTemplate):
    """The wording of the Letter of Agreement, as the legal team writes it. Placeholders in double
    braces (``{{ approved_amount }}``) are filled from the approved request when a letter is issued;
    the list is in ``grants/agreement_terms.py``. The newest published version is the one used."""

    placeholders = PLACEHOLDERS

    title = models.CharField(max_length=200, default="Letter of Agreement for an Independent Educational Grant")
    body = models.TextField(help_text="The terms. Placeholders such as {{ grant_number }} are filled in when issued.")
    history = HistoricalRecords()

    class Meta(LetterTemplate.Meta):
        verbose_name = "agreement template"


class SignedLetter(models.Model):
    """An issued letter: a version, its frozen text and both signatures. The concrete letter adds what
    it belongs to, its template and the terms kept as data."""

    version = models.PositiveIntegerField(help_text="1 for the first letter; each re-issue adds one.")
    text = models.TextField(editable=False)
    text_sha256 = models.CharField("SHA-256 of the letter", max_length=64, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField("why it was issued", max_length=250, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    # The recipient's authorized signer.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField("signer's typed name", max_length=150, blank=True)
    signer_title = models.CharField("signer's title", max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_ip = models.GenericIPAddressField("signer's IP address", null=True, blank=True)
    signer_user_agent = models.CharField("signer's browser", max_length=500, blank=True)
    signed_sha256 = models.CharField("SHA-256 the signer signed", max_length=64, blank=True)

    # The supporter's signatory (staff).
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    countersigner_name = models.CharField("countersigner's name", max_length=150, blank=True)
    countersigner_title = models.CharField("countersigner's title", max_length=150, blank=True)
    countersigned_at = models.DateTimeField(null=True, blank=True)
    countersigner_ip = models.GenericIPAddressField("countersigner's IP address", null=True, blank=True)
    countersigned_sha256 = models.CharField("SHA-256 the countersigner signed", max_length=64, blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The text is frozen at issue; a letter with different text is a new version, never an edit.
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("text", flat=True).first()
            if stored is not None and stored != self.text:
                raise ValueError("An issued letter's text cannot change; issue a new version instead.")
        self.text_sha256 = text_hash(self.text)
        super().save(*args, **kwargs)

    def sign(self, user, *, name, title, ip=None, user_agent=""):
        """The recipient's signature over exactly this text (the caller has checked who may sign)."""
        self.signed_by = user
        self.signer_name = name.strip()
        self.signer_title = title.strip()
        self.signed_at = timezone.now()
        self.signer_ip = ip or None
        self.signer_user_agent = (user_agent or "")[:500]
        self.signed_sha256 = text_hash(self.text)
        self.save()

    def countersign(self, user, *, name, title, ip=None):
        """The supporter's countersignature, after the recipient's (a database constraint insists)."""
        self.countersigned_by = user
        self.countersigner_name = name
        self.countersigner_title = title.strip()
        self.countersigned_at = timezone.now()
        self.countersigner_ip = ip or None
        self.countersigned_sha256 = text_hash(self.text)
        self.save()

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_signed(self) -> bool:
        """Signed by the recipient, over exactly this text (a signature over other text is void)."""
        return self.signed_at is not None and self.signed_sha256 == text_hash(self.text)

    @property
    def is_executed(self) -> bool:
        """Signed by both parties over exactly this text, and still the current version."""
        return (
            self.is_current
            and self.is_signed
            and self.countersigned_at is not None
            and self.countersigned_sha256 == text_hash(self.text)
        )

    @property
    def state_label(self) -> str:
        if not self.is_current:
            return "Superseded"
        if self.is_executed:
            return "Executed"
        if self.is_signed:
            return "Signed by the recipient; awaiting countersignature"
        return "Awaiting the recipient's signature"


class Agreement(SignedLetter):
    """One issued Letter of Agreement for a grant request: a version, its frozen text and signatures."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.PROTECT, related_name="agreements")
    template = models.ForeignKey(AgreementTemplate, on_delete=models.PROTECT, related_name="letters")
    # The terms as issued, kept as data beside the text (an amendment compares them with the last letter).
    amount = models.DecimalField("amount (USD)", max_digits=12, decimal_places=2, null=True, editable=False)
    program_start = models.DateField("program start", null=True, editable=False)
    program_end = models.DateField("program end", null=True, editable=False)

    class Meta:
        ordering = ["grant_request", "-version"]
        verbose_name = "letter of agreement"
        verbose_name_plural = "letters of agreement"
        constraints = [
            models.UniqueConstraint(fields=["grant_request", "version"], name="one_agreement_per_version"),
            models.UniqueConstraint(
                fields=["grant_request"], condition=Q(superseded_at__isnull=True), name="one_current_agreement"
            ),
            # The supporter countersigns a letter the recipient has signed, never before.
            models.CheckConstraint(
                condition=Q(countersigned_at__isnull=True) | Q(signed_at__isnull=False),
                name="countersigned_after_signed",
            ),
        ]
        # The reminder sweep's letters awaiting the recipient's signature (grants/reminders.py): a few rows
        # however many letters were ever signed, instead of a scan of them all.
        indexes = [
            models.Index(
                fields=["issued_at"],
                condition=Q(signed_at__isnull=True, superseded_at__isnull=True),
                name="agreement_awaiting_signature",
            )
        ]

    def __str__(self):
        reference = self.grant_request.display_reference if self.grant_request_id else "?"
        return f"{reference} — Letter of Agreement, version {self.version}"

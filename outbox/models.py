from django.db import models
from django.utils import timezone


class Email(models.Model):
    """One notification email. Written in the transaction that caused it, sent after commit."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    template = models.CharField(max_length=100, help_text="Template the email was rendered from.")
    to = models.JSONField(help_text="List of recipient addresses.")
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A one-time link or code inside (password reset, address verification, invitation): the body is
    # never shown to staff and is erased once sent or failed for good (outbox/secrets.py says why).
    carries_secret = models.BooleanField(
        default=False, help_text="Carries a one-time link: body hidden from staff, erased once sent."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def body_erased(self) -> bool:
        return self.carries_secret and not self.body_text and not self.body_html


class SentOnce(models.Model):
    """The key of a mail that must go out once only (a reminder for one object and occasion). The key's
    uniqueness, not timing, makes it so: a second sweep, a second beat or a retried worker finds the key
    taken and sends nothing (``outbox.services.queue_email_once``)."""

    key = models.CharField(max_length=200, unique=True, help_text="kind:object:occasion, e.g. agreement_unsigned:42:14")
    email = models.ForeignKey(Email, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "mail sent once"
        verbose_name_plural = "mails sent once"

    def __str__(self):
        return self.key

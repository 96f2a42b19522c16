from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import AttachmentKind
from ..keys import attachment_key
from .requests import GrantRequest


class Attachment(models.Model):
    """A document attached to a request. Stored under an unguessable key; served only through a view
    that checks the user belongs to the request's organisation."""

    grant_request = models.ForeignKey(GrantRequest, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_key, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

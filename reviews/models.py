from django.conf import settings
from django.db import models

from grants.status import GrantStatus


class StatusChange(models.Model):
    """Append-only audit log of every status change: who, when, from, to, and why."""

    grant_request = models.ForeignKey("grants.GrantRequest", on_delete=models.CASCADE, related_name="status_changes")
    transition = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, choices=GrantStatus.choices)
    to_status = models.CharField(max_length=30, choices=GrantStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Status changes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Status changes are append-only.")

    @property
    def actor_display(self) -> str:
        return self.actor.get_full_name() or self.actor.email or self.actor.get_username()

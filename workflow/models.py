from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models

from portal.people import person_name

from .roles import SYSTEM_USERNAME, Role


class RoleGroup(models.Model):
    """Ties a Django group to the role it grants, by a code that never changes."""

    code = models.CharField(max_length=40, choices=Role.choices, unique=True)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role")

    class Meta:
        verbose_name = "staff role"

    def __str__(self):
        return self.get_code_display()


def system_actor():
    """The portal's own account, named in the audit log for scheduled moves. Inactive with no usable
    password, so nobody can sign in as it; created on first use."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "IME portal", "last_name": "(scheduled task)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class AuditEntry(models.Model):
    """One row of a kind's append-only audit log, written by ``engine.perform``: who made which move,
    when, from and to which status, and why. A kind adds its subject's foreign key (the engine's
    ``log_subject``) and ``from_status`` / ``to_status`` with its own status choices."""

    transition = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
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
        return person_name(self.actor)


class YearlyReference(models.Model):
    """The per-year sequence behind a kind's references (``PREFIX-YYYY-NNNNN``), incremented under a row
    lock so two submissions at once never share a number."""

    PREFIX = ""
    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_reference(cls, year: int) -> str:
        counter, _ = cls.objects.select_for_update().get_or_create(year=year)
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return f"{cls.PREFIX}-{year}-{counter.last_number:05d}"

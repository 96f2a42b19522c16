from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models

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

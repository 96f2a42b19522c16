from django.contrib.auth.models import Group
from django.db import models

from .roles import Role


class RoleGroup(models.Model):
    """Ties a Django group to the role it grants, by a code that never changes."""

    code = models.CharField(max_length=40, choices=Role.choices, unique=True)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role")

    class Meta:
        verbose_name = "staff role"

    def __str__(self):
        return self.get_code_display()

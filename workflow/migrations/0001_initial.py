import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.CreateModel(
            name="RoleGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        choices=[
                            ("applicant", "Applicant (member of the requesting organization)"),
                            ("grants_coordinator", "Grants coordinator"),
                            ("compliance_reviewer", "Compliance reviewer"),
                            ("medical_reviewer", "Medical reviewer"),
                            ("committee_member", "Committee member"),
                            ("administrator", "Administrator"),
                        ],
                        max_length=40,
                        unique=True,
                    ),
                ),
                (
                    "group",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="role", to="auth.group"
                    ),
                ),
            ],
            options={"verbose_name": "staff role"},
        ),
    ]

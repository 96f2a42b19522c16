from django.db import migrations

# The role groups as first created, by the labels they had then. Their permissions are set by
# reviews.permissions.sync_role_groups after every migrate (post_migrate); 0003 ties them to role codes.
FIRST_LABELS = [
    "Grants coordinator",
    "Compliance reviewer",
    "Medical reviewer",
    "Committee member",
    "Administrator",
]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for label in FIRST_LABELS:
        Group.objects.get_or_create(name=label)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=FIRST_LABELS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("grants", "0001_initial"),
        ("portal", "0001_initial"),
        ("outbox", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]

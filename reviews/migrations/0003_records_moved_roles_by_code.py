"""The request's record now lives in grants (grants 0003 renamed the tables); drop it from this app's
state. Tie the existing role groups to their stable role codes, so labels can change freely."""

from django.db import migrations

CODES_BY_FIRST_LABEL = {
    "Grants coordinator": "grants_coordinator",
    "Compliance reviewer": "compliance_reviewer",
    "Medical reviewer": "medical_reviewer",
    "Committee member": "committee_member",
    "Administrator": "administrator",
}


def link_groups_to_codes(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    RoleGroup = apps.get_model("workflow", "RoleGroup")
    for label, code in CODES_BY_FIRST_LABEL.items():
        group = Group.objects.filter(name=label).first()
        if group is not None and not RoleGroup.objects.filter(code=code).exists():
            RoleGroup.objects.create(code=code, group=group)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_role_groups"),
        ("grants", "0003_move_workflow_records"),
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Message"),
                migrations.DeleteModel(name="InformationRequest"),
                migrations.DeleteModel(name="StatusChange"),
                migrations.DeleteModel(name="Decision"),
            ]
        ),
        migrations.RunPython(link_groups_to_codes, migrations.RunPython.noop),
    ]

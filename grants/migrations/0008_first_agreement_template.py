"""The first published Letter of Agreement template, so an approved request can have its letter issued
on a new installation; the legal team publishes later versions in the admin."""

from pathlib import Path

from django.db import migrations

# The wording as shipped, kept beside the migration so later edits of the code never change it.
DEFAULT_TERMS = (Path(__file__).parent / "texts" / "letter_of_agreement_v1.txt").read_text(encoding="utf-8")


def publish_first_version(apps, schema_editor):
    AgreementTemplate = apps.get_model("grants", "AgreementTemplate")
    if not AgreementTemplate.objects.exists():
        AgreementTemplate.objects.create(
            version=1, body=DEFAULT_TERMS, published=True, note="First version, shipped with the portal."
        )


class Migration(migrations.Migration):
    dependencies = [("grants", "0007_post_award")]
    operations = [migrations.RunPython(publish_first_version, migrations.RunPython.noop)]

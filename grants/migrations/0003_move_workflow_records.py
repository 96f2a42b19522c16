"""Move the request's record (audit log, information requests, messages, decision) from reviews to
grants, so the applicant side reads them without importing the staff app. The tables are renamed,
the rows stay; content types move with them so the role groups keep their permissions."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["statuschange", "informationrequest", "message", "decision"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="grants", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="reviews", model__in=MOVED).update(app_label="grants")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="reviews", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="grants", model__in=MOVED).update(app_label="reviews")


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0002_queue_order_index"),
        ("reviews", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='StatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('transition', models.CharField(max_length=40)),
                ('from_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('screening', 'Screening'), ('information_requested', 'Information requested'), ('medical_review', 'Medical review'), ('committee_review', 'Committee review'), ('approved', 'Approved'), ('partially_approved', 'Partially approved'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('agreement_sent', 'Agreement sent'), ('agreement_signed', 'Agreement signed'), ('paid', 'Paid'), ('in_progress', 'In progress'), ('reconciliation_due', 'Reconciliation due'), ('reconciled', 'Reconciled'), ('closed', 'Closed'), ('cancelled', 'Cancelled')], max_length=30)),
                ('to_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('screening', 'Screening'), ('information_requested', 'Information requested'), ('medical_review', 'Medical review'), ('committee_review', 'Committee review'), ('approved', 'Approved'), ('partially_approved', 'Partially approved'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('agreement_sent', 'Agreement sent'), ('agreement_signed', 'Agreement signed'), ('paid', 'Paid'), ('in_progress', 'In progress'), ('reconciliation_due', 'Reconciliation due'), ('reconciled', 'Reconciled'), ('closed', 'Closed'), ('cancelled', 'Cancelled')], max_length=30)),
                ('note', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grant_request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='grants.grantrequest')),
            ],
            options={
                'db_table': 'reviews_statuschange',
                'ordering': ['created_at', 'pk'],
                'get_latest_by': 'created_at',
            },
        ),
        migrations.CreateModel(
            name='InformationRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('message', models.TextField(verbose_name='what we need')),
                ('sections', models.JSONField(default=list, help_text='Slugs of the sections the applicant may edit.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('answered_at', models.DateTimeField(blank=True, null=True)),
                ('answer', models.TextField(blank=True)),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grant_request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='information_requests', to='grants.grantrequest')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'reviews_informationrequest',
                'ordering': ['created_at'],
            },
        ),
        migrations.CreateModel(
            name='Message',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_staff', models.BooleanField()),
                ('body', models.TextField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grant_request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='grants.grantrequest')),
                ('information_request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='messages', to='grants.informationrequest')),
            ],
            options={
                'db_table': 'reviews_message',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Decision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('approved', 'Approved'), ('partially_approved', 'Partially approved'), ('declined', 'Declined')], max_length=20)),
                ('approved_amount', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                ('reason_codes', models.JSONField(blank=True, default=list)),
                ('message_to_applicant', models.TextField(blank=True)),
                ('decided_at', models.DateTimeField(auto_now_add=True)),
                ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('grant_request', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='grants.grantrequest')),
            ],
            options={'db_table': 'reviews_decision'},
        ),
            ]
        ),
        migrations.AlterModelTable(name="statuschange", table=None),
        migrations.AlterModelTable(name="informationrequest", table=None),
        migrations.AlterModelTable(name="message", table=None),
        migrations.AlterModelTable(name="decision", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]

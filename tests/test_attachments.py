import re

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.functions import Now
from django.urls import reverse
from moto import mock_aws

from grants.models import Attachment, GrantRequest

from .factories import TINY_PDF, AttachmentFactory, GrantRequestFactory, StaffFactory

pytestmark = pytest.mark.django_db

EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
)


def section_url(grant_request):
    return reverse("grants:request_section", args=[grant_request.pk, "attachments"])


def download_url(attachment):
    return reverse("grants:attachment_download", args=[attachment.grant_request_id, attachment.pk])


def delete_url(attachment):
    return reverse("grants:attachment_delete", args=[attachment.grant_request_id, attachment.pk])


def upload(client, grant_request, name, content, kind="request_letter"):
    return client.post(
        section_url(grant_request),
        {"action": "upload", "kind": kind, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_section_page_lists_required_documents_and_offers_the_upload_form(applicant_client, draft_request):
    page = applicant_client.get(section_url(draft_request)).content.decode()
    assert "<h1>Attachments</h1>" in page
    assert 'enctype="multipart/form-data"' in page
    assert "Still needed before you can submit" in page
    # Accredited, live virtual, no W-9 on the profile: all five kinds are required.
    for label in ["Request letter on letterhead", "Detailed budget", "Accreditation letter", "Agenda", "W-9"]:
        assert label in page
    assert 'aria-label="Request sections"' in page  # the progress include


def test_good_pdf_is_stored_under_an_unguessable_key_and_listed(applicant_client, draft_request):
    response = upload(applicant_client, draft_request, "Request letter.pdf", TINY_PDF)
    assert response.status_code == 200
    attachment = Attachment.objects.get(grant_request=draft_request)
    assert attachment.original_name == "Request letter.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(TINY_PDF)
    assert attachment.uploaded_by == applicant_client.user
    assert re.fullmatch(r"attachments/[A-Za-z0-9_-]{32}\.pdf", attachment.file.name)
    assert "letter" not in attachment.file.name.lower()
    assert default_storage.open(attachment.file.name).read() == TINY_PDF
    page = response.content.decode()
    assert "“Request letter.pdf” was added as request letter on letterhead." in page
    assert download_url(attachment) in page


def test_renamed_executable_is_refused_whatever_its_name(applicant_client, draft_request):
    response = upload(applicant_client, draft_request, "letter.pdf", EXECUTABLE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The document was not added." in page
    assert "“letter.pdf” is not a file type we accept, whatever its name says." in page
    assert not Attachment.objects.exists()


def test_oversize_file_is_refused_with_the_limit(applicant_client, draft_request, settings):
    settings.IME_MAX_UPLOAD_MB = 1
    big_pdf = TINY_PDF + b"0" * int(1.2 * 1024 * 1024)
    response = upload(applicant_client, draft_request, "budget.pdf", big_pdf, kind="budget")
    assert response.status_code == 200
    assert "The file is 1.2 MB; the limit is 1 MB." in response.content.decode()
    assert "Up to 1 MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_empty_file_is_refused(applicant_client, draft_request):
    response = upload(applicant_client, draft_request, "agenda.pdf", b"", kind="agenda")
    assert response.status_code == 200
    assert "The file is empty. Please choose the document again." in response.content.decode()
    assert not Attachment.objects.exists()


def test_upload_without_a_kind_says_which_field_is_missing_and_keeps_nothing(applicant_client, draft_request):
    response = upload(applicant_client, draft_request, "letter.pdf", TINY_PDF, kind="")
    assert response.status_code == 200
    assert "Type of document: This field is required." in response.content.decode()
    assert not Attachment.objects.exists()


def test_path_traversal_name_is_stored_under_a_random_key_and_shown_cleaned(applicant_client, draft_request):
    response = upload(applicant_client, draft_request, "../../etc/passwd.pdf", TINY_PDF)
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    assert attachment.file.name.startswith("attachments/")
    download = applicant_client.get(download_url(attachment))
    assert download["Content-Disposition"] == 'attachment; filename="passwd.pdf"'


def test_member_downloads_the_file_as_an_attachment(applicant_client, draft_request):
    attachment = AttachmentFactory(grant_request=draft_request, original_name="Agenda draft.pdf")
    response = applicant_client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Agenda draft.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_second_applicant_cannot_download_or_remove_an_attachment(other_applicant_client, draft_request):
    attachment = AttachmentFactory(grant_request=draft_request)
    assert other_applicant_client.get(download_url(attachment)).status_code == 404
    assert other_applicant_client.post(delete_url(attachment)).status_code == 404
    assert other_applicant_client.get(section_url(draft_request)).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_attachment_of_another_request_is_not_reachable_through_mine(applicant_client, draft_request):
    stranger = AttachmentFactory(grant_request=GrantRequestFactory())
    url = reverse("grants:attachment_download", args=[draft_request.pk, stranger.pk])
    assert applicant_client.get(url).status_code == 404


def test_staff_cannot_download_through_the_applicant_route_even_with_every_permission(client, draft_request):
    """Staff download in the admin, behind their second factor; this door is for the organisation's members."""
    attachment = AttachmentFactory(grant_request=draft_request)
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(StaffFactory())
    assert client.get(download_url(attachment)).status_code == 404
    client.force_login(StaffFactory(is_superuser=True))
    assert client.get(download_url(attachment)).status_code == 404


def test_member_downloads_the_w9_like_any_other_document(applicant_client, applicant_user):
    organisation = applicant_user.membership.organisation
    organisation.w9.save("w9.pdf", ContentFile(TINY_PDF), save=False)
    organisation.w9_original_name = "Our W-9"
    organisation.save()
    response = applicant_client.get(reverse("grants:organisation_w9"))
    assert b"".join(response.streaming_content) == TINY_PDF
    assert response["Content-Disposition"] == 'attachment; filename="Our W-9.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_anonymous_visitor_is_sent_to_sign_in(gated_client, draft_request):
    attachment = AttachmentFactory(grant_request=draft_request)
    response = gated_client.get(download_url(attachment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_removing_a_document_from_a_draft_deletes_the_stored_file(
    applicant_client, draft_request, django_capture_on_commit_callbacks
):
    attachment = AttachmentFactory(grant_request=draft_request, original_name="old letter.pdf")
    stored = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(delete_url(attachment), follow=True)
    assert "“old letter.pdf” was removed." in response.content.decode()
    assert response.redirect_chain[-1][0] == section_url(draft_request)
    assert not Attachment.objects.exists()
    assert not default_storage.exists(stored)


def test_remove_needs_a_post(applicant_client, draft_request):
    attachment = AttachmentFactory(grant_request=draft_request)
    assert applicant_client.get(delete_url(attachment)).status_code == 405
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_submitted_request_documents_cannot_be_added_or_removed(applicant_client, draft_request):
    attachment = AttachmentFactory(grant_request=draft_request)
    GrantRequest.objects.filter(pk=draft_request.pk).update(
        status="submitted", reference="IME-2026-00001", submitted_at=Now()
    )
    response = upload(applicant_client, draft_request, "late.pdf", TINY_PDF, kind="other")
    assert response.redirect_chain[-1][0] == reverse("grants:request_detail", args=[draft_request.pk])
    assert Attachment.objects.count() == 1
    response = applicant_client.post(delete_url(attachment), follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_save_and_continue_goes_to_the_attestations(applicant_client, draft_request):
    response = applicant_client.post(section_url(draft_request), {"action": "continue"})
    assert response.status_code == 302
    assert response["Location"] == reverse("grants:request_section", args=[draft_request.pk, "attestations"])


# --- Private S3 bucket (moto) ------------------------------------------------------------------

BUCKET = "ime-portal-test-private"


@pytest.fixture
def s3(settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_public_access_block(
            Bucket=BUCKET,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": "us-east-1",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "file_overwrite": False,
                    "location": "uploads",
                },
            },
        }
        yield client


def test_s3_upload_is_private_unguessable_and_served_only_to_members(
    s3, applicant_client, other_applicant_client, draft_request
):
    response = upload(applicant_client, draft_request, "Our budget 2026.pdf", TINY_PDF, kind="budget")
    assert response.status_code == 200
    attachment = Attachment.objects.get()

    keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"uploads/{attachment.file.name}"]
    assert re.fullmatch(r"uploads/attachments/[A-Za-z0-9_-]{32}\.pdf", keys[0])
    assert "budget" not in keys[0].lower()

    grants = s3.get_object_acl(Bucket=BUCKET, Key=keys[0])["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only
    assert not any("AllUsers" in g["Grantee"].get("URI", "") for g in grants)
    assert not any("AuthenticatedUsers" in g["Grantee"].get("URI", "") for g in grants)

    download = applicant_client.get(download_url(attachment))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == TINY_PDF
    assert download["Content-Disposition"] == 'attachment; filename="Our budget 2026.pdf"'
    assert other_applicant_client.get(download_url(attachment)).status_code == 404

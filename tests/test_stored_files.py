"""Uploads stream to storage with no lock held, and storage never keeps a file no row points to:
not after a refused or rolled-back change, not after a W-9 is replaced."""

import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from grants.models import Attachment, GrantRequest, Organisation
from grants.services.attachments import AttachmentsLocked, add_attachment
from grants.services.organisations import OrganisationRuleError, register_organisation
from grants.status import GrantStatus

from .factories import TINY_PDF, GrantRequestFactory, MembershipFactory, OrganisationFactory, UserFactory, applicant
from .test_organisations import _client_for, _organisation_data


class UploadWithVisitor(SimpleUploadedFile):
    """An upload during whose storing ``visitor`` runs: another request arriving while the bytes stream."""

    def __init__(self, name, content, visitor):
        super().__init__(name, content, content_type="application/pdf")
        self.visitor = visitor
        self.visits = []

    def chunks(self, chunk_size=None):
        self.visits.append(in_another_connection(self.visitor))
        yield from super().chunks(chunk_size)


def in_another_connection(work):
    """Run ``work`` in a thread, so on its own database connection; return what it returned or raised."""
    outcome = {}

    def run():
        try:
            outcome["result"] = work()
        except Exception as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return outcome


def stored_files(settings, folder: str) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / folder
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.fixture
def draft(db):
    user = applicant()
    return GrantRequestFactory(organisation=user.membership.organisation, created_by=user), user


@pytest.mark.django_db(transaction=True)
def test_upload_does_not_hold_the_request_lock_while_the_file_is_stored(draft, settings):
    grant_request, user = draft

    def lock_the_request_now():
        with transaction.atomic():
            return GrantRequest.objects.select_for_update(nowait=True).get(pk=grant_request.pk).pk

    upload = UploadWithVisitor("letter.pdf", TINY_PDF, lock_the_request_now)
    attachment = add_attachment(grant_request, kind="request_letter", upload=upload, user=user)

    assert upload.visits == [{"result": grant_request.pk}]
    assert stored_files(settings, "attachments") == [Path(attachment.file.name).name]


@pytest.mark.django_db(transaction=True)
def test_upload_refused_when_the_request_was_submitted_meanwhile_leaves_no_file(draft, settings):
    grant_request, user = draft

    def submit_meanwhile():
        with transaction.atomic():
            GrantRequest.objects.select_for_update(nowait=True).get(pk=grant_request.pk)
            return GrantRequest.objects.filter(pk=grant_request.pk).update(
                status=GrantStatus.SUBMITTED, reference="IME-2026-00001", submitted_at=timezone.now()
            )

    upload = UploadWithVisitor("letter.pdf", TINY_PDF, submit_meanwhile)
    with pytest.raises(AttachmentsLocked):
        add_attachment(grant_request, kind="request_letter", upload=upload, user=user)

    assert upload.visits == [{"result": 1}]
    assert not Attachment.objects.exists()
    assert stored_files(settings, "attachments") == []


@pytest.mark.django_db(transaction=True)
def test_registration_rolled_back_by_a_second_tab_leaves_no_w9_file(settings):
    user = UserFactory(email="newcomer@learning.example.org")
    other = OrganisationFactory()

    def second_tab_joins_another_organisation():
        return MembershipFactory(user=user, organisation=other).pk

    upload = UploadWithVisitor("W-9.pdf", TINY_PDF, second_tab_joins_another_organisation)
    details = {k: v for k, v in _organisation_data().items() if k != "accreditation_expiry"}
    with pytest.raises(OrganisationRuleError):
        register_organisation(user=user, details=details, w9=upload)

    assert "result" in upload.visits[0]
    assert not Organisation.objects.filter(legal_name=details["legal_name"]).exists()
    assert stored_files(settings, "w9") == []


@pytest.mark.django_db(transaction=True)
def test_replacing_the_w9_deletes_the_old_file(settings):
    owner = applicant()
    client = _client_for(owner)
    for name in ["W-9 2025.pdf", "W-9 2026.pdf"]:
        data = _organisation_data(w9_file=SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf"))
        assert client.post("/organisation/edit/", data).status_code == 302

    organisation = Organisation.objects.get(pk=owner.membership.organisation_id)
    assert organisation.w9_original_name == "W-9 2026.pdf"
    assert stored_files(settings, "w9") == [Path(organisation.w9.name).name]
    assert client.get("/organisation/w9/").status_code == 200

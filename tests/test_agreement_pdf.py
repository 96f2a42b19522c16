"""The executed Letter of Agreement as a PDF (SPEC §4a): read back with a PDF reader, it holds the
parties, the amount, both signatures with their times and the letter's SHA-256; staff get the same PDF
under /admin/, and nobody gets it before both parties have signed."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from pypdf import PdfReader

from grants.agreement_pdf import blocks_of, render_agreement_pdf
from grants.post_award import current_agreement
from grants.status import GrantStatus as S
from workflow.roles import Role

from .factories import StaffFactory, staff_with_role
from .workflow_steps import request_at

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def executed_letter():
    grant_request = request_at(S.AGREEMENT_SIGNED)
    letter = current_agreement(grant_request)
    assert letter.is_executed
    return grant_request, letter


def test_the_pdf_holds_the_parties_the_amount_both_signatures_and_the_hash():
    grant_request, letter = executed_letter()

    pdf = render_agreement_pdf(letter)
    text = text_of(pdf)

    assert pdf.startswith(b"%PDF")
    assert grant_request.organisation.legal_name in text
    assert "Axsome Therapeutics, Inc." in text
    assert grant_request.organisation.ein in text
    assert "$25,000.00" in text
    assert grant_request.reference in text
    assert "independent educational grant" in text
    # Both signatures, with their titles and times in the one date style.
    assert "Lee Park" in text and "Director of CME" in text
    assert letter.countersigner_name == "Alex Admin"
    assert "Alex Admin" in text and "Senior Director, Medical Affairs" in text
    for moment in (letter.signed_at, letter.countersigned_at):
        assert date_format(localtime(moment), "DATETIME_FORMAT") in text
    # The hash may be broken across lines in the table; the facts block prints it whole.
    assert letter.text_sha256 in text.replace(" ", "") and letter.text_sha256 in text


def test_the_signature_page_comes_after_the_letter():
    _, letter = executed_letter()
    reader = PdfReader(io.BytesIO(render_agreement_pdf(letter)))

    last = reader.pages[-1].extract_text()
    assert len(reader.pages) >= 2
    assert "Signatures" in last
    assert "Grant amount" in last


def test_what_the_applicant_typed_is_printed_as_text_never_as_markup():
    _, letter = executed_letter()
    letter.grant_request.organisation.legal_name = '<b>Bold</b> & <img src="file:///etc/passwd"> Institute'

    text = text_of(render_agreement_pdf(letter))

    # A narrow table cell may wrap the line; the characters are all there, as typed.
    assert '<b>Bold</b>&<imgsrc="file:///etc/passwd">Institute' in text.replace(" ", "")


# --- Staff download -----------------------------------------------------------------------------------


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_pdf_url(grant_request, version=1):
    return reverse("admin:grants_grantrequest_agreement_pdf", args=[grant_request.pk, version])


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.FINANCE, Role.ADMINISTRATOR])
def test_staff_who_see_the_request_download_the_same_executed_pdf(role):
    grant_request, letter = executed_letter()

    response = staff_client(staff_with_role(role)).get(admin_pdf_url(grant_request))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert letter.text_sha256 in text_of(response.content)


def test_staff_get_404_for_a_letter_not_executed_and_for_an_unknown_version():
    grant_request = request_at(S.AGREEMENT_SENT)
    staff = staff_client(staff_with_role(Role.ADMINISTRATOR))

    assert staff.get(admin_pdf_url(grant_request)).status_code == 404
    assert staff.get(admin_pdf_url(grant_request, version=7)).status_code == 404


def test_staff_without_a_role_are_refused_and_applicants_cannot_use_the_admin_route():
    grant_request, _ = executed_letter()

    assert staff_client(StaffFactory()).get(admin_pdf_url(grant_request)).status_code == 403
    member = Client()
    member.cookies["ime_us_hcp"] = "yes"
    member.force_login(grant_request.created_by)
    assert member.get(admin_pdf_url(grant_request)).status_code == 403
    assert Client().get(admin_pdf_url(grant_request)).status_code == 302


def test_setting_the_clause_headings_apart_keeps_every_word_of_the_frozen_letter():
    _, letter = executed_letter()

    blocks = blocks_of(letter.text)

    assert [b["heading"] for b in blocks if b["heading"]][:2] == ["1. The parties", "2. The program and the grant"]
    assert " ".join(f"{b['heading']} {b['body']}" for b in blocks).split() == letter.text.split()

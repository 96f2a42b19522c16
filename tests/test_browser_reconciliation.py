"""In Chromium, axe-core on every page: a grant in progress ends (the daily move, given the date, not
by waiting); the applicant files the reconciliation report over two sittings and sees the refund with
its arithmetic; staff return it with a question and the applicant answers; staff accept it, finance
records the refund, staff close the grant; the applicant sees it closed, with the summary."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from grants.models import AgreementTemplate, GrantRequest
from grants.services.post_award import advance_programs
from grants.status import GrantStatus as S
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible
from .factories import TINY_PDF
from .workflow_steps import request_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "The platform cost less than budgeted: was anything left out?"
LETTER = Path(settings.BASE_DIR) / "grants" / "migrations" / "texts" / "letter_of_agreement_v1.txt"


def sign_in_applicant(page, live_server, email):
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "ime_us_hcp", "value": "yes", "url": live_server.url}])
    page.goto(live_server.url + "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_in_staff(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])  # fmt: skip


def staff_action(page, live_server, grant_request, label, fill=None):
    page.goto(f"{live_server.url}/admin/grants/grantrequest/{grant_request.pk}/change/")
    assert_accessible(page, f"staff request page before “{label}”")
    page.get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page, f"action page “{label}”")
    for field, value in (fill or {}).items():
        page.get_by_label(field).fill(value)
    page.get_by_role("button", name=re.compile("^Confirm")).click()
    page.wait_for_load_state()


def test_a_grant_goes_from_in_progress_to_closed_with_the_reconciliation(gated_page, live_server, tmp_path):
    page = gated_page
    factories.ensure_role_groups()
    if not AgreementTemplate.objects.filter(published=True).exists():
        # Transactional tests empty the tables, the published template of migration 0008 included.
        AgreementTemplate.objects.create(version=1, body=LETTER.read_text(), published=True)
    member = factories.applicant(first_name="Dana", last_name="Whitfield")
    grant_request = request_at(S.IN_PROGRESS, member=member)
    assert advance_programs(today=grant_request.end_date)["end_program"] == 1
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_DUE

    # First sitting: the actual spend and the physicians; then the applicant leaves.
    sign_in_applicant(page, live_server, member.email)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    assert_accessible(page, "request page with reconciliation due")
    page.get_by_role("link", name="Start the reconciliation report").click()
    page.wait_for_load_state()
    assert_accessible(page, "empty reconciliation report")
    page.get_by_label("Faculty honoraria (3 × $2,500)").fill("6,000")
    page.get_by_label("Virtual platform and production").fill("$18,000.00")
    page.get_by_label("Physicians").fill("-5")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Faculty honoraria (3 × $2,500)").input_value() == "6,000"
    assert_accessible(page, "reconciliation report with an error")
    page.get_by_label("Physicians").fill("140")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert "has been saved" in page.locator("main").inner_text()

    # Second sitting: the rest, the documents and the attestation; then the refund.
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    page.get_by_role("link", name="Continue the reconciliation report").click()
    page.wait_for_load_state()
    assert page.get_by_label("Physicians").input_value() == "140"
    page.get_by_label("Nurses", exact=True).fill("35")
    page.get_by_label("Moore outcome level reached").select_option("4")
    page.get_by_label("Summary of the outcomes").fill("Competence rose from 52% to 80% on the post-test.")
    page.get_by_label("A slide shown to learners").check()
    page.get_by_label("Credits awarded").fill("1.5")
    document = tmp_path / "document.pdf"
    document.write_bytes(TINY_PDF)
    for label in ("Final budget", "Attendance summary", "Outcomes report", "Outcomes data file", "Disclosure evidence"):
        page.get_by_label(label, exact=True).set_input_files(str(document))
    page.get_by_role("checkbox", name=re.compile("attest that the funds")).check()
    page.get_by_role("button", name="Save and see the refund").click()
    page.wait_for_load_state()
    refund = page.get_by_role("region", name="Refund due").inner_text()
    assert "$1,000.00" in refund and "= Surplus" in refund  # 25,000 paid − 24,000 spent, all ours
    assert_accessible(page, "reconciliation summary before submission")
    page.get_by_role("button", name="Submit the reconciliation").click()
    page.wait_for_load_state()
    assert "has been submitted" in page.locator("main").inner_text()
    assert_accessible(page, "reconciliation summary after submission")

    # Staff return it with a question; the applicant answers.
    coordinator = factories.staff_with_role(Role.COORDINATOR)
    sign_in_staff(page, live_server, coordinator)
    staff_action(page, live_server, grant_request, "Return the reconciliation with questions",
                 {"Your questions on the reconciliation report": QUESTION})  # fmt: skip
    assert GrantRequest.objects.get(pk=grant_request.pk).status == S.RECONCILIATION_RETURNED

    sign_in_applicant(page, live_server, member.email)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    page.get_by_role("link", name="Read and answer them").click()
    page.wait_for_load_state()
    questions = page.get_by_role("region", name="The IME team has questions on your report")
    assert QUESTION in questions.inner_text()
    assert_accessible(page, "reconciliation summary with the question")
    questions.get_by_label("Your answer").fill("Nothing was left out: the platform gave a nonprofit discount.")
    questions.get_by_role("button", name="Send your answer").click()
    page.wait_for_load_state()
    assert "Your answer has been sent" in page.locator("main").inner_text()
    assert GrantRequest.objects.get(pk=grant_request.pk).status == S.RECONCILIATION_SUBMITTED

    # Staff accept, finance records the refund, staff close.
    sign_in_staff(page, live_server, coordinator)
    staff_action(page, live_server, grant_request, "Accept the reconciliation")
    sign_in_staff(page, live_server, factories.staff_with_role(Role.FINANCE))
    staff_action(page, live_server, grant_request, "Record the reconciliation refund received", {
        "Amount received (USD)": "1000.00", "Date received": timezone.localdate().isoformat(),
        "Refund reference": "CHK-5120",
    })  # fmt: skip
    sign_in_staff(page, live_server, coordinator)
    staff_action(page, live_server, grant_request, "Close the grant")
    assert GrantRequest.objects.get(pk=grant_request.pk).status == S.CLOSED
    panel = page.get_by_role("region", name="Reconciliation").inner_text()
    assert "CHK-5120" in panel

    # The applicant sees the grant closed and the summary.
    sign_in_applicant(page, live_server, member.email)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    assert "The grant is closed." in page.locator("main").inner_text()
    assert_accessible(page, "closed request page")
    page.get_by_role("link", name="Reconciliation summary").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Closed" in main and "Refund received so far: $1,000.00" in main and "140" in main
    assert_accessible(page, "closed reconciliation summary")
    assert get_user_model().objects.filter(email=member.email).exists()

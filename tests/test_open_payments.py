"""The Open Payments review list: the XLSX (opened with openpyxl) holds each grant paid in the year with
the exclusion's three tests and their reasons, non-accredited grants flagged; compliance and the
administrator may download it, other roles are refused; the yearly reminder goes once."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.choices import AccreditationBody, OrganisationType, RequestType
from grants.models import GrantRequest, Organisation, Payment, Refund
from grants.status import GrantStatus as S
from outbox.models import Email, SentOnce
from reviews import open_payments
from reviews.models import ExportLog
from reviews.tasks import open_payments_reminder
from workflow.roles import Role

from .factories import OrganisationFactory, applicant, staff_with_role
from .workflow_steps import finance_officer, request_at

pytestmark = pytest.mark.django_db
YEAR = 2026


def paid_grant(name, *, paid_on=date(YEAR, 5, 1), org_type=OrganisationType.ACCREDITED_PROVIDER, **kwargs):
    member = applicant(organisation=OrganisationFactory(legal_name=f"{name} Institute", org_type=org_type))
    grant = request_at(S.PAID, member=member, title=name, signer_email=f"{name.lower()}@provider.example.org",
                       **kwargs)  # fmt: skip
    Payment.objects.filter(grant_request=grant).update(paid_on=paid_on)
    return grant


@pytest.fixture
def grants():
    """accredited (ACCME, attested, organization): excluded; a patient-education grant: flagged;
    an accredited request without a recognized accreditor: flagged; no independence attestation:
    flagged; paid to a medical practice: flagged; paid in 2025: not in the 2026 list."""
    found = {
        "Accredited": paid_grant("Accredited", accreditation_body=AccreditationBody.ACCME),
        "Patient": paid_grant(
            "Patient", request_type=RequestType.PATIENT_COMMUNITY, paid_on=date(YEAR, 2, 1)
        ),  # fmt: skip
        "Nobody": paid_grant("Nobody", accreditation_body=AccreditationBody.ACCME),
        "Practice": paid_grant("Practice", accreditation_body=AccreditationBody.JOINT, paid_on=date(YEAR, 8, 1)),
        "Unattested": paid_grant("Unattested", accreditation_body=AccreditationBody.ANCC, paid_on=date(YEAR, 9, 1)),
        "Earlier": paid_grant("Earlier", accreditation_body=AccreditationBody.ACCME, paid_on=date(YEAR - 1, 12, 31)),
    }
    # Facts the forms would never let through now, set as they might stand on older records.
    GrantRequest.objects.filter(pk=found["Unattested"].pk).update(attest_independence=False)
    Organisation.objects.filter(pk=found["Practice"].organisation_id).update(org_type=OrganisationType.MEDICAL_PRACTICE)
    GrantRequest.objects.filter(pk=found["Nobody"].pk).update(accreditation_body="")
    Organisation.objects.filter(pk=found["Nobody"].organisation_id).update(accreditation_body=AccreditationBody.NONE)
    Refund.objects.create(grant_request=found["Accredited"], cause=Refund.Cause.RECONCILIATION,
                          amount=Decimal("1500.00"), received_on=date(YEAR, 11, 2), reference="CHK-1",
                          recorded_by=finance_officer())  # fmt: skip
    return found


def download(client, year=YEAR):
    response = client.get(reverse("admin:open_payments_xlsx", args=[year]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="open-payments-review-{year}.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, [dict(zip(header, row, strict=False)) | {"_row": row} for row in rows], sheet


def test_each_grant_paid_in_the_year_with_the_exclusions_tests_and_reasons(client, grants):
    client.force_login(staff_with_role(Role.COMPLIANCE))

    header, rows, sheet = download(client)

    assert [row["Program title"] for row in rows] == ["Patient", "Accredited", "Nobody", "Practice", "Unattested"]
    by_title = {row["Program title"]: row["_row"] for row in rows}
    verdict, accredited, independent, recipient = (header.index(h) for h in (
        "Accredited-CE exclusion", "Accredited by a recognized accreditor",
        "Company neither selected nor paid speakers", "No direct payment to a covered recipient"))  # fmt: skip

    def tests_of(title):
        row = by_title[title]
        return (row[verdict], row[accredited], row[accredited + 1], row[independent], row[independent + 1],
                row[recipient], row[recipient + 1])  # fmt: skip

    assert tests_of("Accredited") == (
        "Excluded (accredited CE)", "Passes", "Accredited by ACCME (physicians).",
        "Passes", "The provider attested that it selects and pays the faculty, not the company.",
        "Passes", "Paid to an organization, not to an individual practitioner.",
    )  # fmt: skip
    assert tests_of("Patient")[:3] == (
        "Flagged for review", "Fails", "Not accredited education (Patient, caregiver or community education).",
    )  # fmt: skip
    assert tests_of("Nobody")[:3] == (
        "Flagged for review", "Fails", "Accredited request, but no recognized accreditor is named.",
    )  # fmt: skip
    assert tests_of("Practice")[0] == "Flagged for review"
    practice = "Paid to a covered recipient directly (Medical practice or practice group)."
    assert tests_of("Practice")[5:] == ("Fails", practice)
    assert tests_of("Unattested")[0] == "Flagged for review"
    assert tests_of("Unattested")[3:5] == ("Fails", "No independence attestation on file.")


def test_money_is_numbers_and_dates_are_dates(client, grants):
    client.force_login(staff_with_role(Role.ADMINISTRATOR))
    header, rows, sheet = download(client)
    accredited = next(row for row in rows if row["Program title"] == "Accredited")

    assert accredited["Paid in the year (USD)"] == 25000
    assert accredited["Refunded in the year (USD)"] == 1500
    assert accredited["First payment"] == datetime(YEAR, 5, 1)
    cell = sheet.cell(row=2 + [r["Program title"] for r in rows].index("Accredited"),
                      column=1 + header.index("Paid in the year (USD)"))  # fmt: skip
    assert cell.number_format == "#,##0.00"
    assert ExportLog.objects.get().row_count == 5


def test_an_earlier_year_holds_only_its_own_payments(client, grants):
    client.force_login(staff_with_role(Role.COMPLIANCE))
    header, rows, sheet = download(client, YEAR - 1)
    assert [row["Program title"] for row in rows] == ["Earlier"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MEDICAL, Role.COMMITTEE, Role.FINANCE])
def test_other_roles_are_refused(client, role):
    client.force_login(staff_with_role(role))
    assert client.get(reverse("admin:open_payments")).status_code == 403
    assert client.get(reverse("admin:open_payments_xlsx", args=[YEAR])).status_code == 403


def test_the_page_links_the_chosen_years_list_and_refuses_a_bad_year(client):
    client.force_login(staff_with_role(Role.COMPLIANCE))
    page = client.get(reverse("admin:open_payments"), {"year": 2025}).content.decode()
    assert f'href="{reverse("admin:open_payments_xlsx", args=[2025])}"' in page

    response = client.get(reverse("admin:open_payments"), {"year": "twenty"})
    assert response.status_code == 200
    assert "<title>Error: " in response.content.decode()
    assert 'value="twenty"' in response.content.decode()


# --- The reminder ----------------------------------------------------------------------------------


def test_the_reminder_goes_once_a_year_from_march_first_to_the_compliance_mailbox(settings, grants):
    settings.IME_COMPLIANCE_MAILBOX = "compliance@axsome.example"

    assert open_payments.send_reminder(date(YEAR + 1, 2, 28)) is None  # not yet
    first = open_payments.send_reminder(date(YEAR + 1, 3, 1))
    again = open_payments.send_reminder(date(YEAR + 1, 3, 2))

    assert first is not None and again is None
    assert first.to == ["compliance@axsome.example"]
    assert f"Open Payments: review the {YEAR} IME grants before March 31, {YEAR + 1}" == first.subject
    assert "5 IME grants received payments" in first.body_text
    assert f"/admin/open-payments/?year={YEAR}" in first.body_text
    assert SentOnce.objects.filter(key=f"open_payments:{YEAR}").count() == 1
    assert open_payments.send_reminder(date(YEAR + 1, 4, 1)) is None  # after the deadline: nothing


def test_the_daily_beat_task_sends_it_once_in_march(settings, monkeypatch):
    settings.IME_COMPLIANCE_MAILBOX = "compliance@axsome.example"
    assert settings.CELERY_BEAT_SCHEDULE["open-payments-reminder"]["task"] == "reviews.tasks.open_payments_reminder"
    days = iter([date(YEAR + 1, 1, 15), date(YEAR + 1, 3, 1), date(YEAR + 1, 3, 2), date(YEAR + 1, 3, 30)])
    monkeypatch.setattr(open_payments.timezone, "localdate", lambda: next(days))

    assert [open_payments_reminder() for _ in range(4)] == [False, True, False, False]
    assert Email.objects.filter(template="open_payments_reminder", to=["compliance@axsome.example"]).count() == 1

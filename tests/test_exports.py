"""CSV and XLSX exports of the staff lists (issue 11, "Exports"): what a staff member downloads from
each list, with the list's filters and search; text that a spreadsheet would run as a formula; types
in the workbook; who may export; the export log; and memory and queries that do not grow with the rows."""

import csv
import io
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import Decision, GrantRequest, Organisation, StatusChange
from outbox.models import Email
from portal.models import Inquiry
from reviews.models import Assignment, ExportLog, Review
from workflow.roles import Role

from .factories import OrganisationFactory, UserFactory, applicant, staff_with_role
from .workflow_steps import request_at

pytestmark = pytest.mark.django_db

LISTS = (
    "grants_grantrequest", "grants_organisation", "grants_statuschange", "grants_decision", "reviews_assignment",
    "reviews_review", "portal_inquiry", "outbox_email",
)  # fmt: skip


def export_url(list_key, file_format, query=""):
    return reverse(f"admin:{list_key}_export_{file_format}") + (f"?{query}" if query else "")


def signed_in(role=Role.COORDINATOR):
    client = Client()
    client.force_login(staff_with_role(role))
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment; filename=")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.fixture
def world():
    """A declined request (with its audit log, decision and emails), one in committee review with an
    assignment and a review, and an inquiry."""
    member = applicant()
    declined = request_at("declined", member=member, title="Declined program")
    in_committee = request_at("committee_review", title="Program in committee", amount_requested=Decimal("12500.50"))
    reviewer = staff_with_role(Role.COMMITTEE, first_name="Rita", last_name="Reviewer")
    Assignment.objects.create(
        grant_request=in_committee, reviewer=reviewer, stage="committee_review", assigned_by=reviewer
    )
    Review.objects.create(
        grant_request=in_committee, reviewer=reviewer, stage="committee_review", has_conflict=False,
        score_educational_need=4, score_design_quality=5, recommendation="approve_partially",
        recommended_amount=Decimal("10000.00"), submitted_at=timezone.now(),
    )  # fmt: skip
    Inquiry.objects.create(name="Quinn Asker", email="quinn@example.org", subject="Deadlines", message="When?")
    return {"declined": declined, "in_committee": in_committee}


# --- Headers and rows ------------------------------------------------------------------------------


EXPECTED_HEADERS = {
    "grants_grantrequest": [
        "Reference", "Organization", "Organization EIN", "Program title", "Type", "Therapeutic area", "Format",
        "Program start", "Program end", "Amount requested (USD)", "Amount approved (USD)", "Status",
        "In this status since", "Submitted", "Requester", "Requester email",
    ],
    "grants_organisation": [
        "Legal name", "Type", "Tax status", "EIN", "Address", "Address line 2", "City", "State", "ZIP code",
        "Website", "Accreditation body", "Accreditation ID", "Accreditation expires", "W-9 on file", "Registered",
    ],
    "grants_statuschange": ["Date", "Request", "Step", "From status", "To status", "By", "Note"],
    "grants_decision": [
        "Request", "Outcome", "Approved amount (USD)", "Reasons", "Decided by", "Decided", "Message to the applicant",
    ],
    "reviews_assignment": ["Request", "Stage", "Reviewer", "Assigned by", "Assigned"],
    "reviews_review": [
        "Request", "Stage", "Reviewer", "State", "Conflict of interest declared", "Educational need",
        "Design quality", "Audience fit", "Outcomes plan", "Budget reasonableness", "Independence and compliance",
        "Average score", "Recommendation", "Recommended amount (USD)", "Comments", "Submitted",
    ],
    "portal_inquiry": ["Received", "Name", "Email", "Organization", "Subject", "Message", "Status", "Staff notes"],
    "outbox_email": [
        "Created", "Subject", "To", "Template", "Status", "Attempts", "Last error", "Sent", "Carries a one-time link",
    ],
}  # fmt: skip


@pytest.mark.parametrize("list_key", LISTS)
def test_each_list_exports_its_headers_and_one_row_per_listed_object(world, list_key):
    listed = {
        "grants_grantrequest": GrantRequest.objects.exclude(status="draft"),
        "grants_organisation": Organisation.objects.all(),
        "grants_statuschange": StatusChange.objects.all(),
        "grants_decision": Decision.objects.all(),
        "reviews_assignment": Assignment.objects.all(),
        "reviews_review": Review.objects.all(),
        "portal_inquiry": Inquiry.objects.all(),
        "outbox_email": Email.objects.all(),
    }[list_key]
    client = signed_in()
    rows = csv_rows(client.get(export_url(list_key, "csv")))
    assert rows[0] == EXPECTED_HEADERS[list_key]
    assert len(rows) - 1 == listed.count() > 0
    sheet = xlsx_sheet(client.get(export_url(list_key, "xlsx")))
    assert [cell.value for cell in sheet[1]] == EXPECTED_HEADERS[list_key]
    assert sheet.max_row - 1 == listed.count()


def test_the_queue_export_writes_what_the_request_says(world):
    in_committee = world["in_committee"]
    rows = as_dicts(csv_rows(signed_in().get(export_url("grants_grantrequest", "csv"))))
    row = next(r for r in rows if r["Reference"] == in_committee.reference)
    assert row["Organization"] == in_committee.organisation.legal_name
    assert row["Program title"] == "Program in committee"
    assert row["Type"] == in_committee.get_request_type_display()  # labels, not stored codes
    assert row["Therapeutic area"] == in_committee.get_therapeutic_area_display()
    assert row["Status"] == "Committee review"
    assert row["Amount requested (USD)"] == "12500.50"  # a plain number
    assert row["Amount approved (USD)"] == ""
    assert row["Program start"] == in_committee.start_date.isoformat()  # ISO date
    submitted = datetime.fromisoformat(row["Submitted"])  # ISO date and time with its UTC offset
    assert submitted == in_committee.submitted_at.replace(microsecond=0)


def test_review_decision_and_audit_log_rows_read_like_the_admin(world):
    client = signed_in()
    review = as_dicts(csv_rows(client.get(export_url("reviews_review", "csv"))))[0]
    assert review["Reviewer"] == "Rita Reviewer"
    assert review["State"] == "Submitted"
    assert review["Conflict of interest declared"] == "No"
    assert review["Average score"] == "4.50"
    assert review["Recommendation"] == "Approve in part"
    assert review["Recommended amount (USD)"] == "10000.00"

    decision = as_dicts(csv_rows(client.get(export_url("grants_decision", "csv"))))[0]
    assert decision["Request"] == world["declined"].reference
    assert decision["Outcome"] == "Declined"
    assert decision["Approved amount (USD)"] == ""
    assert decision["Reasons"] and decision["Reasons"] != "[]"  # labels of the reasons, not codes

    log = as_dicts(csv_rows(client.get(export_url("grants_statuschange", "csv", "q=" + world["declined"].reference))))
    assert [row["To status"] for row in log][-1] == "Declined"
    assert {row["Request"] for row in log} == {world["declined"].reference}


# --- Filters, search and ordering ------------------------------------------------------------------


def test_the_export_honors_the_lists_filter_search_and_ordering(world):
    client = signed_in()
    declined, in_committee = world["declined"], world["in_committee"]

    rows = as_dicts(csv_rows(client.get(export_url("grants_grantrequest", "csv", "status=declined"))))
    assert [row["Reference"] for row in rows] == [declined.reference]

    rows = as_dicts(csv_rows(client.get(export_url("grants_grantrequest", "csv", "q=in+committee"))))
    assert [row["Reference"] for row in rows] == [in_committee.reference]

    sheet = xlsx_sheet(client.get(export_url("grants_grantrequest", "xlsx", "status=committee_review")))
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [in_committee.reference]

    for subject in ("Budget", "Accreditation"):
        Inquiry.objects.create(name="N", email="n@example.org", subject=subject, message="M")
    ascending = [r["Subject"] for r in as_dicts(csv_rows(client.get(export_url("portal_inquiry", "csv", "o=1"))))]
    descending = [r["Subject"] for r in as_dicts(csv_rows(client.get(export_url("portal_inquiry", "csv", "o=-1"))))]
    assert ascending == ["Accreditation", "Budget", "Deadlines"]
    assert descending == list(reversed(ascending))


def test_the_list_links_to_exports_of_the_rows_it_shows_not_just_its_page(world):
    page = signed_in().get(reverse("admin:grants_grantrequest_changelist") + "?status=declined&p=2&q=x")
    html = page.content.decode()
    csv_link = reverse("admin:grants_grantrequest_export_csv") + "?status=declined&amp;q=x"
    xlsx_link = reverse("admin:grants_grantrequest_export_xlsx") + "?status=declined&amp;q=x"
    assert f'href="{csv_link}"' in html and f'href="{xlsx_link}"' in html
    assert "Export CSV" in html and "Export XLSX" in html


@pytest.mark.parametrize("list_key", LISTS)
def test_every_list_shows_both_export_buttons_to_a_coordinator(world, list_key):
    html = signed_in().get(reverse(f"admin:{list_key}_changelist")).content.decode()
    for file_format in ("csv", "xlsx"):
        assert f'href="{export_url(list_key, file_format)}"' in html, file_format
    assert "Export CSV" in html and "Export XLSX" in html


def test_a_filter_the_list_cannot_read_sends_back_to_the_list(world):
    response = signed_in().get(export_url("grants_statuschange", "csv", "no_such_field__gt=3"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:grants_statuschange_changelist") + "?e=1"
    assert not ExportLog.objects.exists()


# --- Formula injection ------------------------------------------------------------------------------

DANGEROUS = {
    "subject": '=HYPERLINK("https://evil.example/","Click")',
    "name": "+1+cmd|' /C calc'!A0",
    "organisation": "-2+3",
    "message": "@SUM(1+1)*cmd|' /C calc'!A0",
    "staff_notes": "\rReturn",
}


def test_text_that_a_spreadsheet_would_run_is_neutralized_in_csv_and_xlsx(world):
    inquiry = Inquiry.objects.create(email="x@example.org", **DANGEROUS)
    client = signed_in()
    query = f"q={inquiry.email}"
    (row,) = as_dicts(csv_rows(client.get(export_url("portal_inquiry", "csv", query))))
    sheet = xlsx_sheet(client.get(export_url("portal_inquiry", "xlsx", query)))
    cells = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]], strict=True))
    expected = {
        "Subject": "'" + DANGEROUS["subject"], "Name": "'" + DANGEROUS["name"],
        "Organization": "'" + DANGEROUS["organisation"], "Message": "'" + DANGEROUS["message"],
        "Staff notes": "'\rReturn",
    }  # fmt: skip
    for header, value in expected.items():
        assert row[header] == value, header
        assert cells[header] == value, header
        assert sheet[2][list(cells).index(header)].data_type == "s"  # text, never a formula
    assert row["Email"] == "x@example.org" and cells["Email"] == "x@example.org"  # harmless text untouched


def test_a_leading_tab_is_neutralized(world):
    Inquiry.objects.create(email="t@example.org", name="T", subject="\tTabbed", message="M")
    client = signed_in()
    (row,) = as_dicts(csv_rows(client.get(export_url("portal_inquiry", "csv", "q=t@example.org"))))
    assert row["Subject"] == "'\tTabbed"
    sheet = xlsx_sheet(client.get(export_url("portal_inquiry", "xlsx", "q=t@example.org")))
    assert sheet.cell(row=2, column=5).value == "'\tTabbed"


def test_a_negative_number_stays_a_number(world):
    Review.objects.update(recommended_amount=Decimal("-500.25"))
    client = signed_in()
    (row,) = as_dicts(csv_rows(client.get(export_url("reviews_review", "csv"))))
    assert row["Recommended amount (USD)"] == "-500.25"
    sheet = xlsx_sheet(client.get(export_url("reviews_review", "xlsx")))
    column = [c.value for c in sheet[1]].index("Recommended amount (USD)") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.value == pytest.approx(-500.25) and cell.data_type == "n"


def test_characters_the_xlsx_format_cannot_hold_are_dropped_not_fatal(world):
    Inquiry.objects.create(email="c@example.org", name="C", subject="Bell\x07 and\x0b tab", message="M")
    sheet = xlsx_sheet(signed_in().get(export_url("portal_inquiry", "xlsx", "q=c@example.org")))
    assert sheet.cell(row=2, column=5).value == "Bell and tab"


# --- Types in the workbook ---------------------------------------------------------------------------


def test_the_workbook_has_dates_as_dates_and_money_as_numbers(world):
    in_committee = world["in_committee"]
    sheet = xlsx_sheet(signed_in().get(export_url("grants_grantrequest", "xlsx", "status=committee_review")))
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert isinstance(cells["Program start"].value, datetime | date)
    assert cells["Program start"].value.date() == in_committee.start_date
    assert cells["Program start"].number_format == "yyyy-mm-dd"
    submitted = cells["Submitted"].value
    assert isinstance(submitted, datetime) and submitted.tzinfo is None  # local time: Excel has no zones
    local = timezone.localtime(in_committee.submitted_at).replace(tzinfo=None)
    assert abs((submitted - local).total_seconds()) < 1
    amount = cells["Amount requested (USD)"]
    assert isinstance(amount.value, int | float) and amount.value == pytest.approx(12500.50)
    assert amount.number_format == "#,##0.00"
    assert cells["Amount approved (USD)"].value is None
    assert cells["Reference"].value == in_committee.reference


# --- Who may export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEDICAL, Role.COMMITTEE])
def test_reviewers_and_committee_members_may_not_export_and_see_no_buttons(world, role):
    client = signed_in(role)
    for file_format in ("csv", "xlsx"):
        assert client.get(export_url("grants_grantrequest", file_format)).status_code == 403
        assert client.get(export_url("reviews_review", file_format)).status_code == 403
    page = client.get(reverse("admin:grants_grantrequest_changelist"))
    assert page.status_code == 200
    assert "Export CSV" not in page.content.decode() and "export/csv" not in page.content.decode()
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COMPLIANCE, Role.ADMINISTRATOR])
def test_coordinators_compliance_and_administrators_export(world, role):
    client = signed_in(role)
    page = client.get(reverse("admin:grants_grantrequest_changelist")).content.decode()
    assert "Export CSV" in page and "Export XLSX" in page
    assert len(csv_rows(client.get(export_url("grants_grantrequest", "csv")))) == 3


def test_exporting_needs_the_permission_to_read_the_list_too(world):
    client = signed_in(Role.COMPLIANCE)  # exports, but does not read the outbox
    assert client.get(export_url("outbox_email", "csv")).status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in():
    response = Client().get(export_url("grants_grantrequest", "csv"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- The export log -----------------------------------------------------------------------------------


def test_each_export_is_logged_with_who_which_list_which_filter_and_how_many_rows(world):
    client = Client()
    coordinator = staff_with_role(Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.get(export_url("grants_grantrequest", "csv", "status=declined&q=Declined"))
    log = ExportLog.objects.get()
    assert (log.user, log.list_name, log.file_format) == (coordinator, "grant requests", "csv")
    assert log.query_string == "status=declined&q=Declined"
    assert log.row_count is None  # written when the export starts; counted when the last row is out
    assert len(csv_rows(response)) == 2
    log.refresh_from_db()
    assert log.row_count == 1 and log.finished_at is not None

    client.get(export_url("reviews_assignment", "xlsx"))
    log = ExportLog.objects.latest("pk")
    assert (log.list_name, log.file_format, log.row_count, log.query_string) == ("assignments", "xlsx", 1, "")


def test_administrators_read_the_export_log_and_nobody_edits_it(world):
    csv_rows(signed_in().get(export_url("portal_inquiry", "csv")))
    log = ExportLog.objects.get()
    administrator = signed_in(Role.ADMINISTRATOR)
    page = administrator.get(reverse("admin:reviews_exportlog_changelist"))
    assert page.status_code == 200 and "inquiries" in page.content.decode()
    assert administrator.get(reverse("admin:reviews_exportlog_change", args=[log.pk])).status_code == 200
    administrator.post(reverse("admin:reviews_exportlog_change", args=[log.pk]), {"row_count": 99})
    administrator.post(reverse("admin:reviews_exportlog_delete", args=[log.pk]), {"post": "yes"})
    log.refresh_from_db()
    assert log.row_count == 1
    for role in (Role.COORDINATOR, Role.COMPLIANCE, Role.MEDICAL, Role.COMMITTEE):
        assert signed_in(role).get(reverse("admin:reviews_exportlog_changelist")).status_code == 403


# --- Rows at scale: constant queries, flat memory --------------------------------------------------------


def many_requests(count, start=0):
    """``count`` submitted requests in one INSERT (the workflow is not what is measured here)."""
    organisation = OrganisationFactory()
    creator = UserFactory()
    now = timezone.now()
    GrantRequest.objects.bulk_create(
        [
            GrantRequest(
                organisation=organisation, created_by=creator, status="submitted", submitted_at=now,
                reference=f"IME-2031-{n:05d}", title=f"Program {n}", request_type="accredited",
                therapeutic_area="depression", start_date=date(2031, 1, 1), amount_requested=Decimal("1000.00") + n,
            )
            for n in range(start, start + count)
        ],
        batch_size=2000,
    )  # fmt: skip


def queries_to_export(client, list_key, file_format):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(export_url(list_key, file_format))
        body = b"".join(response.streaming_content)
    return len(queries), body


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_costs_the_same_queries_for_3_rows_as_for_300(file_format):
    client = signed_in()
    many_requests(3)
    few, _ = queries_to_export(client, "grants_grantrequest", file_format)
    many_requests(297, start=3)
    many, body = queries_to_export(client, "grants_grantrequest", file_format)
    assert few == many
    assert body.count(b"IME-2031-") == 300 or file_format == "xlsx"


def export_peak(client, file_format) -> tuple[int, int]:
    """Peak Python memory (tracemalloc) while one export is requested and read to its end, and the
    number of CSV lines read."""
    lines = 0
    tracemalloc.start()
    try:
        response = client.get(export_url("grants_grantrequest", file_format))
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n") if file_format == "csv" else 0
        return tracemalloc.get_traced_memory()[1], lines
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_10000_row_export_runs_in_flat_memory(file_format):
    """Measured, not assumed: the peak Python memory while the response is produced and read is about
    the same for 10,000 rows as for 1,000 (rows held in a list would take about ten times as much)."""
    client = signed_in()
    peaks = {}
    for total in (1000, 10000):
        existing = GrantRequest.objects.count()
        many_requests(total - existing, start=existing)
        peaks[total], lines = export_peak(client, file_format)
        assert lines == (total + 1 if file_format == "csv" else 0)
    assert ExportLog.objects.get(row_count=10000).file_format == file_format
    assert peaks[10000] < 2.5 * peaks[1000], peaks

"""In Chromium: a coordinator filters the request queue and downloads what it shows, as CSV and XLSX,
from the buttons above the list; the page stays accessible and within the Content-Security-Policy."""

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import ExportLog
from workflow.roles import Role

from .conftest import assert_accessible
from .factories import ensure_role_groups, staff_with_role
from .workflow_steps import request_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def signed_in_page(page, live_server, user):
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.set_default_timeout(15_000)
    return page


def test_a_coordinator_downloads_the_filtered_queue_as_csv_and_xlsx(page, live_server):
    ensure_role_groups()
    declined = request_at("declined", title="Declined program")
    request_at("submitted", title="Waiting program")
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "CSP violation" in message.text else None)
    page.add_init_script(REPORT_CSP)
    signed_in_page(page, live_server, staff_with_role(Role.COORDINATOR))

    page.goto(live_server.url + reverse("admin:grants_grantrequest_changelist"))
    page.get_by_role("link", name="Declined", exact=True).click()  # the status filter
    assert "status=declined" in page.url
    assert_accessible(page, "request queue with export buttons")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[1:]] == [declined.reference]
    assert download.value.suggested_filename.endswith(".csv")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [declined.reference]

    assert violations == []
    assert list(ExportLog.objects.values_list("file_format", "query_string", "row_count").order_by("pk")) == [
        ("csv", "status=declined", 1),
        ("xlsx", "status=declined", 1),
    ]

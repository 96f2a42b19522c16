"""The public transparency page: exactly the funded grants (reached through the real workflow), by
quarter of first payment and net of refunds; its filters; the CSV matching the page; off means 404."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import GrantRequest, Payment, Refund
from grants.status import GrantStatus as S

from .factories import OrganisationFactory, applicant
from .workflow_steps import finance_officer, request_at, walk

pytestmark = pytest.mark.django_db
PAGE = reverse("transparency:page")
CSV_URL = reverse("transparency:csv")


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.IME_TRANSPARENCY_REPORT = True
    cache.clear()
    yield
    cache.clear()


def at(status, title, city="Boston", state="MA"):
    member = applicant(organisation=OrganisationFactory(legal_name=f"{title} Institute", city=city, state=state))
    signer = re.sub(r"[^a-z]+", ".", title.lower()).strip(".") or "signer"
    return request_at(status, member=member, title=title, signer_email=f"{signer}@provider.example.org")


def paid_on(grant_request, day):
    Payment.objects.filter(grant_request=grant_request).update(paid_on=day)


@pytest.fixture
def grants():
    """One request in every stage; the ones marked * are funded.

    * paid            Q1 2026, $25,000
    * in progress     Q2 2026, $25,000
    * recon. due      Q4 2025, $25,000
    * reconciled      Q2 2026, $25,000 paid, $4,000 returned: $21,000
      agreement signed with an instalment only (not paid in full): not listed
      cancelled after payment, money back; cancelled with the refund still due: not listed
      draft, submitted, declined, withdrawn, approved, agreement sent: not listed
    """
    found = {name: at(status, name) for name, status in [
        ("Draft", S.DRAFT), ("Submitted", S.SUBMITTED), ("Declined", S.DECLINED), ("Withdrawn", S.WITHDRAWN),
        ("Approved", S.APPROVED), ("Sent", S.AGREEMENT_SENT), ("Signed", S.AGREEMENT_SIGNED),
    ]}  # fmt: skip
    signed = found["Signed"]
    walk(signed, ["record_instalment"], member=signed.created_by)
    found["Paid"] = at(S.PAID, "Paid", city="Austin", state="TX")
    paid_on(found["Paid"], date(2026, 2, 15))
    found["Running"] = at(S.IN_PROGRESS, "Running")
    paid_on(found["Running"], date(2026, 5, 1))
    found["Due"] = at(S.RECONCILIATION_DUE, "Due")
    paid_on(found["Due"], date(2025, 11, 30))
    refund_due = at(S.CANCELLATION_REFUND_DUE, "Refund due")
    found["Refund due"] = refund_due
    back = at(S.CANCELLATION_REFUND_DUE, "Money back")
    walk(back, ["record_cancellation_refund"], member=back.created_by)
    assert back.status == S.CANCELLED and back.refunds.exists()
    found["Money back"] = back
    reconciled = at(S.RECONCILED, "Reconciled")  # walked there: paid in full, report accepted
    paid_on(reconciled, date(2026, 6, 30))
    officer = finance_officer()
    Refund.objects.create(grant_request=reconciled, cause=Refund.Cause.RECONCILIATION, amount=Decimal("4000.00"),
                          received_on=date(2026, 9, 1), reference="CHK-9", recorded_by=officer)  # fmt: skip
    found["Reconciled"] = reconciled
    return found


def rows_of(page: str) -> list[list[str]]:
    body = page[page.index("<tbody>") : page.index("</tbody>")] if "<tbody>" in page else ""

    def text(cell):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()

    return [[text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]  # fmt: skip


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_lists_exactly_the_funded_grants_by_quarter_of_first_payment_net_of_refunds(gated_client, grants):
    response = gated_client.get(PAGE)

    assert response.status_code == 200
    assert rows_of(response.content.decode()) == [
        ["Q2 2026", "Reconciled Institute", "Boston, MA", "Reconciled", "Accredited IME (CME/CE)",
         "Major depressive disorder", "$21,000.00"],
        ["Q2 2026", "Running Institute", "Boston, MA", "Running", "Accredited IME (CME/CE)",
         "Major depressive disorder", "$25,000.00"],
        ["Q1 2026", "Paid Institute", "Austin, TX", "Paid", "Accredited IME (CME/CE)",
         "Major depressive disorder", "$25,000.00"],
        ["Q4 2025", "Due Institute", "Boston, MA", "Due", "Accredited IME (CME/CE)",
         "Major depressive disorder", "$25,000.00"],
    ]  # fmt: skip
    assert "4 grants" in response.content.decode()
    assert "$96,000.00 in all" in response.content.decode()


def test_the_filters_choose_the_year_and_the_quarter(gated_client, grants):
    page = gated_client.get(PAGE, {"year": 2026, "quarter": 2}).content.decode()
    assert [row[1] for row in rows_of(page)] == ["Reconciled Institute", "Running Institute"]

    page = gated_client.get(PAGE, {"year": 2025}).content.decode()
    assert [row[1] for row in rows_of(page)] == ["Due Institute"]

    page = gated_client.get(PAGE, {"quarter": 1}).content.decode()
    assert [row[1] for row in rows_of(page)] == ["Paid Institute"]

    page = gated_client.get(PAGE).content.decode()
    assert re.findall(r'<option value="(\d+)"', page)[:2] == ["2026", "2025"]


def test_a_filter_out_of_the_lists_is_refused_on_the_page(gated_client, grants):
    response = gated_client.get(PAGE, {"year": "1999", "quarter": "7"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Funded grants" in page
    assert 'id="error-summary"' in page
    assert "<tbody>" not in page
    assert gated_client.get(CSV_URL, {"quarter": "x"}).status_code == 200  # the page with its error, not a file


@pytest.mark.parametrize("query", [{}, {"year": 2026}, {"year": 2026, "quarter": 2}, {"quarter": 4}])
def test_the_csv_holds_the_rows_of_the_page(gated_client, grants, query):
    page = rows_of(gated_client.get(PAGE, query).content.decode())
    response = gated_client.get(CSV_URL, query)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    header, *rows = csv_rows(response)
    assert header[0] == "Year" and header[-1] == "Amount paid (USD)"
    as_page = [
        [f"{quarter} {year}", org, f"{city}, {state}", title, kind, area, f"${Decimal(amount):,.2f}"]
        for year, quarter, org, city, state, title, kind, area, amount in rows
    ]
    assert as_page == page


def test_the_page_link_to_the_csv_keeps_the_filters(gated_client, grants):
    page = gated_client.get(PAGE, {"year": 2026, "quarter": 2}).content.decode()
    assert f'href="{CSV_URL}?year=2026&amp;quarter=2"' in page


def test_text_a_spreadsheet_would_run_is_neutralized_in_the_csv(gated_client):
    grant = at(S.PAID, '=HYPERLINK("http://evil.example")')
    header, row = csv_rows(gated_client.get(CSV_URL))
    assert row[5] == '\'=HYPERLINK("http://evil.example")'
    assert grant.title in gated_client.get(PAGE).content.decode().replace("&quot;", '"')


def test_switched_off_the_page_and_the_csv_are_404_and_the_footer_has_no_link(gated_client, settings, grants):
    assert 'href="/transparency/"' in gated_client.get(reverse("portal:contact")).content.decode()
    settings.IME_TRANSPARENCY_REPORT = False

    assert gated_client.get(PAGE).status_code == 404
    assert gated_client.get(CSV_URL).status_code == 404
    assert 'href="/transparency/"' not in gated_client.get(reverse("portal:contact")).content.decode()


def test_the_page_is_behind_the_us_hcp_gate(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/hcp-confirmation/")


def test_rows_come_from_the_cache_for_a_while_per_filter(gated_client, grants, settings):
    settings.IME_TRANSPARENCY_CACHE_SECONDS = 300
    gated_client.get(PAGE, {"year": 2026})
    GrantRequest.objects.filter(pk=grants["Paid"].pk).update(title="Renamed")

    assert "Renamed" not in gated_client.get(PAGE, {"year": 2026}).content.decode()  # the cached rows
    assert "Renamed" in gated_client.get(PAGE, {"year": 2026, "quarter": 1}).content.decode()  # another filter
    cache.clear()
    assert "Renamed" in gated_client.get(PAGE, {"year": 2026}).content.decode()


def test_the_page_costs_the_same_queries_with_few_or_many_grants(gated_client, settings):
    settings.IME_TRANSPARENCY_CACHE_SECONDS = 0
    at(S.PAID, "First")

    def count():
        gated_client.get(PAGE)
        with CaptureQueriesContext(connection) as queries:
            assert gated_client.get(PAGE).status_code == 200
        return len(queries)

    few = count()
    for n in range(3):
        at(S.PAID, f"More {'abc'[n]}")
    assert count() == few
    assert few == 2  # the years for the filter, the rows

"""The transparency page in Chromium: axe-core finds nothing on it (with rows, filtered, and with a
refused filter), its filters work from the keyboard alone, and the footer links to it."""

from datetime import date

import pytest

from grants.models import Payment
from grants.status import GrantStatus as S

from .conftest import assert_accessible
from .factories import OrganisationFactory, applicant
from .workflow_steps import request_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def funded(settings):
    settings.IME_TRANSPARENCY_REPORT = True
    settings.IME_TRANSPARENCY_CACHE_SECONDS = 0
    found = []
    for name, day in [("Sleep Medicine Update", date(2026, 2, 3)), ("Depression Care Forum", date(2025, 8, 19))]:
        member = applicant(organisation=OrganisationFactory(legal_name=f"{name} Institute"))
        signer = name.lower().replace(" ", ".") + "@provider.example.org"
        grant = request_at(S.PAID, member=member, title=name, signer_email=signer)
        Payment.objects.filter(grant_request=grant).update(paid_on=day)
        found.append(grant)
    return found


def test_the_page_is_accessible_and_its_filters_work_by_keyboard(gated_page, live_server, funded):
    page = gated_page
    page.goto(live_server.url + "/contact/")
    page.get_by_role("navigation", name="Footer").get_by_role("link", name="Funded grants").click()
    page.wait_for_url(live_server.url + "/transparency/")
    assert page.get_by_role("heading", level=1).inner_text() == "Funded grants"
    assert page.locator("tbody tr").count() == 2
    assert_accessible(page, "the transparency page")

    # Keyboard only: Tab to the year, choose 2025, Tab to the quarter, choose Q3, Tab to the button, Enter.
    year = page.get_by_label("Year paid")
    year.focus()
    assert year.evaluate("el => el === document.activeElement")
    year.select_option("2025")
    page.keyboard.press("Tab")
    quarter = page.get_by_label("Quarter")
    assert quarter.evaluate("el => el === document.activeElement")
    quarter.select_option("3")
    page.keyboard.press("Tab")
    assert page.get_by_role("button", name="Show grants").evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/transparency/?year=2025&quarter=3")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "Depression Care Forum" in rows.first.inner_text()
    assert_accessible(page, "the transparency page, filtered")

    page.goto(live_server.url + "/transparency/?year=1999")
    assert page.title().startswith("Error: ")
    assert page.locator("#error-summary").is_visible()
    assert_accessible(page, "the transparency page with a refused filter")

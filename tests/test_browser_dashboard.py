"""In Chromium: the staff dashboard on the demo data passes axe-core, and a keyboard user reaches every
chart's data table (each is a focusable region named by its caption)."""

import pytest
from django.urls import reverse

from demo import seeding as demo
from demo.passwords import DEMO_PASSWORD

from . import factories
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_to_admin(page, live_server, username):
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Email").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))


def focused_region_names(page, presses: int) -> list[str]:
    """Press Tab ``presses`` times; the accessible names of the table regions focus landed on, in order."""
    names = []
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        name = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el.getAttribute('role') !== 'region') return null;
                return document.getElementById(el.getAttribute('aria-labelledby')).textContent.trim();
            }"""
        )
        if name and name not in names:
            names.append(name)
    return names


def test_dashboard_is_accessible_and_its_tables_are_reachable_by_keyboard(page, live_server):
    factories.ensure_role_groups()
    factories.ensure_agreement_template()  # the demo issues Letters of Agreement
    demo.seed_all()
    page.set_default_timeout(10_000)
    page.set_viewport_size({"width": 1400, "height": 900})

    sign_in_to_admin(page, live_server, "administrator@example.com")

    assert page.get_by_role("heading", level=1).inner_text() == "Grant administration"
    for chart in ["Requests by status", "Money by quarter", "Money by therapeutic area", "Budget against commitments",
                  "Days from submission to decision"]:  # fmt: skip
        assert page.get_by_role("img", name=chart).count() == 1, chart
    assert_accessible(page, "staff dashboard")

    regions = page.locator('.chart-table[role="region"]')
    expected = [regions.nth(i).get_attribute("aria-labelledby") for i in range(regions.count())]
    captions = [page.locator(f"#{caption_id}").text_content().strip() for caption_id in expected]
    assert len(captions) == 10  # waiting, past due, overdue reconciliations, unsigned agreements, pipeline,
    # money x2, budget, cycle times to the decision and after it
    reached = focused_region_names(page, presses=250)
    assert reached == captions

    # A reviewer's dashboard: their queue and the pipeline, no money.
    page.context.clear_cookies()
    sign_in_to_admin(page, live_server, "medical@example.com")
    assert page.get_by_role("img", name="Requests by status").count() == 1
    assert page.get_by_role("img", name="Money by quarter").count() == 0
    assert_accessible(page, "a medical reviewer's dashboard")

"""A visitor uses the eligibility self-check in Chromium, without an account."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page, *, organisation, in_us, start, uses):
    page.get_by_label("Who would apply for the grant?").select_option(label=organisation)
    page.get_by_role("group", name="Is the organization based in the United States?").get_by_label(in_us).check()
    page.get_by_label("What kind of education is it?").select_option(label="Accredited IME (CME/CE)")
    page.get_by_role("group", name="For accredited education only").get_by_label("Yes").check()
    page.get_by_label("When will the program start?").fill(start.isoformat())
    for use, planned in uses.items():
        page.get_by_label(use, exact=True).set_checked(planned)
    page.get_by_role("button", name="Check eligibility").click()
    page.wait_for_url("**/eligibility/?*#self-check-answer")


def test_visitor_checks_eligibility_is_told_why_not_then_that_they_may_apply(gated_page, live_server):
    page, today = gated_page, timezone.localdate()
    page.goto(live_server.url + "/eligibility/")
    page.get_by_role("link", name="Go to the self-check").click()

    answer(
        page,
        organisation="Medical practice or practice group",
        in_us="No",
        start=today + timedelta(days=20),
        uses={"Venue and meeting space": True, "Gifts": True},
    )
    result = page.get_by_role("status").filter(has_text="Not eligible as things stand")
    assert result.get_by_role("heading", level=3).inner_text() == "Not eligible as things stand"
    reasons = result.get_by_role("listitem")
    assert reasons.count() == 4
    assert "only 20 days from today" in reasons.nth(0).inner_text()
    assert "based in the United States" in reasons.nth(1).inner_text()
    assert "Medical practice or practice group" in reasons.nth(2).inner_text()
    assert "cannot pay for gifts" in reasons.nth(3).inner_text()
    # The answers stay on the form so the visitor can change just what needs changing.
    assert page.get_by_label("Gifts", exact=True).is_checked()
    assert_accessible(page, "self-check: not eligible")

    answer(
        page,
        organisation="Hospital or health system",
        in_us="Yes",
        start=today + timedelta(days=75),
        uses={"Gifts": False, "Faculty honoraria": True},
    )
    result = page.get_by_role("status").filter(has_text="Eligible to apply")
    assert "does not guarantee approval" in result.inner_text()
    assert result.get_by_role("link", name="create an account").is_visible()
    assert page.locator("h1").count() == 1
    assert_accessible(page, "self-check: eligible")

    result.get_by_role("link", name="Read how to apply").click()
    page.wait_for_url(live_server.url + "/apply/")

"""An applicant writes a draft over two sittings in Chromium, signing out in between."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grants.models import GrantRequest

from . import factories
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page, live_server):
    page.goto(live_server.url + "/accounts/logout/")
    page.locator("main").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def progress_state(page, title):
    nav = page.get_by_role("navigation", name="Request sections")
    return nav.get_by_role("link", name=title).inner_text()


def test_applicant_writes_a_draft_over_two_sittings(gated_page, live_server):
    page = gated_page
    user = factories.applicant(first_name="Dana", last_name="Whitfield")
    start = timezone.localdate() + timedelta(days=120)

    # First sitting: start the request and write the programme, with one mistake on the way.
    sign_in(page, live_server, user.email)
    page.goto(live_server.url + "/requests/new/")
    assert_accessible(page, "start a request")
    page.get_by_role("button", name="Start a new request").click()
    page.wait_for_url("**/edit/organisation/")
    assert page.get_by_label("Requester's name").input_value() == "Dana Whitfield"
    assert page.get_by_label("Requester's email").input_value() == user.email
    assert_accessible(page, "organization section")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/edit/programme/")

    page.get_by_label("Type of request").select_option("accredited")
    page.get_by_label("Program title").fill("Narcolepsy: Recognizing It Sooner")
    page.get_by_label("Therapeutic area", exact=True).select_option("narcolepsy")
    page.get_by_label("Format").select_option("live_virtual")
    page.get_by_label("Program start date").fill(start.isoformat())
    page.get_by_label("Program end date").fill((start - timedelta(days=2)).isoformat())
    page.get_by_label("Program URL").fill("https://learn.example.org/narcolepsy")
    page.get_by_label("Target audience").fill("Sleep specialists and primary care physicians")
    page.get_by_label("Expected number of learners").fill("300")
    page.get_by_role("button", name="Save and continue").click()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.evaluate("el => el === document.activeElement")
    assert page.get_by_label("Program title").input_value() == "Narcolepsy: Recognizing It Sooner"
    assert_accessible(page, "program section with an error")
    summary.get_by_role("link", name="end date").click()
    assert page.get_by_label("Program end date").evaluate("el => el === document.activeElement")
    page.get_by_label("Program end date").fill((start + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/edit/content/")

    page.get_by_label("Needs assessment and gap analysis").fill("Diagnosis takes eight years on average.")
    page.get_by_role("textbox", name="Learning objective 1").fill("Screen patients with excessive sleepiness.")
    page.get_by_role("button", name="Save as draft").click()
    assert page.get_by_text("Draft saved at").is_visible()
    sign_out(page, live_server)

    # Second sitting: everything is where it was left.
    grant_request = GrantRequest.objects.get()
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/edit/content/")
    assert page.get_by_label("Needs assessment and gap analysis").input_value() == (
        "Diagnosis takes eight years on average."
    )
    assert (
        page.get_by_role("textbox", name="Learning objective 1").input_value()
        == "Screen patients with excessive sleepiness."
    )
    assert "Complete" in progress_state(page, "Program")
    assert "Incomplete" in progress_state(page, "Educational content")
    assert page.get_by_role("link", name="Educational content").get_attribute("aria-current") == "step"

    page.get_by_label("References").fill("1. Example B. Sleep. 2023.")
    page.get_by_role("textbox", name="Learning objective 2").fill("Start a treatment plan.")
    page.get_by_label("Educational design").fill("Live webinar with cases.")
    page.get_by_label("Outcomes plan").fill("Pre/post test and a 60-day practice survey.")
    page.get_by_label("Highest Moore outcome level targeted").select_option("5")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/edit/accreditation/")
    assert "Complete" in progress_state(page, "Educational content")
    assert_accessible(page, "accreditation section")

    page.goto(f"{live_server.url}/requests/{grant_request.pk}/edit/programme/")
    assert page.get_by_label("Program URL").input_value() == "https://learn.example.org/narcolepsy"
    assert page.get_by_label("Program start date").input_value() == start.isoformat()

    grant_request.refresh_from_db()
    assert grant_request.title == "Narcolepsy: Recognizing It Sooner"
    assert list(grant_request.learning_objectives.values_list("text", flat=True)) == [
        "Screen patients with excessive sleepiness.",
        "Start a treatment plan.",
    ]


def test_budget_page_is_accessible_with_rows_and_errors(gated_page, live_server):
    page = gated_page
    user = factories.applicant()
    grant_request = factories.GrantRequestFactory(organisation=user.membership.organisation, created_by=user)
    sign_in(page, live_server, user.email)

    page.goto(f"{live_server.url}/requests/{grant_request.pk}/edit/budget/")
    assert page.locator("#budget-total").inner_text() == "$30,000.00"
    assert_accessible(page, "budget section")

    row = page.get_by_role("group", name="Budget line 3")
    row.get_by_label("Category").select_option("venue")
    row.get_by_label("Description").fill("Studio hire")
    row.get_by_label("Unit cost (USD)").fill("-10")
    page.get_by_role("button", name="Save as draft").click()
    assert page.locator(".error-summary").is_visible()
    assert page.get_by_role("group", name="Budget line 3").get_by_label("Description").input_value() == "Studio hire"
    assert_accessible(page, "budget section with an error")

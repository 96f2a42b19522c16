"""In Chromium: the IME team asks for more information; the applicant sees the banner, changes the
section named, sends the answer and finds the request back in screening. Later the decision shows."""

import re

import pytest

from grants.choices import DeclineReason
from grants.models import GrantRequest, InformationRequest
from outbox.models import Email
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible
from .workflow_steps import decide, request_information

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WHAT_WE_NEED = "Please name the venue and city for the live sessions."


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def coordinator():
    # Transactional tests empty the tables between tests, including the groups a migration created.
    factories.ensure_role_groups()
    return factories.staff_with_role(Role.COORDINATOR)


def test_applicant_answers_a_request_for_information_and_later_reads_the_decision(gated_page, live_server):
    page = gated_page
    user = factories.applicant(first_name="Dana", last_name="Whitfield")
    screener = coordinator()
    grant_request = factories.grant_request_in_screening(user, screener)
    request_information(grant_request, by=screener, message=WHAT_WE_NEED, sections=["programme"])

    sign_in(page, live_server, user.email)
    page.goto(f"{live_server.url}/requests/{grant_request.pk}/")
    banner = page.get_by_role("region", name="The IME team has asked for more information")
    assert WHAT_WE_NEED in banner.inner_text()
    assert_accessible(page, "request page with the request for information")

    # An empty answer is refused, with the reason next to the box.
    banner.get_by_role("button", name="Send your answer").click()
    page.wait_for_load_state()
    assert "Write your answer before sending it" in page.locator("main").inner_text()
    assert_accessible(page, "request page with an answer error")

    page.get_by_role("region", name="The IME team has asked for more information").get_by_role(
        "link", name="Program"
    ).click()
    page.wait_for_url("**/edit/programme/")
    nav = page.get_by_role("navigation", name="Request sections")
    assert "Locked" in nav.inner_text()
    assert nav.get_by_role("link", name=re.compile("Budget")).count() == 0
    page.get_by_label("Venue and city").fill("Hynes Convention Center, Boston")
    page.get_by_role("button", name="Save as draft", exact=True).click()  # saved: no unsaved-changes warning
    page.wait_for_load_state()
    assert "Draft saved" in page.locator("main").inner_text()
    assert_accessible(page, "program section while answering")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=grant_request.reference).click()
    page.wait_for_url(f"**/requests/{grant_request.pk}/")
    page.get_by_role("textbox", name=re.compile(r"^Your answer")).fill(
        "The venue is the Hynes Convention Center in Boston."
    )
    page.get_by_role("button", name="Send your answer").click()
    page.wait_for_load_state()

    main = page.locator("main").inner_text()
    assert "Your answer has been sent; the request is back with the IME team." in main
    assert "Screening" in page.locator(".page-header").inner_text()
    assert page.get_by_role("region", name="The IME team has asked for more information").count() == 0
    grant_request.refresh_from_db()
    assert grant_request.status == "screening"
    assert grant_request.location == "Hynes Convention Center, Boston"
    assert InformationRequest.objects.get(grant_request=grant_request).answered_at is not None
    assert Email.objects.filter(template="information_answered", to=[screener.email]).exists()

    decide(
        GrantRequest.objects.get(pk=grant_request.pk),
        by=screener,
        outcome="declined",
        reason_codes=[DeclineReason.FUNDS],
        message="This period's budget is fully committed.",
    )
    page.reload()
    decision = page.get_by_role("region", name="Decision: Declined")
    assert "Budget for the period is fully committed" in decision.inner_text()
    assert "This decision is final for this request" in decision.inner_text()
    assert page.get_by_role("button", name="Send message").count() == 0
    assert_accessible(page, "request page with a decision")

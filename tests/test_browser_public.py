"""A visitor's journey in Chromium: the gate, the public pages, an inquiry and its confirmation."""

import pytest

from outbox.models import Email
from portal.models import Inquiry

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV = ["About IME", "Eligibility", "What we fund", "Standards", "How to apply", "FAQ"]


def test_visitor_passes_the_gate_reads_the_pages_and_sends_an_inquiry(page, live_server):
    page.goto(live_server.url + "/apply/")
    assert "intended for US healthcare professionals only" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page, "the US-HCP gate")
    page.get_by_role("button", name="I confirm, continue").click()
    page.wait_for_url(live_server.url + "/apply/")
    assert_accessible(page, "how to apply")

    for label in NAV:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1
        assert_accessible(page, label)

    page.goto(live_server.url + "/contact/")
    page.get_by_label("Your name").fill("Morgan Blake")
    page.get_by_label("Your email address").fill("not-an-email")
    page.get_by_label("Subject").fill("Lead time for an enduring program")
    page.get_by_label("Message").fill("Does the 60-day lead time apply to enduring materials?")
    page.get_by_role("button", name="Send message").click()
    assert page.get_by_text("Enter a valid email address.", exact=True).is_visible()
    assert page.get_by_label("Subject").input_value() == "Lead time for an enduring program"
    assert_accessible(page, "contact form with errors")

    page.get_by_label("Your email address").fill("morgan.blake@cme.example.org")
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url(live_server.url + "/contact/thanks/")
    assert "your message has been sent" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page, "inquiry confirmation")

    assert Inquiry.objects.get().email == "morgan.blake@cme.example.org"
    assert Email.objects.filter(template__startswith="inquiry_").count() == 2


def test_keyboard_user_can_skip_to_the_content(page, live_server):
    page.context.add_cookies([{"name": "ime_us_hcp", "value": "yes", "url": live_server.url}])
    page.goto(live_server.url + "/faq/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

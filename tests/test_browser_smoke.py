import pytest

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gate_then_home_in_chromium(page, live_server):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("This website is intended")
    assert_accessible(page, "gate")
    page.get_by_role("button", name="I confirm, continue").click()
    page.wait_for_url(live_server.url + "/")
    assert_accessible(page, "home")

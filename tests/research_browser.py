"""Browser helpers shared by the research journeys (tests/test_browser_research_*.py): who is signed in,
the staff action pages, uploads from bytes."""

import pytest

from . import factories
from .conftest import assert_accessible, sign_in_as


@pytest.fixture
def role_groups(db, settings):
    settings.IME_STAFF_2FA = False
    factories.ensure_role_groups()


def open_page(page, live_server, user, path):
    """``user``'s session in the browser, on ``path``."""
    sign_in_as(page, live_server, user)
    page.goto(live_server.url + path)
    return page


def staff_page_url(proposal):
    return f"/admin/research/researchproposal/{proposal.pk}/change/"


def act(page, proposal, link, button=None, fill=None, check=""):
    """From the staff proposal page: follow an action's link, check its confirmation page with axe, fill
    it, confirm, and wait to be back on the proposal page."""
    page.get_by_role("link", name=link).click()
    page.wait_for_url("**/actions/**")
    assert_accessible(page, check or f"action page: {link}")
    for label, value in (fill or {}).items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name=button or f"Confirm: {link.lower()}").click()
    page.wait_for_url(f"**{staff_page_url(proposal)}")
    assert "done" in page.locator(".messagelist").inner_text()


def upload(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)

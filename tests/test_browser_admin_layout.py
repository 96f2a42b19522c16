"""In Chromium at 1,400 and 1,024 px: the staff request page's title and its tool buttons do not overlap."""

import pytest
from django.test import Client
from django.urls import reverse

from grants.models import GrantRequest
from grants.status import GrantStatus
from workflow.roles import Role

from .factories import GrantRequestFactory, ensure_role_groups, staff_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = (
    "Closing the Gap in Treatment-Resistant Depression: A Case-Based Virtual Symposium for Psychiatrists, "
    "Primary Care Physicians and Psychiatric Nurse Practitioners"
)


def overlap(a, b) -> bool:
    across = a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
    down = a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
    return across and down


@pytest.mark.parametrize("width", [1400, 1024])
def test_a_long_request_title_does_not_run_under_the_tool_buttons(page, live_server, width, tmp_path):
    ensure_role_groups()  # transactional tests empty the role groups too
    grant_request = GrantRequestFactory(title=LONG_TITLE)
    GrantRequest.objects.filter(pk=grant_request.pk).update(
        status=GrantStatus.SCREENING, reference="IME-2026-00042", submitted_at=grant_request.created_at
    )
    client = Client()
    client.force_login(staff_with_role(Role.COORDINATOR))
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(live_server.url + reverse("admin:grants_grantrequest_change", args=[grant_request.pk]))
    page.screenshot(path=tmp_path / f"request-page-{width}.png")  # kept with the test's files for a look

    title = page.get_by_role("heading", level=1).bounding_box()
    tools = page.locator(".object-tools a").all()
    assert len(tools) == 3
    for tool in tools:
        assert not overlap(title, tool.bounding_box()), f"the title runs under “{tool.inner_text()}”"

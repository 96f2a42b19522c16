"""In Chromium: every admin page each staff role can reach loads cleanly — no console error, no
Content-Security-Policy violation, no resource that fails to load — and passes axe-core.

The pages are found the way a member of staff finds them: starting at the admin home and following
every link that stays inside /admin/. Pages that differ only by the id in their address (the change
page of another inquiry, the history of another organisation) are visited once per role; every grant
request's own page is visited, since each stage shows different panels and actions."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from demo import seeding as demo
from portal.models import Inquiry

from .conftest import assert_accessible
from .factories import ensure_agreement_template, ensure_role_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One login per staff role, as `make run` seeds them (demo/staff.py, demo/seeding.py).
STAFF_LOGINS = {
    "grants coordinator": "coordinator@example.com",
    "compliance reviewer": "compliance@example.com",
    "medical reviewer": "medical@example.com",
    "committee member": "committee@example.com",
    "administrator": "administrator@example.com",
    "superuser": "admin@example.com",
}
# Links not to follow: files to download, leaving the admin, and signing out.
SKIP = re.compile(r"/download/|/export/|/w9/|^/admin/r/|^/admin/logout/|^/admin/jsi18n/")
EACH_ONE = re.compile(r"^/admin/grants/grantrequest/\d+/change/$")

# Reported by the page itself: the event fires for every refused inline style or script.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || "?"}:${event.lineNumber}`);
});
"""


def page_kind(path: str) -> str:
    """The address with record ids blanked out, so one inquiry's change page stands for all of them."""
    return path if EACH_ONE.match(path) else re.sub(r"/\d+/", "/<id>/", path)


def sign_in(page, live_server, email):
    client = Client()
    client.force_login(get_user_model().objects.get(username=email))
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def crawl(page, live_server, problems, checked_by_axe, listening):
    """Visit every admin page reachable from the home page; return the paths visited."""
    origin = urlsplit(live_server.url).netloc
    queue, seen, visited = deque([("/admin/", None)]), set(), []
    while queue:
        path, linked_from = queue.popleft()
        if page_kind(path) in seen:
            continue
        seen.add(page_kind(path))
        before = len(problems)
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        if response is None or response.status >= 400:
            status = response.status if response else "nothing"
            problems.append(f"{live_server.url}{path}: the page answered {status} (linked from {linked_from})")
        visited.append(path)
        if page_kind(path) not in checked_by_axe and len(problems) == before:
            checked_by_axe.add(page_kind(path))
            # axe-core copies stylesheets into <style> elements to read them, which the CSP refuses:
            # its own doing, not the page's, so console messages are not counted while it runs.
            listening["console"] = False
            try:
                assert_accessible(page, path)
            except AssertionError as violations:
                problems.append(f"{live_server.url}{path}: axe-core: {violations}")
            finally:
                listening["console"] = True
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(live_server.url + path, href))
            if target.netloc == origin and target.path.startswith("/admin/") and not SKIP.search(target.path):
                queue.append((target.path, path))
    return visited


def test_every_admin_page_each_staff_role_reaches_loads_without_errors(page, live_server):
    # Transactional tests empty every table, the role groups a migration made included.
    ensure_role_groups()
    ensure_agreement_template()  # the demo issues Letters of Agreement
    demo.seed_all()
    Inquiry.objects.create(
        name="Jordan Lee",
        email="jordan.lee@neuro-education.example.org",
        organisation="Lakeside Neuroscience Education Foundation",
        subject="Deadline for spring programs",
        message="When must a request for a May program be submitted?",
    )
    page.set_default_timeout(15_000)

    problems: list[str] = []
    listening = {"console": True}

    def on_console(message):
        if message.type == "error" and listening["console"]:
            problems.append(f"{page.url}: console: {message.text}")

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document" and listening["console"]:
            problems.append(f"{page.url}: {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", lambda request: problems.append(f"{page.url}: failed to load {request.url}"))
    page.add_init_script(REPORT_CSP)

    checked_by_axe: set[str] = set()
    visited = {}
    for role, email in STAFF_LOGINS.items():
        sign_in(page, live_server, email)
        visited[role] = crawl(page, live_server, problems, checked_by_axe, listening)

    pages_with_problems = {p.split(": ", 1)[0] for p in problems}
    pages_with_console_errors = {p.split(": ", 1)[0] for p in problems if ": console: " in p}
    print(
        f"\nAdmin pages visited: {sum(len(v) for v in visited.values())} "
        f"({', '.join(f'{role} {len(v)}' for role, v in visited.items())}); "
        f"{len(checked_by_axe)} kinds of page checked by axe-core; "
        f"{len(pages_with_problems)} with problems, {len(pages_with_console_errors)} with console errors"
    )
    # Each role reaches its work: the queue, a request page, the actions it may take.
    for role, paths in visited.items():
        assert "/admin/grants/grantrequest/" in paths, role
        assert any(EACH_ONE.match(p) for p in paths), role
    assert any("/actions/" in p for p in visited["grants coordinator"])
    assert "/admin/reviews/review/committee/" in visited["committee member"]
    assert "/admin/password_change/" in visited["compliance reviewer"]
    assert "/admin/portal/inquiry/" in visited["grants coordinator"]
    assert not problems, "\n".join(problems)

"""A research concept in Chromium: the investigator reads /research/, drafts a concept over two
sittings (one refused for length), submits it; a scientific reviewer takes it into review and invites the
full proposal with a deadline of their choosing; the investigator then sees the invitation. axe-core
checks every page on the way."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grants.choices import OrganisationType
from outbox.models import Email
from research.models import ResearchProposal
from research.status import ResearchStatus
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible
from .research_browser import role_groups  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


@pytest.fixture
def own_browser(browser, live_server):
    contexts = []

    def open_browser():
        context = browser.new_context()
        contexts.append(context)
        context.add_cookies([{"name": "ime_us_hcp", "value": "yes", "url": live_server.url}])
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield open_browser
    for context in contexts:
        context.close()


def sign_in(page, live_server, user, staff=False):
    if staff:
        page.goto(live_server.url + "/admin/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(live_server.url + "/admin/")
        return
    page.goto(live_server.url + "/accounts/login/")
    page.locator('input[name="login"]').fill(user.email)
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(live_server.url + "/requests/")


def test_concept_drafted_over_two_sittings_submitted_then_invited_by_staff(live_server, own_browser):
    institution = factories.OrganisationFactory(org_type=OrganisationType.ACADEMIC, legal_name="Lakeside University")
    member = factories.applicant(organisation=institution, first_name="Dana", last_name="Rivera")
    reviewer = factories.staff_with_role(Role.MEDICAL, first_name="Sam", last_name="Okafor")

    page = own_browser()
    sign_in(page, live_server, member)
    page.goto(live_server.url + "/research/")
    assert_accessible(page, "public research page")
    assert "pharmacovigilance" in page.locator("main").inner_text()
    page.get_by_role("link", name="your research proposals").click()
    page.wait_for_url("**/research/proposals/")
    assert_accessible(page, "research proposal list (empty)")
    page.get_by_role("button", name="Start a new concept").click()
    page.wait_for_url("**/concept/")
    assert_accessible(page, "concept form")

    # First sitting: a title and a rationale too long for a concept.
    page.get_by_label("Study title").fill("Sleep architecture after treatment in narcolepsy type 1")
    page.get_by_label("Scientific rationale").fill("r" * 1100)
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    assert "1,100 characters; the concept allows 1,000" in page.locator("#error-summary").inner_text()
    assert_accessible(page, "concept form refused for length")
    page.get_by_label("Scientific rationale").fill("Little is known about how treatment changes sleep architecture.")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    assert "Concept saved." in page.locator("main").inner_text()

    # Second sitting: from the list, back to the draft; the title is still there.
    page.goto(live_server.url + "/research/proposals/")
    page.get_by_role("link", name="Sleep architecture after treatment in narcolepsy type 1").click()
    assert_accessible(page, "concept draft page")
    page.get_by_role("link", name="Edit the concept").click()
    assert page.get_by_label("Study title").input_value() == "Sleep architecture after treatment in narcolepsy type 1"
    page.get_by_label("Objectives").fill("Measure the change in REM latency over 12 months.")
    page.get_by_label("Study design").fill("Single-center prospective cohort.")
    page.get_by_label("Therapeutic area").select_option(label="Narcolepsy / excessive daytime sleepiness")
    page.get_by_label("Type of study").select_option(label="Prospective observational")
    page.get_by_label("Estimated sample size").fill("80")
    page.get_by_label("Estimated duration (months)").fill("18")
    page.get_by_label("Estimated budget (USD)").fill("150000")
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save and submit the concept").click()
    page.wait_for_url("**/research/proposals/*/")
    proposal = ResearchProposal.objects.get(organisation=institution)
    assert proposal.status == ResearchStatus.CONCEPT_SUBMITTED
    assert f"Reference {proposal.reference}" in page.locator("main").text_content()
    assert_accessible(page, "submitted concept page")
    assert Email.objects.filter(template="research_concept_receipt", to__contains=[member.email]).exists()

    # Staff: the queue, the proposal, concept review, then the invitation with a deadline they choose.
    staff = own_browser()
    sign_in(staff, live_server, reviewer, staff=True)
    staff.goto(live_server.url + "/admin/research/researchproposal/?waiting=staff")
    assert_accessible(staff, "research queue")
    staff.get_by_role("link", name=proposal.reference).click()
    staff.wait_for_url(f"**/admin/research/researchproposal/{proposal.pk}/change/")
    assert_accessible(staff, "staff proposal page")
    for action, fill in (
        ("Start concept review", {}),
        (
            "Interested: invite the full proposal",
            {"Full proposal due on": str(timezone.localdate() + timedelta(days=45))},
        ),
    ):
        staff.get_by_role("link", name=action).click()
        staff.wait_for_url("**/actions/**")
        assert "What will happen" in staff.locator("#content").inner_text()
        assert_accessible(staff, f"confirmation page: {action}")
        for label, value in fill.items():
            staff.get_by_label(label).fill(value)
        staff.get_by_role("button", name=f"Confirm: {action.lower()}").click()
        staff.wait_for_url(f"**/admin/research/researchproposal/{proposal.pk}/change/")
        assert "done" in staff.locator(".messagelist").inner_text()
    proposal.refresh_from_db()
    assert proposal.status == ResearchStatus.FULL_PROPOSAL_INVITED
    assert proposal.full_proposal_due_on == timezone.localdate() + timedelta(days=45)
    assert Email.objects.filter(template="research_full_proposal_invited").exists()

    # The investigator sees the invitation and opens the full proposal.
    page.reload()
    assert "Full proposal invited" in page.locator("main").inner_text()
    page.get_by_role("link", name="Write the full proposal").click()
    page.wait_for_url("**/full-proposal/")
    assert_accessible(page, "full proposal form")

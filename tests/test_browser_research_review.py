"""The scientific review of a research proposal in Chromium, axe-core on every page: the coordinator
assigns two committee members; one declares a conflict, the other scores; the committee asks for
information; the investigator answers on the proposal page with an attachment; the medical reviewer
approves with a milestone schedule (refused once for not adding up, nothing typed lost); the
investigator sees the schedule."""

from decimal import Decimal

import pytest

from research.models import ResearchProposal
from research.status import ResearchStatus as R
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible, sign_in_as
from .research_steps import PDF_BYTES, proposal_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def role_groups(db, settings):
    settings.IME_STAFF_2FA = False
    factories.ensure_role_groups()


def open_page(gated_page, live_server, user, path):
    sign_in_as(gated_page, live_server, user)
    gated_page.goto(live_server.url + path)
    return gated_page


def test_review_with_a_conflicted_reviewer_information_answered_then_approved(
    live_server, gated_page, role_groups, tmp_path
):
    proposal = proposal_at(R.SCIENTIFIC_REVIEW)
    admin_url = f"/admin/research/researchproposal/{proposal.pk}/change/"
    coordinator = factories.staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")
    conflicted = factories.staff_with_role(Role.COMMITTEE, first_name="Alex", last_name="Conflicted")
    scorer = factories.staff_with_role(Role.COMMITTEE, first_name="Blair", last_name="Scorer")
    decider = factories.staff_with_role(Role.MEDICAL, first_name="Sam", last_name="Okafor")
    page = gated_page

    # The coordinator assigns both committee members.
    open_page(page, live_server, coordinator, admin_url)
    assert_accessible(page, "staff proposal page in scientific review")
    for member in (conflicted, scorer):
        choice = f"{member.get_full_name()} ({member.email})"
        page.get_by_label("Committee member to assign").select_option(label=choice)
        page.get_by_role("button", name="Assign the reviewer").click()
        page.wait_for_load_state()
        assert "is assigned to review" in page.locator(".messagelist").inner_text()

    # The first declares a conflict and cannot score.
    open_page(page, live_server, conflicted, admin_url)
    assert_accessible(page, "reviewer's declaration")
    page.get_by_label("Yes — I have a conflict of interest").check()
    page.get_by_label("If yes, describe the conflict").fill("I co-authored two papers with the PI.")
    page.get_by_role("button", name="Record my declaration").click()
    page.wait_for_load_state()
    assert "you do not score this proposal" in page.locator("#your-review").inner_text()

    # The second declares none and scores the research rubric.
    open_page(page, live_server, scorer, admin_url)
    page.get_by_label("No — I have no financial, professional or personal interest in it").check()
    page.get_by_role("button", name="Record my declaration").click()
    page.wait_for_load_state()
    assert_accessible(page, "research rubric")
    for criterion in ("Scientific merit", "Feasibility", "Alignment with areas of interest",
                      "Budget and fair market value", "Safety"):  # fmt: skip
        page.get_by_role("group", name=criterion).get_by_label("4 — Good").check()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Submit my review").click()
    page.wait_for_load_state()
    reviews = page.locator("#reviews").inner_text()
    assert "average 4.00 from 1 review" in reviews and "not counted" in reviews

    # The coordinator asks the investigator a question.
    open_page(page, live_server, coordinator, admin_url)
    page.get_by_role("link", name="Request information").click()
    page.wait_for_url("**/actions/request_information/")
    assert_accessible(page, "request information")
    page.get_by_label("What the committee needs from the investigator").fill("Please justify the sample size.")
    page.get_by_role("button", name="Confirm: request information").click()
    page.wait_for_url(f"**{admin_url}")

    # The investigator sees the question and answers with an attachment.
    open_page(page, live_server, proposal.created_by, f"/research/proposals/{proposal.pk}/")
    assert "Please justify the sample size." in page.locator("#question").inner_text()
    assert_accessible(page, "investigator's page with the open question")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    assert_accessible(page, "answer refused")
    document = tmp_path / "power.pdf"
    document.write_bytes(PDF_BYTES)
    page.get_by_label("Your answer to the committee").fill("The power calculation is attached.")
    page.get_by_label("Attach a document to your answer").set_input_files(str(document))
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state()
    assert "power.pdf" in page.locator("#messages").inner_text()
    proposal.refresh_from_db()
    assert proposal.status == R.SCIENTIFIC_REVIEW

    # The medical reviewer approves: a schedule that does not add up is refused, then corrected.
    open_page(page, live_server, decider, admin_url)
    page.get_by_role("link", name="Approve, with the milestone schedule").click()
    page.wait_for_url("**/actions/approve_proposal/")
    assert_accessible(page, "approval with the schedule")
    page.get_by_label("Approved amount (USD)").fill("100000.00")
    first_title = page.get_by_role("group", name="Milestone 1", exact=True).get_by_label("Title")
    first_title.fill("Agreement signed by both parties")
    page.get_by_role("button", name="Confirm: approve, with the milestone schedule").click()
    page.wait_for_load_state()
    assert "the schedule must pay exactly the approved amount" in page.locator("#content").inner_text()
    assert first_title.input_value() == "Agreement signed by both parties"
    assert_accessible(page, "approval refused")
    for n, amount in enumerate(("30000.00", "20000.00", "35000.00", "15000.00"), start=1):
        page.get_by_role("group", name=f"Milestone {n}", exact=True).get_by_label("Amount (USD)").fill(amount)
    page.get_by_role("button", name="Confirm: approve, with the milestone schedule").click()
    page.wait_for_url(f"**{admin_url}")
    proposal = ResearchProposal.objects.get(pk=proposal.pk)
    assert proposal.status == R.APPROVED and proposal.approved_amount == Decimal("100000.00")
    assert proposal.milestones.count() == 4

    # The investigator sees the decision and its schedule.
    open_page(page, live_server, proposal.created_by, f"/research/proposals/{proposal.pk}/")
    text = page.locator("main").inner_text()
    assert "Decision: approved, $100,000.00" in text and "Agreement signed by both parties" in text
    assert_accessible(page, "investigator's page after approval")

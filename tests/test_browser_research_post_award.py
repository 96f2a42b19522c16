"""After approval, in Chromium: the institution's authorized signer signs the research agreement, the
administrator countersigns (the study becomes active), the investigator uploads the IRB evidence (first
refused for its NCT number), a coordinator verifies it from the proposal page's milestone panel and
finance pays it; the investigator sees the payment. axe-core checks every page on the way."""

import pytest

from research.choices import MilestoneKind
from research.status import ResearchStatus as R
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible, sign_in_as
from .research_steps import EVIDENCE_PDF, owner_of, proposal_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def role_groups(db, settings):
    settings.IME_STAFF_2FA = False
    factories.ensure_role_groups()


def test_agreement_signed_countersigned_then_a_milestone_evidenced_verified_and_paid(
    role_groups, page, live_server, tmp_path
):
    page.set_default_timeout(15_000)
    proposal = proposal_at(R.AGREEMENT_SENT)
    owner = owner_of(proposal)
    base = live_server.url

    sign_in_as(page, live_server, owner)
    page.goto(f"{base}/research/proposals/{proposal.pk}/study/")
    assert_accessible(page, "study page, agreement sent")
    page.get_by_role("link", name="Read and sign the agreement").click()
    assert_accessible(page, "research agreement to sign")
    page.get_by_label("Your full name").fill("Morgan Lee")
    page.get_by_label("Your title").fill("Director, Sponsored Research")
    page.get_by_label("I confirm that I am authorized").check()
    page.get_by_role("button", name="Sign the agreement").click()
    page.get_by_text("the research agreement is signed").wait_for()
    assert_accessible(page, "research agreement signed")

    admin = factories.staff_with_role(Role.ADMINISTRATOR)
    sign_in_as(page, live_server, admin)
    page.goto(f"{base}/admin/research/researchproposal/{proposal.pk}/change/")
    assert_accessible(page, "staff proposal page, agreement signed by the institution")
    page.get_by_role("link", name="Countersign the research agreement").click()
    assert_accessible(page, "countersign action page")
    page.get_by_label("Your title").fill("Vice President, Medical Affairs")
    page.get_by_role("button", name="Confirm: countersign the research agreement").click()
    page.get_by_text("moved from Agreement sent to Active (milestones)").wait_for()

    sign_in_as(page, live_server, owner)
    page.goto(f"{base}/research/proposals/{proposal.pk}/study/")
    irb = proposal.milestones.get(kind=MilestoneKind.IRB_AND_REGISTRATION)
    evidence = tmp_path / "irb-approval.pdf"
    evidence.write_bytes(EVIDENCE_PDF)
    form = page.locator(f"form[action$='/milestones/{irb.pk}/evidence/']")
    form.get_by_label("Evidence document").set_input_files(str(evidence))
    form.get_by_label("Trial registration (NCT number)").fill("NCT123")
    form.get_by_role("button", name="Upload the evidence").click()
    page.get_by_text("is not an NCT number").first.wait_for()
    assert_accessible(page, "evidence refused")
    form = page.locator(f"form[action$='/milestones/{irb.pk}/evidence/']")
    form.get_by_label("Evidence document").set_input_files(str(evidence))
    form.get_by_label("Trial registration (NCT number)").fill("NCT01234567")
    form.get_by_role("button", name="Upload the evidence").click()
    page.get_by_text("Evidence submitted, awaiting verification").wait_for()

    coordinator = factories.staff_with_role(Role.COORDINATOR)
    sign_in_as(page, live_server, coordinator)
    page.goto(f"{base}/admin/research/researchproposal/{proposal.pk}/change/")
    assert_accessible(page, "staff proposal page with milestone panel")
    page.get_by_role("link", name=f"Verify milestone {irb.position}").click()
    assert_accessible(page, "verify action page")
    page.get_by_role("button", name="Confirm: verify a milestone's evidence").click()
    page.get_by_text("done").first.wait_for()

    finance = factories.staff_with_role(Role.FINANCE)
    sign_in_as(page, live_server, finance)
    page.goto(f"{base}/admin/research/researchproposal/{proposal.pk}/change/")
    page.get_by_role("link", name=f"Record the payment milestone {irb.position}").click()
    assert_accessible(page, "payment action page")
    page.get_by_label("Payment reference").fill("ACH-2027-001")
    page.get_by_role("button", name="Confirm: record a milestone payment").click()
    page.get_by_text("done").first.wait_for()

    sign_in_as(page, live_server, owner)
    page.goto(f"{base}/research/proposals/{proposal.pk}/study/")
    page.get_by_text("Paid $20,000.00").wait_for()
    assert_accessible(page, "study page with a payment")

"""The whole research journey in Chromium, each step done by the person who does it, axe-core on every
page (issue 12): concept → interested (invite) → full proposal with uploads → information requested and
answered → reviewed with one conflicted reviewer → approved with a schedule → agreement signed and
countersigned → milestones verified and paid → final report → closed. Refusals on the way (an answer
without text, a schedule that does not add up, a wrong NCT number) come back with nothing typed lost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.choices import OrganisationType
from research.choices import MilestoneKind
from research.models import ResearchProposal
from research.status import ResearchStatus as R
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible
from .research_browser import act, open_page, role_groups, staff_page_url, upload  # noqa: F401 (role_groups: a fixture)
from .research_steps import CV_BYTES, EVIDENCE_PDF, PDF_BYTES, REPORT_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]
RUBRIC = ("Scientific merit", "Feasibility", "Alignment with areas of interest", "Budget and fair market value",
          "Safety")  # fmt: skip


def write_concept(page):
    page.get_by_role("button", name="Start a new concept").click()
    page.wait_for_url("**/concept/")
    assert_accessible(page, "concept form")
    page.get_by_label("Study title").fill("Sleep architecture after treatment in narcolepsy type 1")
    page.get_by_label("Scientific rationale").fill("Little is known about how treatment changes sleep architecture.")
    page.get_by_label("Objectives").fill("Measure the change in REM latency over 12 months.")
    page.get_by_label("Study design").fill("Single-center prospective cohort.")
    page.get_by_label("Therapeutic area").select_option(label="Narcolepsy / excessive daytime sleepiness")
    page.get_by_label("Type of study").select_option(label="Prospective observational")
    page.get_by_label("Estimated sample size").fill("80")
    page.get_by_label("Estimated duration (months)").fill("18")
    page.get_by_label("Estimated budget (USD)").fill("125000")
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save and submit the concept").click()
    page.wait_for_url("**/research/proposals/*/")


def write_full_proposal(page, tmp_path):
    today = timezone.localdate()
    for name, value in {
        "objectives_and_endpoints": "Primary endpoint: change in REM latency at 12 months.",
        "population": "Adults 18 to 65 with narcolepsy type 1; excluded: shift workers.",
        "sample_size": "80", "sample_size_justification": "80 participants give 80 % power for a 0.3 SD change.",
        "statistical_plan": "Mixed models for repeated measures.", "sites": "Lakeside University (lead site).",
        "first_patient_in": str(today + timedelta(days=120)), "last_patient_out": str(today + timedelta(days=500)),
        "final_report_on": str(today + timedelta(days=600)), "overhead_pct": "25",
        "safety_plan": "Adverse events go to the company's pharmacovigilance within 24 hours.",
        "publication_plan": "A peer-reviewed journal within 12 months of study end.",
        "coi_disclosures": "None.",
    }.items():  # fmt: skip
        page.locator(f'[name="{name}"]').fill(value)
    page.locator('[name="irb_status"]').select_option("submitted")
    page.get_by_label("Study protocol").set_input_files(upload(tmp_path, "protocol.pdf", PDF_BYTES))
    page.get_by_label("Principal investigator's CV").set_input_files(upload(tmp_path, "rivera-cv.pdf", CV_BYTES))
    page.locator('[name$="-0-category"]').select_option("personnel")
    page.locator('[name$="-0-description"]').fill("Research coordinator, 0.5 FTE")
    page.locator('[name$="-0-amount"]').fill("100000")
    page.get_by_role("button", name="Save and submit the full proposal").click()
    page.wait_for_url("**/research/proposals/*/")


def submit_evidence(page, milestone, path, **fields):
    form = page.locator(f"form[action$='/milestones/{milestone.pk}/evidence/']")
    form.get_by_label("Evidence document").set_input_files(path)
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Upload the evidence").click()
    page.wait_for_load_state()


def verify_and_pay(page, live_server, proposal, milestone, coordinator, finance):
    open_page(page, live_server, coordinator, staff_page_url(proposal))
    assert_accessible(page, f"staff proposal page, milestone {milestone.position} awaiting verification")
    act(page, proposal, f"Verify milestone {milestone.position}", "Confirm: verify a milestone's evidence")
    pay(page, live_server, proposal, milestone, finance)


def pay(page, live_server, proposal, milestone, finance):
    open_page(page, live_server, finance, staff_page_url(proposal))
    act(page, proposal, f"Record the payment milestone {milestone.position}", "Confirm: record a milestone payment",
        fill={"Payment reference": f"ACH-2027-{milestone.position:03}"})  # fmt: skip


def test_concept_to_closed_study_in_the_browser(live_server, gated_page, tmp_path):
    page = gated_page
    page.set_default_timeout(15_000)
    institution = factories.OrganisationFactory(org_type=OrganisationType.ACADEMIC, legal_name="Lakeside University")
    investigator = factories.applicant(organisation=institution, first_name="Dana", last_name="Rivera")
    coordinator = factories.staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")
    decider = factories.staff_with_role(Role.MEDICAL, first_name="Sam", last_name="Okafor")
    conflicted = factories.staff_with_role(Role.COMMITTEE, first_name="Alex", last_name="Conflicted")
    scorer = factories.staff_with_role(Role.COMMITTEE, first_name="Blair", last_name="Scorer")
    administrator = factories.staff_with_role(Role.ADMINISTRATOR, first_name="Avery", last_name="Signatory")
    finance = factories.staff_with_role(Role.FINANCE, first_name="Frankie", last_name="Finance")

    # The investigator writes and submits the concept.
    open_page(page, live_server, investigator, "/research/proposals/")
    assert_accessible(page, "research proposal list (empty)")
    write_concept(page)
    proposal = ResearchProposal.objects.get(organisation=institution)
    assert proposal.status == R.CONCEPT_SUBMITTED
    assert f"Reference {proposal.reference}" in page.locator("main").text_content()
    assert_accessible(page, "submitted concept")
    detail = f"/research/proposals/{proposal.pk}/"
    study = f"/research/proposals/{proposal.pk}/study/"

    # The medical reviewer takes the concept into review and is interested: the full proposal is invited.
    open_page(page, live_server, decider, "/admin/research/researchproposal/?waiting=staff")
    assert_accessible(page, "research queue")
    page.get_by_role("link", name=proposal.reference).click()
    page.wait_for_url(f"**{staff_page_url(proposal)}")
    assert_accessible(page, "staff proposal page, concept submitted")
    act(page, proposal, "Start concept review")
    act(page, proposal, "Interested: invite the full proposal",
        fill={"Full proposal due on": str(timezone.localdate() + timedelta(days=45))})  # fmt: skip

    # The investigator writes the full proposal with its protocol and CV, and submits it.
    open_page(page, live_server, investigator, detail)
    assert "Full proposal invited" in page.locator("main").inner_text()
    page.get_by_role("link", name="Write the full proposal").click()
    page.wait_for_url("**/full-proposal/")
    assert_accessible(page, "full proposal form")
    write_full_proposal(page, tmp_path)
    proposal.refresh_from_db()
    assert proposal.status == R.FULL_PROPOSAL_SUBMITTED, page.locator("main").inner_text()
    assert proposal.protocol_original_name == "protocol.pdf" and proposal.pi_cv_original_name == "rivera-cv.pdf"
    assert_accessible(page, "submitted full proposal")

    # The coordinator starts the scientific review and assigns two committee members.
    open_page(page, live_server, coordinator, staff_page_url(proposal))
    act(page, proposal, "Start scientific review")
    assert_accessible(page, "staff proposal page in scientific review")
    for member in (conflicted, scorer):
        choice = f"{member.get_full_name()} ({member.email})"
        page.get_by_label("Committee member to assign").select_option(label=choice)
        page.get_by_role("button", name="Assign the reviewer").click()
        page.wait_for_load_state()
        assert "is assigned to review" in page.locator(".messagelist").inner_text()

    # The coordinator asks a question; the investigator answers it (refused once without text).
    act(page, proposal, "Request information",
        fill={"What the committee needs from the investigator": "Please justify the sample size."})  # fmt: skip
    open_page(page, live_server, investigator, detail)
    assert "Please justify the sample size." in page.locator("#question").inner_text()
    assert_accessible(page, "investigator's page with the open question")
    page.get_by_label("Attach a document to your answer").set_input_files(upload(tmp_path, "power.pdf", PDF_BYTES))
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error:")
    assert_accessible(page, "answer refused")
    page.get_by_label("Your answer to the committee").fill("The power calculation is attached.")
    page.get_by_label("Attach a document to your answer").set_input_files(upload(tmp_path, "power.pdf", PDF_BYTES))
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state()
    assert "power.pdf" in page.locator("#messages").inner_text()
    proposal.refresh_from_db()
    assert proposal.status == R.SCIENTIFIC_REVIEW

    # One committee member declares a conflict and cannot score; the other scores the research rubric.
    open_page(page, live_server, conflicted, staff_page_url(proposal))
    assert_accessible(page, "reviewer's declaration")
    page.get_by_label("Yes — I have a conflict of interest").check()
    page.get_by_label("If yes, describe the conflict").fill("I co-authored two papers with the PI.")
    page.get_by_role("button", name="Record my declaration").click()
    page.wait_for_load_state()
    assert "you do not score this proposal" in page.locator("#your-review").inner_text()
    open_page(page, live_server, scorer, staff_page_url(proposal))
    page.get_by_label("No — I have no financial, professional or personal interest in it").check()
    page.get_by_role("button", name="Record my declaration").click()
    page.wait_for_load_state()
    assert_accessible(page, "research rubric")
    for criterion in RUBRIC:
        page.get_by_role("group", name=criterion).get_by_label("4 — Good").check()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Submit my review").click()
    page.wait_for_load_state()
    reviews = page.locator("#reviews").inner_text()
    assert "average 4.00 from 1 review" in reviews and "not counted" in reviews

    # The medical reviewer approves: a schedule that does not add up is refused, then corrected.
    open_page(page, live_server, decider, staff_page_url(proposal))
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
    page.wait_for_url(f"**{staff_page_url(proposal)}")
    proposal.refresh_from_db()
    assert proposal.status == R.APPROVED and proposal.approved_amount == Decimal("100000.00")
    execution, irb, enrollment, final = proposal.milestones.order_by("position")
    assert [m.kind for m in (execution, irb, enrollment, final)] == [
        MilestoneKind.EXECUTION, MilestoneKind.IRB_AND_REGISTRATION, MilestoneKind.ENROLLMENT,
        MilestoneKind.FINAL_REPORT]  # fmt: skip

    # The coordinator issues the agreement; the investigator (the institution's owner) signs it.
    open_page(page, live_server, coordinator, staff_page_url(proposal))
    act(page, proposal, "Issue the research agreement")
    open_page(page, live_server, investigator, detail)
    assert "Agreement signed by both parties" in page.locator("main").inner_text()
    assert_accessible(page, "investigator's page after approval")
    page.goto(live_server.url + study)
    assert_accessible(page, "study page, agreement sent")
    page.get_by_role("link", name="Read and sign the agreement").click()
    assert_accessible(page, "research agreement to sign")
    page.get_by_label("Your full name").fill("Dana Rivera")
    page.get_by_label("Your title").fill("Director, Sponsored Research")
    page.get_by_label("I confirm that I am authorized").check()
    page.get_by_role("button", name="Sign the agreement").click()
    page.get_by_text("the research agreement is signed").wait_for()
    assert_accessible(page, "research agreement signed")

    # The administrator countersigns: the agreement is executed and the study is active.
    open_page(page, live_server, administrator, staff_page_url(proposal))
    page.get_by_role("link", name="Countersign the research agreement").click()
    assert_accessible(page, "countersign action page")
    page.get_by_label("Your title").fill("Vice President, Medical Affairs")
    page.get_by_role("button", name="Confirm: countersign the research agreement").click()
    page.get_by_text("moved from Agreement sent to Active (milestones)").wait_for()

    # Finance pays the execution milestone (the executed agreement is its evidence).
    pay(page, live_server, proposal, execution, finance)

    # The investigator uploads the IRB evidence (refused once for its NCT number); staff verify, finance pays.
    open_page(page, live_server, investigator, study)
    evidence = upload(tmp_path, "irb-approval.pdf", EVIDENCE_PDF)
    submit_evidence(page, irb, evidence, **{"Trial registration (NCT number)": "NCT123"})
    page.get_by_text("is not an NCT number").first.wait_for()
    assert_accessible(page, "evidence refused")
    submit_evidence(page, irb, evidence, **{"Trial registration (NCT number)": "NCT01234567"})
    page.get_by_text("Evidence submitted, awaiting verification").wait_for()
    verify_and_pay(page, live_server, proposal, irb, coordinator, finance)

    # Enrollment: evidence, verification, payment; the last payment before the report asks for the report.
    open_page(page, live_server, investigator, study)
    submit_evidence(page, enrollment, upload(tmp_path, "enrollment-log.pdf", EVIDENCE_PDF),
                    **{"Participants enrolled so far": "80"})  # fmt: skip
    page.get_by_text("Evidence submitted, awaiting verification").wait_for()
    verify_and_pay(page, live_server, proposal, enrollment, coordinator, finance)
    proposal.refresh_from_db()
    assert proposal.status == R.FINAL_REPORT_DUE

    # The investigator submits the final study report and the results registration.
    open_page(page, live_server, investigator, study)
    page.get_by_text("Paid $20,000.00").wait_for()
    assert_accessible(page, "study page, final report due")
    page.get_by_label("Final study report (PDF)").set_input_files(upload(tmp_path, "final-report.pdf", REPORT_PDF))
    page.get_by_label("Results registration (NCT number)").fill("NCT01234567")
    page.get_by_label("Publication links (optional)").fill("https://doi.org/10.1000/example.2027.1")
    page.get_by_role("button", name="Submit the final report").click()
    page.wait_for_load_state()
    proposal.refresh_from_db()
    assert proposal.final_report_submitted_at is not None

    # Staff verify the report's milestone, finance pays it, the coordinator accepts the report: closed.
    verify_and_pay(page, live_server, proposal, final, coordinator, finance)
    open_page(page, live_server, coordinator, staff_page_url(proposal))
    act(page, proposal, "Accept the final report and close the study")
    proposal.refresh_from_db()
    assert proposal.status == R.CLOSED
    assert sum(m.payment.amount for m in proposal.milestones.all()) == proposal.approved_amount

    open_page(page, live_server, investigator, study)
    assert "Paid $15,000.00" in page.locator("main").inner_text()
    assert_accessible(page, "study page, closed")

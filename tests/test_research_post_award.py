"""Research proposals after approval, through the real pages: the research agreement (issue, sign by the
institution's authorized signer, countersign, executed PDF), milestone evidence, verification and
payment with every refusal, termination and its refund arithmetic, amendments, close-out, reminders,
404 for another organization on every new URL (downloads included) and the pages' query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from grants.models import Membership
from outbox.models import Email
from research import post_award as award
from research import views_post_award
from research.choices import EvidenceState, MilestoneKind
from research.models import Amendment, Milestone, MilestonePayment, ResearchAgreement, ResearchAgreementTemplate
from research.reminders import OCCASIONS
from research.status import ResearchStatus as R
from reviews.reminders import send_due_reminders
from workflow.engine import IllegalTransition, NotAllowed, perform
from workflow.roles import Role

from .factories import applicant, staff_with_role
from .research_steps import (
    EVIDENCE_PDF,
    NCT,
    REPORT_PDF,
    investigator,
    owner_of,
    pay_next,
    pdf_upload,
    proposal_at,
)
from .test_agreement_pdf import text_of

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(user)
    return client


def flash(response) -> str:
    return " | ".join(str(m) for m in get_messages(response.wsgi_request))


def milestone_of(proposal, kind) -> Milestone:
    return proposal.milestones.get(kind=kind)


def action_url(proposal, name, **query):
    url = reverse("admin:research_researchproposal_action", args=[proposal.pk, name])
    return url + "".join(f"?{k}={v}" for k, v in query.items())


def emails_to(template):
    return Email.objects.filter(template=template)


# --- The research agreement ---------------------------------------------------------------------


def test_issue_sign_countersign_makes_the_study_active_with_the_execution_milestone_verified():
    proposal = proposal_at(R.APPROVED)
    coordinator = staff_with_role(Role.COORDINATOR)
    response = signed_in(coordinator).post(action_url(proposal, "issue_research_agreement"),
                                           {"expected_status": R.APPROVED, "note": ""})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal.refresh_from_db()
    assert proposal.status == R.AGREEMENT_SENT
    agreement = ResearchAgreement.objects.get(proposal=proposal)
    for words in ("Independence of the investigator", "Protocol adherence", "pharmacovigilance", "Publication rights",
                  "Termination and refund of unearned funds", "Records", "$30,000.00", proposal.reference):
        assert words in agreement.text  # fmt: skip
    assert emails_to("research_agreement_issued").count() == 1

    owner = owner_of(proposal)
    page = signed_in(owner).get(reverse("research:agreement_detail", args=[proposal.pk, 1]))
    assert page.status_code == 200 and "Sign the agreement" in page.content.decode()
    signed = signed_in(owner).post(reverse("research:agreement_sign", args=[proposal.pk, 1]), {
        "signer_name": "Morgan Lee", "signer_title": "Director, Sponsored Research", "authority_confirmed": "on",
    }, HTTP_USER_AGENT="Tests/1.0")  # fmt: skip
    assert signed.status_code == 302
    agreement.refresh_from_db()
    assert agreement.is_signed and agreement.signer_user_agent == "Tests/1.0"
    assert agreement.signed_sha256 == agreement.text_sha256
    proposal.refresh_from_db()
    assert proposal.status == R.AGREEMENT_SENT  # the institution's signature is an event
    assert emails_to("research_agreement_signed_alert").count() == 1

    # The PDF exists only once executed.
    pdf = reverse("research:agreement_pdf", args=[proposal.pk, 1])
    assert signed_in(owner).get(pdf).status_code == 404

    admin = staff_with_role(Role.ADMINISTRATOR)
    response = signed_in(admin).post(action_url(proposal, "countersign_research_agreement"),
                                     {"expected_status": R.AGREEMENT_SENT, "signer_title": "VP Medical Affairs"})
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal.refresh_from_db()
    agreement.refresh_from_db()
    assert agreement.is_executed
    assert proposal.status == R.ACTIVE  # active on execution
    assert list(proposal.status_changes.values_list("transition", flat=True))[-2:] == [
        "countersign_research_agreement", "start_study"]  # fmt: skip
    assert milestone_of(proposal, MilestoneKind.EXECUTION).evidence_state == EvidenceState.VERIFIED
    assert emails_to("research_agreement_executed").count() == 1

    downloaded = signed_in(owner).get(pdf)
    assert downloaded.status_code == 200 and downloaded["Content-Type"] == "application/pdf"
    assert downloaded.content.startswith(b"%PDF-")
    # The IME letter's page with the research words, both signatures and the hash of the text signed.
    text = text_of(downloaded.content)
    for words in (f"Study {proposal.reference}", "For the institution", "Approved amount", "SHA-256 of the agreement",
                  agreement.text_sha256, "VP Medical Affairs"):  # fmt: skip
        assert words in text, words
    assert "Letter of Agreement" not in text and "Grant amount" not in text
    staff_pdf = reverse("admin:research_researchproposal_post_award_document", args=[proposal.pk, "agreement", 1])
    assert signed_in(admin).get(staff_pdf).content.startswith(b"%PDF-")


def test_only_the_institutions_authorized_signer_may_sign():
    proposal = proposal_at(R.AGREEMENT_SENT)
    member = applicant(organisation=proposal.organisation, role=Membership.Role.MEMBER)
    page = signed_in(member).get(reverse("research:agreement_detail", args=[proposal.pk, 1])).content.decode()
    assert "Only the authorized signer" in page and "Sign the agreement</button>" not in page
    response = signed_in(member).post(reverse("research:agreement_sign", args=[proposal.pk, 1]), {
        "signer_name": "Pat Member", "signer_title": "Coordinator", "authority_confirmed": "on"})  # fmt: skip
    assert response.status_code == 403
    assert not ResearchAgreement.objects.get(proposal=proposal).is_signed
    with pytest.raises(NotAllowed):
        perform(proposal, "sign_research_agreement", by=member, agreement=award.current_agreement(proposal),
                signer_name="Pat", signer_title="x", authority_confirmed=True)  # fmt: skip


def test_sign_form_errors_keep_what_was_typed():
    proposal = proposal_at(R.AGREEMENT_SENT)
    response = signed_in(owner_of(proposal)).post(reverse("research:agreement_sign", args=[proposal.pk, 1]),
                                                  {"signer_name": "Morgan Lee", "signer_title": ""})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "Morgan Lee" in page and "Confirm that you are authorized" in page


def test_countersigning_before_the_institution_signed_is_refused():
    proposal = proposal_at(R.AGREEMENT_SENT)
    with pytest.raises(ValidationError, match="has not signed"):
        perform(proposal, "countersign_research_agreement", by=staff_with_role(Role.ADMINISTRATOR),
                signer_title="VP")  # fmt: skip


# --- Payments and their refusals ------------------------------------------------------------------


def test_no_payment_before_the_agreement_is_executed():
    proposal = proposal_at(R.AGREEMENT_SENT)
    execution = milestone_of(proposal, MilestoneKind.EXECUTION)
    finance = staff_with_role(Role.FINANCE)
    with pytest.raises(IllegalTransition):
        perform(proposal, "record_milestone_payment", by=finance, milestone=execution, method="ach", reference="A",
                paid_on=timezone.localdate())  # fmt: skip
    # Even with the row open, the check itself refuses while the agreement is not executed.
    with pytest.raises(ValidationError, match="not executed"):
        award.check_payment(proposal, {"milestone": execution})
    assert not MilestonePayment.objects.exists()


def test_an_unverified_milestone_is_not_paid():
    proposal = proposal_at(R.ACTIVE)
    irb = milestone_of(proposal, MilestoneKind.IRB_AND_REGISTRATION)
    client = signed_in(staff_with_role(Role.FINANCE))
    response = client.post(action_url(proposal, "record_milestone_payment"), {
        "expected_status": R.ACTIVE, "milestone": irb.pk, "method": "ach", "reference": "ACH-9",
        "paid_on": timezone.localdate().isoformat()})  # fmt: skip
    assert response.status_code == 200
    assert "is not verified yet" in response.content.decode()
    assert not MilestonePayment.objects.filter(milestone=irb).exists()


def test_a_milestone_is_paid_once_and_the_payment_emails_the_investigator():
    proposal = proposal_at(R.ACTIVE)
    execution = milestone_of(proposal, MilestoneKind.EXECUTION)
    client = signed_in(staff_with_role(Role.FINANCE))
    data = {"expected_status": R.ACTIVE, "milestone": execution.pk, "method": "wire", "reference": "WIRE-1",
            "paid_on": timezone.localdate().isoformat()}  # fmt: skip
    assert client.post(action_url(proposal, "record_milestone_payment"), data).status_code == 302
    payment = MilestonePayment.objects.get(milestone=execution)
    assert payment.amount == Decimal("30000.00")
    assert emails_to("research_milestone_paid").count() == 1
    again = client.post(action_url(proposal, "record_milestone_payment"), data)
    assert "already paid" in again.content.decode()
    assert MilestonePayment.objects.filter(milestone=execution).count() == 1


def test_payments_never_go_above_the_approved_amount():
    proposal = proposal_at(R.ACTIVE)
    type(proposal).objects.filter(pk=proposal.pk).update(approved_amount=Decimal("20000.00"))
    proposal.refresh_from_db()
    with pytest.raises(ValidationError, match="above the approved"):
        perform(proposal, "record_milestone_payment", by=staff_with_role(Role.FINANCE),
                milestone=milestone_of(proposal, MilestoneKind.EXECUTION), method="ach", reference="A",
                paid_on=timezone.localdate())  # fmt: skip


def test_paying_the_last_milestone_before_the_report_makes_the_final_report_due():
    proposal = proposal_at(R.ACTIVE)
    pay_next(proposal)  # execution
    owner, office = owner_of(proposal), signed_in(staff_with_role(Role.COORDINATOR))
    finance = signed_in(staff_with_role(Role.FINANCE))
    for kind in (MilestoneKind.IRB_AND_REGISTRATION, MilestoneKind.ENROLLMENT):
        milestone = milestone_of(proposal, kind)
        fields = {f"m{milestone.pk}-evidence": pdf_upload(), f"m{milestone.pk}-nct_number": NCT,
                  f"m{milestone.pk}-enrolled": "80"}  # fmt: skip
        response = signed_in(owner).post(reverse("research:evidence_submit", args=[proposal.pk, milestone.pk]), fields)
        assert response.status_code == 302, response.content.decode()[:3000]
        verified = office.post(action_url(proposal, "verify_milestone"), {
            "expected_status": R.ACTIVE, "milestone": milestone.pk})  # fmt: skip
        assert verified.status_code == 302
        # An event that moves nothing says so, instead of "moved from Active to Active".
        assert "done — the proposal stays Active (milestones)." in flash(verified)
        assert finance.post(action_url(proposal, "record_milestone_payment"), {
            "expected_status": R.ACTIVE, "milestone": milestone.pk, "method": "ach", "reference": f"ACH-{kind}",
            "paid_on": timezone.localdate().isoformat()}).status_code == 302  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.status == R.FINAL_REPORT_DUE
    assert award.amount_paid(proposal) == Decimal("85000.00")
    assert emails_to("research_evidence_alert").count() == 2
    assert emails_to("research_milestone_verified").count() == 2
    assert emails_to("research_final_report_due").count() == 1


# --- Evidence -------------------------------------------------------------------------------------


def test_evidence_is_checked_by_content_and_the_nct_number_by_format():
    proposal = proposal_at(R.ACTIVE)
    irb = milestone_of(proposal, MilestoneKind.IRB_AND_REGISTRATION)
    client = signed_in(owner_of(proposal))
    url = reverse("research:evidence_submit", args=[proposal.pk, irb.pk])
    fake = SimpleUploadedFile("approval.pdf", b"just text, not a PDF", content_type="application/pdf")
    response = client.post(url, {f"m{irb.pk}-evidence": fake, f"m{irb.pk}-nct_number": "NCT123",
                                 f"m{irb.pk}-note": "Approved on first review."})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "is not an NCT number" in page and "Approved on first review." in page
    irb.refresh_from_db()
    assert irb.evidence_state == EvidenceState.AWAITED and not irb.evidence
    assert not emails_to("research_evidence_alert").exists()


def test_staff_return_evidence_with_a_reason_and_the_investigator_uploads_again():
    proposal = proposal_at(R.ACTIVE)
    irb = milestone_of(proposal, MilestoneKind.IRB_AND_REGISTRATION)
    perform(proposal, "submit_milestone_evidence", by=owner_of(proposal), milestone=irb, evidence=pdf_upload(),
            nct_number=NCT)  # fmt: skip
    office = signed_in(staff_with_role(Role.COORDINATOR))
    empty = office.post(action_url(proposal, "return_milestone_evidence"),
                        {"expected_status": R.ACTIVE, "milestone": irb.pk, "reason": ""})  # fmt: skip
    assert "Say why the evidence is returned" in empty.content.decode()
    office.post(action_url(proposal, "return_milestone_evidence"),
                {"expected_status": R.ACTIVE, "milestone": irb.pk, "reason": "The letter is unsigned."})
    irb.refresh_from_db()
    assert irb.evidence_state == EvidenceState.RETURNED and irb.return_reason == "The letter is unsigned."
    assert emails_to("research_evidence_returned").count() == 1
    page = signed_in(owner_of(proposal)).get(reverse("research:study", args=[proposal.pk])).content.decode()
    assert "The letter is unsigned." in page and "Upload the evidence: " in page


def test_evidence_is_refused_once_verified_and_for_the_execution_milestone():
    proposal = proposal_at(R.ACTIVE)
    owner = owner_of(proposal)
    with pytest.raises(ValidationError, match="executed agreement is this milestone's evidence"):
        perform(proposal, "submit_milestone_evidence", by=owner,
                milestone=milestone_of(proposal, MilestoneKind.EXECUTION), evidence=pdf_upload())  # fmt: skip
    enrollment = milestone_of(proposal, MilestoneKind.ENROLLMENT)
    with pytest.raises(ValidationError, match="participants enrolled"):
        perform(proposal, "submit_milestone_evidence", by=owner, milestone=enrollment, evidence=pdf_upload())


# --- Termination and the refund of unearned funds -----------------------------------------------------


def test_earned_amount_arithmetic():
    proposal = proposal_at(R.ACTIVE)
    milestones = list(proposal.milestones.select_related("payment"))
    assert award.earned_amount(milestones) == Decimal("0.00")  # nothing paid, nothing verified
    pay_next(proposal)  # the 30,000 advance
    assert award.unearned_amount(proposal) == Decimal("30000.00")
    pay_next(proposal)  # IRB approval and registration verified and paid: 20,000
    # Earned: 20,000 + 30,000 × 20,000 / 70,000 = 28,571.43; paid 50,000.
    assert award.earned_amount(proposal.milestones.select_related("payment")) == Decimal("28571.43")
    assert award.unearned_amount(proposal) == Decimal("21428.57")


def test_termination_makes_unearned_payments_a_refund_due_and_finance_records_it():
    proposal = proposal_at(R.ACTIVE)
    pay_next(proposal)
    pay_next(proposal)
    office = signed_in(staff_with_role(Role.COORDINATOR))
    refused = office.post(action_url(proposal, "terminate_study"), {"expected_status": R.ACTIVE, "reason": ""})
    assert "Give the reason for the termination." in refused.content.decode()
    office.post(action_url(proposal, "terminate_study"), {"expected_status": R.ACTIVE, "reason": "Enrollment stalled."})
    proposal.refresh_from_db()
    assert proposal.status == R.TERMINATED
    assert proposal.refund_due == Decimal("21428.57")
    mail = emails_to("research_study_terminated").get()
    assert "$21,428.57" in mail.body_text
    finance = signed_in(staff_with_role(Role.FINANCE))
    today = timezone.localdate().isoformat()
    too_much = finance.post(action_url(proposal, "record_research_refund"), {
        "expected_status": R.TERMINATED, "amount": "30000.00", "received_on": today, "reference": "W-1"})  # fmt: skip
    assert "record at most that amount" in too_much.content.decode()
    finance.post(action_url(proposal, "record_research_refund"), {
        "expected_status": R.TERMINATED, "amount": "21428.57", "received_on": today, "reference": "W-1"})  # fmt: skip
    assert award.amount_refunded(proposal) == Decimal("21428.57")
    assert emails_to("research_refund_received").count() == 1
    with pytest.raises(ValidationError, match="No refund is due"):
        perform(proposal, "record_research_refund", by=staff_with_role(Role.FINANCE), amount=Decimal("1"),
                received_on=timezone.localdate(), reference="W-2")  # fmt: skip
    with pytest.raises(IllegalTransition):
        perform(proposal, "record_milestone_payment", by=staff_with_role(Role.FINANCE),
                milestone=milestone_of(proposal, MilestoneKind.ENROLLMENT), method="ach", reference="x",
                paid_on=timezone.localdate())  # fmt: skip


def test_terminating_before_any_payment_leaves_no_refund_due():
    proposal = proposal_at(R.AGREEMENT_SENT)
    perform(proposal, "terminate_study", by=staff_with_role(Role.ADMINISTRATOR), reason="The site closed.")
    proposal.refresh_from_db()
    assert proposal.status == R.TERMINATED and proposal.refund_due is None
    assert "No refund is due" in emails_to("research_study_terminated").get().body_text


# --- Amendments -----------------------------------------------------------------------------------


def test_a_timeline_amendment_applies_when_staff_approve_it():
    proposal = proposal_at(R.ACTIVE)
    owner = owner_of(proposal)
    new_date = timezone.localdate() + timedelta(days=900)
    url = reverse("research:amendment_new", args=[proposal.pk])
    missing = signed_in(owner).post(url, {"kind": "timeline", "reason": "Slower enrollment."})
    assert missing.status_code == 400 and "Slower enrollment." in missing.content.decode()
    response = signed_in(owner).post(url, {"kind": "timeline", "reason": "Slower enrollment.",
                                           "new_final_report_on": new_date.isoformat()})  # fmt: skip
    assert response.status_code == 302
    amendment = proposal.amendments.get()
    assert emails_to("research_amendment_alert").count() == 1
    with pytest.raises(ValidationError, match="already awaiting a decision"):
        perform(proposal, "file_amendment", by=owner, amendment=type(amendment)(kind="protocol", reason="x"))
    office = signed_in(staff_with_role(Role.COORDINATOR))
    office.post(action_url(proposal, "approve_amendment"), {"expected_status": R.ACTIVE, "amendment": amendment.pk})
    proposal.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.status == "approved" and proposal.final_report_on == new_date
    assert emails_to("research_amendment_decided").count() == 1


def test_a_budget_amendment_changes_unpaid_milestones_only_and_the_approved_amount_follows():
    proposal = proposal_at(R.ACTIVE)
    pay_next(proposal)
    owner = owner_of(proposal)
    execution = milestone_of(proposal, MilestoneKind.EXECUTION)
    enrollment = milestone_of(proposal, MilestoneKind.ENROLLMENT)
    paid = Amendment(kind="budget", reason="More sites.", new_amounts={str(execution.pk): "1"})
    with pytest.raises(ValidationError, match="is paid already"):
        perform(proposal, "file_amendment", by=owner, amendment=paid)
    response = signed_in(owner).post(reverse("research:amendment_new", args=[proposal.pk]), {
        "kind": "budget", "reason": "Two more sites.", f"amount_{enrollment.pk}": "45000.00"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    amendment = proposal.amendments.get()
    perform(proposal, "approve_amendment", by=staff_with_role(Role.COORDINATOR), amendment=amendment)
    proposal.refresh_from_db()
    assert milestone_of(proposal, MilestoneKind.ENROLLMENT).amount == Decimal("45000.00")
    assert proposal.approved_amount == Decimal("110000.00")


def test_declining_an_amendment_needs_a_reason_and_changes_nothing():
    proposal = proposal_at(R.ACTIVE)
    before = proposal.final_report_on
    perform(proposal, "file_amendment", by=owner_of(proposal), amendment=Amendment(
        kind="timeline", reason="Later.", new_final_report_on=before + timedelta(days=30)))  # fmt: skip
    amendment = proposal.amendments.get()
    office = signed_in(staff_with_role(Role.COORDINATOR))
    response = office.post(action_url(proposal, "decline_amendment"),
                           {"expected_status": R.ACTIVE, "amendment": amendment.pk, "note": ""})  # fmt: skip
    assert "Say why the amendment is declined." in response.content.decode()
    office.post(action_url(proposal, "decline_amendment"),
                {"expected_status": R.ACTIVE, "amendment": amendment.pk, "note": "Keep the date."})
    amendment.refresh_from_db()
    proposal.refresh_from_db()
    assert amendment.status == "declined" and proposal.final_report_on == before


# --- Close-out ------------------------------------------------------------------------------------


def test_final_report_with_registration_and_links_then_accepted_closes_the_study():
    proposal = proposal_at(R.FINAL_REPORT_DUE)
    client = signed_in(owner_of(proposal))
    url = reverse("research:final_report_submit", args=[proposal.pk])
    bad = client.post(url, {"report": SimpleUploadedFile("r.pdf", REPORT_PDF, content_type="application/pdf"),
                            "results_nct_number": "NCT1234567", "publication_links": "not a link"})  # fmt: skip
    page = bad.content.decode()
    assert bad.status_code == 400 and "is not an NCT number" in page and "is not a web address" in page
    with pytest.raises(ValidationError, match="No final study report"):
        perform(proposal, "accept_final_report", by=staff_with_role(Role.COORDINATOR))
    good = client.post(url, {"report": SimpleUploadedFile("r.pdf", REPORT_PDF, content_type="application/pdf"),
                             "results_nct_number": "nct01234567",
                             "publication_links": "https://doi.org/10.1000/one\nhttps://example.org/two"})
    assert good.status_code == 302
    proposal.refresh_from_db()
    assert proposal.results_nct_number == "NCT01234567"
    assert proposal.publication_links == ["https://doi.org/10.1000/one", "https://example.org/two"]
    final = milestone_of(proposal, MilestoneKind.FINAL_REPORT)
    assert final.evidence_state == EvidenceState.SUBMITTED
    assert emails_to("research_final_report_alert").count() == 1
    with pytest.raises(ValidationError, match="verified and paid before the study closes"):
        perform(proposal, "accept_final_report", by=staff_with_role(Role.COORDINATOR))
    pay_next(proposal)
    perform(proposal, "accept_final_report", by=staff_with_role(Role.COORDINATOR))
    proposal.refresh_from_db()
    assert proposal.status == R.CLOSED and award.amount_paid(proposal) == Decimal("100000.00")
    assert emails_to("research_study_closed").count() == 1


# --- Another organization, and staff downloads ---------------------------------------------------


def post_award_urls(proposal, milestone):
    """Every investigator URL of the post-award pages, as (GETs, POSTs)."""
    gets = [reverse("research:study", args=[proposal.pk]),
            reverse("research:agreement_detail", args=[proposal.pk, 1]),
            reverse("research:agreement_pdf", args=[proposal.pk, 1]),
            reverse("research:evidence_download", args=[proposal.pk, milestone.pk]),
            reverse("research:final_report_download", args=[proposal.pk]),
            reverse("research:amendment_new", args=[proposal.pk])]  # fmt: skip
    posts = [reverse("research:agreement_sign", args=[proposal.pk, 1]),
             reverse("research:evidence_submit", args=[proposal.pk, milestone.pk]),
             reverse("research:final_report_submit", args=[proposal.pk]),
             reverse("research:amendment_new", args=[proposal.pk])]  # fmt: skip
    return gets, posts


def test_every_post_award_url_is_in_the_404_check():
    gets, posts = post_award_urls(proposal_at(R.APPROVED), Milestone(pk=1))
    assert {resolve(url).url_name for url in gets + posts} == {p.name for p in views_post_award.urlpatterns}


def test_another_organization_gets_404_on_every_new_url_downloads_included():
    proposal = proposal_at(R.ACTIVE)
    irb = milestone_of(proposal, MilestoneKind.IRB_AND_REGISTRATION)
    perform(proposal, "submit_milestone_evidence", by=owner_of(proposal), milestone=irb, evidence=pdf_upload(),
            nct_number=NCT)  # fmt: skip
    outsider = signed_in(investigator())
    gets, posts = post_award_urls(proposal, irb)
    for url in gets:
        assert outsider.get(url).status_code == 404, url
    for url in posts:
        assert outsider.post(url, {}).status_code == 404, url
    # The institution's own investigator downloads the evidence.
    own = signed_in(owner_of(proposal)).get(reverse("research:evidence_download", args=[proposal.pk, irb.pk]))
    assert own.status_code == 200 and b"".join(own.streaming_content) == EVIDENCE_PDF
    # Staff download it too; an investigator cannot reach the staff URL.
    staff_url = reverse("admin:research_researchproposal_post_award_document", args=[proposal.pk, "evidence", irb.pk])
    assert signed_in(staff_with_role(Role.COORDINATOR)).get(staff_url).status_code == 200
    assert signed_in(owner_of(proposal)).get(staff_url).status_code == 302  # to the admin sign-in


def test_a_milestone_of_another_proposal_is_not_a_choice_nor_accepted():
    proposal, other = proposal_at(R.ACTIVE), proposal_at(R.ACTIVE)
    foreign = milestone_of(other, MilestoneKind.EXECUTION)
    response = signed_in(staff_with_role(Role.FINANCE)).post(action_url(proposal, "record_milestone_payment"), {
        "expected_status": R.ACTIVE, "milestone": foreign.pk, "method": "ach", "reference": "A",
        "paid_on": timezone.localdate().isoformat()})  # fmt: skip
    assert "Choose a verified, unpaid milestone." in response.content.decode()
    with pytest.raises(ValidationError, match="another proposal"):
        perform(proposal, "record_milestone_payment", by=staff_with_role(Role.FINANCE), milestone=foreign,
                method="ach", reference="A", paid_on=timezone.localdate())  # fmt: skip
    assert not MilestonePayment.objects.exists()


# --- Query counts -----------------------------------------------------------------------------------


def _busy(proposal):
    pay_next(proposal)
    pay_next(proposal)
    perform(proposal, "file_amendment", by=owner_of(proposal), amendment=Amendment(
        kind="timeline", reason="Later.", new_final_report_on=proposal.final_report_on + timedelta(days=30)))


def test_the_study_page_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    proposal = proposal_at(R.ACTIVE)
    _busy(proposal)
    for position in range(5, 25):
        Milestone.objects.create(proposal=proposal, position=position, title=f"Visit {position}", amount=1,
                                 evidence_required="Visit log")  # fmt: skip
    client = signed_in(owner_of(proposal))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("research:study", args=[proposal.pk]))
    assert response.status_code == 200 and "Visit 24" in response.content.decode()


def test_the_staff_proposal_page_with_its_panels_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    proposal = proposal_at(R.ACTIVE)
    _busy(proposal)
    for position in range(5, 25):
        Milestone.objects.create(proposal=proposal, position=position, title=f"Visit {position}", amount=1,
                                 evidence_required="Visit log")  # fmt: skip
    client = signed_in(staff_with_role(Role.COORDINATOR))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("admin:research_researchproposal_change", args=[proposal.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Visit 24" in page and "Milestones and payments" in page


# --- Reminders ---------------------------------------------------------------------------------------


def test_an_overdue_milestone_and_a_due_final_report_are_each_reminded_once():
    proposal = proposal_at(R.ACTIVE)
    irb = milestone_of(proposal, MilestoneKind.IRB_AND_REGISTRATION)
    Milestone.objects.filter(pk=irb.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    assert {"research_milestone_overdue", "research_final_report_due"} <= set(OCCASIONS)
    first = send_due_reminders()
    assert first["research_milestone_overdue"] == 1
    assert send_due_reminders()["research_milestone_overdue"] == 0
    mail = emails_to("research_reminder_milestone_overdue").get()
    assert proposal.reference in mail.subject and proposal.pi_email in mail.to

    due = proposal_at(R.FINAL_REPORT_DUE)
    type(due).objects.filter(pk=due.pk).update(final_report_on=timezone.localdate())
    assert send_due_reminders()["research_final_report_due"] == 1
    assert send_due_reminders()["research_final_report_due"] == 0
    assert emails_to("research_reminder_final_report").count() == 1


# --- The research agreement's wording, versioned in the admin ------------------------------------------


def test_the_administrator_publishes_a_new_research_wording_and_new_agreements_use_it():
    admin = signed_in(staff_with_role(Role.ADMINISTRATOR))
    add = reverse("admin:research_researchagreementtemplate_add")
    form = admin.get(add).content.decode()
    assert "{{ milestone_schedule }}" in form and "Independence of the investigator" in form
    refused = admin.post(add, {"title": "Research Agreement", "body": "For {{ grant_number }}.", "published": "on"})
    assert refused.status_code == 200 and "Unknown placeholders: grant_number" in refused.content.decode()
    admin.post(add, {"title": "Research Agreement", "body": "Study {{ reference }} pays {{ approved_amount }}.\n",
                     "published": "on", "note": "Shorter."})  # fmt: skip
    assert ResearchAgreementTemplate.current().version == 2
    proposal = proposal_at(R.AGREEMENT_SENT)
    assert award.current_agreement(proposal).text == f"Study {proposal.reference} pays $100,000.00.\n"
    coordinator = signed_in(staff_with_role(Role.COORDINATOR))
    assert coordinator.get(reverse("admin:research_researchagreementtemplate_changelist")).status_code == 200
    assert coordinator.get(add).status_code == 403


def test_the_proposal_page_links_to_the_study_page_once_approved_only():
    approved = proposal_at(R.APPROVED)
    page = signed_in(approved.created_by).get(reverse("research:proposal_detail", args=[approved.pk])).content.decode()
    assert reverse("research:study", args=[approved.pk]) in page
    in_review = proposal_at(R.SCIENTIFIC_REVIEW)
    client = signed_in(in_review.created_by)
    assert reverse("research:study", args=[in_review.pk]) not in client.get(
        reverse("research:proposal_detail", args=[in_review.pk])).content.decode()  # fmt: skip
    assert client.get(reverse("research:study", args=[in_review.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_shipped_research_agreement_wording_is_published_again_after_a_flush():
    # Every transactional test (the browser journeys) starts from a flushed database.
    call_command("flush", interactive=False, verbosity=0)

    assert ResearchAgreementTemplate.current().version == 1

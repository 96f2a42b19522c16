"""`make run`'s research demo: an investigator at an academic medical center and proposals standing at
each step of the research workflow, walked there through the real engine, once however often it runs."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from demo import seeding as demo
from demo.research import DEMO_INSTITUTION, seed_demo_investigator, seed_demo_proposals
from grants.models import Organisation
from outbox.models import Email
from research.models import ResearchProposal, ResearchStatusChange

from .factories import applicant

pytestmark = pytest.mark.django_db
INVESTIGATOR = "investigator@example.com"
# Where each demo proposal stands, by a few words of its title (written out so the test checks the seeder).
EXPECTED = {
    "Agitation trajectories": "concept_draft",
    "Residual sleepiness after switching": "concept_submitted",
    "Cognitive symptoms in major depressive": "concept_review",
    "Sleep architecture and daytime function": "full_proposal_invited",
    "migraine treatment patterns in adolescents": "concept_declined",
    "Early response as a predictor": "full_proposal_submitted",
    "Excessive daytime sleepiness in obstructive": "information_requested",
    "Functional outcomes after six months": "approved",
    "Long-term weight and metabolic changes": "scientific_review",
    "Quality of sleep and mood in narcolepsy type 2": "agreement_sent",
    "Caregiver burden and agitation": "active",
    "Return to work after remission": "final_report_due",
    "Headache days before and after preventive": "closed",
    "Adherence to once-daily ADHD medication": "terminated",
}


@pytest.fixture
def proposals(db):
    seed_demo_proposals()
    return list(ResearchProposal.objects.select_related("organisation"))


def proposal(proposals, words):
    (match,) = [p for p in proposals if words in p.title]
    return match


def signed_in(email):
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(get_user_model().objects.get(username=email))
    return client


def test_demo_proposals_stand_at_each_step_of_the_research_workflow(proposals):
    assert {words: proposal(proposals, words).status for words in EXPECTED} == EXPECTED
    assert len(proposals) == len(EXPECTED)
    assert {p.organisation.legal_name for p in proposals} == {DEMO_INSTITUTION["legal_name"]}


def test_each_sent_proposal_was_walked_through_the_engine_with_its_audit_trail_and_emails(proposals):
    for p in proposals:
        moves = list(p.status_changes.order_by("pk").values_list("to_status", flat=True))
        if p.status == "concept_draft":
            assert p.reference is None and moves == []
            continue
        assert p.reference.startswith("IIS-"), p.title
        assert moves[0] == "concept_submitted" and moves[-1] == p.status, p.title
        assert Email.objects.filter(to__contains=[INVESTIGATOR], subject__contains=p.reference).exists(), p.title


def test_the_approved_proposal_has_a_milestone_schedule_paying_exactly_the_approved_amount(proposals):
    approved = proposal(proposals, "Functional outcomes after six months")

    milestones = list(approved.milestones.all())

    assert approved.approved_amount == Decimal("150000.00")
    assert [m.amount for m in milestones] == [Decimal("45000.00"), Decimal("30000.00"), Decimal("52500.00"),
                                             Decimal("22500.00")]  # fmt: skip
    assert sum(m.amount for m in milestones) == approved.approved_amount


def paid_kinds(p):
    return [m.kind for m in p.milestones.filter(payment__isnull=False)]


def test_every_proposal_past_the_review_has_one_conflicted_and_one_submitted_review(proposals):
    for words in ("Long-term weight", "Functional outcomes", "Quality of sleep", "Caregiver burden", "Return to work",
                  "Headache days", "Adherence to once-daily"):  # fmt: skip
        reviews = proposal(proposals, words).reviews.filter(submitted_at__isnull=False)
        assert sorted((r.reviewer.email, r.has_conflict) for r in reviews) == [
            ("committee@example.com", False), ("medical@example.com", True)], words  # fmt: skip


def test_the_agreement_sent_awaits_the_investigators_signature_and_she_can_open_it(proposals):
    sent = proposal(proposals, "Quality of sleep and mood in narcolepsy type 2")
    agreement = sent.agreements.get()
    assert not agreement.is_signed

    page = signed_in(INVESTIGATOR).get(f"/research/proposals/{sent.pk}/agreement/{agreement.version}/")

    assert page.status_code == 200
    assert b'name="signer_name"' in page.content


def test_each_study_after_approval_has_the_payments_its_stage_implies(proposals):
    active = proposal(proposals, "Caregiver burden and agitation")
    irb = active.milestones.get(kind="irb_and_registration")
    assert paid_kinds(active) == ["execution"]
    assert irb.evidence_state == "submitted" and irb.nct_number.startswith("NCT")
    assert irb.evidence.read().startswith(b"%PDF-")
    assert signed_in(INVESTIGATOR).get(f"/research/proposals/{active.pk}/study/").status_code == 200

    due = proposal(proposals, "Return to work after remission")
    assert paid_kinds(due) == ["execution", "irb_and_registration", "enrollment"]
    assert due.final_report_submitted_at is None

    closed = proposal(proposals, "Headache days before and after preventive")
    assert paid_kinds(closed) == ["execution", "irb_and_registration", "enrollment", "final_report"]
    assert sum(m.payment.amount for m in closed.milestones.all()) == closed.approved_amount
    assert closed.final_report.read().startswith(b"%PDF-") and closed.closed_at is not None

    # Terminated after the execution payment: that advance is unearned, so it is owed back.
    terminated = proposal(proposals, "Adherence to once-daily ADHD medication")
    assert paid_kinds(terminated) == ["execution"]
    assert terminated.refund_due == Decimal("45000.00")
    assert terminated.termination_reason and not terminated.refunds.exists()


def test_the_invited_proposal_is_left_for_the_investigator_to_write_before_its_deadline(proposals):
    invited = proposal(proposals, "Sleep architecture and daytime function")
    page = signed_in(INVESTIGATOR).get(f"/research/proposals/{invited.pk}/full-proposal/")

    assert page.status_code == 200
    assert invited.full_proposal_due_on is not None


def test_seeding_again_makes_no_second_proposal_and_moves_nothing(proposals):
    moves = ResearchStatusChange.objects.count()

    seed_demo_investigator()
    seed_demo_proposals()

    assert ResearchProposal.objects.count() == len(EXPECTED)
    assert ResearchStatusChange.objects.count() == moves


def test_the_investigator_sees_their_proposals_and_another_institution_gets_404(proposals):
    listing = signed_in(INVESTIGATOR).get("/research/proposals/").content.decode()
    for p in proposals:
        assert escape(p.title) in listing
    outsider = applicant(organisation=Organisation.objects.create(legal_name="Other Research Institute",
                                                                   org_type="research_institute"))  # fmt: skip
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(outsider)
    for p in proposals:
        assert client.get(f"/research/proposals/{p.pk}/").status_code == 404


def test_the_investigator_login_is_among_the_demo_logins(db):
    logins = demo.seed_all()

    assert ("Investigator (research proposals)", INVESTIGATOR, "/accounts/login/") in logins

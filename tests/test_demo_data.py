"""`make run`'s demo data: a request at every step from draft to decision and on to a program in progress,
made through the real services, and a second organisation whose request the demo applicant cannot see."""

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from demo import seeding as demo
from demo.applicant import seed_demo_applicant
from demo.passwords import DEMO_PASSWORD
from demo.requests import HISTORY_REQUESTS, NORTHEAST_REQUESTS, SECOND_ORGANISATION_REQUESTS, seed_demo_requests
from demo.requests.catalogue import POST_AWARD_REQUESTS
from demo.requests.reconciliation import OVERDUE_SCENARIO
from demo.requests.reconciliation import SCENARIOS as RECONCILIATION_SCENARIOS
from demo.staff import seed_demo_staff
from grants.agreement_terms import long_date
from grants.models import (
    AnnualBudget,
    Attachment,
    Decision,
    GrantRequest,
    InformationRequest,
    Organisation,
    Payment,
    StatusChange,
)
from grants.models.agreements import text_hash
from grants.post_award import current_agreement, only_the_authorized_signer, w9_problem
from grants.services.post_award import advance_programs
from grants.uploads import PDF, validate_upload
from outbox.models import Email
from reviews.models import Assignment, Review
from workflow.models import system_actor

pytestmark = pytest.mark.django_db

APPLICANT = "applicant@example.com"
SECOND_APPLICANT = "sleep@example.com"
SIGNER = "ehart@neuro-education.example.org"
ALL_DEMO_LOGINS = [
    "admin@example.com",
    APPLICANT,
    "coordinator@example.com",
    "compliance@example.com",
    "medical@example.com",
    "committee@example.com",
    "administrator@example.com",
    "finance@example.com",
    SIGNER,
    SECOND_APPLICANT,
    "investigator@example.com",
]
# The step each demo request is left at, by a word of its title (written out so the test checks the seeder).
EXPECTED_STATUSES = {
    "Migraine Prevention in Primary Care": "draft",
    "Recognizing Excessive Daytime Sleepiness": "submitted",
    "Agitation in Alzheimer": "screening",
    "Measurement-Based Care": "information_requested",
    "ADHD Across the Lifespan": "medical_review",
    "Treatment-Resistant Depression": "committee_review",
    "Quit Smoking": "approved",
    "Community Education Evenings": "declined",
    "Cataplexy and Beyond": "agreement_sent",
    "Migraine in the Emergency Department": "agreement_signed",
    "Adult ADHD on Campus": "paid",
    "Depression After Stroke": "in_progress",
    "Tobacco Treatment on Inpatient Psychiatric Units": "cancelled",
    "Narcolepsy in Adolescents": "submitted",
    "Narcolepsy Case Conference 2026": "reconciliation_submitted",
    "Migraine Grand Rounds Series": "reconciled",
    "Sleep Medicine Update for Primary Care": "closed",
    "Adolescent Sleep Health Webinar": "reconciliation_due",
}
# Grants whose program has ended (demo/requests/reconciliation.py): their programs lie in the past.
ENDED_TITLES = [title for title, *_ in (*RECONCILIATION_SCENARIOS, OVERDUE_SCENARIO)]
ALL_TITLES = [
    spec.title for spec in NORTHEAST_REQUESTS + SECOND_ORGANISATION_REQUESTS + HISTORY_REQUESTS
] + ENDED_TITLES


@pytest.fixture
def seeded(db):
    demo.seed_all()
    return {r.title: r for r in GrantRequest.objects.select_related("organisation", "created_by")}


def demo_request(seeded, words):
    (match,) = [r for title, r in seeded.items() if words in title]
    return match


def signed_in(email):
    from django.contrib.auth import get_user_model

    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(get_user_model().objects.get(username=email))
    return client


def test_demo_requests_load_once_and_after_the_people_who_make_them():
    position = demo.SEEDERS.index(seed_demo_requests)

    assert demo.SEEDERS.count(seed_demo_requests) == 1
    assert position > demo.SEEDERS.index(seed_demo_applicant) and position > demo.SEEDERS.index(seed_demo_staff)


def test_seeding_twice_creates_each_demo_request_once(seeded):
    counts = (StatusChange.objects.count(), Email.objects.count(), Attachment.objects.count())

    demo.seed_all()

    for title in ALL_TITLES:
        assert GrantRequest.objects.filter(title=title).count() == 1, title
    assert GrantRequest.objects.count() == len(ALL_TITLES)
    assert (StatusChange.objects.count(), Email.objects.count(), Attachment.objects.count()) == counts


def test_demo_requests_stand_at_every_step_from_draft_to_decision(seeded):
    statuses = {words: demo_request(seeded, words).status for words in EXPECTED_STATUSES}
    history = [seeded[spec.title] for spec in HISTORY_REQUESTS]
    assert {r.status for r in history} == {"approved", "partially_approved", "declined"}

    assert statuses == EXPECTED_STATUSES
    assert demo_request(seeded, "Narcolepsy in Adolescents").organisation.legal_name == "Pacific Sleep Medicine Society"
    Organisation.objects.get(legal_name="Pacific Sleep Medicine Society").full_clean()
    assert {r.organisation.legal_name for r in seeded.values()} == {
        "Northeast Neurology Education Institute",
        "Pacific Sleep Medicine Society",
    }


def test_every_sent_demo_request_has_a_complete_audit_trail(seeded):
    for grant_request in seeded.values():
        changes = list(grant_request.status_changes.order_by("created_at", "pk"))
        if grant_request.status == "draft":
            assert changes == [] and grant_request.reference is None
            continue
        assert re.fullmatch(r"IME-\d{4}-\d{5}", grant_request.reference)
        assert changes[0].transition == "submit" and changes[0].from_status == "draft"
        assert changes[0].actor == grant_request.created_by
        for earlier, later in zip(changes, changes[1:], strict=False):
            assert earlier.to_status == later.from_status
        assert changes[-1].to_status == grant_request.status, grant_request.title
        assert Email.objects.filter(template="submission_receipt", subject__contains=grant_request.reference).exists()


def test_demo_programmes_start_late_enough_for_a_longer_lead_time_setting(settings):
    settings.IME_MIN_LEAD_DAYS = 150

    demo.seed_all()

    earliest = timezone.localdate() + timedelta(days=150)
    assert GrantRequest.objects.exclude(status="draft").count() == len(ALL_TITLES) - 1
    # The program in progress started in the past, but was submitted with the lead time before its start.
    running = GrantRequest.objects.get(status="in_progress")
    assert running.start_date < timezone.localdate()
    assert (running.start_date - timezone.localdate(running.submitted_at)).days >= 150
    started = GrantRequest.objects.exclude(pk=running.pk).exclude(title__in=ENDED_TITLES)
    assert not started.filter(start_date__lt=earliest).exists()


def test_draft_is_half_filled_for_the_applicant_to_continue(seeded):
    draft = demo_request(seeded, "Migraine Prevention")

    assert draft.title and draft.start_date and draft.needs_assessment
    assert draft.learning_objectives.count() == 1
    assert not draft.budget_lines.exists() and not draft.attachments.exists()
    assert not draft.attest_independence

    page = signed_in(APPLICANT).get(f"/requests/{draft.pk}/edit/budget/")
    assert page.status_code == 200


def test_information_request_asks_about_the_budget_and_the_applicant_sees_it(seeded):
    grant_request = demo_request(seeded, "Measurement-Based Care")
    rfi = InformationRequest.objects.get(grant_request=grant_request)

    assert rfi.is_open and rfi.sections == ["budget"]
    assert rfi.requested_by.username == "coordinator@example.com"
    assert Email.objects.filter(template="information_requested", to__contains=[APPLICANT]).exists()
    page = signed_in(APPLICANT).get(f"/requests/{grant_request.pk}/")
    assert escape("Project management is a single sum of $18,000") in page.content.decode()


def test_reviews_assignments_and_decisions_are_on_record(seeded):
    in_medical = demo_request(seeded, "ADHD Across the Lifespan")
    assert [(a.stage, a.reviewer.username) for a in Assignment.objects.filter(grant_request=in_medical)] == [
        ("medical_review", "medical@example.com")
    ]
    assert not Review.objects.filter(grant_request=in_medical, submitted_at__isnull=False).exists()

    with_committee = demo_request(seeded, "Treatment-Resistant Depression")
    medical = Review.objects.get(grant_request=with_committee, stage="medical_review")
    assert medical.submitted_at and medical.has_conflict is False and medical.average_score is not None
    assert Assignment.objects.filter(
        grant_request=with_committee, stage="committee_review", reviewer__username="committee@example.com"
    ).exists()

    approved = demo_request(seeded, "Quit Smoking")
    assert approved.decision.outcome == "approved"
    assert approved.decision.approved_amount == approved.amount_requested == approved.approved_amount
    declined = demo_request(seeded, "Community Education Evenings")
    assert declined.decision.outcome == "declined" and declined.decision.reason_codes == ["educational_quality"]
    assert Decision.objects.count() == 2 + len(POST_AWARD_REQUESTS) + len(HISTORY_REQUESTS) + len(ENDED_TITLES)
    assert Email.objects.filter(template="decision_approved", to__contains=[APPLICANT]).exists()
    assert Email.objects.filter(template="decision_declined", to__contains=[APPLICANT]).exists()


def test_demo_documents_are_real_pdfs_stored_under_unguessable_keys(seeded):
    attachments = list(Attachment.objects.all())
    assert attachments

    for attachment in attachments:
        content = attachment.file.read()
        attachment.file.close()
        assert attachment.file.name.startswith("attachments/")
        assert attachment.original_name.removesuffix(".pdf") not in attachment.file.name
        assert attachment.size == len(content) and attachment.content_type == "application/pdf"
        assert validate_upload(ContentFile(content, name="x.pdf")) == PDF
        # Every cross-reference entry points at the object it names, so PDF readers open the file.
        xref_at = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
        offsets = re.findall(rb"(\d{10}) 00000 n ", content[xref_at:])
        for number, offset in enumerate(offsets, start=1):
            assert content[int(offset) :].startswith(b"%d 0 obj" % number)


def test_applicant_sees_only_their_organisations_requests(seeded):
    ours = [r for r in seeded.values() if r.organisation.legal_name != "Pacific Sleep Medicine Society"]
    theirs = demo_request(seeded, "Narcolepsy in Adolescents")
    applicant = signed_in(APPLICANT)

    listing = applicant.get("/requests/").content.decode()

    for grant_request in ours:
        assert escape(grant_request.title) in listing
    assert escape(theirs.title) not in listing
    assert applicant.get(f"/requests/{theirs.pk}/").status_code == 404
    second_listing = signed_in(SECOND_APPLICANT).get("/requests/").content.decode()
    assert escape(theirs.title) in second_listing
    assert all(escape(r.title) not in second_listing for r in ours)


def test_staff_queue_shows_every_sent_demo_request_from_both_organisations(seeded):
    coordinator = signed_in("coordinator@example.com")
    pages = [coordinator.get("/admin/grants/grantrequest/", {"p": n}) for n in (1, 2)]  # 25 rows a page

    assert [page.status_code for page in pages] == [200, 200]
    html = "".join(page.content.decode() for page in pages)
    for grant_request in seeded.values():
        # An applicant's unsubmitted draft is theirs alone; everything sent is in the queue.
        assert (escape(grant_request.title) in html) == (grant_request.status != "draft"), grant_request.title
    assert "Pacific Sleep Medicine Society" in html


def test_seed_demo_and_demo_logins_commands_print_every_login(settings):
    settings.IME_DEMO_DATA = True
    seeded_out, logins_out = StringIO(), StringIO()

    call_command("seed_demo", stdout=seeded_out)
    call_command("demo_logins", stdout=logins_out)

    assert f"({len(ALL_DEMO_LOGINS)} demo logins)" in seeded_out.getvalue()
    printed = logins_out.getvalue()
    assert DEMO_PASSWORD in printed
    for email in ALL_DEMO_LOGINS:
        assert email in printed
    assert "Applicant, second organization" in printed
    assert GrantRequest.objects.count() == len(ALL_TITLES)


def test_demo_history_spreads_decisions_over_the_past_four_quarters_for_the_dashboard(seeded):
    """The dashboard's quarters and cycle times have something to show: decisions dated back over the
    past year, each after its submission, with the audit trail in the same order."""
    now = timezone.now()
    for spec in HISTORY_REQUESTS:
        grant_request = seeded[spec.title]
        decided_at = grant_request.decision.decided_at
        assert timedelta(days=spec.decided_days_ago - 1) < now - decided_at < timedelta(days=spec.decided_days_ago + 1)
        assert (decided_at - grant_request.submitted_at).days == spec.took_days
        changes = list(grant_request.status_changes.order_by("created_at", "pk"))
        assert changes[0].transition == "submit" and changes[-1].to_status == grant_request.status
    quarters = {(seeded[s.title].decision.decided_at.year, (seeded[s.title].decision.decided_at.month - 1) // 3)
                for s in HISTORY_REQUESTS}  # fmt: skip
    assert len(quarters) >= 4
    assert AnnualBudget.objects.filter(year=timezone.localdate().year).exists()
    page = signed_in("administrator@example.com").get("/admin/").content.decode()
    assert 'id="money-quarter-caption"' in page and 'id="budget-caption"' in page


def test_demo_grants_after_their_program_show_reconciliation_at_each_step_and_the_overdue_block(seeded):
    from grants.eligibility import check_request
    from grants.models import Reconciliation
    from grants.services.drafts import start_draft

    overdue = demo_request(seeded, "Adolescent Sleep Health Webinar")
    assert overdue.organisation.legal_name == "Pacific Sleep Medicine Society"
    assert overdue.reconciliation_due_on < timezone.localdate() and overdue.end_date < timezone.localdate()
    new = start_draft(get_user_model_by(SECOND_APPLICANT))
    assert any(overdue.reference in p.message for p in check_request(new) if p.rule == "no_overdue_reconciliation")

    reconciled = demo_request(seeded, "Migraine Grand Rounds Series")
    assert reconciled.refund_due > 0 and not reconciled.refunds.exists()
    closed = demo_request(seeded, "Sleep Medicine Update for Primary Care")
    assert Reconciliation.objects.get(grant_request=closed).submitted_at is not None
    page = signed_in(APPLICANT).get(f"/requests/{reconciled.pk}/reconciliation/summary/")
    assert page.status_code == 200 and "Refund due" in page.content.decode()


def get_user_model_by(email):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=email)


# --- After approval: letters, payments, a program in progress, a cancellation ----------------------


def moves_of(grant_request):
    return [c.transition for c in grant_request.status_changes.order_by("created_at", "pk")]


def test_letter_sent_awaits_the_signer_who_has_a_demo_login(seeded):
    from django.contrib.auth import get_user_model

    sent = demo_request(seeded, "Cataplexy and Beyond")
    letter = current_agreement(sent)
    signer = get_user_model().objects.get(username=SIGNER)

    assert moves_of(sent)[-2:] == ["approve", "issue_agreement"]
    assert letter.version == 1 and not letter.is_signed and letter.issued_by.username == "coordinator@example.com"
    assert sent.title in letter.text and "$32,800.00" in letter.text
    assert sent.signer_email == SIGNER and signer.check_password(DEMO_PASSWORD)
    assert signer.membership.organisation == sent.organisation and signer.membership.role == "member"
    assert EmailAddress.objects.get(user=signer).verified
    # The signer may sign it: the one door's guard lets them through, and nobody else.
    assert only_the_authorized_signer(sent, signer, set()) is None
    assert only_the_authorized_signer(sent, sent.created_by, set()) is not None
    assert Email.objects.filter(template="agreement_issued", to__contains=[SIGNER]).exists()
    page = signed_in(SIGNER).get(f"/requests/{sent.pk}/")
    assert page.status_code == 200 and escape(sent.title) in page.content.decode()


def test_letter_signed_by_both_parties_awaits_finance(seeded):
    signed = demo_request(seeded, "Migraine in the Emergency Department")
    letter = current_agreement(signed)

    assert moves_of(signed)[-4:] == ["partially_approve", "issue_agreement", "sign_agreement", "countersign_agreement"]
    assert letter.is_executed and letter.signed_by.username == SIGNER
    assert letter.signer_name == "Dr. Evelyn Hart" and letter.countersigned_by.username == "administrator@example.com"
    assert letter.signed_sha256 == letter.countersigned_sha256 == letter.text_sha256 == text_hash(letter.text)
    assert signed.approved_amount == Decimal("25000.00") and "$25,000.00" in letter.text
    assert not Payment.objects.filter(grant_request=signed).exists()


def test_paid_grant_was_paid_in_instalments_by_finance_with_a_current_w9(seeded):
    paid = demo_request(seeded, "Adult ADHD on Campus")
    payments = list(Payment.objects.filter(grant_request=paid).order_by("pk"))

    assert moves_of(paid)[-2:] == ["record_instalment", "record_final_payment"]
    assert len(payments) == 2 and sum(p.amount for p in payments) == paid.approved_amount == Decimal("32000.00")
    assert {p.recorded_by.username for p in payments} == {"finance@example.com"}
    organisation = Organisation.objects.get(pk=paid.organisation_id)
    assert organisation.w9 and w9_problem(organisation, timezone.localdate()) is None
    assert Email.objects.filter(template="payment_recorded", to__contains=[APPLICANT]).count() >= 2


def test_program_in_progress_was_walked_before_its_start_then_started_by_the_daily_task(seeded):
    running = demo_request(seeded, "Depression After Stroke")
    spec = next(s for s in POST_AWARD_REQUESTS if s.status == "in_progress")
    today = timezone.localdate()
    changes = list(running.status_changes.order_by("created_at", "pk"))
    letter = current_agreement(running)
    (payment,) = Payment.objects.filter(grant_request=running)

    assert running.start_date == today - timedelta(days=spec.started_days_ago) and running.end_date > today
    assert changes[-1].transition == "start_program" and changes[-1].actor == system_actor()
    assert changes[-2].transition == "record_final_payment"
    # Everything before the start happened before it, with the lead time at submission.
    assert (running.start_date - timezone.localdate(running.submitted_at)).days >= settings.IME_MIN_LEAD_DAYS
    assert all(timezone.localdate(c.created_at) < running.start_date for c in changes[:-1])
    assert timezone.localdate(letter.countersigned_at) < running.start_date and payment.paid_on < running.start_date
    assert Organisation.objects.get(pk=running.organisation_id).w9_signed_on <= payment.paid_on
    # The letter says the dates the request now has, and both signatures cover that text.
    assert letter.is_executed and long_date(running.start_date) in letter.text
    assert long_date(timezone.localdate(letter.issued_at)) in letter.text


def test_cancelled_grant_was_cancelled_on_the_applicants_request_with_nothing_paid(seeded):
    cancelled = demo_request(seeded, "Tobacco Treatment on Inpatient Psychiatric Units")
    (change,) = cancelled.change_requests.all()

    assert moves_of(cancelled)[-3:] == ["issue_agreement", "file_change_request", "cancel"]
    assert change.kind == "cancellation" and change.status == "approved"
    assert change.filed_by.username == APPLICANT and change.decided_by.username == "coordinator@example.com"
    assert not Payment.objects.filter(grant_request=cancelled).exists() and cancelled.refund_due is None


def test_seeding_again_moves_nothing_more(seeded):
    running = demo_request(seeded, "Depression After Stroke")
    started = StatusChange.objects.filter(transition="start_program")
    moves = started.count()

    demo.seed_all()
    advance_programs(timezone.localdate())

    assert moves == started.count()
    assert started.filter(grant_request=running).count() == 1


def test_finance_login_reads_the_funded_grants_in_the_admin_queue(seeded):
    from django.contrib.auth import get_user_model

    finance = get_user_model().objects.get(username="finance@example.com")
    assert finance.is_staff and finance.check_password(DEMO_PASSWORD)
    assert list(finance.groups.values_list("role__code", flat=True)) == ["finance"]

    queue = signed_in("finance@example.com").get("/admin/grants/grantrequest/")

    assert queue.status_code == 200
    html = queue.content.decode()
    for words in ("Cataplexy and Beyond", "Migraine in the Emergency Department", "Adult ADHD on Campus",
                  "Depression After Stroke"):  # fmt: skip
        assert escape(demo_request(seeded, words).title) in html

"""Demo grants after their program ended (SPEC §4a), for `make run`: one whose reconciliation is overdue
(so the block on new requests shows, in the second organization), one submitted for review, one
reconciled with a refund due, and one closed.

Each is walked through the real services: approved as the other demo requests are, the letter issued,
signed by the authorized signer and countersigned, paid by finance, started and ended by the portal's
own rows, the report saved through the report form and service and submitted, then accepted, refunded
and closed by staff. A program can only be approved to start after the lead time, so its dates lie in
the future when the walk is done; the seeder then moves the program dates (and the due date the end
row set from them) into the past, as the history requests are dated back: rewriting dates, never a
status."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.forms.reconciliation import ReportForm
from grants.models import GrantRequest, Membership, PaymentMethod
from grants.post_award import current_agreement
from grants.services import post_award
from grants.services import reconciliation as report_service
from grants.status import GrantStatus as S
from workflow.engine import perform
from workflow.models import system_actor
from workflow.roles import Role

from ..passwords import DEMO_PASSWORD
from ..staff import DEMO_STAFF
from .catalogue import NORTHEAST_REQUESTS, SECOND_ORGANISATION_REQUESTS
from .documents import text_pdf

COUNTERSIGNER_TITLE = "Senior Director, US Medical Affairs"

# title, where it ends, how many days ago the program ended, share of each budget line actually spent
SCENARIOS = [
    ("Narcolepsy Case Conference 2026: What Changed After Diagnosis", S.RECONCILIATION_SUBMITTED, 30, "0.85"),
    ("Migraine Grand Rounds Series, Fall 2026", S.RECONCILED, 45, "0.80"),
    ("Sleep Medicine Update for Primary Care, Spring 2026", S.CLOSED, 120, "1.00"),
]
OVERDUE_SCENARIO = ("Adolescent Sleep Health Webinar, Summer 2026", S.RECONCILIATION_DUE,
                    settings.IME_RECONCILIATION_DAYS + 15, "0.90")  # fmt: skip


def seed_reconciliation_requests(seed_request, cast, second_cast, administrator) -> None:
    """Create any of these demo grants not there yet (matched by organization and title). The overdue
    one goes last: from then on its organization cannot submit new requests, which is the point."""
    finance = _finance_officer()
    approved = next(spec for spec in NORTHEAST_REQUESTS if spec.status == S.APPROVED)
    for title, status, ended_days_ago, spent in SCENARIOS:
        _seed_one(seed_request, replace(approved, title=title, status=S.APPROVED), cast, administrator, finance,
                  status, ended_days_ago, Decimal(spent))  # fmt: skip
    second = replace(
        SECOND_ORGANISATION_REQUESTS[0], title=OVERDUE_SCENARIO[0], status=S.APPROVED,
        medical_review=approved.medical_review, committee_review=approved.committee_review,
        decision_message=approved.decision_message,
    )  # fmt: skip
    _seed_one(seed_request, second, second_cast, administrator, finance, *OVERDUE_SCENARIO[1:3],
              Decimal(OVERDUE_SCENARIO[3]))  # fmt: skip


def _seed_one(seed_request, spec, cast, administrator, finance, status, ended_days_ago, spent):
    grant_request = seed_request(spec, cast)
    if grant_request is None:  # already there
        return
    _execute_and_pay(grant_request, administrator, finance)
    perform(grant_request, "start_program", by=system_actor(), today=grant_request.start_date)
    perform(grant_request, "end_program", by=system_actor(), today=grant_request.end_date)
    if status != S.RECONCILIATION_DUE:
        _file_report(grant_request, cast.applicant, spent)
        report_service.submit_report(grant_request, by=cast.applicant)
    if status in (S.RECONCILED, S.CLOSED):
        perform(grant_request, "accept_reconciliation", by=cast.coordinator, note="Figures match the documents.")
    if status == S.CLOSED:
        if grant_request.refund_due:
            perform(grant_request, "record_reconciliation_refund", by=finance, amount=grant_request.refund_due,
                    received_on=timezone.localdate(), reference="CHK-20480")  # fmt: skip
        perform(grant_request, "close_grant", by=cast.coordinator, note="Report accepted; nothing outstanding.")
    _date_program_back(grant_request, ended_days_ago)


def _finance_officer():
    """Finance's demo login (``demo/staff.py``; seeded before the requests)."""
    email = next(email for role, email, _, _ in DEMO_STAFF if role == Role.FINANCE)
    return get_user_model().objects.get(username=email)


def _signer(grant_request):
    """The authorized signer's account in the organization, as accepting the letter's invitation makes it."""
    User = get_user_model()
    email = grant_request.signer_email.strip().lower()
    first, _, last = (grant_request.signer_name or "Authorized Signer").replace("Dr. ", "").partition(" ")
    user, created = User.objects.get_or_create(username=email, defaults={"email": email, "first_name": first,
                                                                         "last_name": last})  # fmt: skip
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not Membership.objects.filter(user=user).exists():
        Membership.objects.create(user=user, organisation=grant_request.organisation, role=Membership.Role.MEMBER)
    return user


def _execute_and_pay(grant_request, administrator, finance):
    organisation = grant_request.organisation
    if not organisation.w9 or not organisation.w9_signed_on:
        # The owner's current W-9, as uploaded on the organization profile.
        organisation.w9.save("w9.pdf", ContentFile(text_pdf("Form W-9", [organisation.legal_name])), save=False)
        organisation.w9_signed_on = timezone.localdate() - timedelta(days=20)
        organisation.save()
    post_award.issue_agreement(grant_request, by=administrator)
    signer = _signer(grant_request)
    post_award.sign_agreement(
        grant_request, current_agreement(grant_request), by=signer, signer_name=grant_request.signer_name,
        signer_title=grant_request.signer_title or "Executive Director", authority_confirmed=True,
    )  # fmt: skip
    post_award.countersign_agreement(grant_request, by=administrator, signer_title=COUNTERSIGNER_TITLE)
    post_award.record_payment(
        grant_request, by=finance, amount=grant_request.approved_amount, method=PaymentMethod.ACH,
        reference="ACH-DEMO-0001", paid_on=timezone.localdate(),
    )  # fmt: skip


def _file_report(grant_request, applicant, spent):
    """The report as the applicant types it into the form, with the documents they upload."""
    report = report_service.report_for(grant_request)
    data = {
        "learners_physicians": "140", "learners_nps": "52", "learners_pas": "21", "learners_nurses": "38",
        "learners_pharmacists": "12", "learners_psychologists": "6", "learners_other": "9", "completions": "180",
        "moore_level_reached": "4", "disclosure_method": "slide", "credits_awarded": "1.50", "attested": "on",
        "outcomes_summary": "Case-based post-test scores rose from 54% to 82%; 71% of learners committed to a "
                            "practice change, and the 60-day follow-up confirmed it for 48% of respondents.",
    }  # fmt: skip
    for line in grant_request.budget_lines.all():
        data[f"line_{line.pk}"] = str((line.total * spent).quantize(Decimal("0.01")))
    for supporter in grant_request.other_supporters.all():
        data[f"supporter_{supporter.pk}"] = str(supporter.amount)
    files = {
        f"document_{kind}": SimpleUploadedFile(f"{kind}.pdf", text_pdf(label, [grant_request.title]))
        for kind, label in (("final_budget", "Final budget"), ("attendance_summary", "Attendance summary"),
                            ("outcomes_report", "Outcomes report"), ("outcomes_data", "Outcomes data"),
                            ("disclosure_evidence", "Disclosure slide"))
    }  # fmt: skip
    form = ReportForm(data, files, grant_request=grant_request, report=report)
    if not form.is_valid():
        raise ValueError(f"Demo reconciliation report refused: {form.errors.as_text()}")
    report_service.save_report(grant_request, by=applicant, form=form, added_lines=[])


def _date_program_back(grant_request, ended_days_ago):
    """Put the program in the past: it ended ``ended_days_ago`` days ago, and its reconciliation is due
    IME_RECONCILIATION_DAYS after that, as the end row computes it."""
    length = grant_request.end_date - grant_request.start_date
    end = timezone.localdate() - timedelta(days=ended_days_ago)
    GrantRequest.objects.filter(pk=grant_request.pk).update(
        start_date=end - length, end_date=end,
        reconciliation_due_on=end + timedelta(days=settings.IME_RECONCILIATION_DAYS),
    )  # fmt: skip

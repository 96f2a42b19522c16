"""Reach any state of a grant request through the real workflow, as people would: no status is forced.

``request_at(status)`` makes a complete request, submits it as its applicant and walks it there with
an administrator (who may make every staff move). ``SAMPLE_INPUTS`` holds valid input for each move.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.models import (
    ChangeKind,
    ChangeRequest,
    DisclosureMethod,
    GrantRequest,
    Membership,
    Payment,
    PaymentMethod,
    Reconciliation,
    ReconciliationDocument,
    ReconciliationDocumentKind,
    ReconciliationLine,
    ReconciliationSupport,
)
from grants.post_award import amount_paid, current_agreement
from grants.reconciliation import refund_outstanding
from grants.status import GrantStatus as S
from reviews.models import Assignment, Review
from workflow.engine import perform
from workflow.models import RoleGroup, system_actor
from workflow.roles import Role

from .factories import (
    TINY_PDF,
    GrantRequestFactory,
    StaffFactory,
    applicant,
    attach_required_documents,
    submitted_grant_request,
)

SAMPLE_INPUTS = {
    "request_information": {"message": "Please add the final agenda.", "sections": ["attachments"]},
    "resubmit": {"answer": "The agenda is attached."},
    "approve": {"message": "We look forward to the program."},
    "partially_approve": {"approved_amount": Decimal("1000.00"), "message": "Catering is not supported."},
    "decline": {"reason_codes": ["not_aligned"], "message": "Outside our areas of need this year."},
    "withdraw": {"reason": "The program was postponed."},
    "return_reconciliation": {"message": "Please explain the catering overspend."},
    "answer_reconciliation": {"answer": "Attendance was higher than planned; the final budget is attached."},
    "accept_reconciliation": {"note": "Figures match the attendance summary."},
}


def signer_of(grant_request):
    """The request's authorized signer as a member of its organization (made on first use)."""
    membership = grant_request.organisation.memberships.filter(user__email__iexact=grant_request.signer_email).first()
    if membership is not None:
        return membership.user
    return applicant(
        organisation=grant_request.organisation, role=Membership.Role.MEMBER, email=grant_request.signer_email,
        first_name="Lee", last_name="Park",
    )  # fmt: skip


def give_current_w9(organisation):
    """What finance needs before paying: a W-9 on file, signed within the year."""
    if not organisation.w9:
        organisation.w9.save("w9.pdf", ContentFile(TINY_PDF), save=False)
    organisation.w9_signed_on = timezone.localdate() - timedelta(days=30)
    organisation.save()


def pending_change(grant_request, kind=ChangeKind.FORMAT_VENUE, **proposed):
    """A change request awaiting a decision, as the applicant files it."""
    found = grant_request.change_requests.filter(status="pending").first()
    if found is not None:
        return found
    if kind == ChangeKind.FORMAT_VENUE and not proposed:
        proposed = {"new_location": "Hyatt Regency, Chicago, IL", "new_program_format": "hybrid"}
    change = ChangeRequest(kind=kind, reason="The venue changed.", **proposed)
    member = grant_request.created_by
    return perform(grant_request, "file_change_request", by=member, change=change).records["change_request"]


def _remaining(grant_request):
    return grant_request.approved_amount - amount_paid(grant_request)


def _payment(amount):
    return {"amount": amount, "method": PaymentMethod.ACH, "reference": "ACH-20270101-01",
            "paid_on": timezone.localdate()}  # fmt: skip


def _instalment(grant_request):
    give_current_w9(grant_request.organisation)
    return _payment((_remaining(grant_request) / 2).quantize(Decimal("0.01")))


def _final_payment(grant_request):
    give_current_w9(grant_request.organisation)
    return _payment(_remaining(grant_request))


def _paid_in_full_already(grant_request):
    # The state after an amended letter of a paid grant is countersigned; the payments are on file.
    if _remaining(grant_request):
        Payment.objects.create(grant_request=grant_request, recorded_by=grant_request.created_by,
                               **_payment(_remaining(grant_request)))  # fmt: skip
    return {}


def _something_paid(grant_request):
    if not amount_paid(grant_request):
        Payment.objects.create(grant_request=grant_request, recorded_by=grant_request.created_by,
                               **_payment(Decimal("5000.00")))  # fmt: skip
    return {"reason": "The program was cancelled by the hospital."}


def _signed_by_the_recipient(grant_request):
    if not current_agreement(grant_request).is_signed:
        perform(grant_request, "sign_agreement", by=signer_of(grant_request),
                **PREPARE["sign_agreement"](grant_request))  # fmt: skip
    return {"signer_title": "Senior Director, Medical Affairs", "ip": "198.51.100.2"}


def _dates_change(grant_request):
    return {"change_request": pending_change(
        grant_request, ChangeKind.DATES, new_end_date=grant_request.end_date + timedelta(days=1)
    ), "note": "Approved."}  # fmt: skip


def complete_reconciliation(grant_request, spent_share=Decimal("0.8"), *, by=None):
    """A complete report, as the applicant files it: each approved line spent at ``spent_share`` of its
    budget, each other supporter giving what it pledged, learners, outcomes, disclosure, documents and
    the attestation. Idempotent."""
    report, created = Reconciliation.objects.get_or_create(grant_request=grant_request)
    if not created and report.attested:
        return report
    for line in grant_request.budget_lines.all():
        ReconciliationLine.objects.update_or_create(
            reconciliation=report,
            budget_line=line,
            defaults={"actual": (line.total * spent_share).quantize(Decimal("0.01"))},
        )
    for supporter in grant_request.other_supporters.all():
        ReconciliationSupport.objects.update_or_create(
            reconciliation=report, supporter=supporter, defaults={"actual": supporter.amount}
        )
    for kind in ReconciliationDocumentKind:
        document = ReconciliationDocument(reconciliation=report, kind=kind, original_name=f"{kind}.pdf",
                                          content_type="application/pdf", size=len(TINY_PDF))  # fmt: skip
        document.file.save(f"{kind}.pdf", ContentFile(TINY_PDF), save=True)
    Reconciliation.objects.filter(pk=report.pk).update(
        learners_physicians=120, learners_nps=40, learners_pas=15, learners_nurses=30, learners_pharmacists=10,
        learners_psychologists=5, learners_other=8, completions=150, moore_level_reached="4",
        outcomes_summary="Competence rose from 52% to 81% on the case-based post-test.",
        disclosure_method=DisclosureMethod.SLIDE, credits_awarded=Decimal("1.50"), attested=True,
        attested_by=by or grant_request.created_by, attested_at=timezone.now(),
    )  # fmt: skip
    report.refresh_from_db()
    return report


def _filed_report(grant_request):
    complete_reconciliation(grant_request)
    return {}


def _refund_received(grant_request):
    return {"amount": refund_outstanding(grant_request), "received_on": timezone.localdate(), "reference": "CHK-5120"}


def _close(grant_request):
    inputs = {"note": "All done."}
    if refund_outstanding(grant_request):
        inputs["waiver_reason"] = "The grantee is a nonprofit; the amount is below our cost of collection."
    return inputs


# Inputs that depend on the request as it stands (its letter, its money, a pending change).
PREPARE = {
    "sign_agreement": lambda gr: {
        "agreement": current_agreement(gr),
        "signer_name": "Lee Park",
        "signer_title": "Director of CME",
        "authority_confirmed": True,
        "ip": "203.0.113.7",
        "user_agent": "pytest",
    },  # fmt: skip
    "countersign_agreement": lambda gr: _signed_by_the_recipient(gr),
    "record_instalment": _instalment,
    "record_final_payment": _final_payment,
    "confirm_paid": _paid_in_full_already,
    "start_program": lambda gr: {"today": gr.start_date},
    "end_program": lambda gr: {"today": gr.end_date},
    "file_change_request": lambda gr: {
        "change": ChangeRequest(kind=ChangeKind.FORMAT_VENUE, reason="The venue changed.", new_location="Chicago")
    },
    "approve_change": lambda gr: {"change_request": pending_change(gr), "note": "Approved."},
    "approve_change_and_reissue": _dates_change,
    "refuse_change": lambda gr: {"change_request": pending_change(gr), "note": "The venue must stay accessible."},
    "cancel": lambda gr: {"reason": "The program was cancelled by the hospital."},
    "cancel_with_refund": _something_paid,
    "record_cancellation_refund": lambda gr: {
        "amount": gr.refund_due,
        "received_on": timezone.localdate(),
        "reference": "CHK-4471",
    },
    "submit_reconciliation": _filed_report,
    "answer_reconciliation": lambda gr: {**_filed_report(gr), **SAMPLE_INPUTS["answer_reconciliation"]},
    "record_reconciliation_refund": _refund_received,
    "close_grant": _close,
}


def inputs_for(name, grant_request) -> dict:
    """Valid input for the move ``name`` on ``grant_request`` as it stands now."""
    if name in PREPARE:
        return PREPARE[name](grant_request)
    return dict(SAMPLE_INPUTS.get(name, {}))


_TO_SCREENING = ["start_screening"]
_TO_MEDICAL = [*_TO_SCREENING, "send_to_medical_review"]
_TO_COMMITTEE = [*_TO_MEDICAL, "send_to_committee"]
PATHS = {
    S.SUBMITTED: [],
    S.SCREENING: _TO_SCREENING,
    S.INFORMATION_REQUESTED: [*_TO_SCREENING, "request_information"],
    S.MEDICAL_REVIEW: _TO_MEDICAL,
    S.COMMITTEE_REVIEW: _TO_COMMITTEE,
    S.APPROVED: [*_TO_COMMITTEE, "approve"],
    S.PARTIALLY_APPROVED: [*_TO_COMMITTEE, "partially_approve"],
    S.DECLINED: [*_TO_SCREENING, "decline"],
    S.WITHDRAWN: ["withdraw"],
}
PATHS[S.AGREEMENT_SENT] = [*PATHS[S.APPROVED], "issue_agreement"]
PATHS[S.AGREEMENT_SIGNED] = [*PATHS[S.AGREEMENT_SENT], "sign_agreement", "countersign_agreement"]
PATHS[S.PAID] = [*PATHS[S.AGREEMENT_SIGNED], "record_final_payment"]
PATHS[S.IN_PROGRESS] = [*PATHS[S.PAID], "start_program"]
PATHS[S.RECONCILIATION_DUE] = [*PATHS[S.IN_PROGRESS], "end_program"]
PATHS[S.RECONCILIATION_SUBMITTED] = [*PATHS[S.RECONCILIATION_DUE], "submit_reconciliation"]
PATHS[S.RECONCILIATION_RETURNED] = [*PATHS[S.RECONCILIATION_SUBMITTED], "return_reconciliation"]
PATHS[S.RECONCILED] = [*PATHS[S.RECONCILIATION_SUBMITTED], "accept_reconciliation"]
PATHS[S.CLOSED] = [*PATHS[S.RECONCILED], "record_reconciliation_refund", "close_grant"]
PATHS[S.CANCELLED] = [*PATHS[S.APPROVED], "cancel"]
PATHS[S.CANCELLATION_REFUND_DUE] = [*PATHS[S.PAID], "cancel_with_refund"]
APPLICANT_MOVES = {"submit", "resubmit", "withdraw", "file_change_request", "submit_reconciliation",
                   "answer_reconciliation"}  # fmt: skip
FINANCE_MOVES = {"record_instalment", "record_final_payment", "record_cancellation_refund",
                 "record_reconciliation_refund"}  # fmt: skip
SYSTEM_MOVES = {"start_program", "end_program", "confirm_paid"}


def finance_officer():
    user = StaffFactory(first_name="Fran", last_name="Finance")
    user.groups.add(role_group(Role.FINANCE))
    return user


def actor_for(name, grant_request, *, member, staff):
    """Who makes the move ``name`` in a walk: the applicant, the signer, finance, the portal or staff."""
    if name == "sign_agreement":
        return signer_of(grant_request)
    if name in APPLICANT_MOVES:
        return member
    if name in FINANCE_MOVES:
        return finance_officer()
    if name in SYSTEM_MOVES:
        return system_actor()
    return staff


def role_group(role) -> Group:
    return RoleGroup.objects.get(code=role).group


def workflow_admin():
    user = StaffFactory(first_name="Alex", last_name="Admin")
    user.groups.add(role_group(Role.ADMINISTRATOR))
    return user


def walk(grant_request, moves, *, member, staff=None):
    """Make each move in turn with valid input; returns the request as it now stands."""
    staff = staff or workflow_admin()
    for name in moves:
        actor = actor_for(name, grant_request, member=member, staff=staff)
        perform(grant_request, name, by=actor, **inputs_for(name, grant_request))
    return grant_request


def request_at(status, member=None, staff=None, **factory_kwargs) -> GrantRequest:
    """A complete request of ``member``'s organization (a new one by default) standing at ``status``."""
    member = member or applicant()
    if status == S.DRAFT:
        draft = GrantRequestFactory(organisation=member.membership.organisation, created_by=member, **factory_kwargs)
        return attach_required_documents(draft)
    grant_request = submitted_grant_request(member, **factory_kwargs)
    return walk(grant_request, PATHS[status], member=member, staff=staff)


def _declare_no_conflict_if_on_the_committee(grant_request, member):
    """What a committee member does before deciding: their review says they have no conflict."""
    if not member.groups.filter(role__code=Role.COMMITTEE).exists() or grant_request.status != S.COMMITTEE_REVIEW:
        return
    stage = S.COMMITTEE_REVIEW
    Assignment.objects.get_or_create(
        grant_request=grant_request, reviewer=member, stage=stage, defaults={"assigned_by": member}
    )
    Review.objects.update_or_create(
        grant_request=grant_request, reviewer=member, stage=stage, defaults={"has_conflict": False}
    )


OUTCOME_MOVES = {"approved": "approve", "partially_approved": "partially_approve", "declined": "decline"}


def decide(grant_request, *, by, outcome, approved_amount=None, reason_codes=(), message="", expected_status=None):
    """The committee's decision through its transition row (approve, partially_approve or decline)."""
    name = OUTCOME_MOVES[str(outcome)]
    _declare_no_conflict_if_on_the_committee(grant_request, by)
    inputs = {"message": message}
    if name == "partially_approve":
        inputs["approved_amount"] = approved_amount
    if name != "approve":
        inputs["reason_codes"] = list(reason_codes)
    entry = perform(grant_request, name, by=by, expected_status=expected_status, **inputs)
    return entry.records["decision"]


def request_information(grant_request, *, by, message, sections=(), expected_status=None):
    entry = perform(
        grant_request, "request_information", by=by, message=message, sections=list(sections),
        expected_status=expected_status,
    )  # fmt: skip
    return entry.records["rfi"]


def request_forced_to(status, **fields) -> GrantRequest:
    """A request put straight into ``status`` with no history before it, for tests that read a page at
    that status (days in status, an empty audit trail). Everything else uses ``request_at``."""
    grant_request = GrantRequestFactory(**fields)
    GrantRequest.objects.filter(pk=grant_request.pk).update(
        status=status, reference=f"IME-2026-{grant_request.pk:05d}", submitted_at=grant_request.created_at
    )
    grant_request.refresh_from_db()
    return grant_request

"""Reach any state of a grant request through the real workflow, as people would: no status is forced.

``request_at(status)`` makes a complete request, submits it as its applicant and walks it there with
an administrator (who may make every staff move). ``SAMPLE_INPUTS`` holds valid input for each move.
"""

from decimal import Decimal

from django.contrib.auth.models import Group

from grants.models import GrantRequest
from grants.status import GrantStatus as S
from reviews.models import Assignment, Review
from workflow.engine import perform
from workflow.models import RoleGroup
from workflow.roles import Role

from .factories import GrantRequestFactory, StaffFactory, applicant, attach_required_documents, submitted_grant_request

SAMPLE_INPUTS = {
    "request_information": {"message": "Please add the final agenda.", "sections": ["attachments"]},
    "resubmit": {"answer": "The agenda is attached."},
    "approve": {"message": "We look forward to the program."},
    "partially_approve": {"approved_amount": Decimal("1000.00"), "message": "Catering is not supported."},
    "decline": {"reason_codes": ["not_aligned"], "message": "Outside our areas of need this year."},
    "withdraw": {"reason": "The program was postponed."},
}

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
APPLICANT_MOVES = {"submit", "resubmit", "withdraw"}


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
        actor = member if name in APPLICANT_MOVES else staff
        perform(grant_request, name, by=actor, **SAMPLE_INPUTS.get(name, {}))
    return grant_request


def request_at(status, member=None, staff=None, **factory_kwargs) -> GrantRequest:
    """A complete request of ``member``'s organization (a new one by default) standing at ``status``.

    States no transition leads to yet (after the agreement) are set directly, with what submission
    would have written: they are the only ones."""
    member = member or applicant()
    if status == S.DRAFT:
        draft = GrantRequestFactory(organisation=member.membership.organisation, created_by=member, **factory_kwargs)
        return attach_required_documents(draft)
    grant_request = submitted_grant_request(member, **factory_kwargs)
    if status in PATHS:
        return walk(grant_request, PATHS[status], member=member, staff=staff)
    GrantRequest.objects.filter(pk=grant_request.pk).update(status=status)
    grant_request.refresh_from_db()
    return grant_request


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

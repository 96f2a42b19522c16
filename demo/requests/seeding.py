"""Walk each demo request from a new draft to its demo status through the services people use.

The applicant's side (draft, documents, submission) uses grants.services; the staff side uses
workflow.engine.perform and reviews.services, acting as the demo staff of each role. Nothing here writes
``status``, so the audit trail, reviews, decisions and emails are exactly what clicking through would leave.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.models import (
    AnnualBudget,
    AreaBudget,
    BudgetLine,
    Decision,
    GrantRequest,
    LearningObjective,
    Membership,
    Organisation,
    OtherSupporter,
    StatusChange,
)
from grants.services.attachments import add_attachment
from grants.services.drafts import start_draft
from grants.services.submission import SubmissionRefused, submit_request
from grants.status import GrantStatus as S
from reviews.choices import RUBRIC, ReviewStage
from reviews.services import assign_reviewer, declare_conflict, review_for, submit_review
from workflow.engine import perform
from workflow.roles import Role

from ..applicant import DEMO_APPLICANT_EMAIL, seed_demo_applicant
from ..passwords import DEMO_PASSWORD
from ..staff import DEMO_STAFF, seed_demo_staff
from .catalogue import (
    BUDGETS,
    CONTACTS,
    HISTORY_REQUESTS,
    NORTHEAST_REQUESTS,
    SECOND_APPLICANT,
    SECOND_ORGANISATION,
    SECOND_ORGANISATION_REQUESTS,
)
from .documents import demo_document
from .reconciliation import FINANCE_LOGIN, seed_reconciliation_requests

SECOND_APPLICANT_LOGIN = ("Applicant, second organization", SECOND_APPLICANT["email"], "/accounts/login/")
RECONCILIATION_FINANCE_LOGIN = ("Finance (records payments and refunds)", FINANCE_LOGIN[0], "/admin/")


@dataclass(frozen=True)
class Cast:
    """Who does what: the applicant who writes and submits, and the demo staff of each role."""

    applicant: object
    coordinator: object
    medical: object
    committee: object


def seed_demo_requests() -> list[tuple[str, str, str]]:
    """Create any demo request not there yet (matched by organisation and title); returns the extra login."""
    # Registered after these two seeders, so this only re-reads them; calling them keeps this seeder whole
    # on its own (both are idempotent).
    seed_demo_applicant()
    seed_demo_staff()
    User = get_user_model()
    staff = {role: User.objects.get(username=email) for role, email, *_ in DEMO_STAFF}
    applicant = User.objects.select_related("membership__organisation").get(username=DEMO_APPLICANT_EMAIL)
    cast = Cast(applicant, staff[Role.COORDINATOR], staff[Role.MEDICAL], staff[Role.COMMITTEE])
    for spec in NORTHEAST_REQUESTS:
        seed_request(spec, cast)
    second_cast = Cast(_second_applicant(), cast.coordinator, cast.medical, cast.committee)
    for spec in SECOND_ORGANISATION_REQUESTS:
        seed_request(spec, second_cast)
    for spec in HISTORY_REQUESTS:
        seed_request(spec, cast)
    _seed_budgets(staff[Role.ADMINISTRATOR])
    seed_reconciliation_requests(seed_request, cast, second_cast, staff[Role.ADMINISTRATOR])
    return [SECOND_APPLICANT_LOGIN, RECONCILIATION_FINANCE_LOGIN]


def _seed_budgets(administrator):
    """This year's and last year's IME budgets, as an administrator would set them in the admin."""
    this_year = timezone.localdate().year
    for years_back, total, areas in BUDGETS:
        budget, created = AnnualBudget.objects.get_or_create(
            year=this_year - years_back, defaults={"total": total, "updated_by": administrator}
        )
        if created:
            for area, amount in areas.items():
                AreaBudget.objects.create(budget=budget, therapeutic_area=area, amount=amount)


def _second_applicant():
    """A verified member of a second organisation, so staff see two providers and applicants see only theirs."""
    User = get_user_model()
    email = SECOND_APPLICANT["email"]
    user, created = User.objects.get_or_create(username=email, defaults=SECOND_APPLICANT)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    organisation, _ = Organisation.objects.get_or_create(
        legal_name=SECOND_ORGANISATION["legal_name"], defaults=SECOND_ORGANISATION
    )
    if not Membership.objects.filter(user=user).exists():
        has_owner = organisation.memberships.filter(role=Membership.Role.OWNER).exists()
        role = Membership.Role.MEMBER if has_owner else Membership.Role.OWNER
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return User.objects.select_related("membership__organisation").get(pk=user.pk)


def seed_request(spec, cast: Cast) -> GrantRequest | None:
    """Write the draft as the applicant would, attach its documents, then take each step to ``spec.status``."""
    organisation = cast.applicant.membership.organisation
    if GrantRequest.objects.filter(organisation=organisation, title=spec.title).exists():
        return None
    grant_request = start_draft(cast.applicant)
    _fill_draft(grant_request, spec, cast.applicant)
    for kind in spec.documents:
        file_name, content = demo_document(kind, grant_request)
        add_attachment(grant_request, kind=kind, upload=ContentFile(content, name=file_name), user=cast.applicant)
    for step in STEPS[spec.status]:
        grant_request = step(grant_request, spec, cast) or grant_request
    if spec.decided_days_ago is not None:
        _date_back(grant_request, spec)
    return grant_request


def _date_back(grant_request, spec) -> None:
    """Move a history request's record into the past: submitted ``took_days`` before a decision made
    ``decided_days_ago`` days ago, its audit entries spread evenly in between. Demo history only: the
    walk above went through the real services today, and ``.update()`` rewrites just the timestamps
    (auto_now_add fields cannot be set any other way)."""
    decided = timezone.now() - timedelta(days=spec.decided_days_ago)
    submitted = decided - timedelta(days=spec.took_days)
    GrantRequest.objects.filter(pk=grant_request.pk).update(
        created_at=submitted - timedelta(days=3), submitted_at=submitted, status_changed_at=decided
    )
    Decision.objects.filter(grant_request=grant_request).update(decided_at=decided)
    changes = list(StatusChange.objects.filter(grant_request=grant_request).order_by("created_at", "pk"))
    step = (decided - submitted) / max(len(changes) - 1, 1)
    for position, change in enumerate(changes):
        StatusChange.objects.filter(pk=change.pk).update(created_at=submitted + step * position)


def _start_date(spec):
    """``spec.starts_in_days`` from today, all moved later together if IME_MIN_LEAD_DAYS asks for more notice
    than the earliest demo start gives (a week to spare), so the demo loads under any lead-time setting."""
    earliest = min(s.starts_in_days for s in (*NORTHEAST_REQUESTS, *SECOND_ORGANISATION_REQUESTS))
    shift = max(0, settings.IME_MIN_LEAD_DAYS + 7 - earliest)
    return timezone.localdate() + timedelta(days=spec.starts_in_days + shift)


def _fill_draft(grant_request, spec, applicant) -> None:
    start = _start_date(spec)
    values = {
        **CONTACTS.get(grant_request.organisation.legal_name, {}),
        **spec.fields,
        "title": spec.title,
        "start_date": start,
        "end_date": start + timedelta(days=spec.runs_for_days),
    }
    if spec.status != S.DRAFT:
        values |= {
            "attest_independence": True,
            "attest_open_payments": True,
            "attested_by": applicant,
            "attested_at": timezone.now(),
        }
    for name, value in values.items():
        setattr(grant_request, name, value)
    grant_request.save(update_fields=[*values, "updated_at"])
    for position, text in enumerate(spec.objectives):
        LearningObjective.objects.create(grant_request=grant_request, text=text, position=position)
    for position, (category, description, unit_cost, quantity) in enumerate(spec.budget):
        BudgetLine.objects.create(
            grant_request=grant_request,
            category=category,
            description=description,
            unit_cost=unit_cost,
            quantity=quantity,
            position=position,
        )
    for name, amount, confirmed in spec.supporters:
        status = OtherSupporter.Status.CONFIRMED if confirmed else OtherSupporter.Status.PENDING
        OtherSupporter.objects.create(grant_request=grant_request, name=name, amount=amount, status=status)


# --- The steps, in the order the process takes them ----------------------------------------------


def _submit(grant_request, spec, cast):
    try:
        return submit_request(grant_request, cast.applicant).grant_request
    except SubmissionRefused as refused:
        problems = "; ".join(problem.message for problem in refused.problems)
        raise RuntimeError(f"The demo request “{spec.title}” cannot be submitted: {problems}") from refused


def _start_screening(grant_request, spec, cast):
    perform(grant_request, "start_screening", by=cast.coordinator, expected_status=S.SUBMITTED)


def _request_information_about_budget(grant_request, spec, cast):
    perform(
        grant_request, "request_information", by=cast.coordinator, message=spec.information_request,
        sections=["budget"], expected_status=S.SCREENING,
    )  # fmt: skip


def _send_to_medical_review(grant_request, spec, cast):
    perform(
        grant_request,
        "send_to_medical_review",
        by=cast.coordinator,
        note="Screening complete: eligible organization, lead time met, documents in order.",
        expected_status=S.SCREENING,
    )
    assign_reviewer(grant_request, reviewer=cast.medical, stage=ReviewStage.MEDICAL, by=cast.coordinator)


def _review(grant_request, reviewer, review) -> None:
    draft = review_for(grant_request, reviewer)
    declare_conflict(draft, has_conflict=False)
    scores = {name: score for (name, _), score in zip(RUBRIC, review.scores, strict=True)}
    submit_review(draft, scores=scores, comments=review.comments, recommendation=review.recommendation)


def _medical_review(grant_request, spec, cast):
    _review(grant_request, cast.medical, spec.medical_review)


def _send_to_committee(grant_request, spec, cast):
    perform(
        grant_request,
        "send_to_committee",
        by=cast.coordinator,
        note="Medical review complete; for the next committee meeting.",
        expected_status=S.MEDICAL_REVIEW,
    )
    assign_reviewer(grant_request, reviewer=cast.committee, stage=ReviewStage.COMMITTEE, by=cast.coordinator)


def _committee_review(grant_request, spec, cast):
    _review(grant_request, cast.committee, spec.committee_review)


def _decide(grant_request, spec, cast):
    inputs = {"message": spec.decision_message}
    if spec.status == S.DECLINED:
        inputs["reason_codes"] = spec.decline_reasons
    if spec.status == S.PARTIALLY_APPROVED:
        inputs["approved_amount"] = spec.approved_amount
    name = {S.APPROVED: "approve", S.PARTIALLY_APPROVED: "partially_approve", S.DECLINED: "decline"}[spec.status]
    perform(grant_request, name, by=cast.committee, expected_status=S.COMMITTEE_REVIEW, **inputs)


_TO_SCREENING = (_submit, _start_screening)
_TO_MEDICAL_REVIEW = (*_TO_SCREENING, _send_to_medical_review)
_TO_COMMITTEE = (*_TO_MEDICAL_REVIEW, _medical_review, _send_to_committee)
_TO_DECISION = (*_TO_COMMITTEE, _committee_review, _decide)
STEPS = {
    S.DRAFT: (),
    S.SUBMITTED: (_submit,),
    S.SCREENING: _TO_SCREENING,
    S.INFORMATION_REQUESTED: (*_TO_SCREENING, _request_information_about_budget),
    S.MEDICAL_REVIEW: _TO_MEDICAL_REVIEW,
    S.COMMITTEE_REVIEW: _TO_COMMITTEE,
    S.APPROVED: _TO_DECISION,
    S.PARTIALLY_APPROVED: _TO_DECISION,
    S.DECLINED: _TO_DECISION,
}

"""Walk each demo request from a new draft to its demo status through the services people use.

The applicant's side (draft, documents, submission) uses grants.services; the staff side uses
workflow.engine.perform and reviews.services, acting as the demo staff of each role; after approval,
grants.services.post_award, as the coordinator, the authorized signer, the administrator, finance and the
portal's daily task. Nothing here writes ``status``, so the audit trail, reviews, decisions, letters,
payments and emails are exactly what clicking through would leave.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.agreement_terms import facts_of, render_letter
from grants.choices import AttachmentKind
from grants.models import (
    Agreement,
    AnnualBudget,
    AreaBudget,
    Attachment,
    BudgetLine,
    ChangeKind,
    ChangeRequest,
    Decision,
    GrantRequest,
    InformationRequest,
    LearningObjective,
    Membership,
    Message,
    Organisation,
    OtherSupporter,
    Payment,
    PaymentMethod,
    StatusChange,
)
from grants.models.agreements import text_hash
from grants.post_award import current_agreement, w9_problem
from grants.services import post_award
from grants.services.attachments import add_attachment
from grants.services.drafts import start_draft
from grants.services.organisations import attach_w9
from grants.services.submission import SubmissionRefused, submit_request
from grants.status import GrantStatus as S
from reviews.choices import RUBRIC, ReviewStage
from reviews.models import Assignment, Review
from reviews.services import assign_reviewer, declare_conflict, review_for, submit_review
from workflow.engine import perform
from workflow.roles import Role

from ..applicant import DEMO_APPLICANT_EMAIL, DEMO_SIGNER, seed_demo_applicant, seed_demo_signer
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
from .reconciliation import seed_reconciliation_requests

SECOND_APPLICANT_LOGIN = ("Applicant, second organization", SECOND_APPLICANT["email"], "/accounts/login/")


@dataclass(frozen=True)
class Cast:
    """Who does what: the applicant who writes and submits, the demo staff of each role, and the
    organisation's authorized signer (who signs its Letters of Agreement)."""

    applicant: object
    coordinator: object
    medical: object
    committee: object
    administrator: object = None
    finance: object = None
    signer: object = None


def seed_demo_requests() -> list[tuple[str, str, str]]:
    """Create any demo request not there yet (matched by organisation and title); returns the extra login."""
    # Registered after these two seeders, so this only re-reads them; calling them keeps this seeder whole
    # on its own (both are idempotent).
    seed_demo_applicant()
    seed_demo_signer()
    seed_demo_staff()
    User = get_user_model()
    staff = {role: User.objects.get(username=email) for role, email, *_ in DEMO_STAFF}
    applicant = User.objects.select_related("membership__organisation").get(username=DEMO_APPLICANT_EMAIL)
    cast = Cast(
        applicant, staff[Role.COORDINATOR], staff[Role.MEDICAL], staff[Role.COMMITTEE],
        administrator=staff[Role.ADMINISTRATOR], finance=staff[Role.FINANCE],
        signer=User.objects.get(username=DEMO_SIGNER["email"]),
    )  # fmt: skip
    for spec in NORTHEAST_REQUESTS:
        seed_request(spec, cast)
    second_cast = Cast(_second_applicant(), cast.coordinator, cast.medical, cast.committee)  # nothing funded there
    for spec in SECOND_ORGANISATION_REQUESTS:
        seed_request(spec, second_cast)
    for spec in HISTORY_REQUESTS:
        seed_request(spec, cast)
    _seed_budgets(staff[Role.ADMINISTRATOR])
    seed_reconciliation_requests(seed_request, cast, second_cast, staff[Role.ADMINISTRATOR])
    return [SECOND_APPLICANT_LOGIN]


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
    if spec.approved_amount is not None:
        inputs["approved_amount"] = spec.approved_amount
    # Requests that go on past the decision (agreement, payment) are approved, in full or in part.
    if spec.status == S.DECLINED:
        name = "decline"
    else:
        name = "partially_approve" if spec.approved_amount is not None else "approve"
    perform(grant_request, name, by=cast.committee, expected_status=S.COMMITTEE_REVIEW, **inputs)


# --- After approval (grants.services.post_award) ---------------------------------------------------

DEMO_BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15"
COUNTERSIGNER_TITLE = "Vice President, US Medical Affairs"
# The organisation's W-9 was signed this many days ago: within the year payments ask for, and before
# the payments of the program moved into the past (``_move_into_the_past``).
W9_SIGNED_DAYS_AGO = 200


def _issue_agreement(grant_request, spec, cast):
    post_award.issue_agreement(grant_request, by=cast.coordinator, expected_status=grant_request.status)


def _sign_agreement(grant_request, spec, cast):
    post_award.sign_agreement(
        grant_request, current_agreement(grant_request), by=cast.signer, signer_name=grant_request.signer_name,
        signer_title=grant_request.signer_title, authority_confirmed=True, ip="198.51.100.24",
        user_agent=DEMO_BROWSER,
    )  # fmt: skip


def _countersign_agreement(grant_request, spec, cast):
    post_award.countersign_agreement(
        grant_request, by=cast.administrator, signer_title=COUNTERSIGNER_TITLE, ip="203.0.113.10",
        expected_status=S.AGREEMENT_SENT,
    )  # fmt: skip


def _w9_on_file(grant_request) -> None:
    """What the owner does when finance asks for it: upload a current W-9 on the organization page."""
    organisation = grant_request.organisation
    organisation.refresh_from_db()
    if w9_problem(organisation, timezone.localdate()) is None:
        return
    file_name, content = demo_document(AttachmentKind.W9, grant_request)
    attach_w9(organisation, ContentFile(content, name=file_name))
    days_ago = max(0, min(W9_SIGNED_DAYS_AGO, settings.IME_W9_MAX_AGE_DAYS - 30))
    organisation.w9_signed_on = timezone.localdate() - timedelta(days=days_ago)
    organisation.save()


def _pay_in_full(grant_request, spec, cast):
    """Finance pays the approved amount in ``spec.instalments`` payments, the last one completing it."""
    _w9_on_file(grant_request)
    approved = grant_request.approved_amount
    share = (approved / spec.instalments).quantize(Decimal("0.01"))
    methods = [PaymentMethod.ACH, PaymentMethod.WIRE]
    for number in range(1, spec.instalments + 1):
        amount = share if number < spec.instalments else approved - share * (spec.instalments - 1)
        method = methods[(number - 1) % len(methods)]
        post_award.record_payment(
            grant_request, by=cast.finance, amount=amount, method=method, paid_on=timezone.localdate(),
            reference=f"{method.upper()}-{grant_request.reference}-{number}", expected_status=S.AGREEMENT_SIGNED,
        )  # fmt: skip


def _cancel_on_request(grant_request, spec, cast):
    """The applicant asks to cancel (a change request); the coordinator approves it: nothing was paid, so
    the grant is cancelled at once."""
    change = post_award.file_change_request(
        grant_request, by=cast.applicant, kind=ChangeKind.CANCELLATION, reason=spec.cancellation_reason
    )
    post_award.decide_change_request(
        change, by=cast.coordinator, approve=True, note=spec.cancellation_note, expected_status=grant_request.status
    )


# Every record of a request with a date or time, and those fields: what ``_move_into_the_past`` moves.
_DATED = [
    (GrantRequest, "pk", ("created_at", "updated_at", "attested_at", "submitted_at", "status_changed_at",
                          "start_date", "end_date")),
    (StatusChange, "grant_request", ("created_at",)),
    (Attachment, "grant_request", ("uploaded_at",)),
    (InformationRequest, "grant_request", ("created_at", "answered_at")),
    (Message, "grant_request", ("created_at",)),
    (Assignment, "grant_request", ("assigned_at",)),
    (Review, "grant_request", ("created_at", "updated_at", "submitted_at")),
    (Decision, "grant_request", ("decided_at",)),
    (Agreement, "grant_request", ("issued_at", "superseded_at", "signed_at", "countersigned_at")),
    (Payment, "grant_request", ("paid_on", "recorded_at")),
    (ChangeRequest, "grant_request", ("filed_at", "decided_at")),
]  # fmt: skip


def _move_into_the_past(grant_request, spec, cast):
    """Demo history only, as ``_date_back`` does for past decisions: the walk above ran today through the
    real services, with a start date the lead time allows; now the whole record (program dates included)
    moves back by the same number of days, so the program started ``spec.started_days_ago`` days ago and
    every interval the rules check (lead time, letter executed and paid before the start) is as it was.
    ``.update()`` rewrites just these fields. Each letter is rendered again from the same template with the
    request's moved facts, as it would have been issued that day, and both signatures cover that text."""
    shift = timedelta(days=(grant_request.start_date - timezone.localdate()).days + spec.started_days_ago)
    for model, key, fields in _DATED:
        for row in model.objects.filter(**{key: grant_request.pk}).values("pk", *fields):
            moved = {name: value - shift for name, value in row.items() if name != "pk" and value is not None}
            model.objects.filter(pk=row["pk"]).update(**moved)
    grant_request.refresh_from_db()
    for agreement in Agreement.objects.filter(grant_request=grant_request).select_related("template"):
        issued_on = timezone.localdate(agreement.issued_at)
        text = render_letter(agreement.template.body, facts_of(grant_request, version=agreement.version,
                                                               issued_on=issued_on))  # fmt: skip
        digest = text_hash(text)
        Agreement.objects.filter(pk=agreement.pk).update(
            text=text, text_sha256=digest, signed_sha256=digest if agreement.signed_sha256 else "",
            countersigned_sha256=digest if agreement.countersigned_sha256 else "",
        )  # fmt: skip


def _daily_task(grant_request, spec, cast):
    """The portal's daily task, as beat (or `manage.py advance_programs`) runs it: the program has started."""
    post_award.advance_programs(timezone.localdate())
    grant_request.refresh_from_db()


_TO_SCREENING = (_submit, _start_screening)
_TO_MEDICAL_REVIEW = (*_TO_SCREENING, _send_to_medical_review)
_TO_COMMITTEE = (*_TO_MEDICAL_REVIEW, _medical_review, _send_to_committee)
_TO_DECISION = (*_TO_COMMITTEE, _committee_review, _decide)
_TO_AGREEMENT_SENT = (*_TO_DECISION, _issue_agreement)
_TO_AGREEMENT_SIGNED = (*_TO_AGREEMENT_SENT, _sign_agreement, _countersign_agreement)
_TO_PAID = (*_TO_AGREEMENT_SIGNED, _pay_in_full)
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
    S.AGREEMENT_SENT: _TO_AGREEMENT_SENT,
    S.AGREEMENT_SIGNED: _TO_AGREEMENT_SIGNED,
    S.PAID: _TO_PAID,
    S.IN_PROGRESS: (*_TO_PAID, _move_into_the_past, _daily_task),
    S.CANCELLED: (*_TO_AGREEMENT_SENT, _cancel_on_request),
}

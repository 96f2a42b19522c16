"""What the post-award rows of ``grants/workflow.py`` check and write (SPEC §4a): the Letter of
Agreement and its signatures, payments, change requests, cancellation, and the daily moves that start
and end a program. Each function here is a row's ``check``, ``guard`` or ``effect``; the rows say who
may make the move and which event (emails) it raises."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from portal.people import person_name
from workflow.engine import TransitionError

from .agreement_terms import facts_of, long_date, money, render_letter
from .models import Agreement, AgreementTemplate, ChangeKind, ChangeRequest, ChangeStatus, Payment, Refund
from .models.organisations import Invitation

ZERO = Decimal("0.00")


# --- Money on file ---------------------------------------------------------------------------------


def amount_paid(grant_request) -> Decimal:
    return grant_request.payments.aggregate(total=Sum("amount"))["total"] or ZERO


def amount_refunded(grant_request) -> Decimal:
    return grant_request.refunds.aggregate(total=Sum("amount"))["total"] or ZERO


def current_agreement(grant_request):
    return grant_request.agreements.filter(superseded_at__isnull=True).first()


def w9_problem(organisation, today) -> str | None:
    """Why the organization's W-9 does not allow a payment today; None when it does."""
    if not organisation.w9:
        return f"{organisation.legal_name} has no W-9 on file. Ask the applicant to upload a current W-9."
    if organisation.w9_signed_on is None:
        return f"The W-9 of {organisation.legal_name} has no signature date. Ask the applicant to upload a current W-9."
    oldest = today - timedelta(days=settings.IME_W9_MAX_AGE_DAYS)
    if organisation.w9_signed_on < oldest:
        return (
            f"The W-9 of {organisation.legal_name} was signed on {long_date(organisation.w9_signed_on)}, more than "
            f"{settings.IME_W9_MAX_AGE_DAYS} days ago. Ask the applicant to upload a current W-9."
        )
    return None


# --- Issuing the letter ---------------------------------------------------------------------------


def _letter_for(grant_request, actor, reason: str) -> Agreement:
    template = AgreementTemplate.current()
    if template is None:
        raise ValidationError("No agreement template is published. Publish one under Letter of Agreement templates.")
    version = (grant_request.agreements.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    now = timezone.now()
    grant_request.agreements.filter(superseded_at__isnull=True).update(superseded_at=now)
    facts = facts_of(grant_request, version=version, issued_on=timezone.localdate(now))
    return Agreement.objects.create(
        grant_request=grant_request, version=version, template=template, issued_by=actor, reason=reason,
        text=render_letter(template.body, facts), amount=grant_request.approved_amount,
        program_start=grant_request.start_date, program_end=grant_request.end_date,
    )  # fmt: skip


def signer_member(grant_request):
    """The account of the request's authorized signer in its organization, or None."""
    email = (grant_request.signer_email or "").strip()
    if not email:
        return None
    membership = grant_request.organisation.memberships.filter(user__email__iexact=email).select_related("user")
    found = membership.first()
    return found.user if found else None


def _invitation_for_signer(grant_request, actor):
    """When the signer has no account in the organization, the agreement email invites them."""
    if signer_member(grant_request) is not None or not grant_request.signer_email:
        return None
    email = grant_request.signer_email.strip().lower()
    open_invitations = grant_request.organisation.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    usable = next((i for i in open_invitations if i.is_usable), None)
    if usable is not None:
        return usable
    open_invitations.update(revoked_at=timezone.now())
    return Invitation.objects.create(organisation=grant_request.organisation, email=email, invited_by=actor)


def check_can_issue(grant_request, inputs):
    if not grant_request.signer_email:
        raise ValidationError("The request names no authorized signer's email, so nobody could sign the letter.")
    if AgreementTemplate.current() is None:
        raise ValidationError("No agreement template is published. Publish one under Letter of Agreement templates.")


def issue_letter(move):
    agreement = _letter_for(move.subject, move.actor, reason="Issued after approval")
    return {"agreement": agreement, "invitation": _invitation_for_signer(move.subject, move.actor)}


# --- The recipient's signature -------------------------------------------------------------------


def only_the_authorized_signer(grant_request, user, roles):
    """Only the signer named on the request, signed in with that email, signs for the recipient."""
    signer_email = (grant_request.signer_email or "").strip().lower()
    if user.email and user.email.strip().lower() == signer_email:
        return None
    named = grant_request.signer_name or signer_email or "the authorized signer"
    return (
        f"Only the authorized signer named on this request, {named} ({signer_email or 'no email given'}), may sign "
        "the agreement. Ask them to sign in with that email address; the requester can correct the signer "
        "through a message to the IME team."
    )


def _the_current_letter(grant_request, inputs) -> Agreement:
    agreement = inputs["agreement"]
    if agreement.grant_request_id != grant_request.pk:
        raise ValidationError("That letter belongs to another request.")
    fresh = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not fresh.is_current:
        raise ValidationError(
            f"Version {fresh.version} of this agreement has been replaced by a newer version; sign the current one."
        )
    return fresh


def check_signature(grant_request, inputs):
    fresh = _the_current_letter(grant_request, inputs)
    if fresh.signed_at is not None:
        raise AlreadySigned("This version of the agreement is already signed; nothing was changed.")
    if inputs.get("authority_confirmed") is not True:
        raise ValidationError("Confirm that you are authorized to sign for the organization.")
    inputs["agreement"] = fresh


class AlreadySigned(TransitionError):
    """A second signature of the same letter: the first stands, nothing is recorded twice."""


def record_signature(move):
    agreement, inputs = move.inputs["agreement"], move.inputs
    agreement.sign(move.actor, name=inputs["signer_name"], title=inputs["signer_title"], ip=inputs.get("ip"),
                   user_agent=inputs.get("user_agent"))  # fmt: skip
    return {"agreement": agreement}


# --- The supporter's countersignature ------------------------------------------------------------


def check_countersignature(grant_request, inputs):
    agreement = current_agreement(grant_request)
    if agreement is None:
        raise ValidationError("There is no current letter to countersign.")
    if not agreement.is_signed:
        raise ValidationError("The recipient's authorized signer has not signed this version yet; countersign after.")
    today = timezone.localdate()
    started = grant_request.start_date is not None and grant_request.start_date <= today
    if started and not _amends_a_running_program(grant_request, agreement):
        raise ValidationError(
            f"The program started on {long_date(grant_request.start_date)}: an agreement must be executed before "
            "the education starts. File or approve a change request with new dates, which re-issues the letter."
        )
    inputs["agreement"] = agreement


def _amends_a_running_program(grant_request, agreement) -> bool:
    """Every first letter, and any letter that moves the start, is executed before the program starts
    (ACCME Standard 4). An amendment of a program already running under an executed letter with the
    same start date (a later end, a budget move) may be executed while it runs."""
    executed_before = (
        grant_request.agreements.filter(version__lt=agreement.version, countersigned_at__isnull=False)
        .order_by("-version")
        .first()
    )
    return executed_before is not None and executed_before.program_start == agreement.program_start


def record_countersignature(move):
    agreement = Agreement.objects.select_for_update().get(pk=move.inputs["agreement"].pk)
    agreement.countersign(move.actor, name=person_name(move.actor), title=move.inputs["signer_title"],
                          ip=move.inputs.get("ip"))  # fmt: skip
    return {"agreement": agreement}


# --- Payments ------------------------------------------------------------------------------------


def check_payment(final: bool):
    def check(grant_request, inputs):
        agreement = current_agreement(grant_request)
        if agreement is None or not agreement.is_executed:
            raise ValidationError("The agreement is not executed yet: payments follow both signatures.")
        problem = w9_problem(grant_request.organisation, timezone.localdate())
        if problem:
            raise ValidationError(problem)
        amount = Decimal(inputs["amount"])
        if amount <= 0:
            raise ValidationError("A payment is for more than $0.")
        remaining = (grant_request.approved_amount or ZERO) - amount_paid(grant_request)
        if amount > remaining:
            raise ValidationError(
                f"{money(amount)} would take the payments above the approved {money(grant_request.approved_amount)}: "
                f"{money(remaining)} remains to be paid."
            )
        if final and amount != remaining:
            raise ValidationError(f"The final payment is the {money(remaining)} that remains.")
        if not final and amount == remaining:
            raise ValidationError(f"{money(amount)} is the whole remainder: record it as the final payment.")

    return check


def record_payment(move):
    payment = Payment.objects.create(
        grant_request=move.subject, amount=Decimal(move.inputs["amount"]), method=move.inputs["method"],
        reference=move.inputs["reference"].strip(), paid_on=move.inputs["paid_on"], recorded_by=move.actor,
    )  # fmt: skip
    paid = amount_paid(move.subject)
    return {"payment": payment, "paid_total": paid, "remaining": (move.subject.approved_amount or ZERO) - paid}


def check_fully_paid(grant_request, inputs):
    if amount_paid(grant_request) != (grant_request.approved_amount or ZERO):
        raise ValidationError("The grant is not paid in full.")


# --- The daily moves -------------------------------------------------------------------------------


def _reached(field, what):
    def check(grant_request, inputs):
        day = getattr(grant_request, field)
        if day is None or day > inputs["today"]:
            raise ValidationError(f"The program has not {what} yet.")

    return check


check_started = _reached("start_date", "started")
check_ended = _reached("end_date", "ended")


def open_reconciliation(move):
    move.subject.reconciliation_due_on = move.subject.end_date + timedelta(days=settings.IME_RECONCILIATION_DAYS)
    return {"due_on": move.subject.reconciliation_due_on}


# --- Change requests -----------------------------------------------------------------------------

# Fields a change of each kind may set.
CHANGE_FIELDS = {
    ChangeKind.DATES: ("new_start_date", "new_end_date"),
    ChangeKind.FORMAT_VENUE: ("new_program_format", "new_location", "new_program_url"),
    ChangeKind.BUDGET: ("new_budget",),
    ChangeKind.CANCELLATION: (),
}


def budget_moved_share(grant_request, new_budget) -> Decimal:
    """The share of the budget a reallocation moves: half the sum of the absolute changes per line, over
    the current total (moving $1,000 from one line to another moves $1,000)."""
    lines = {line.pk: line.total for line in grant_request.budget_lines.all()}
    total = sum(lines.values(), ZERO)
    if not total:
        return ZERO
    proposed = {int(row["line"]): Decimal(row["unit_cost"]) * Decimal(row["quantity"]) for row in new_budget}
    moved = sum((abs(proposed.get(pk, ZERO) - old) for pk, old in lines.items()), ZERO) / 2
    return (moved / total * 100).quantize(Decimal("0.1"))


def touches_terms(grant_request, change: ChangeRequest) -> bool:
    """Dates, the amount and budget moves beyond IME_REALLOCATION_LIMIT_PCT are terms of the letter."""
    if change.kind == ChangeKind.DATES:
        return True
    if change.kind == ChangeKind.BUDGET:
        return budget_moved_share(grant_request, change.new_budget) > settings.IME_REALLOCATION_LIMIT_PCT
    return False


def short_notice(grant_request, change: ChangeRequest) -> bool:
    """A new start date inside the lead time needs staff to accept it explicitly."""
    if change.new_start_date is None:
        return False
    return change.new_start_date < timezone.localdate() + timedelta(days=settings.IME_MIN_LEAD_DAYS)


def check_change(grant_request, inputs):
    change = inputs["change"]
    if grant_request.change_requests.filter(status=ChangeStatus.PENDING).exists():
        raise ValidationError("A change request is already awaiting a decision; wait for it before filing another.")
    today = timezone.localdate()
    if change.kind == ChangeKind.DATES:
        start = change.new_start_date or grant_request.start_date
        end = change.new_end_date or grant_request.end_date
        if change.new_start_date is None and change.new_end_date is None:
            raise ValidationError("Give the new start date, the new end date, or both.")
        if change.new_start_date is not None and change.new_start_date < today:
            raise ValidationError("The new start date is in the past: a program cannot be moved to a date gone by.")
        if start and end and end < start:
            raise ValidationError("The new end date is before the start date.")
    elif change.kind == ChangeKind.FORMAT_VENUE:
        if not (change.new_program_format or change.new_location or change.new_program_url):
            raise ValidationError("Give the new format, venue or URL.")
    elif change.kind == ChangeKind.BUDGET:
        current_total = grant_request.budget_total()
        proposed_total = sum((Decimal(r["unit_cost"]) * Decimal(r["quantity"]) for r in change.new_budget), ZERO)
        if proposed_total > current_total:
            raise ValidationError(
                f"The proposed budget totals {money(proposed_total)}, more than the {money(current_total)} approved. "
                "A change request moves money between lines; more funding needs a new grant request."
            )


def _values(grant_request, change) -> tuple[dict, dict]:
    """The current and proposed values, by label, for the side-by-side view."""
    if change.kind == ChangeKind.DATES:
        current = {"Start date": long_date(grant_request.start_date), "End date": long_date(grant_request.end_date)}
        proposed = {
            "Start date": long_date(change.new_start_date or grant_request.start_date),
            "End date": long_date(change.new_end_date or grant_request.end_date),
        }
    elif change.kind == ChangeKind.FORMAT_VENUE:
        current = {
            "Format": grant_request.get_program_format_display(), "Venue and city": grant_request.location,
            "Program URL": grant_request.program_url,
        }  # fmt: skip
        proposed = {
            "Format": change.get_new_program_format_display() or current["Format"],
            "Venue and city": change.new_location or current["Venue and city"],
            "Program URL": change.new_program_url or current["Program URL"],
        }
    elif change.kind == ChangeKind.BUDGET:
        lines = list(grant_request.budget_lines.all())
        new = {int(r["line"]): Decimal(r["unit_cost"]) * Decimal(r["quantity"]) for r in change.new_budget}
        current = {str(line): money(line.total) for line in lines}
        proposed = {str(line): money(new.get(line.pk, line.total)) for line in lines}
        current["Total"] = money(sum((line.total for line in lines), ZERO))
        proposed["Total"] = money(sum((new.get(line.pk, line.total) for line in lines), ZERO))
    else:
        current = {"Program": "Going ahead"}
        proposed = {"Program": "Cancelled; any amount paid is returned in full"}
    return current, proposed


def file_change(move):
    change = move.inputs["change"]
    change.grant_request = move.subject
    change.filed_by = move.actor
    change.current_values, change.proposed_values = _values(move.subject, change)
    change.save()
    return {"change_request": change}


def _pending_change(grant_request, inputs) -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update().get(pk=inputs["change_request"].pk)
    if change.grant_request_id != grant_request.pk:
        raise ValidationError("That change request belongs to another request.")
    if not change.is_pending:
        raise ValidationError(f"This change request was already {change.get_status_display().lower()}.")
    inputs["change_request"] = change
    return change


def check_approve_change(reissue: bool):
    def check(grant_request, inputs):
        change = _pending_change(grant_request, inputs)
        if change.kind == ChangeKind.CANCELLATION:
            raise ValidationError("A cancellation is approved by cancelling the grant.")
        if short_notice(grant_request, change) and not inputs.get("short_notice_accepted"):
            raise ValidationError(
                f"The new start date, {long_date(change.new_start_date)}, is less than {settings.IME_MIN_LEAD_DAYS} "
                "days away. Tick “Accept the short notice” to approve it anyway."
            )
        needs_new_letter = touches_terms(grant_request, change) and current_agreement(grant_request) is not None
        if needs_new_letter and not reissue:
            raise ValidationError("This change touches the agreement's terms: approve it with a re-issued letter.")
        if reissue and not needs_new_letter:
            raise ValidationError("This change does not touch the agreement's terms; approve it without a new letter.")

    return check


def _apply(grant_request, change):
    if change.kind == ChangeKind.DATES:
        grant_request.start_date = change.new_start_date or grant_request.start_date
        grant_request.end_date = change.new_end_date or grant_request.end_date
    elif change.kind == ChangeKind.FORMAT_VENUE:
        grant_request.program_format = change.new_program_format or grant_request.program_format
        grant_request.location = change.new_location or grant_request.location
        grant_request.program_url = change.new_program_url or grant_request.program_url
    elif change.kind == ChangeKind.BUDGET:
        new = {int(r["line"]): r for r in change.new_budget}
        for line in grant_request.budget_lines.all():
            if line.pk in new:
                line.unit_cost = Decimal(new[line.pk]["unit_cost"])
                line.quantity = Decimal(new[line.pk]["quantity"])
                line.save(update_fields=["unit_cost", "quantity"])  # simple_history records the line's change


def _close_change(change, move, status):
    change.status = status
    change.decided_by = move.actor
    change.decided_at = timezone.now()
    change.decision_note = move.inputs.get("note") or ""
    change.short_notice_accepted = bool(move.inputs.get("short_notice_accepted"))


def approve_change(reissue: bool):
    def effect(move):
        change = move.inputs["change_request"]
        _apply(move.subject, change)
        _close_change(change, move, ChangeStatus.APPROVED)
        change.reissued_agreement = reissue
        change.save()
        records = {"change_request": change, "agreement": None, "invitation": None}
        if reissue:
            records["agreement"] = _letter_for(move.subject, move.actor, reason=f"Re-issued: {change}")
            records["invitation"] = _invitation_for_signer(move.subject, move.actor)
        return records

    return effect


def check_refuse_change(grant_request, inputs):
    _pending_change(grant_request, inputs)


def refuse_change(move):
    change = move.inputs["change_request"]
    _close_change(change, move, ChangeStatus.REFUSED)
    change.save()
    return {"change_request": change}


# --- Cancellation ----------------------------------------------------------------------------------


def _check_cancel(with_payment: bool):
    def check(grant_request, inputs):
        if inputs.get("change_request") is not None:
            change = _pending_change(grant_request, inputs)
            if change.kind != ChangeKind.CANCELLATION:
                raise ValidationError("Only a cancellation request is approved by cancelling.")
        paid = amount_paid(grant_request)
        if with_payment and not paid:
            raise ValidationError("Nothing was paid: cancel without a refund.")
        if not with_payment and paid:
            raise ValidationError(f"{money(paid)} was paid: cancelling makes it a refund due.")

    return check


check_cancel = _check_cancel(with_payment=False)
check_cancel_with_refund = _check_cancel(with_payment=True)


def cancel(move):
    change = move.inputs.get("change_request")
    if change is not None:
        _close_change(change, move, ChangeStatus.APPROVED)
        change.decision_note = move.inputs.get("reason") or ""
        change.save()
    # Any pending change of another kind is moot once the program is cancelled.
    move.subject.change_requests.filter(status=ChangeStatus.PENDING).exclude(pk=getattr(change, "pk", None)).update(
        status=ChangeStatus.REFUSED, decided_by=move.actor, decided_at=timezone.now(),
        decision_note="The grant was cancelled.",
    )  # fmt: skip
    paid = amount_paid(move.subject)
    move.subject.refund_due = paid if paid else None
    return {"change_request": change, "refund_due": paid}


def check_cancellation_refund(grant_request, inputs):
    amount = Decimal(inputs["amount"])
    due = (grant_request.refund_due or ZERO) - amount_refunded(grant_request)
    if amount != due:
        raise ValidationError(f"The refund due on cancellation is the full {money(due)} paid; record that amount.")


def refund_received(cause):
    """The effect of a row where finance records money received back, for ``cause``."""

    def effect(move):
        refund = Refund.objects.create(
            grant_request=move.subject, cause=cause, amount=Decimal(move.inputs["amount"]),
            received_on=move.inputs["received_on"], reference=move.inputs["reference"].strip(), recorded_by=move.actor,
        )  # fmt: skip
        return {"refund": refund}

    return effect


record_cancellation_refund = refund_received(Refund.Cause.CANCELLATION)

"""The commercial-support statement of an accredited grant: what an accredited provider reports to its
accreditor about the support it received (supporter, amount, dates paid, in-kind support), net of
refunds. Read by the applicant's printable page and by the staff copy in the admin."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .status import GrantStatus as S

SUPPORTER = "Axsome Therapeutics, Inc."
# Before the Letter of Agreement is executed no support can have been paid: no statement is offered.
BEFORE_SUPPORT = frozenset({
    S.DRAFT, S.SUBMITTED, S.SCREENING, S.INFORMATION_REQUESTED, S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW,
    S.APPROVED, S.PARTIALLY_APPROVED, S.DECLINED, S.WITHDRAWN, S.AGREEMENT_SENT,
})  # fmt: skip
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MoneyLine:
    day: date
    amount: Decimal
    reference: str


@dataclass(frozen=True)
class SupportStatement:
    grant_request: object
    supporter: str
    approved: Decimal | None
    payments: list[MoneyLine] = field(default_factory=list)
    refunds: list[MoneyLine] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((line.amount for line in self.payments), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum((line.amount for line in self.refunds), ZERO)

    @property
    def net(self) -> Decimal:
        return self.paid - self.refunded

    @property
    def received(self) -> bool:
        return self.net > 0


def offers_statement(grant_request) -> bool:
    """Whether the request's pages link to a statement: an accredited grant whose agreement is executed."""
    return grant_request.is_accredited_request and grant_request.status not in BEFORE_SUPPORT


def statement_for(grant_request) -> SupportStatement:
    """The statement, from the payments and refunds on file (two queries)."""
    payments = [MoneyLine(p.paid_on, p.amount, p.reference) for p in grant_request.payments.order_by("paid_on", "pk")]
    refunds = [
        MoneyLine(r.received_on, r.amount, r.reference) for r in grant_request.refunds.order_by("received_on", "pk")
    ]
    return SupportStatement(grant_request, SUPPORTER, grant_request.approved_amount, payments, refunds)

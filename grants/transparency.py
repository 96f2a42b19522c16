"""What the public transparency page publishes: the grants Axsome has funded, by quarter of payment.

- **Funded**: a grant whose money went out and stayed out: it stands at ``paid`` or a later stage of
  the program (in progress, reconciliation and after), has at least one payment, and what was paid
  less what came back is above $0. Drafts, undecided, declined, withdrawn, approved-but-unpaid and
  cancelled grants are never listed (a grant cancelled after payment is not, while its refund is due
  or once it came back).
- **Quarter**: the calendar quarter of the grant's *first* payment, so a grant paid in instalments is
  listed once, in the quarter its funding began.
- **Amount**: everything paid less every refund received (a reconciliation's returned surplus, say).

One query reads the rows of a filter, whatever the number of grants; the page and its CSV read the
same rows from the cache (``rows_for``), so the download always matches the page.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import DecimalField, F, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear

from .choices import RequestType, TherapeuticArea
from .models import GrantRequest, Payment, Refund
from .status import GrantStatus as S

logger = logging.getLogger(__name__)

# Stages before the money goes out, and the cancelled ones: never published. Every other status
# (paid and after, including stages later issues add) is a funded grant's.
NOT_FUNDED = frozenset({
    S.DRAFT, S.SUBMITTED, S.SCREENING, S.INFORMATION_REQUESTED, S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW,
    S.APPROVED, S.PARTIALLY_APPROVED, S.DECLINED, S.WITHDRAWN, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED,
    S.CANCELLED, S.CANCELLATION_REFUND_DUE,
})  # fmt: skip
QUARTERS = (1, 2, 3, 4)
CSV_HEADER = ("Year", "Quarter", "Organization", "City", "State", "Program title", "Type", "Therapeutic area",
              "Amount paid (USD)")  # fmt: skip
_MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class FundedGrant:
    year: int
    quarter: int
    organisation: str
    city: str
    state: str
    title: str
    request_type: str
    therapeutic_area: str
    amount: Decimal

    @property
    def period(self) -> str:
        return f"Q{self.quarter} {self.year}"

    @property
    def place(self) -> str:
        return f"{self.city}, {self.state}"

    @property
    def amount_text(self) -> str:
        # Formatted here, not by a template filter: a page may hold a thousand rows.
        return f"${self.amount:,.2f}"

    def csv_row(self) -> list:
        return [self.year, f"Q{self.quarter}", self.organisation, self.city, self.state, self.title,
                self.request_type, self.therapeutic_area, f"{self.amount:.2f}"]  # fmt: skip


def _sum_of(model, field):
    return Coalesce(
        Subquery(
            model.objects.filter(grant_request=OuterRef("pk")).order_by().values("grant_request")
            .annotate(total=Sum(field)).values("total"),
            output_field=_MONEY,
        ),
        Value(Decimal("0.00")),
        output_field=_MONEY,
    )  # fmt: skip


def funded_grants():
    """Every funded grant with its first payment date, its year and quarter and its net amount."""
    first_paid = Subquery(
        Payment.objects.filter(grant_request=OuterRef("pk")).order_by().values("grant_request")
        .annotate(first=Min("paid_on")).values("first"),
    )  # fmt: skip
    return (
        GrantRequest.objects.exclude(status__in=NOT_FUNDED)
        .annotate(first_paid_on=first_paid)
        .filter(first_paid_on__isnull=False)
        .annotate(
            net_paid=_sum_of(Payment, "amount") - _sum_of(Refund, "amount"),
            paid_year=ExtractYear("first_paid_on"),
            paid_quarter=ExtractQuarter("first_paid_on"),
        )
        .filter(net_paid__gt=0)
    )


def _area_label(code: str, other: str) -> str:
    if code in TherapeuticArea.values:
        return TherapeuticArea(code).label
    return other or "Other"


def _type_label(code: str) -> str:
    return RequestType(code).label if code in RequestType.values else ""


def query_rows(year: int | None, quarter: int | None) -> list[FundedGrant]:
    found = funded_grants()
    if year:
        found = found.filter(paid_year=year)
    if quarter:
        found = found.filter(paid_quarter=quarter)
    found = found.order_by("-first_paid_on", F("organisation__legal_name").asc(), "title", "pk").values_list(
        "paid_year", "paid_quarter", "organisation__legal_name", "organisation__city", "organisation__state",
        "title", "request_type", "therapeutic_area", "therapeutic_area_other", "net_paid",
    )  # fmt: skip
    return [
        FundedGrant(year, quarter, org, city, state, title, _type_label(kind), _area_label(area, other), amount)
        for year, quarter, org, city, state, title, kind, area, other, amount in found
    ]


def years_published() -> list[int]:
    """The years in which a funded grant's first payment fell, newest first (one query)."""
    years = funded_grants().order_by().values_list("paid_year", flat=True).distinct()
    return sorted({int(y) for y in years}, reverse=True)


def _key(year, quarter) -> str:
    return f"ime:transparency:v1:{year or 'all'}:{quarter or 'all'}"


def _cached(key, compute):
    """``compute()`` from the cache for ``IME_TRANSPARENCY_CACHE_SECONDS``; fresh when the cache is down.

    Not invalidated on a payment: the page is a periodic publication, and the short lifetime bounds
    how long a new payment or refund takes to show (five minutes by default)."""
    seconds = settings.IME_TRANSPARENCY_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    try:
        found = cache.get(key)
    except Exception:  # a cache outage must not take the public page down
        logger.warning("Transparency cache unavailable; reading %s fresh", key, exc_info=True)
        return compute()
    if found is None:
        found = compute()
        try:
            cache.set(key, found, seconds)
        except Exception:
            logger.warning("Could not store %s in the cache", key, exc_info=True)
    return found


def rows_for(year: int | None, quarter: int | None) -> list[FundedGrant]:
    return _cached(_key(year, quarter), lambda: query_rows(year, quarter))


def published_years() -> list[int]:
    return _cached("ime:transparency:v1:years", years_published)


def total_of(rows) -> Decimal:
    return sum((row.amount for row in rows), Decimal("0.00"))

"""The yearly Open Payments review list for compliance: each grant paid in a calendar year and whether
the exclusion for accredited continuing education applies to it, with the reason for each test.

The exclusion applies when all three tests pass:

1. **Accredited**: an accredited request, given by a provider accredited by a recognized accreditor
   (ACCME, ACPE, ANCC, AANP, Joint Accreditation, an ACCME-recognized state medical society);
2. **Independence**: the applicant attested that the company neither selects nor pays the speakers
   (the request's independence attestation);
3. **No direct payment to a covered recipient**: the money goes to an organization, not to an
   individual practitioner or a medical practice.

A grant failing any test is flagged for review: compliance decides what to report. The list is a
worksheet for that decision, not the filing itself. Payments to a hospital are noted, since a teaching
hospital on CMS's list is itself a covered recipient.

The reminder (``send_reminder``) goes once a year to ``IME_COMPLIANCE_MAILBOX`` from March 1, before
the March 31 filing deadline for the previous year's payments.
"""

import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, Exists, Max, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from grants.choices import INELIGIBLE_ORGANISATION_TYPES, AccreditationBody, OrganisationType, RequestType
from grants.models import GrantRequest, Payment, Refund
from outbox.services import queue_email_once
from workflow.roles import Role, staff_roles_of

from .exports.cells import XLSX_FORMATS, xlsx_value
from .exports.columns import DATE, MONEY

MAY_REVIEW = frozenset({Role.COMPLIANCE, Role.ADMINISTRATOR})
RECOGNIZED = frozenset(AccreditationBody) - {AccreditationBody.NONE}
REMINDER_FROM = (3, 1)  # month, day: the reminder goes from March 1 ...
FILING_DEADLINE = (3, 31)  # ... for the filing due March 31
_MONEY = DecimalField(max_digits=14, decimal_places=2)
CHECK, CROSS = "Passes", "Fails"


def may_review(user) -> bool:
    return user.is_active and user.is_staff and (user.is_superuser or bool(staff_roles_of(user) & MAY_REVIEW))


@dataclass(frozen=True)
class Test:
    passed: bool
    reason: str


@dataclass(frozen=True)
class ReviewRow:
    grant_request: GrantRequest
    paid_in_year: Decimal
    refunded_in_year: Decimal
    first_paid_on: date
    last_paid_on: date
    accredited: Test
    independent: Test
    not_covered_recipient: Test
    note: str

    @property
    def exclusion_applies(self) -> bool:
        return self.accredited.passed and self.independent.passed and self.not_covered_recipient.passed

    @property
    def verdict(self) -> str:
        return "Excluded (accredited CE)" if self.exclusion_applies else "Flagged for review"


def accredited_test(grant_request) -> Test:
    if grant_request.request_type != RequestType.ACCREDITED:
        kind = grant_request.get_request_type_display() or "Type not given"
        return Test(False, f"Not accredited education ({kind}).")
    body = grant_request.accreditation_body or grant_request.organisation.accreditation_body
    if body not in RECOGNIZED:
        return Test(False, "Accredited request, but no recognized accreditor is named.")
    return Test(True, f"Accredited by {AccreditationBody(body).label}.")


def independence_test(grant_request) -> Test:
    if grant_request.attest_independence:
        return Test(True, "The provider attested that it selects and pays the faculty, not the company.")
    return Test(False, "No independence attestation on file.")


def recipient_test(organisation) -> Test:
    if organisation.org_type in INELIGIBLE_ORGANISATION_TYPES:
        label = OrganisationType(organisation.org_type).label
        return Test(False, f"Paid to a covered recipient directly ({label}).")
    return Test(True, "Paid to an organization, not to an individual practitioner.")


def _sum_in_year(model, date_field, year):
    rows = (
        model.objects.filter(grant_request=OuterRef("pk"), **{f"{date_field}__year": year})
        .order_by()
        .values("grant_request")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(Decimal("0.00")), output_field=_MONEY)


def _date_in_year(aggregate, year):
    rows = (
        Payment.objects.filter(grant_request=OuterRef("pk"), paid_on__year=year)
        .order_by()
        .values("grant_request")
        .annotate(day=aggregate("paid_on"))
        .values("day")
    )
    return Subquery(rows)


def paid_grants(year: int):
    """The grants with a payment dated in ``year``, with the year's money: one query."""
    return (
        GrantRequest.objects.filter(Exists(Payment.objects.filter(grant_request=OuterRef("pk"), paid_on__year=year)))
        .select_related("organisation")
        .annotate(
            paid_in_year=_sum_in_year(Payment, "paid_on", year),
            refunded_in_year=_sum_in_year(Refund, "received_on", year),
            first_paid_on=_date_in_year(Min, year),
            last_paid_on=_date_in_year(Max, year),
        )
        .order_by("first_paid_on", "reference")
    )


def review_rows(year: int) -> list[ReviewRow]:
    rows = []
    for grant in paid_grants(year).iterator(chunk_size=500):
        organisation = grant.organisation
        note = ""
        if organisation.org_type in (OrganisationType.HOSPITAL, OrganisationType.ACADEMIC):
            note = "Check CMS's teaching hospital list for this year: a teaching hospital is a covered recipient."
        rows.append(
            ReviewRow(
                grant,
                grant.paid_in_year,
                grant.refunded_in_year,
                grant.first_paid_on,
                grant.last_paid_on,
                accredited_test(grant),
                independence_test(grant),
                recipient_test(organisation),
                note,
            )  # fmt: skip
        )
    return rows


HEADERS = [
    ("Grant reference", None), ("Organization", None), ("EIN", None), ("City", None), ("State", None),
    ("Organization type", None), ("Program title", None), ("Type of request", None),
    ("Paid in the year (USD)", MONEY), ("Refunded in the year (USD)", MONEY),
    ("First payment", DATE), ("Last payment", DATE),
    ("Accredited-CE exclusion", None), ("Accredited by a recognized accreditor", None), ("Reason", None),
    ("Company neither selected nor paid speakers", None), ("Reason", None),
    ("No direct payment to a covered recipient", None), ("Reason", None), ("Note", None),
]  # fmt: skip


def _values(row: ReviewRow) -> list:
    grant, organisation = row.grant_request, row.grant_request.organisation
    return [
        grant.reference, organisation.legal_name, organisation.ein, organisation.city, organisation.state,
        organisation.get_org_type_display(), grant.title, grant.get_request_type_display(),
        row.paid_in_year, row.refunded_in_year, row.first_paid_on, row.last_paid_on,
        row.verdict, CHECK if row.accredited.passed else CROSS, row.accredited.reason,
        CHECK if row.independent.passed else CROSS, row.independent.reason,
        CHECK if row.not_covered_recipient.passed else CROSS, row.not_covered_recipient.reason, row.note,
    ]  # fmt: skip


def workbook_for(year: int):
    """The review list as an XLSX in a temporary file (deleted when closed), and its row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"Open Payments {year}")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _kind in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [XLSX_FORMATS.get(kind) for _title, kind in HEADERS]
    rows = review_rows(year)
    for row in rows:
        cells = []
        for value, number_format in zip(_values(row), formats, strict=True):
            value = xlsx_value(value)
            if number_format and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                value = cell
            cells.append(value)
        sheet.append(cells)
    output = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(output)
    output.seek(0)
    return output, len(rows)


# --- The yearly reminder ---------------------------------------------------------------------------


def reminder_due(today: date) -> int | None:
    """The calendar year to review if the reminder is due ``today`` (March 1 to 31), else None."""
    start, deadline = date(today.year, *REMINDER_FROM), date(today.year, *FILING_DEADLINE)
    return today.year - 1 if start <= today <= deadline else None


def send_reminder(today: date | None = None):
    """Queues the reminder for the previous year once (key ``open_payments:<year>``); the email, or None
    when it is not due or already went."""
    today = today or timezone.localdate()
    year = reminder_due(today)
    if year is None:
        return None
    return queue_email_once(
        f"open_payments:{year}",
        "open_payments_reminder",
        [settings.IME_COMPLIANCE_MAILBOX],
        {
            "year": year,
            "deadline": date(today.year, *FILING_DEADLINE),
            "grants": paid_grants(year).count(),
            "url": settings.SITE_URL.rstrip("/") + reverse("admin:open_payments") + f"?year={year}",
        },
    )

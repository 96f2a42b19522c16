"""Eligibility rules for grant requests (SPEC §4), one named function each.

Every rule takes a ``GrantRequest`` and ``today`` and returns the problems it finds, in words an applicant
understands. The submit step runs ``check_request`` (all of ``RULES``, in order); the public self-check runs
``check_self_assessment`` on a visitor's answers, which builds its problems with the same helpers so a rule's
wording lives in one place.

Settings are read when a rule runs, never at import, so ``IME_MIN_LEAD_DAYS`` and
``IME_EXCLUDED_BUDGET_CATEGORIES`` can change without a restart (and in tests with ``settings``).
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import dateformat, timezone

from .choices import (
    INELIGIBLE_ORGANISATION_TYPES,
    AccreditationBody,
    AttachmentKind,
    BudgetCategory,
    OrganisationType,
    ProgramFormat,
    RequestType,
    TherapeuticArea,
)
from .models import GrantRequest
from .status import GrantStatus

# Related objects the rules read; prefetch them (and select_related "organisation") on pages that check.
RELATIONS = ("learning_objectives", "budget_lines", "attachments")

LIVE_FORMATS = {
    ProgramFormat.LIVE_IN_PERSON,
    ProgramFormat.LIVE_VIRTUAL,
    ProgramFormat.HYBRID,
    ProgramFormat.GRAND_ROUNDS,
}
FORMATS_WITH_VENUE = {ProgramFormat.LIVE_IN_PERSON, ProgramFormat.HYBRID}
FORMATS_WITH_URL = {ProgramFormat.LIVE_VIRTUAL, ProgramFormat.ENDURING}
# Grand rounds may be held in a hospital or streamed: either a venue or a URL says where learners go.
FORMATS_WITH_VENUE_OR_URL = {ProgramFormat.GRAND_ROUNDS}

# The editor's sections in their order (grants/sections.py builds the pages on these rules and checks
# that its list matches this order).
SECTION_ORDER = ("organisation", "programme", "content", "accreditation", "budget", "attachments", "attestations")


@dataclass(frozen=True)
class Problem:
    """One reason a request cannot be submitted yet: which rule, what to do, and where to fix it."""

    rule: str
    message: str
    section: str | None = None  # a slug of grants.sections.SECTIONS, or None


def long_date(day: date) -> str:
    return dateformat.format(day, "F j, Y")


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _blank(value) -> bool:
    """Nothing useful entered: no value, only spaces, or zero (no one expects zero learners or credit hours)."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == 0


# --- Shared wording: used by the request rules and by the self-check ---------------------------------


def earliest_acceptable_start(today: date) -> date:
    """The first program start date a request submitted today can have."""
    return today + timedelta(days=settings.IME_MIN_LEAD_DAYS)


def submission_deadline(start: date) -> date:
    """The last day a complete request for a program starting on ``start`` can reach us."""
    return start - timedelta(days=settings.IME_MIN_LEAD_DAYS)


def _retroactive_problems(start: date | None, today: date) -> list[Problem]:
    if start is None or start >= today:
        return []
    return [
        Problem(
            "no_retroactive_program",
            f"The program start date, {long_date(start)}, is in the past. We cannot fund education that has "
            f"already started or taken place. Grants are only for programs starting at least "
            f"{settings.IME_MIN_LEAD_DAYS} days from the day the request is submitted.",
            "programme",
        )
    ]


def _lead_time_problems(start: date | None, today: date) -> list[Problem]:
    # A start in the past is a retroactive program; that rule explains it, so it is not reported twice.
    if start is None or start < today:
        return []
    earliest = earliest_acceptable_start(today)
    if start >= earliest:
        return []
    days = settings.IME_MIN_LEAD_DAYS
    return [
        Problem(
            "lead_time_respected",
            f"The program starts on {long_date(start)}, which is only {(start - today).days} days from today. "
            f"Requests must reach us at least {days} days before the program starts, so the earliest start date "
            f"we can accept today is {long_date(earliest)}. Plan the program to start on or after that date.",
            "programme",
        )
    ]


def _outside_us_problems(based_in_us: bool, country: str = "") -> list[Problem]:
    if based_in_us:
        return []
    recorded = (
        f" Your organization's address is recorded in {country}: if the organization is in fact based in the US, "
        "correct the address in its organization profile."
        if country
        else ""
    )
    return [
        Problem(
            "organisation_in_us",
            "We can only fund organizations based in the United States, for education of US healthcare "
            f"professionals; an organization based elsewhere cannot apply.{recorded}",
            "organisation",
        )
    ]


def _organisation_type_problems(org_type: str) -> list[Problem]:
    if org_type not in INELIGIBLE_ORGANISATION_TYPES:
        return []
    label = OrganisationType(org_type).label
    return [
        Problem(
            "organisation_type_may_apply",
            f"Grants cannot go to this type of applicant: “{label}”. We fund organizations that provide education, "
            "not individual clinicians or medical practices. If an eligible organization, such as a hospital, "
            "university, professional society or accredited education provider, runs the program, that "
            "organization should apply.",
            "organisation",
        )
    ]


def _accreditation_not_current(detail: str) -> Problem:
    return Problem(
        "accreditation_current_for_accredited_request",
        f"{detail} Accredited education must be requested by the accredited provider, and its accreditation must "
        "be current on the day the program starts. Ask the accredited provider (for example a hospital's or "
        "university's CME office) to apply, or choose non-accredited education if the program will not award "
        "credit.",
        "accreditation",
    )


def _excluded_category_problem(category: str, description: str = "") -> Problem:
    label = BudgetCategory(category).label if category in BudgetCategory.values else category
    if description:
        what = f"The budget line “{description}” is for {label.lower()}, which grant support cannot pay for."
        todo = "Remove this line from the budget."
    else:
        what = f"Grant support cannot pay for {label.lower()}."
        todo = "Leave these costs out of the request's budget."
    return Problem("no_excluded_budget_categories", f"{what} {todo}", "budget")


# --- The rules ------------------------------------------------------------------------------------------

# (field, section, message) — what is missing and what to put there.
_REQUIRED_FIELDS = [
    ("requester_name", "organisation", "The requester's name is missing: enter the person we should contact."),
    ("requester_email", "organisation", "The requester's email is missing: enter the address we should write to."),
    ("secondary_name", "organisation", "The secondary contact's name is missing: enter a second person to contact."),
    ("secondary_email", "organisation", "The secondary contact's email is missing: enter their email address."),
    ("signer_name", "organisation", "The authorized signer's name is missing: enter who will sign the agreement."),
    ("signer_title", "organisation", "The authorized signer's title is missing: enter their job title."),
    ("signer_email", "organisation", "The authorized signer's email is missing: enter their email address."),
    ("request_type", "programme", "The type of request is missing: choose the kind of education."),
    ("title", "programme", "The program title is missing: enter the title of the program."),
    ("therapeutic_area", "programme", "The therapeutic area is missing: choose the condition the education covers."),
    ("program_format", "programme", "The format is missing: choose how the education will be delivered."),
    ("start_date", "programme", "The program start date is missing: enter the day the program starts."),
    ("end_date", "programme", "The program end date is missing: enter the day the program ends."),
    ("target_audience", "programme", "The target audience is missing: list the professions and specialties."),
    ("expected_learners", "programme", "The expected number of learners is missing: enter at least 1."),
    ("needs_assessment", "content", "The needs assessment is missing: describe the gap the education closes."),
    ("needs_references", "content", "The references are missing: list the sources behind the needs assessment."),
    ("educational_design", "content", "The educational design is missing: describe how the education is taught."),
    ("outcomes_plan", "content", "The outcomes plan is missing: describe how you will measure what changed."),
    ("moore_level", "content", "The highest Moore outcome level is missing: choose the level you aim to measure."),
    ("amount_requested", "budget", "The amount requested is missing: enter how much you are asking us for."),
]


def required_fields_complete(grant_request, today: date) -> list[Problem]:
    """Every field a reviewer needs is filled in — one problem per missing field."""
    problems = [
        Problem("required_fields_complete", message, section)
        for field, section, message in _REQUIRED_FIELDS
        if _blank(getattr(grant_request, field))
    ]

    def missing(section: str, message: str) -> None:
        problems.append(Problem("required_fields_complete", message, section))

    if grant_request.therapeutic_area == TherapeuticArea.OTHER and _blank(grant_request.therapeutic_area_other):
        missing("programme", "The other therapeutic area is missing: name the CNS condition the education covers.")
    if grant_request.program_format in FORMATS_WITH_VENUE and _blank(grant_request.location):
        missing("programme", "The venue and city are missing: in-person and hybrid programs need a location.")
    if grant_request.program_format in FORMATS_WITH_URL and _blank(grant_request.program_url):
        missing("programme", "The program URL is missing: virtual and on-demand programs need a web address.")
    if (
        grant_request.program_format in FORMATS_WITH_VENUE_OR_URL
        and _blank(grant_request.location)
        and _blank(grant_request.program_url)
    ):
        missing("programme", "Where the grand rounds take place is missing: enter the venue and city, or the URL.")
    if not list(grant_request.learning_objectives.all()):
        missing("content", "There are no learning objectives: add at least one, tied to the gaps you describe.")
    if not list(grant_request.budget_lines.all()):
        missing("budget", "The budget has no lines: add each cost of the whole program, with its amount.")
    # Sort back into section order so the list reads like the form, top to bottom.
    return sorted(problems, key=lambda p: SECTION_ORDER.index(p.section))


_ATTACHMENT_MESSAGES = {
    AttachmentKind.REQUEST_LETTER: "The request letter is missing: attach a signed letter on your letterhead that "
    "states the amount requested and summarizes the program.",
    AttachmentKind.BUDGET: "The detailed budget is missing: attach the itemized budget for the whole program, "
    "including any other supporters' contributions.",
    AttachmentKind.ACCREDITATION_LETTER: "The accreditation letter is missing: accredited requests need the "
    "provider's accreditation letter or certificate attached.",
    AttachmentKind.AGENDA: "The agenda is missing: live programs need a draft agenda attached (faculty names may "
    "be left out of a draft).",
    AttachmentKind.W9: "Your organization's W-9 is missing: attach a W-9 signed within the last 12 months, or add it "
    "to your organization profile.",
}


def required_attachment_kinds(grant_request) -> list[str]:
    """The documents this kind of request must carry (a W-9 on the organisation's profile serves all)."""
    needed = [AttachmentKind.REQUEST_LETTER, AttachmentKind.BUDGET]
    if grant_request.request_type == RequestType.ACCREDITED:
        needed.append(AttachmentKind.ACCREDITATION_LETTER)
    if grant_request.program_format in LIVE_FORMATS:
        needed.append(AttachmentKind.AGENDA)
    if not grant_request.organisation.w9:
        needed.append(AttachmentKind.W9)
    return needed


def required_attachments_present(grant_request, today: date) -> list[Problem]:
    """The documents this kind of request needs are attached, and a W-9 is on file."""
    attached = {attachment.kind for attachment in grant_request.attachments.all()}
    needed = required_attachment_kinds(grant_request)
    return [
        Problem("required_attachments_present", _ATTACHMENT_MESSAGES[kind], "attachments")
        for kind in needed
        if kind not in attached
    ]


def end_not_before_start(grant_request, today: date) -> list[Problem]:
    start, end = grant_request.start_date, grant_request.end_date
    if start is None or end is None or end >= start:
        return []
    return [
        Problem(
            "end_not_before_start",
            f"The program end date ({long_date(end)}) is before its start date ({long_date(start)}). "
            "Correct the dates: the end date must be on or after the start date.",
            "programme",
        )
    ]


def no_retroactive_program(grant_request, today: date) -> list[Problem]:
    return _retroactive_problems(grant_request.start_date, today)


def lead_time_respected(grant_request, today: date) -> list[Problem]:
    return _lead_time_problems(grant_request.start_date, today)


def organisation_in_us(grant_request, today: date) -> list[Problem]:
    country = (grant_request.organisation.country or "").strip().upper()
    return _outside_us_problems(country == "US", country)


def organisation_type_may_apply(grant_request, today: date) -> list[Problem]:
    return _organisation_type_problems(grant_request.organisation.org_type)


_ACCREDITATION_FIELDS = [
    ("accredited_provider", "The accredited provider is missing: name the provider awarding the credit."),
    ("accreditation_body", "The accrediting body is missing: choose who accredits the provider (e.g. ACCME)."),
    ("credit_types", "The credit types are missing: name the credit offered (e.g. AMA PRA Category 1 Credit)."),
    ("credit_hours", "The credit hours are missing: enter the maximum number of credit hours offered."),
]


def accreditation_field_message(field: str) -> str:
    """What the checklist says while the accreditation detail ``field`` is empty."""
    return dict(_ACCREDITATION_FIELDS)[field]


def accreditation_details_missing(grant_request, today: date) -> list[Problem]:
    """The accreditation details an accredited request leaves empty (the section page's gaps too)."""
    if grant_request.request_type != RequestType.ACCREDITED:
        return []
    return [
        Problem("accreditation_current_for_accredited_request", message, "accreditation")
        for field, message in _ACCREDITATION_FIELDS
        if _blank(getattr(grant_request, field))
        or (field == "accreditation_body" and grant_request.accreditation_body == AccreditationBody.NONE)
    ]


def accreditation_current_for_accredited_request(grant_request, today: date) -> list[Problem]:
    """An accredited request names its accreditation and comes from a provider accredited on the start date."""
    if grant_request.request_type != RequestType.ACCREDITED:
        return []
    problems = accreditation_details_missing(grant_request, today)
    organisation, start = grant_request.organisation, grant_request.start_date
    if not organisation.is_accredited:
        problems.append(
            _accreditation_not_current(
                "This request is for accredited education, but your organization's profile shows no accreditation."
            )
        )
    elif organisation.accreditation_expiry is None:
        problems.append(
            _accreditation_not_current(
                "Your organization's profile has no accreditation expiry date, so we cannot tell whether the "
                "accreditation will be current. Add the expiry date to the organization profile."
            )
        )
    elif start is not None and not organisation.accreditation_current_on(start):
        problems.append(
            _accreditation_not_current(
                f"Your organization's accreditation ({organisation.get_accreditation_body_display()}) expires on "
                f"{long_date(organisation.accreditation_expiry)}, before the program starts on {long_date(start)}. "
                "If it has been renewed, update the expiry date in the organization profile."
            )
        )
    return problems


def amount_within_budget(grant_request, today: date) -> list[Problem]:
    amount = grant_request.amount_requested
    if amount is None:
        return []  # Reported as a missing field.
    if amount <= 0:
        return [
            Problem(
                "amount_within_budget",
                "The amount requested must be more than $0: enter how much you are asking us for.",
                "budget",
            )
        ]
    lines = list(grant_request.budget_lines.all())
    total = sum((line.total for line in lines), Decimal("0"))
    if not lines or amount <= total:
        return []  # An empty budget is reported as a missing field.
    return [
        Problem(
            "amount_within_budget",
            f"The amount requested ({_money(amount)}) is more than the program's total budget ({_money(total)}). "
            "Lower the amount requested, or add the missing costs to the budget.",
            "budget",
        )
    ]


def no_excluded_budget_categories(grant_request, today: date) -> list[Problem]:
    excluded = set(settings.IME_EXCLUDED_BUDGET_CATEGORIES)
    return [
        _excluded_category_problem(line.category, line.description)
        for line in grant_request.budget_lines.all()
        if line.category in excluded
    ]


def attestations_given(grant_request, today: date) -> list[Problem]:
    problems = []
    if not grant_request.attest_independence:
        problems.append(
            Problem(
                "attestations_given",
                "The independence attestation is not confirmed: confirm that your organization alone controls the "
                "content, faculty and delivery of the education.",
                "attestations",
            )
        )
    if not grant_request.attest_open_payments:
        problems.append(
            Problem(
                "attestations_given",
                "The Open Payments attestation is not confirmed: confirm that you will tell us about payments to "
                "covered recipients that the Sunshine Act may require us to report.",
                "attestations",
            )
        )
    return problems


def no_overdue_reconciliation(grant_request, today: date) -> list[Problem]:
    """An earlier grant whose reconciliation is past the date the workflow set (``reconciliation_due_on``,
    when the program ended) blocks new requests until its report is submitted."""
    overdue = (
        GrantRequest.objects.filter(
            organisation_id=grant_request.organisation_id,
            status=GrantStatus.RECONCILIATION_DUE,
            reconciliation_due_on__lt=today,
        )
        .exclude(pk=grant_request.pk)
        .order_by("reconciliation_due_on", "pk")
        .values_list("pk", "reference", "title", "reconciliation_due_on")
    )
    return [
        Problem(
            "no_overdue_reconciliation",
            f"The reconciliation report for {reference or f'Draft #{pk}'} ({title}) is overdue: it was due on "
            f"{long_date(due_on)}. Submit that reconciliation report, and refund any unused funds, before submitting "
            "a new request.",
            None,
        )
        for pk, reference, title, due_on in overdue
    ]


RULES = [
    required_fields_complete,
    required_attachments_present,
    end_not_before_start,
    no_retroactive_program,
    lead_time_respected,
    organisation_in_us,
    organisation_type_may_apply,
    accreditation_current_for_accredited_request,
    amount_within_budget,
    no_excluded_budget_categories,
    attestations_given,
    no_overdue_reconciliation,
]


def _loaded(grant_request):
    """A copy of the request whose relations are fetched once and shared by all the rules.

    Working on a copy leaves no prefetch cache on the caller's instance that could go stale if it adds a
    budget line or an attachment afterwards."""
    loaded = copy.copy(grant_request)
    loaded._prefetched_objects_cache = dict(getattr(grant_request, "_prefetched_objects_cache", {}))
    prefetch_related_objects([loaded], *RELATIONS)
    return loaded


def check_request(grant_request, today: date | None = None) -> list[Problem]:
    """Every problem that stops this request being submitted, in ``RULES`` order; empty means eligible."""
    today = today or timezone.localdate()
    loaded = _loaded(grant_request)
    return [problem for rule in RULES for problem in rule(loaded, today)]


def _excluded_categories_planned(categories: Iterable[str]) -> list[Problem]:
    excluded = set(settings.IME_EXCLUDED_BUDGET_CATEGORIES)
    return [_excluded_category_problem(category) for category in categories if category in excluded]


def check_self_assessment(answers: dict, today: date | None = None) -> list[Problem]:
    """The public self-check: the rules that can be judged from a visitor's answers, in ``RULES`` order.

    ``answers`` keys (each optional): ``organisation_type`` (OrganisationType value), ``based_in_us`` (bool),
    ``request_type`` (RequestType value), ``accreditation_current`` (bool, for accredited education),
    ``start_date`` (date), ``budget_categories`` (BudgetCategory values planned)."""
    today = today or timezone.localdate()
    start = answers.get("start_date")
    problems = [*_retroactive_problems(start, today), *_lead_time_problems(start, today)]
    if answers.get("based_in_us") is not None:
        problems += _outside_us_problems(answers["based_in_us"])
    if answers.get("organisation_type"):
        problems += _organisation_type_problems(answers["organisation_type"])
    if answers.get("request_type") == RequestType.ACCREDITED and answers.get("accreditation_current") is False:
        problems.append(
            _accreditation_not_current(
                "You told us the organization's accreditation will not be current when the program starts."
            )
        )
    problems += _excluded_categories_planned(answers.get("budget_categories") or [])
    return problems

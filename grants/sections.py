"""The sections of the grant request editor, in the order an applicant fills them in.

Each section is one page. A section is *complete* when none of the fields it asks for is still empty;
formats (a valid email, an end date after the start date…) are checked by the forms when saving, and
the remaining eligibility rules (lead time, budget limits…) are judged when the request is submitted.
"""

import copy
from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from . import eligibility


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    description: str


SECTIONS: list[Section] = [
    Section(
        "organisation",
        "Organization and contacts",
        "Who is asking for support: the requester, a secondary contact and the person who signs the agreement.",
    ),
    Section(
        "programme",
        "Program",
        "What the education is: its type, title, therapeutic area, format, dates, place and audience.",
    ),
    Section(
        "content",
        "Educational content",
        "Why the education is needed, what learners will be able to do and how you will measure outcomes.",
    ),
    Section(
        "accreditation",
        "Accreditation",
        "For accredited IME only: the accredited provider, the accrediting body and the credit offered.",
    ),
    Section(
        "budget",
        "Budget",
        "The whole program budget line by line, other supporters and the amount you ask us for.",
    ),
    Section(
        "attachments",
        "Attachments",
        "The documents that support your request, such as the request letter, agenda and detailed budget.",
    ),
    Section(
        "attestations",
        "Attestations",
        "Your confirmation that the education is independent and that you will support Open Payments reporting.",
    ),
]

SECTIONS_BY_SLUG: dict[str, Section] = {section.slug: section for section in SECTIONS}
if tuple(SECTIONS_BY_SLUG) != eligibility.SECTION_ORDER:
    raise ImportError("grants.sections.SECTIONS and grants.eligibility.SECTION_ORDER list the sections differently.")


def get_section(slug: str) -> Section | None:
    return SECTIONS_BY_SLUG.get(slug)


def next_section(slug: str) -> Section | None:
    index = [s.slug for s in SECTIONS].index(slug)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


def previous_section(slug: str) -> Section | None:
    index = [s.slug for s in SECTIONS].index(slug)
    return SECTIONS[index - 1] if index > 0 else None


def section_titles(slugs) -> list[str]:
    titles = {s.slug: s.title for s in SECTIONS}
    return [titles.get(slug, slug) for slug in slugs]


def section_number(slug: str) -> int:
    return [s.slug for s in SECTIONS].index(slug) + 1


def section_url(grant_request, slug: str) -> str:
    return reverse("grants:request_section", args=[grant_request.pk, slug])


def review_url(grant_request) -> str:
    """Where "save and continue" leads after the last section of a draft: the review page."""
    return reverse("grants:request_review", args=[grant_request.pk])


def detail_url(grant_request) -> str:
    return reverse("grants:request_detail", args=[grant_request.pk])


def is_section_needed(grant_request, slug: str) -> bool:
    """Accreditation details matter only for accredited IME; every other section always applies."""
    if slug == "accreditation":
        return grant_request.is_accredited_request
    return True


# The submission rules that are about something not filled in yet (rather than about what was filled in).
_COMPLETENESS_RULES = (
    eligibility.required_fields_complete,
    eligibility.accreditation_details_missing,
    eligibility.required_attachments_present,
    eligibility.attestations_given,
)


def missing_items(grant_request, today=None) -> dict[str, list[str]]:
    """For each section slug, what is still to fill in, in words for the applicant (empty when complete).

    Uses the same rules as submission, so "complete" here never disagrees with the review page."""
    today = today or timezone.localdate()
    loaded = copy.copy(grant_request)  # A copy, so the caller's instance keeps no stale prefetch cache.
    loaded._prefetched_objects_cache = {}
    prefetch_related_objects([loaded], *eligibility.RELATIONS)
    missing: dict[str, list[str]] = {section.slug: [] for section in SECTIONS}
    for rule in _COMPLETENESS_RULES:
        for problem in rule(loaded, today):
            if problem.section in missing and is_section_needed(loaded, problem.section):
                missing[problem.section].append(problem.message)
    return missing


def section_states(grant_request) -> dict[str, bool]:
    """Complete (True) or incomplete (False) for each section slug, in section order."""
    return {slug: not items for slug, items in missing_items(grant_request).items()}

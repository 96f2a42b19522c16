"""Which parts of a grant request the applicant may change right now.

A draft is open everywhere. While a request for information is open, only the sections the IME team
named can change ("attachments" only if named), so everything the reviewers have already read stays as
they read it. In every other status the request is read-only.
"""

from .. import sections
from ..status import GrantStatus

ONLY_ASKED_SECTIONS_MESSAGE = "Only the sections the IME team asked about can be changed."

# Remembered on the instance for the page being built: the view, the navigation and the progress
# indicator all ask. A new request for information always comes with a new status change.
_MEMO = "_open_information_request_memo"


def current_information_request(grant_request):
    """The open request for information while the request waits for the applicant's answer, else None."""
    if grant_request.status != GrantStatus.INFORMATION_REQUESTED:
        return None
    moment = grant_request.status_changed_at
    memo = grant_request.__dict__.get(_MEMO)
    if memo is None or memo[0] != moment:
        open_request = grant_request.information_requests.filter(answered_at__isnull=True).first()
        memo = (moment, open_request)
        grant_request.__dict__[_MEMO] = memo
    return memo[1]


def editable_sections(grant_request) -> set[str] | None:
    """``None`` when every section may change (a draft); otherwise the slugs that may (possibly none)."""
    if grant_request.status == GrantStatus.DRAFT:
        return None
    if grant_request.status == GrantStatus.INFORMATION_REQUESTED:
        information_request = current_information_request(grant_request)
        # Moved here without a recorded request, nobody named the sections: nothing narrows the editing.
        if information_request is None:
            return None
        return set(information_request.sections)
    return set()


def can_edit_section(grant_request, slug: str) -> bool:
    editable = editable_sections(grant_request)
    return editable is None or slug in editable


def is_answering_information_request(grant_request) -> bool:
    return grant_request.status == GrantStatus.INFORMATION_REQUESTED


def after_last_section_url(grant_request) -> str:
    """Where "save and continue" leads from the last section the applicant may edit: the review page
    for a draft, the request page (where the answer is written) while answering the IME team."""
    if is_answering_information_request(grant_request):
        return sections.detail_url(grant_request) + "#answer"
    return sections.review_url(grant_request)


def _is_open(grant_request, slug: str) -> bool:
    """The section applies to this request and the applicant may change it now."""
    return sections.is_section_needed(grant_request, slug) and can_edit_section(grant_request, slug)


def next_open_section(grant_request, slug: str):
    """The next section the applicant may fill in ("save and continue"), skipping the ones that do not apply."""
    following = sections.next_section(slug)
    while following is not None and not _is_open(grant_request, following.slug):
        following = sections.next_section(following.slug)
    return following


def previous_open_section(grant_request, slug: str):
    before = sections.previous_section(slug)
    while before is not None and not _is_open(grant_request, before.slug):
        before = sections.previous_section(before.slug)
    return before

"""Template helpers for the grant request editor's progress indicator."""

from django import template

from .. import sections
from ..services.editing import editable_sections

register = template.Library()

STATE_LABELS = {"complete": "Complete", "incomplete": "Incomplete", "not_needed": "Not needed"}
LOCKED_LABEL = "Locked: not part of the IME team's request"


@register.simple_tag
def section_progress(grant_request, section_states=None, current_section=None):
    """The steps of the progress indicator: each section with its link, state and whether it is current.

    ``section_states`` may be left out; it is then worked out from the request."""
    states = section_states if section_states else sections.section_states(grant_request)
    current = getattr(current_section, "slug", current_section) or ""
    # While answering a request for information, the sections the IME team did not name stay as sent.
    editable = editable_sections(grant_request)
    steps = []
    for number, section in enumerate(sections.SECTIONS, start=1):
        if not sections.is_section_needed(grant_request, section.slug):
            state = "not_needed"
        elif states.get(section.slug):
            state = "complete"
        else:
            state = "incomplete"
        locked = editable is not None and section.slug not in editable
        steps.append(
            {
                "number": number,
                "section": section,
                "url": sections.section_url(grant_request, section.slug),
                "state": state,
                "state_label": LOCKED_LABEL if locked else STATE_LABELS[state],
                "is_current": section.slug == current,
                "locked": locked,
            }
        )
    done = sum(1 for step in steps if step["state"] != "incomplete")
    return {"steps": steps, "done": done, "total": len(steps), "narrowed": editable is not None}

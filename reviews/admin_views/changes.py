"""What the applicant changed while answering the last request for information, read from the
field history (simple_history): the request as it stood when staff asked, against the request as the
applicant sent it back."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.text import capfirst

from grants.models import Attachment, BudgetLine, LearningObjective, OtherSupporter

# Bookkeeping written by the workflow itself, not by the applicant.
NOT_APPLICANT_FIELDS = ["status", "status_changed_at", "submitted_at", "attested_at", "attested_by", "approved_amount"]
RELATED = [
    (LearningObjective, "Learning objective"),
    (BudgetLine, "Budget line"),
    (OtherSupporter, "Other supporter"),
    (Attachment, "Attachment"),
]
RELATED_IGNORED = {"position", "file", "uploaded_by", "uploaded_at", "grant_request"}
EMPTY = "—"
CACHE_SECONDS = 24 * 3600


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class RelatedChange:
    what: str
    action: str  # "added", "removed" or "changed"
    description: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class Resubmission:
    asked: object  # the request_information StatusChange
    answered: object  # the resubmit StatusChange
    fields: list[FieldChange]
    related: list[RelatedChange]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields or self.related)


def display_value(model_field, value) -> str:
    if value is None or value == "":
        return EMPTY
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _field_changes(model, delta) -> list[FieldChange]:
    changes = []
    for change in delta.changes:
        model_field = model._meta.get_field(change.field)
        changes.append(
            FieldChange(
                capfirst(model_field.verbose_name),
                display_value(model_field, change.old),
                display_value(model_field, change.new),
            )
        )
    return changes


def _state_at(history, moment):
    return history.filter(history_date__lte=moment).order_by("-history_date", "-history_id").first()


def _related_changes(grant_request, start, end) -> list[RelatedChange]:
    found = []
    for model, what in RELATED:
        records = list(
            model.history.filter(grant_request_id=grant_request.pk, history_date__gt=start, history_date__lte=end)
            .order_by("history_date", "history_id")
        )  # fmt: skip
        by_object: dict[int, list] = {}
        for record in records:
            by_object.setdefault(record.id, []).append(record)
        for object_records in by_object.values():
            first, last = object_records[0], object_records[-1]
            if first.history_type == "+" and last.history_type == "-":
                continue  # added and removed again while answering: nothing to review
            if first.history_type == "+":
                found.append(RelatedChange(what, "added", str(last.instance)))
            elif last.history_type == "-":
                found.append(RelatedChange(what, "removed", str(last.instance)))
            else:
                before = first.prev_record
                if before is None:
                    continue
                excluded = [f.name for f in model._meta.fields if f.name in RELATED_IGNORED]
                delta = last.diff_against(before, excluded_fields=excluded, foreign_keys_are_objs=False)
                if delta.changes:
                    found.append(RelatedChange(what, "changed", str(last.instance), _field_changes(model, delta)))
    return found


def last_resubmission(grant_request, status_changes) -> Resubmission | None:
    """The changes made between the last request for information and the applicant's answer to it.

    ``status_changes`` is the request's audit log, oldest first (already loaded by the page).
    """
    answered = next((c for c in reversed(status_changes) if c.transition == "resubmit"), None)
    if answered is None:
        return None
    asked = next(
        (c for c in reversed(status_changes) if c.transition == "request_information" and c.pk < answered.pk), None
    )
    if asked is None:
        return None
    # What changed between two past moments never changes again: read the field history once, then
    # from the cache (six queries a page view before, issue 13's 15-query bar).
    key = f"resubmission-changes:v1:{grant_request.pk}:{asked.pk}:{answered.pk}"
    found = cache.get(key)
    if found is None:
        found = _changes_between(grant_request, asked, answered)
        cache.set(key, found, CACHE_SECONDS)
    fields, related = found
    return Resubmission(asked, answered, fields, related)


def _changes_between(grant_request, asked, answered):
    history = grant_request.history
    old_record = _state_at(history, asked.created_at)
    new_record = _state_at(history, answered.created_at)
    fields = []
    if old_record is not None and new_record is not None and old_record.pk != new_record.pk:
        delta = new_record.diff_against(old_record, excluded_fields=NOT_APPLICANT_FIELDS, foreign_keys_are_objs=False)
        fields = _field_changes(type(grant_request), delta)
    return fields, _related_changes(grant_request, asked.created_at, answered.created_at)

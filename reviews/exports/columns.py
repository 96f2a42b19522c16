"""The columns of an export, declared once per admin list.

A column reads a field path (``"organisation__legal_name"``), or computes its value with ``value`` from
the fields it names in ``fields``; from these the export knows which tables to join and which columns to
load, so a list never loads more than it writes. A field with choices is written as its label."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from portal.people import person_name

TEXT, NUMBER, MONEY, DATE, DATETIME, YES_NO = "text", "number", "money", "date", "datetime", "yes_no"
PERSON_FIELDS = ("first_name", "last_name", "email", "username")


@dataclass(frozen=True)
class Column:
    header: str
    path: str = ""
    kind: str = ""  # inferred from the field when empty; money is always declared
    value: Callable[[Any], Any] | None = None
    fields: tuple[str, ...] = ()

    def bind(self, model) -> "BoundColumn":
        field = _field_at(model, self.path) if self.path else None
        kind = self.kind or _kind_of(field)
        choices = dict(field.flatchoices) if field is not None and field.choices else None
        needs = (self.path,) if self.path and self.value is None else self.fields
        return BoundColumn(self, kind, choices, needs)


def person(header: str, path: str) -> Column:
    """A column naming the user at ``path`` the way every staff page does."""
    prefix = path + "__"
    return Column(
        header,
        kind=TEXT,
        value=lambda obj: _person_or_blank(_read(obj, path)),
        fields=tuple(prefix + name for name in PERSON_FIELDS),
    )


def _person_or_blank(user):
    return person_name(user) if user is not None else ""


@dataclass(frozen=True)
class BoundColumn:
    column: Column
    kind: str
    choices: dict | None
    needs: tuple[str, ...]

    @property
    def header(self) -> str:
        return self.column.header

    def read(self, obj):
        if self.column.value is not None:
            return self.column.value(obj)
        value = _read(obj, self.column.path)
        if self.choices is not None and value not in (None, ""):
            return self.choices.get(value, value)
        return value


def _read(obj, path: str):
    for name in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _field_at(model, path: str):
    field = None
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else model
    return field


def _kind_of(field) -> str:
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, models.DateField):
        return DATE
    if isinstance(field, models.BooleanField):
        return YES_NO
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField) and not field.choices:
        return NUMBER
    return TEXT


def loading_plan(model, columns: list[BoundColumn]) -> tuple[list[str], list[str]]:
    """The relations to join (select_related) and the fields to load (only) for these columns."""
    relations, fields = set(), {model._meta.pk.name}
    for column in columns:
        for path in column.needs:
            parts = path.split("__")
            relations.update("__".join(parts[:i]) for i in range(1, len(parts)))
            fields.add(path)
    return sorted(relations), sorted(fields)

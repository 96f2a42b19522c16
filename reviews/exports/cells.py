"""One value, written as a CSV field or an XLSX cell.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and some treat a
leading tab or carriage return the same way; applicants write the text we export (titles, inquiries),
so any such text gets a leading single quote (OWASP's advice on CSV injection). Numbers are never
text: a negative amount stays a number."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .columns import DATE, DATETIME, MONEY

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", MONEY: "#,##0.00"}


def neutralize(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _as_text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_field(value) -> str:
    """ISO dates and times (with their UTC offset), plain numbers, Yes/No, text neutralized."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return _local(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralize(_as_text(value))


def xlsx_value(value):
    """Dates as dates (local time: Excel has no time zones), numbers as numbers, text neutralized and
    without the control characters the XLSX format cannot hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return _local(value).replace(tzinfo=None)
    if isinstance(value, date | int | float | Decimal):
        return value
    return neutralize(ILLEGAL_CHARACTERS_RE.sub("", _as_text(value)))

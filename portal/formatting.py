"""Display strings for values a page shows many times, made once.

A list page of 25 rows used to format each date through the template's ``|date`` filter (time zone,
locale, format string parsed every time): a large share of its rendering time. These give the same text
in the project's one date style (Django's DATE_FORMAT for the active language) and remember it.
"""

from datetime import date, datetime
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

# Any number that cannot appear in a real URL pattern's fixed parts: it marks where the id goes.
_PK_MARK = 9_876_543_210


@lru_cache(maxsize=4096)
def _formatted_day(value: date, language: str) -> str:
    return date_format(value)


def day(value: date | datetime | None, default: str = "") -> str:
    """``value|date`` as the templates write it: a moment is shown as its day in the portal's time zone."""
    if value is None:
        return default
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return _formatted_day(value, get_language())


def money(amount) -> str:
    """``amount|floatformat:"2g"`` for US English (two decimals, thousands grouped): 12,500.00."""
    return f"{amount:,.2f}"


def url_maker(view_name: str):
    """A function pk → URL of ``view_name``, reversing once: a list reverses the same pattern per row."""
    pattern = reverse(view_name, args=[_PK_MARK])
    mark = str(_PK_MARK)
    return lambda pk: pattern.replace(mark, str(int(pk)), 1)

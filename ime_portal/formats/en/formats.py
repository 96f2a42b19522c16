"""One way of writing dates across pages, admin and emails: "March 31, 2027" and "March 31, 2027, 3:05 PM".

Templates use ``|date`` and ``|date:"DATETIME_FORMAT"`` (Python: ``date_format(value)``) rather than spelling
out a format, so this file is the only place that decides it.
"""

DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, g:i A"

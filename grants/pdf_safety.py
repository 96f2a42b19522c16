"""Refuse PDFs that carry active content: scripts, actions that run on opening, launched programs,
hidden files, rich media and XFA forms.

Reviewers open applicants' PDFs on their own computers, and a grant document never needs any of these.
Two passes, both over the whole file:

1. A cheap scan of the raw bytes outside streams, after decoding the ``#xx`` escapes PDF allows in
   names (``/J#61vaScript`` is ``/JavaScript``). It also sees objects the parser would skip (earlier
   revisions, objects no cross-reference table lists).
2. pypdf parses the file and every object in it is inspected, including objects packed inside
   compressed object streams, where a raw scan sees only deflated bytes. A PDF pypdf cannot read, or
   can read only with a password, is refused too: a file we cannot check is a file we do not take.

``/OpenAction`` and ``/AA`` are refused only when they hold an action other than "go to a page": many
ordinary PDFs open at a given page and zoom through ``/OpenAction``.
"""

import io
import re

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

SCRIPT = "JavaScript"
ON_OPEN = "an action that runs when the file is opened"
ON_EVENT = "actions that run when a page or field is opened"
LAUNCH = "a command that starts another program"
EMBEDDED = "files hidden inside it"
RICH_MEDIA = "embedded multimedia"
XFA = "an XFA interactive form"
OTHER_ACTION = "an action that loads or sends data"

# Names whose mere presence (as a dictionary key, or in the raw bytes) means active content.
_KEYS = {
    "/JS": SCRIPT,
    "/JavaScript": SCRIPT,
    "/EmbeddedFile": EMBEDDED,
    "/EmbeddedFiles": EMBEDDED,
    "/RichMedia": RICH_MEDIA,
    "/XFA": XFA,
}
# Action types (the /S of an action dictionary) that run or fetch something.
_ACTIONS = {
    "/JavaScript": SCRIPT,
    "/Launch": LAUNCH,
    "/GoToE": EMBEDDED,
    "/RichMediaExecute": RICH_MEDIA,
    "/ImportData": OTHER_ACTION,
    "/SubmitForm": OTHER_ACTION,
}
_SUBTYPES = {"/FileAttachment": EMBEDDED, "/RichMedia": RICH_MEDIA}
_RAW_NAMES = {**_KEYS, "/Launch": LAUNCH, "/GoToE": EMBEDDED, "/RichMediaExecute": RICH_MEDIA}
_MAX_OBJECTS = 500_000

_DELIMITERS = rb"\s()<>\[\]{}/%"
_NAME = re.compile(rb"/[^" + _DELIMITERS + rb"]*")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
# A literal string with no string inside; applied repeatedly, it removes nested ones from the inside out.
_INNERMOST_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.DOTALL)


class UnreadablePdf(Exception):
    """pypdf could not read the file (damaged, or protected by a password)."""


def active_content(data: bytes) -> list[str]:
    """What active content ``data`` carries, in words for the applicant; empty for a plain document."""
    found = _raw_scan(data) | _parsed_scan(data)
    return sorted(found)


def _raw_scan(data: bytes) -> set[str]:
    # Only names count: not stream data (compressed bytes, page text) nor text in strings (a link to
    # https://example.org/JS/ is not a script).
    structure = _STREAM.sub(b" ", data)
    for _ in range(4):
        structure, removed = _INNERMOST_STRING.subn(b" ", structure)
        if not removed:
            break
    found = set()
    for token in _NAME.findall(structure):
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token).decode("latin-1")
        if name in _RAW_NAMES:
            found.add(_RAW_NAMES[name])
    return found


def _parsed_scan(data: bytes) -> set[str]:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("protected by a password")
        return _walk(reader)
    except UnreadablePdf:
        raise
    except Exception as error:  # pypdf raises many kinds on damaged input; all mean "cannot check it"
        raise UnreadablePdf(str(error)) from error


def _walk(reader: PdfReader) -> set[str]:
    """Inspect every object reachable from the trailer and every object the file lists."""
    found: set[str] = set()
    pending: list = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending += [IndirectObject(number, generation, reader) for number in numbers]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    inspected = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        inspected += 1
        if inspected > _MAX_OBJECTS:
            raise UnreadablePdf("too many objects to check")
        if isinstance(item, DictionaryObject):  # stream objects included: their dictionary is checked
            found |= _dictionary_problems(item)
            pending += list(item.values())
        elif isinstance(item, ArrayObject):
            pending += list(item)
    return found


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _dictionary_problems(entry: DictionaryObject) -> set[str]:
    found = {_KEYS[key] for key in entry if key in _KEYS}
    action_type = _resolved(entry.get("/S"))
    if isinstance(action_type, NameObject) and action_type in _ACTIONS:
        found.add(_ACTIONS[action_type])
    if _resolved(entry.get("/Type")) == "/EmbeddedFile":
        found.add(EMBEDDED)
    subtype = _resolved(entry.get("/Subtype"))
    if isinstance(subtype, NameObject) and subtype in _SUBTYPES:
        found.add(_SUBTYPES[subtype])
    if _runs_something(_resolved(entry.get("/OpenAction"))):
        found.add(ON_OPEN)
    triggers = _resolved(entry.get("/AA"))
    if isinstance(triggers, DictionaryObject) and any(_runs_something(_resolved(a)) for a in triggers.values()):
        found.add(ON_EVENT)
    return found


def _runs_something(action) -> bool:
    """An action dictionary other than a plain "go to a page" (a destination array is not an action)."""
    return isinstance(action, DictionaryObject) and _resolved(action.get("/S")) != "/GoTo"

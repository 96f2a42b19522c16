#!/usr/bin/env python
"""Builds static/css/bootstrap.portal.min.css: Bootstrap's CSS with only the rules the portal can use.

    .venv/bin/python scripts/build_css.py            # rewrite the file after changing templates or forms
    .venv/bin/python scripts/build_css.py --check    # exit 1 if the file is not what this would write

The public and applicant pages use a small part of Bootstrap (232 KB minified, about 20 KB of it used).
This reads Bootstrap's own minified CSS (from PyPI's bootstrap-wrapper, the version pyproject.toml
pins) and keeps a rule when every class its selector needs is a word found somewhere the portal's
markup comes from: the project's templates, the templates and code of the packages that render markup for
it (crispy-forms, crispy-bootstrap5, django-allauth), the apps' Python code (widget classes, form helpers) and its
JavaScript (classes set at run time). A word counts wherever it appears, so the test is generous: a
rule is dropped only when no such word exists anywhere. Classes built in a template from a prefix
(``alert-{{ tag }}``) keep every class with that prefix. Rules without classes (the reboot, the
custom properties) are kept, except those for an attribute Bootstrap's JavaScript or color modes use
(``[data-bs-theme=dark]``, ...) when that attribute appears nowhere. A ``@keyframes`` is kept when a kept
rule names it.

Runs at build time only (no Node, nothing at run time); the file is committed and collected like any
other. tests/test_static_assets.py fails when the file is out of date.
"""

import argparse
import re
import sys
from pathlib import Path

import tinycss2
from bootstrap_wrapper import get_bootstrap_dir

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "static" / "css" / "bootstrap.portal.min.css"
APPS = ("ime_portal", "demo", "reviews", "grants", "workflow", "portal", "outbox")
# Classes only JavaScript adds (the menu's own script, static/js/nav.js, sets "show").
ALWAYS = {"show", "collapsing", "active", "disabled"}
# crispy-bootstrap5 templates for layout objects (accordions, modals, tabs, alerts) the portal never builds.
CRISPY_UNUSED = {"accordion.html", "accordion-group.html", "modal.html", "tab.html", "tab-link.html", "alert.html"}

WORD = re.compile(r"[A-Za-z_][\w-]*")
# "alert-{{ ...": a class whose end is filled in when the page renders.
PREFIX = re.compile(r"([A-Za-z_][\w-]*-)(?:\{\{|\{%)")
CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
ATTRIBUTE = re.compile(r"\[\s*(data-bs-[\w-]+)")


def _package_dir(name):
    module = __import__(name)
    return Path(module.__file__).resolve().parent


def markup_sources():
    """Every file whose words may end up in a class attribute on a portal page."""
    # The staff pages under templates/admin/ use the admin's own CSS, not Bootstrap.
    files = [path for path in (ROOT / "templates").rglob("*.html") if "admin" not in path.relative_to(ROOT).parts]
    for app in APPS:
        files += [path for path in (ROOT / app).rglob("*") if path.suffix in {".py", ".html"}]
    files += list((ROOT / "static" / "js").rglob("*.js"))
    files += [path for path in _package_dir("crispy_bootstrap5").rglob("*.html") if path.name not in CRISPY_UNUSED]
    files += list(_package_dir("allauth").rglob("*.html"))
    # crispy-forms adds some classes to fields from Python (form-select, is-invalid, ...); its layout
    # objects (Modal, Accordion, ...) are never used, so the rest of its code is not read.
    files += list((_package_dir("crispy_forms") / "templatetags").glob("*.py"))
    return sorted(path for path in files if "migrations" not in path.parts)


def used_words(paths):
    words, prefixes = set(ALWAYS), set()
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        words.update(WORD.findall(text))
        prefixes.update(PREFIX.findall(text))
    return words, prefixes


def _strip_functional_pseudos(selector):
    """Drops what is inside :not(), :is(), :has(), :where() and the like: a class there is not needed
    on the page for the rule to apply (or only one of several is), so it must not decide."""
    out, depth = [], 0
    i = 0
    while i < len(selector):
        char = selector[i]
        if depth == 0 and char == ":":
            match = re.match(r":{1,2}[\w-]+\(", selector[i:])
            if match:
                depth = 1
                i += match.end()
                continue
        if depth:
            depth += {"(": 1, ")": -1}.get(char, 0)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _split_selectors(prelude):
    parts, depth, current = [], 0, []
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


class Purger:
    def __init__(self, words, prefixes):
        self.words, self.prefixes = words, prefixes

    def class_used(self, name):
        return name in self.words or any(name.startswith(prefix) for prefix in self.prefixes)

    def selector_used(self, selector):
        needed = _strip_functional_pseudos(selector)
        if any(attribute not in self.words for attribute in ATTRIBUTE.findall(needed)):
            return False
        return all(self.class_used(name) for name in CLASS.findall(needed))

    def rules(self, nodes):
        """The kept rules of a rule list, serialized."""
        kept = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors = [s for s in _split_selectors(tinycss2.serialize(node.prelude)) if self.selector_used(s)]
                if selectors:
                    kept.append(",".join(selectors) + "{" + tinycss2.serialize(node.content).strip() + "}")
            elif node.type == "at-rule":
                kept.append(self.at_rule(node))
        return "".join(rule for rule in kept if rule)

    def at_rule(self, node):
        prelude = tinycss2.serialize(node.prelude).strip()
        if node.content is None:
            return f"@{node.at_keyword} {prelude};"
        if node.lower_at_keyword in {"media", "supports", "container", "layer"}:
            inner = self.rules(tinycss2.parse_rule_list(node.content, skip_whitespace=True, skip_comments=True))
            return f"@{node.at_keyword} {prelude}{{{inner}}}" if inner else ""
        if node.lower_at_keyword == "keyframes":
            return ""  # added afterwards, when a kept rule names it
        return f"@{node.at_keyword} {prelude}{{{tinycss2.serialize(node.content)}}}"


def build(source_css, words, prefixes):
    nodes = tinycss2.parse_stylesheet(source_css, skip_whitespace=True, skip_comments=False)
    banner = next((tinycss2.serialize([n]) for n in nodes if n.type == "comment"), "")
    nodes = [node for node in nodes if node.type != "comment"]
    body = Purger(words, prefixes).rules(nodes)
    keyframes = [
        f"@keyframes {tinycss2.serialize(n.prelude).strip()}{{{tinycss2.serialize(n.content)}}}"
        for n in nodes
        if n.type == "at-rule" and n.lower_at_keyword == "keyframes"
        and re.search(rf"\b{re.escape(tinycss2.serialize(n.prelude).strip())}\b", body)
    ]  # fmt: skip
    note = "/* Only the rules the IME portal uses: generated by scripts/build_css.py, do not edit. */"
    charset = '@charset "UTF-8";'  # must come first in the file, before any comment
    body = body.removeprefix(charset)
    return f"{charset}{banner}\n{note}\n{body}{''.join(keyframes)}\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare with the committed file")
    args = parser.parse_args()
    source = Path(get_bootstrap_dir()) / "css" / "bootstrap.min.css"
    words, prefixes = used_words(markup_sources())
    css = build(source.read_text(encoding="utf-8"), words, prefixes)
    relative = OUTPUT.relative_to(ROOT)
    if args.check:
        if not OUTPUT.is_file() or OUTPUT.read_text(encoding="utf-8") != css:
            print(f"{relative} is out of date: run .venv/bin/python scripts/build_css.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(css, encoding="utf-8")
    print(f"{relative}: {len(css.encode()):,} bytes (Bootstrap's {source.stat().st_size:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

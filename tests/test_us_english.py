"""The audience is US healthcare professionals: every word they read is US English ("program",
"organization", "center"). Code names such as ``Organisation`` or the ``programme`` section slug stay as
they are, so these checks read only what a person sees: template text outside template tags and HTML
attributes, rendered pages, emails, model and form labels, and the README's prose."""

import importlib
import inspect
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from grants.sections import SECTIONS

BRITISH = re.compile(
    r"\b(programmes?|organisations?|organisational|centres?|colours?|behaviours?|licences?|honour\w*|"
    r"favour\w*|catalogues?|authoris\w*|recognis\w*|summaris\w*|itemis\w*|judgement|enrolment)\b",
    re.IGNORECASE,
)
# Attributes whose values are read out or shown; every other attribute holds ids, classes and URLs.
READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "content"}
ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIR = ROOT / "templates"


def british_words(text: str) -> list[str]:
    return [match.group(0) for match in BRITISH.finditer(text)]


class ReadableText(HTMLParser):
    """What a person reads or hears of an HTML page: text, and the attributes that are announced."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def readable(html: str) -> str:
    parser = ReadableText()
    parser.feed(html)
    return " ".join(parser.parts)


def template_text(source: str, is_html: bool) -> str:
    """A template's own words: without comments, template tags, variables and non-read attributes."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", " ", source, flags=re.S)
    # Prose passed inside a tag (include … with heading="…") is kept; names and paths are not.
    source = re.sub(
        r"{%.*?%}|{{.*?}}",
        lambda tag: " ".join(text for text in re.findall(r'"([^"]*)"', tag.group(0)) if " " in text),
        source,
        flags=re.S,
    )
    return readable(source) if is_html else source


def test_templates_use_us_spelling():
    found = []
    for path in sorted(TEMPLATE_DIR.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        words = british_words(template_text(path.read_text(), path.suffix == ".html"))
        found += [f"{path.relative_to(ROOT)}: {word}" for word in words]
    assert not found, "British spellings in templates:\n" + "\n".join(found)


def test_the_check_finds_british_text_but_not_code_names():
    assert british_words(template_text("<p>Register your organisation's programme</p>", True)) == [
        "organisation",
        "programme",
    ]
    code = (
        '<a href="{% url \'grants:organisation_detail\' %}" class="organisation-form" id="summary-programme">'
        "{{ grant_request.organisation }}</a>{# organisation #}"
    )
    assert british_words(template_text(code, True)) == []
    assert british_words(template_text('{% include "x.html" with heading="Your organisation" %}', True))
    assert british_words(readable('<button aria-label="Close the programme">x</button>'))


@pytest.mark.django_db
def test_public_and_applicant_pages_read_in_us_english(applicant_client, draft_request):
    urls = [
        reverse(f"portal:{name}")
        for name in (
            "home", "about_ime", "eligibility", "acceptable_use", "standards", "apply", "faq", "privacy", "terms",
            "contact", "contact_thanks",
        )
    ]  # fmt: skip
    urls += [reverse("grants:request_section", args=[draft_request.pk, section.slug]) for section in SECTIONS]
    urls += [
        reverse("grants:request_list"),
        reverse("grants:request_create"),
        reverse("grants:request_detail", args=[draft_request.pk]),
        reverse("grants:request_review", args=[draft_request.pk]),
        reverse("grants:request_print", args=[draft_request.pk]),
        reverse("grants:organisation_detail"),
        reverse("grants:organisation_edit"),
        reverse("account_email"),
    ]
    found = []
    for url in urls:
        response = applicant_client.get(url)
        assert response.status_code == 200, url
        found += [f"{url}: {word}" for word in british_words(readable(response.content.decode()))]
    assert not found, "British spellings on pages:\n" + "\n".join(found)


def _model_words():
    for app_label in ("grants", "portal", "outbox", "reviews"):
        for model in apps.get_app_config(app_label).get_models():
            meta = model._meta
            yield f"{meta.label}", str(meta.verbose_name), str(meta.verbose_name_plural)
            for field in meta.get_fields():
                texts = [str(getattr(field, "verbose_name", "")), str(getattr(field, "help_text", ""))]
                texts += [str(label) for _, label in getattr(field, "flatchoices", None) or []]
                yield f"{meta.label}.{field.name}", *texts


def _form_words():
    for module_name in (
        "grants.forms.attachments", "grants.forms.conversation", "grants.forms.eligibility",
        "grants.forms.organisations", "grants.forms.requests", "grants.forms.withdrawal", "portal.forms",
    ):  # fmt: skip
        module = importlib.import_module(module_name)
        for _, form_class in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form_class, forms.BaseForm) or form_class.__module__ != module_name:
                continue
            for name, field in form_class.base_fields.items():
                texts = [str(field.label or ""), str(field.help_text or "")]
                texts += [str(message) for message in field.error_messages.values()]
                texts += [str(label) for _, label in getattr(field, "choices", None) or [] if isinstance(label, str)]
                yield f"{module_name}.{form_class.__name__}.{name}", *texts


def test_model_and_form_labels_use_us_spelling():
    found = [
        f"{where}: {word}"
        for where, *texts in [*_model_words(), *_form_words()]
        for text in texts
        for word in british_words(text)
    ]
    assert not found, "British spellings in labels, help texts, choices or messages:\n" + "\n".join(found)


def test_readme_prose_uses_us_spelling():
    prose = re.sub(r"```.*?```|`[^`]*`", " ", (ROOT / "README.md").read_text(), flags=re.S)
    assert british_words(prose) == []

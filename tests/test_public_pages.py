"""Public pages: they render behind the US HCP gate cookie with an accessible, CSP-friendly skeleton."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

PUBLIC_PAGES = [
    "home",
    "about_ime",
    "eligibility",
    "acceptable_use",
    "standards",
    "apply",
    "faq",
    "privacy",
    "terms",
    "contact",
]


class PageStructure(HTMLParser):
    """Collects the few structural facts the tests check."""

    def __init__(self):
        super().__init__()
        self.h1_count = 0
        self.main_ids = []
        self.skip_link = False
        self.styled_tags = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.styled_tags.append(tag)
        if tag == "h1":
            self.h1_count += 1
        elif tag == "main":
            self.main_ids.append(attributes.get("id"))
        elif tag == "a" and attributes.get("href") == "#main":
            self.skip_link = True
        elif tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1

    handle_startendtag = handle_starttag


@pytest.fixture
def hcp_client(client):
    client.cookies["ime_us_hcp"] = "yes"
    return client


def get_page(client, name):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 200, f"{name} returned {response.status_code}"
    return response.content.decode()


def parse(html):
    structure = PageStructure()
    structure.feed(html)
    structure.close()
    return structure


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_renders(hcp_client, name):
    get_page(hcp_client, name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_exactly_one_h1(hcp_client, name):
    assert parse(get_page(hcp_client, name)).h1_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_main_landmark_and_skip_link(hcp_client, name):
    html = get_page(hcp_client, name)
    structure = parse(html)
    assert structure.main_ids == ["main"]
    assert structure.skip_link
    assert "Skip to main content" in html


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_inline_style_or_script(hcp_client, name):
    html = get_page(hcp_client, name)
    structure = parse(html)
    assert "style=" not in html
    assert structure.styled_tags == []
    assert structure.inline_scripts == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["eligibility", "apply"])
def test_lead_time_is_stated(hcp_client, settings, name):
    settings.IME_MIN_LEAD_DAYS = 60
    assert "at least 60 days" in get_page(hcp_client, name)


@pytest.mark.django_db
def test_contact_page_shows_inquiry_mailbox(hcp_client):
    assert "medicaleducation@axsome.com" in get_page(hcp_client, "contact")

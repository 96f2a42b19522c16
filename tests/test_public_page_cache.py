"""Public content pages are cached for anonymous visitors, and only for them."""

import gzip

import brotli
import pytest
from django.test import Client

from portal.caching import public_page_key

pytestmark = pytest.mark.django_db

FAQ_TEMPLATE = "portal/pages/faq.html"


def rendered_templates(response) -> list[str]:
    """Templates rendered for the response; none when it came out of the cache."""
    return [template.name for template in response.templates]


def gated_visitor() -> Client:
    visitor = Client()
    visitor.cookies["ime_us_hcp"] = "yes"
    return visitor


def test_second_anonymous_visit_is_served_from_the_cache_without_rendering_or_queries(
    gated_client, django_assert_num_queries
):
    first = gated_client.get("/faq/")
    assert FAQ_TEMPLATE in rendered_templates(first)

    with django_assert_num_queries(0):
        second = gated_client.get("/faq/")

    assert second.status_code == 200
    assert rendered_templates(second) == []
    assert second.content == first.content
    assert b"<h1>Frequently asked questions</h1>" in second.content


def test_cached_page_keeps_the_security_headers_of_a_fresh_render(gated_client):
    fresh = gated_client.get("/apply/")
    cached = gated_client.get("/apply/")
    assert rendered_templates(cached) == []
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "Referrer-Policy", "Vary"):
        assert cached[header] == fresh[header], header
    assert "script-src 'self'" in cached["Content-Security-Policy"]


def test_each_page_is_cached_under_its_own_name(gated_client):
    gated_client.get("/faq/")
    terms = gated_client.get("/terms/")
    assert "portal/pages/terms.html" in rendered_templates(terms)
    assert b"Frequently asked questions</h1>" not in terms.content
    home = gated_client.get("/")
    assert 'aria-current="page"' not in home.content.decode()


def test_signed_in_applicant_never_gets_the_cached_anonymous_page(gated_client, applicant_client, applicant_user):
    anonymous = gated_visitor()
    anonymous.get("/faq/")
    assert rendered_templates(anonymous.get("/faq/")) == []

    page = applicant_client.get("/faq/")

    assert FAQ_TEMPLATE in rendered_templates(page)
    assert "Signed in as" in page.content.decode()
    assert applicant_user.get_full_name() in page.content.decode()


def test_signed_in_page_is_not_stored_for_anonymous_visitors(applicant_client, applicant_user):
    applicant_client.get("/faq/")

    anonymous = gated_visitor().get("/faq/")

    assert FAQ_TEMPLATE in rendered_templates(anonymous)
    assert applicant_user.get_full_name() not in anonymous.content.decode()
    assert "Sign in" in anonymous.content.decode()


def test_signed_out_message_is_shown_on_a_cached_page_and_never_cached(applicant_client):
    gated_visitor().get("/")  # the home page is now in the cache

    signed_out = applicant_client.post("/accounts/logout/", follow=True)

    assert signed_out.redirect_chain[-1][0] == "/"
    assert "You have signed out." in signed_out.content.decode()
    again = applicant_client.get("/")
    assert "You have signed out." not in again.content.decode()
    other_visitor = gated_visitor().get("/")
    assert "You have signed out." not in other_visitor.content.decode()
    assert rendered_templates(other_visitor) == []


def test_page_rendered_with_a_pending_message_is_not_stored(applicant_client):
    applicant_client.post("/accounts/logout/")  # the message waits for the next page

    with_message = applicant_client.get("/")
    assert "You have signed out." in with_message.content.decode()

    next_visitor = gated_visitor().get("/")
    assert "portal/pages/home.html" in rendered_templates(next_visitor)
    assert "You have signed out." not in next_visitor.content.decode()


def test_post_is_rendered_fresh_and_not_stored(gated_client):
    posted = gated_client.post("/faq/")
    assert FAQ_TEMPLATE in rendered_templates(posted)

    following = gated_client.get("/faq/")
    assert FAQ_TEMPLATE in rendered_templates(following)


def test_post_does_not_get_the_cached_page(gated_client):
    gated_client.get("/faq/")
    posted = gated_client.post("/faq/")
    assert FAQ_TEMPLATE in rendered_templates(posted)


def test_page_holding_a_csrf_token_is_never_stored(rf):
    """A form's CSRF token belongs to one visitor; such a page must not be handed to the next."""
    from django.contrib.auth.models import AnonymousUser
    from django.core.cache import cache

    from portal.caching import render_public_page

    request = rf.get("/signing-out/")
    request.user = AnonymousUser()
    response = render_public_page(request, "signing_out", "account/logout.html")

    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert cache.get(public_page_key("signing_out", "/signing-out/")) is None


def test_each_process_keeps_its_own_copy_so_a_hit_needs_no_round_trip(gated_client):
    from django.core.cache import cache

    gated_client.get("/faq/")
    cache.clear()  # the shared entry is gone; this process still holds the page

    again = gated_client.get("/faq/")
    assert rendered_templates(again) == []
    assert b"<h1>Frequently asked questions</h1>" in again.content


def test_a_changed_setting_shown_on_the_pages_is_never_served_stale(gated_client, settings):
    settings.IME_MIN_LEAD_DAYS = 60
    assert "at least 60 days" in gated_client.get("/apply/").content.decode()
    settings.IME_MIN_LEAD_DAYS = 75

    page = gated_client.get("/apply/")

    assert "portal/pages/apply.html" in rendered_templates(page)
    assert "at least 75 days" in page.content.decode()


def test_editing_a_template_during_development_shows_the_edit(gated_client, settings, tmp_path):
    from django.utils.autoreload import file_changed

    template = tmp_path / "portal" / "pages" / "faq.html"
    template.parent.mkdir(parents=True)
    template.write_text('{% extends "base.html" %}{% block content %}<h1>Version one</h1>{% endblock %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    assert "Version one" in gated_client.get("/faq/").content.decode()
    assert "Version one" in gated_client.get("/faq/").content.decode()

    template.write_text('{% extends "base.html" %}{% block content %}<h1>Version two</h1>{% endblock %}')
    file_changed.send(sender=None, file_path=template)  # what runserver's autoreloader does

    assert "Version two" in gated_client.get("/faq/").content.decode()


def test_cache_entry_lives_for_the_configured_number_of_seconds(gated_client, settings):
    import redis
    from django.core.cache import cache

    settings.IME_PUBLIC_PAGE_CACHE_SECONDS = 120
    gated_client.get("/standards/")

    stored_key = cache.make_key(public_page_key("standards", "/standards/"))
    seconds_left = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).ttl(stored_key)
    assert 100 < seconds_left <= 120


def test_zero_seconds_turns_the_cache_off(gated_client, settings):
    settings.IME_PUBLIC_PAGE_CACHE_SECONDS = 0
    gated_client.get("/faq/")
    assert FAQ_TEMPLATE in rendered_templates(gated_client.get("/faq/"))


def test_unvisited_gate_still_comes_before_a_cached_page(gated_client):
    gated_client.get("/faq/")
    response = Client().get("/faq/")
    assert response.status_code == 302
    assert response["Location"].startswith("/hcp-confirmation/")


def test_public_pages_still_work_when_the_cache_is_down(gated_client, settings):
    # Nothing listens on port 1: every cache call fails to connect.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = gated_client.get("/faq/")
    assert response.status_code == 200
    assert FAQ_TEMPLATE in rendered_templates(response)


# --- Compression: only the shareable pages (README, "Compression and BREACH") -------------------


@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_a_shareable_page_is_compressed_for_a_browser_that_asks(gated_client, encoding, decompress):
    plain = gated_client.get("/faq/")

    fresh = gated_visitor().get("/standards/", HTTP_ACCEPT_ENCODING=f"gzip, deflate, {encoding}")
    cached = gated_client.get("/faq/", HTTP_ACCEPT_ENCODING=f"{encoding};q=1.0, identity;q=0.5")

    assert plain.get("Content-Encoding") is None
    assert "portal/pages/standards.html" in rendered_templates(fresh)
    assert fresh["Content-Encoding"] == ("br" if encoding == "br" else "gzip")
    assert cached["Content-Encoding"] == encoding
    assert decompress(cached.content) == plain.content
    assert len(cached.content) < len(plain.content) / 3
    for response in (plain, fresh, cached):
        assert "Accept-Encoding" in response["Vary"]


def test_an_encoding_refused_with_q_zero_is_not_used(gated_client):
    gated_client.get("/faq/")
    response = gated_client.get("/faq/", HTTP_ACCEPT_ENCODING="br;q=0, gzip")
    assert response["Content-Encoding"] == "gzip"
    assert gated_client.get("/faq/", HTTP_ACCEPT_ENCODING="br;q=0").get("Content-Encoding") is None


def test_pages_with_a_csrf_token_or_a_signed_in_person_are_never_compressed(gated_client, applicant_client):
    form_page = gated_visitor().get("/contact/", HTTP_ACCEPT_ENCODING="br, gzip")
    own_page = applicant_client.get("/faq/", HTTP_ACCEPT_ENCODING="br, gzip")
    requests_page = applicant_client.get("/requests/", HTTP_ACCEPT_ENCODING="br, gzip")

    assert b'name="csrfmiddlewaretoken"' in form_page.content
    assert "Signed in as" in own_page.content.decode()
    for response in (form_page, own_page, requests_page):
        assert response.status_code == 200
        assert response.get("Content-Encoding") is None


# --- /eligibility/: the criteria and an empty self-check are shared; the answers are not ----------

ELIGIBILITY_TEMPLATE = "portal/pages/eligibility.html"


def test_eligibility_is_served_from_the_cache_on_the_second_anonymous_visit(gated_client, django_assert_num_queries):
    first = gated_client.get("/eligibility/")
    assert ELIGIBILITY_TEMPLATE in rendered_templates(first)

    with django_assert_num_queries(0):
        second = gated_visitor().get("/eligibility/")

    assert second.status_code == 200
    assert rendered_templates(second) == []
    assert second.content == first.content
    assert b'name="organisation_type"' in second.content


def test_eligibility_answers_render_fresh_and_do_not_reach_the_cache(gated_client):
    gated_client.get("/eligibility/")  # the empty self-check is cached

    answered = gated_visitor().get("/eligibility/", {"organisation_type": "", "based_in_us": "no"})

    assert ELIGIBILITY_TEMPLATE in rendered_templates(answered)
    assert "Error:" in answered.content.decode()
    following = gated_visitor().get("/eligibility/")
    assert rendered_templates(following) == []
    assert "Error:" not in following.content.decode()


def test_eligibility_for_a_signed_in_applicant_is_rendered_for_them(gated_client, applicant_client, applicant_user):
    gated_client.get("/eligibility/")

    page = applicant_client.get("/eligibility/")

    assert ELIGIBILITY_TEMPLATE in rendered_templates(page)
    assert applicant_user.get_full_name() in page.content.decode()

import pytest

pytestmark = pytest.mark.django_db


def test_first_visit_to_a_public_page_shows_the_us_hcp_gate(client):
    response = client.get("/faq/", follow=True)
    assert response.redirect_chain == [("/hcp-confirmation/?next=%2Ffaq%2F", 302)]
    assert b"This website is intended for US healthcare professionals only" in response.content
    assert b'name="choice" value="confirm"' in response.content
    assert b'name="choice" value="leave"' in response.content


def test_confirming_remembers_the_choice_and_returns_to_the_page(client):
    response = client.post("/hcp-confirmation/", {"next": "/faq/", "choice": "confirm"})
    assert response.status_code == 302
    assert response["Location"] == "/faq/"
    cookie = response.cookies["ime_us_hcp"]
    assert cookie.value == "yes"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600
    assert client.get("/faq/").status_code == 200
    assert client.get("/contact/").status_code == 200


def test_leaving_goes_elsewhere_and_sets_nothing(client, settings):
    response = client.post("/hcp-confirmation/", {"next": "/faq/", "choice": "leave"})
    assert response.status_code == 302
    assert response["Location"] == settings.IME_HCP_GATE_LEAVE_URL
    assert "ime_us_hcp" not in response.cookies
    assert client.get("/faq/").status_code == 302


def test_gate_refuses_to_redirect_to_another_site(client):
    response = client.post("/hcp-confirmation/", {"next": "https://evil.example.com/", "choice": "confirm"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["/healthz", "/admin/login/", "/static/css/portal.css"])
def test_health_admin_and_assets_are_not_gated(client, path):
    response = client.get(path)
    assert response.status_code == 200


def test_gate_works_without_javascript(client):
    """The gate is a plain HTML form: no script is needed to confirm."""
    page = client.get("/hcp-confirmation/?next=/apply/").content.decode()
    assert '<form method="post" action="/hcp-confirmation/"' in page
    assert 'value="/apply/"' in page

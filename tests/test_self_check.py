"""The eligibility self-check on /eligibility/: anyone answers a few questions and is told at once."""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.html import escape

from grants.eligibility import check_self_assessment, long_date
from grants.views.eligibility import self_check

pytestmark = pytest.mark.django_db


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


ELIGIBLE = {
    "organisation_type": "hospital",
    "based_in_us": "yes",
    "request_type": "accredited",
    "accreditation_current": "yes",
    "start_date": in_days(90),
    "budget_uses": ["faculty_honoraria", "venue", "audiovisual"],
}


def ask(client, **changes):
    answers = {**ELIGIBLE, **changes}
    answers = {name: value for name, value in answers.items() if value is not None}
    response = client.get("/eligibility/?" + urlencode(answers, doseq=True))
    assert response.status_code == 200
    return response.content.decode()


class Structure(HTMLParser):
    """The facts the tests check: headings, the live region and what each field holds."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.live_region = None
        self.selected = {}
        self.checked = []
        self.values = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        if a.get("id") == "self-check-answer":
            self.live_region = a
        if tag == "select":
            self._select = a.get("name")
        if tag == "option" and "selected" in a and a.get("value"):
            self.selected[self._select] = a["value"]
        if tag == "input" and "checked" in a:
            self.checked.append((a["name"], a["value"]))
        if tag == "input" and a.get("type") in {"date", "text"}:
            self.values[a["name"]] = a.get("value")


def structure(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    return parser


def answer_region(html: str) -> str:
    """The live region below the form, with its whitespace collapsed so sentences read as one line."""
    start = html.index('id="self-check-answer"')
    return " ".join(html[start : html.index("</section>", start)].split())


# --- The page ---------------------------------------------------------------------------------------------


def test_eligibility_url_is_served_by_the_self_check(gated_client):
    assert reverse("grants:eligibility") == "/eligibility/" == reverse("portal:eligibility")
    assert resolve("/eligibility/").func is self_check


def test_page_asks_the_questions_and_answers_nothing_yet(gated_client):
    html = ask(gated_client, **dict.fromkeys(ELIGIBLE))  # no answers at all
    assert '<form method="get" action="/eligibility/#self-check-answer"' in html
    for name in ("organisation_type", "based_in_us", "request_type", "accreditation_current", "start_date"):
        assert f'name="{name}"' in html
    assert 'name="budget_uses" value="attendee_travel"' in html
    assert 'value="individual_practitioner"' in html and 'value="medical_practice"' in html
    assert "csrfmiddlewaretoken" not in html
    assert "Eligible to apply" not in html and "Not eligible" not in html and "need correcting" not in html
    page = structure(html)
    assert page.h1 == 1
    assert page.live_region["role"] == "status" and page.live_region["aria-live"] == "polite"


def test_unrelated_query_parameters_do_not_count_as_answers(gated_client):
    response = gated_client.get("/eligibility/?utm_source=newsletter")
    assert "need correcting" not in response.content.decode()


def test_self_check_is_behind_the_us_hcp_gate(client):
    response = client.get("/eligibility/?" + urlencode(ELIGIBLE, doseq=True))
    assert response.status_code == 302
    assert response["Location"].startswith("/hcp-confirmation/?next=")


# --- Eligible ---------------------------------------------------------------------------------------------


def test_eligible_answers_say_so_with_no_guarantee_and_how_to_apply(gated_client):
    html = ask(gated_client)
    region = answer_region(html)
    assert "Eligible to apply, based on your answers" in region
    assert "does not guarantee approval" in region
    assert 'href="/apply/"' in region
    assert f'href="{reverse("account_signup")}"' in region
    deadline = timezone.localdate() + timedelta(days=30)  # 90 days away, 60 days lead time
    assert f"<strong>{long_date(deadline)}</strong>" in region
    assert structure(html).h1 == 1


def test_signed_in_applicant_is_not_invited_to_create_an_account(applicant_client):
    region = answer_region(ask(applicant_client))
    assert "Eligible to apply" in region
    assert reverse("account_signup") not in region


def test_non_accredited_education_needs_no_accreditation_answer(gated_client):
    html = ask(gated_client, request_type="patient_community", organisation_type="patient_advocacy",
               accreditation_current=None)  # fmt: skip
    assert "Eligible to apply" in answer_region(html)


# --- Not eligible: each reason, with what to do ---------------------------------------------------------

REASONS = [
    ({"organisation_type": "individual_practitioner"}, "Individual healthcare practitioner", "should apply"),
    ({"organisation_type": "medical_practice"}, "Medical practice or practice group", "should apply"),
    ({"based_in_us": "no"}, "based in the United States", "cannot apply"),
    ({"accreditation_current": "no"}, "accreditation will not be current", "choose non-accredited education"),
    ({"start_date": in_days(-3)}, "is in the past", "at least 60 days"),
    ({"start_date": in_days(30)}, "only 30 days from today", long_date(timezone.localdate() + timedelta(days=60))),
    ({"budget_uses": ["venue", "salaries"]}, "cannot pay for salaries", "Leave these costs out"),
    ({"budget_uses": ["attendee_registration"]}, "attendee registration fees", "Leave these costs out"),
]


@pytest.mark.parametrize(("changes", "what", "todo"), REASONS, ids=[str(r[0]) for r in REASONS])
def test_each_ineligible_answer_is_explained_with_what_to_do(gated_client, changes, what, todo):
    region = answer_region(ask(gated_client, **changes))
    assert "Not eligible as things stand" in region
    assert "for this reason" in region
    assert escape(what) in region
    assert escape(todo) in region
    assert "Eligible to apply" not in region


def test_several_reasons_are_all_listed_in_rule_order(gated_client):
    answers = {
        "organisation_type": "medical_practice",
        "based_in_us": "no",
        "start_date": in_days(10),
        "budget_uses": ["gifts", "entertainment"],
    }
    region = answer_region(ask(gated_client, **answers))
    assert "these 5 reasons" in region
    expected = check_self_assessment(
        {
            "organisation_type": "medical_practice",
            "based_in_us": False,
            "request_type": "accredited",
            "accreditation_current": True,
            "start_date": timezone.localdate() + timedelta(days=10),
            "budget_categories": ["gifts", "entertainment"],
        }
    )
    positions = [region.index(escape(problem.message)) for problem in expected]
    assert len(positions) == 5 and positions == sorted(positions)


def test_shorter_lead_time_setting_changes_the_answer(gated_client, settings):
    assert "Not eligible" in answer_region(ask(gated_client, start_date=in_days(50)))
    settings.IME_MIN_LEAD_DAYS = 45
    region = answer_region(ask(gated_client, start_date=in_days(50)))
    assert "Eligible to apply" in region
    assert long_date(timezone.localdate() + timedelta(days=5)) in region


# --- Answers that cannot be judged ----------------------------------------------------------------------


def test_impossible_date_is_refused_and_every_answer_is_kept(gated_client):
    html = ask(gated_client, start_date="2027-02-30", organisation_type="academic", based_in_us="no")
    assert "Enter a real calendar date" in html
    assert 'aria-invalid="true"' in html
    region = answer_region(html)
    assert "Some answers need correcting" in region
    assert 'href="#id_start_date"' in region
    assert "Eligible to apply" not in region and "Not eligible" not in region
    page = structure(html)
    assert page.values["start_date"] == "2027-02-30"
    assert page.selected == {"organisation_type": "academic", "request_type": "accredited"}
    assert set(page.checked) == {
        ("based_in_us", "no"),
        ("accreditation_current", "yes"),
        ("budget_uses", "faculty_honoraria"),
        ("budget_uses", "venue"),
        ("budget_uses", "audiovisual"),
    }
    assert page.h1 == 1


def test_us_date_format_is_understood(gated_client):
    start = timezone.localdate() + timedelta(days=90)
    assert "Eligible to apply" in answer_region(ask(gated_client, start_date=start.strftime("%m/%d/%Y")))


def test_missing_answers_are_each_named(gated_client):
    html = ask(gated_client, organisation_type="", based_in_us=None, request_type="", start_date="")
    region = answer_region(html)
    assert "Please correct the 4 answers" in region
    for message in (
        "Choose the type of organization that would apply.",
        "Answer yes or no: is the organization based in the United States?",
        "Choose the kind of education you plan.",
        "Enter the date the program starts.",
    ):
        assert message in region
    assert 'href="#id_based_in_us_0"' in region


def test_accredited_education_needs_the_accreditation_answer(gated_client):
    region = answer_region(ask(gated_client, accreditation_current=None))
    assert "Please correct the 1 answer marked above" in region
    assert escape("You chose accredited education: answer yes or no") in region

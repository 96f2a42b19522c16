"""The grant request editor: a draft filled in section by section, saved as the applicant goes."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.choices import BudgetCategory, MooreLevel, ProgramFormat, RequestType, TherapeuticArea
from grants.models import BudgetLine, GrantRequest, LearningObjective, OtherSupporter
from grants.sections import SECTIONS, section_states

from .factories import GrantRequestFactory, attach_required_documents

pytestmark = pytest.mark.django_db

SLUGS = [section.slug for section in SECTIONS]


def section_url(grant_request, slug):
    return reverse("grants:request_section", args=[grant_request.pk, slug])


def rows(prefix, entries, initial=0):
    """POST data for a formset: management form plus one dict of fields per row."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(entries)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, entry in enumerate(entries):
        for name, value in entry.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


BLANK_OBJECTIVE = {"text": ""}
BLANK_LINE = {"category": "", "description": "", "unit_cost": "", "quantity": "1"}
BLANK_SUPPORTER = {"name": "", "amount": "", "status": "pending"}


@pytest.fixture
def blank_draft(applicant_user):
    return GrantRequest.objects.create(
        organisation=applicant_user.membership.organisation,
        created_by=applicant_user,
        requester_name="Dana Whitfield",
        requester_email=applicant_user.email,
    )


def programme_data(**overrides):
    start = timezone.localdate() + timedelta(days=120)
    data = {
        "request_type": RequestType.ACCREDITED,
        "title": "Treating Migraine in Primary Care",
        "therapeutic_area": TherapeuticArea.MIGRAINE,
        "therapeutic_area_other": "",
        "program_format": ProgramFormat.LIVE_IN_PERSON,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=1)).isoformat(),
        "location": "Hynes Convention Center, Boston",
        "program_url": "",
        "target_audience": "Primary care physicians and nurse practitioners",
        "expected_learners": "250",
    }
    return {**data, **overrides}


def budget_data(lines, supporters=(), amount="", initial_lines=0, initial_supporters=0, **extra):
    return {
        "amount_requested": amount,
        **rows("budget_lines", list(lines), initial=initial_lines),
        **rows("supporters", list(supporters), initial=initial_supporters),
        **extra,
    }


# --- Starting a draft ------------------------------------------------------------------------------


def test_applicant_starts_a_draft_prefilled_with_themselves_as_requester(applicant_client, applicant_user):
    response = applicant_client.post(reverse("grants:request_create"))

    grant_request = GrantRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == section_url(grant_request, "organisation")
    assert grant_request.status == "draft"
    assert grant_request.organisation == applicant_user.membership.organisation
    assert grant_request.created_by == applicant_user
    assert grant_request.requester_email == applicant_user.email
    assert grant_request.requester_name == applicant_user.get_full_name()


def test_start_page_lists_the_sections_and_offers_a_button(applicant_client):
    response = applicant_client.get(reverse("grants:request_create"))

    assert response.status_code == 200
    assert GrantRequest.objects.count() == 0
    for section in SECTIONS:
        assert section.title in response.text
    assert "Start a new request" in response.text


def test_user_without_an_organisation_is_sent_to_register_one(gated_client, django_user_model):
    user = django_user_model.objects.create_user("loner@example.org", "loner@example.org", "x-Very-long-pass-1")
    gated_client.force_login(user)

    response = gated_client.post(reverse("grants:request_create"))

    assert response.status_code == 302
    assert response["Location"] == "/organisation/new/"
    assert GrantRequest.objects.count() == 0


def test_resume_link_opens_the_first_section_with_something_missing(applicant_client, draft_request):
    response = applicant_client.get(reverse("grants:request_edit", args=[draft_request.pk]))

    # The factory's draft is complete except for its documents.
    assert response["Location"] == section_url(draft_request, "attachments")


# --- Each section saves, and "continue" moves on ------------------------------------------------------


def test_organisation_section_saves_contacts_and_continues_to_programme(applicant_client, blank_draft):
    data = {
        "requester_name": "Dana Whitfield",
        "requester_email": "dana@provider.example.org",
        "requester_phone": "617-555-0100",
        "secondary_name": "Sam Ortiz",
        "secondary_email": "sam@provider.example.org",
        "signer_name": "Dr. Lee Park",
        "signer_title": "Director of CME",
        "signer_email": "lee@provider.example.org",
        "action": "continue",
    }
    response = applicant_client.post(section_url(blank_draft, "organisation"), data)

    assert response.status_code == 302
    assert response["Location"] == section_url(blank_draft, "programme")
    blank_draft.refresh_from_db()
    assert blank_draft.secondary_email == "sam@provider.example.org"
    assert blank_draft.signer_title == "Director of CME"
    assert section_states(blank_draft)["organisation"] is True


def test_programme_section_saves_and_continues_to_content(applicant_client, blank_draft):
    response = applicant_client.post(section_url(blank_draft, "programme"), {**programme_data(), "action": "continue"})

    assert response["Location"] == section_url(blank_draft, "content")
    blank_draft.refresh_from_db()
    assert blank_draft.title == "Treating Migraine in Primary Care"
    assert blank_draft.expected_learners == 250
    assert blank_draft.start_date == timezone.localdate() + timedelta(days=120)


def test_content_section_saves_objectives_and_continues_to_accreditation(applicant_client, blank_draft):
    GrantRequest.objects.filter(pk=blank_draft.pk).update(request_type=RequestType.ACCREDITED)
    data = {
        "needs_assessment": "Only 30% of primary care physicians use preventive therapy when indicated.",
        "needs_references": "1. Example A. Headache. 2024.",
        "educational_design": "Case-based workshop.",
        "outcomes_plan": "Pre/post test and 90-day follow-up.",
        "moore_level": MooreLevel.COMPETENCE,
        **rows("objectives", [{"text": "Identify candidates for prevention."}, {"text": "Choose a therapy."}]),
        "action": "continue",
    }
    response = applicant_client.post(section_url(blank_draft, "content"), data)

    assert response["Location"] == section_url(blank_draft, "accreditation")
    assert list(blank_draft.learning_objectives.values_list("text", "position")) == [
        ("Identify candidates for prevention.", 0),
        ("Choose a therapy.", 1),
    ]
    blank_draft.refresh_from_db()
    assert blank_draft.moore_level == MooreLevel.COMPETENCE


def test_continue_skips_accreditation_for_non_accredited_requests(applicant_client, blank_draft):
    GrantRequest.objects.filter(pk=blank_draft.pk).update(request_type=RequestType.PATIENT_COMMUNITY)

    response = applicant_client.post(
        section_url(blank_draft, "content"), {**rows("objectives", [BLANK_OBJECTIVE]), "action": "continue"}
    )

    assert response["Location"] == section_url(blank_draft, "budget")


def test_accreditation_section_saves_and_continues_to_budget(applicant_client, blank_draft):
    GrantRequest.objects.filter(pk=blank_draft.pk).update(request_type=RequestType.ACCREDITED)
    data = {
        "accredited_provider": "Boston CME Institute",
        "accreditation_body": "accme",
        "credit_types": "AMA PRA Category 1 Credit",
        "credit_hours": "2.5",
        "action": "continue",
    }
    response = applicant_client.post(section_url(blank_draft, "accreditation"), data)

    assert response["Location"] == section_url(blank_draft, "budget")
    blank_draft.refresh_from_db()
    assert blank_draft.credit_hours == Decimal("2.50")
    assert blank_draft.accredited_provider == "Boston CME Institute"


def test_accreditation_page_says_not_needed_for_written_materials(applicant_client, blank_draft):
    GrantRequest.objects.filter(pk=blank_draft.pk).update(request_type=RequestType.WRITTEN_MATERIALS)

    response = applicant_client.get(section_url(blank_draft, "accreditation"))

    assert response.status_code == 200
    assert "Not needed for this request" in response.text
    assert 'name="credit_hours"' not in response.text


def test_budget_section_saves_lines_and_continues_to_attachments(applicant_client, blank_draft):
    data = budget_data(
        [{"category": BudgetCategory.VENUE, "description": "Meeting room", "unit_cost": "4000", "quantity": "1"}],
        amount="4000",
        action="continue",
    )
    response = applicant_client.post(section_url(blank_draft, "budget"), data)

    assert response["Location"] == section_url(blank_draft, "attachments")
    assert blank_draft.budget_lines.get().description == "Meeting room"


def test_attestations_save_who_confirmed_and_continue_to_review(applicant_client, applicant_user, blank_draft):
    response = applicant_client.post(
        section_url(blank_draft, "attestations"),
        {"attest_independence": "on", "attest_open_payments": "on", "action": "continue"},
    )

    assert response["Location"] == f"/requests/{blank_draft.pk}/review/"
    blank_draft.refresh_from_db()
    assert blank_draft.attest_independence and blank_draft.attest_open_payments
    assert blank_draft.attested_by == applicant_user
    assert blank_draft.attested_at is not None


def test_withdrawing_one_attestation_clears_the_record(applicant_client, applicant_user, blank_draft):
    applicant_client.post(
        section_url(blank_draft, "attestations"), {"attest_independence": "on", "attest_open_payments": "on"}
    )

    applicant_client.post(section_url(blank_draft, "attestations"), {"attest_independence": "on", "action": "draft"})

    blank_draft.refresh_from_db()
    assert blank_draft.attest_independence and not blank_draft.attest_open_payments
    assert blank_draft.attested_by is None and blank_draft.attested_at is None


def test_attachments_section_is_the_attachments_page(applicant_client, blank_draft):
    response = applicant_client.get(section_url(blank_draft, "attachments"))

    assert response.status_code == 200
    assert "<h1>Attachments</h1>" in response.text
    assert 'aria-label="Request sections"' in response.text


# --- Save as draft -----------------------------------------------------------------------------------


def test_save_as_draft_keeps_an_unfinished_section_and_stays_on_the_page(applicant_client, blank_draft):
    data = {**{name: "" for name in programme_data()}, "title": "Sleep Medicine Update", "action": "draft"}

    response = applicant_client.post(section_url(blank_draft, "programme"), data, follow=True)

    assert response.redirect_chain[-1][0] == section_url(blank_draft, "programme")
    assert "Draft saved at" in response.text
    assert 'value="Sleep Medicine Update"' in response.text
    blank_draft.refresh_from_db()
    assert blank_draft.title == "Sleep Medicine Update"
    assert blank_draft.start_date is None
    assert section_states(blank_draft)["programme"] is False


def test_saving_one_section_leaves_the_others_alone(applicant_client, draft_request):
    applicant_client.post(
        section_url(draft_request, "attestations"), {"attest_independence": "on", "attest_open_payments": "on"}
    )

    draft_request.refresh_from_db()
    assert draft_request.title.startswith("Closing the Gap")
    assert draft_request.amount_requested == Decimal("25000.00")


# --- Format errors: nothing saved, everything typed kept --------------------------------------------------


def test_bad_email_is_refused_with_everything_typed_kept_and_nothing_saved(applicant_client, blank_draft):
    data = {
        "requester_name": "Dana Whitfield",
        "requester_email": "dana@provider.example.org",
        "secondary_name": "Sam Ortiz",
        "secondary_email": "sam at provider",
        "signer_name": "Dr. Lee Park",
        "signer_title": "Director of CME",
        "signer_email": "",
        "action": "continue",
    }
    response = applicant_client.post(section_url(blank_draft, "organisation"), data)

    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert 'href="#id_secondary_email"' in response.text
    assert "Secondary contact&#x27;s email: Enter a valid email address." in response.text
    for typed in ("Sam Ortiz", "sam at provider", "Dr. Lee Park", "Director of CME"):
        assert f'value="{typed}"' in response.text
    blank_draft.refresh_from_db()
    assert blank_draft.secondary_name == "" and blank_draft.signer_name == ""


def test_end_date_before_start_date_is_refused_and_nothing_saved(applicant_client, blank_draft):
    start = timezone.localdate() + timedelta(days=100)
    data = programme_data(start_date=start.isoformat(), end_date=(start - timedelta(days=3)).isoformat())

    response = applicant_client.post(section_url(blank_draft, "programme"), {**data, "action": "draft"})

    assert response.status_code == 200
    assert "The end date must be the same as or later than the start date." in response.text
    assert 'href="#id_end_date"' in response.text
    assert f'value="{(start - timedelta(days=3)).isoformat()}"' in response.text
    assert 'value="Treating Migraine in Primary Care"' in response.text
    assert "Hynes Convention Center, Boston" in response.text
    blank_draft.refresh_from_db()
    assert blank_draft.title == "" and blank_draft.start_date is None


def test_error_summary_lists_problems_in_page_order(applicant_client, blank_draft):
    start = timezone.localdate() + timedelta(days=100)
    data = programme_data(
        program_url="not a web address",
        end_date=(start - timedelta(days=1)).isoformat(),
        start_date=start.isoformat(),
        expected_learners="-3",
    )
    response = applicant_client.post(section_url(blank_draft, "programme"), data)

    summary = response.text.split('class="alert alert-danger error-summary"', 1)[1].split("</section>", 1)[0]
    anchors = [part.split('"', 1)[0] for part in summary.split('href="#')[1:]]
    assert anchors == ["id_end_date", "id_program_url", "id_expected_learners"]
    assert "The expected number of learners cannot be negative." in summary


def test_words_in_the_learners_box_are_refused_with_the_words_kept(applicant_client, blank_draft):
    response = applicant_client.post(
        section_url(blank_draft, "programme"), {**programme_data(expected_learners="about fifty"), "action": "draft"}
    )

    assert response.status_code == 200
    assert "Enter the expected number of learners as a whole number" in response.text
    assert 'value="about fifty"' in response.text
    assert GrantRequest.objects.get(pk=blank_draft.pk).expected_learners is None


def test_negative_unit_cost_is_refused_with_every_row_kept_and_nothing_saved(applicant_client, blank_draft):
    data = budget_data(
        [
            {"category": BudgetCategory.VENUE, "description": "Meeting room", "unit_cost": "4000", "quantity": "1"},
            {"category": BudgetCategory.AUDIOVISUAL, "description": "Projectors", "unit_cost": "-50", "quantity": "2"},
            BLANK_LINE,
        ],
        supporters=[{"name": "Other Pharma Inc.", "amount": "1000", "status": "confirmed"}],
        amount="3000",
        action="continue",
    )
    response = applicant_client.post(section_url(blank_draft, "budget"), data)

    assert response.status_code == 200
    assert 'href="#id_budget_lines-1-unit_cost"' in response.text
    assert "Budget line 2, unit cost (USD): Enter an amount of zero or more" in response.text
    for typed in ("Meeting room", "Projectors", "-50", "Other Pharma Inc.", "3000"):
        assert f'value="{typed}"' in response.text
    assert not BudgetLine.objects.exists()
    assert not OtherSupporter.objects.exists()
    assert GrantRequest.objects.get(pk=blank_draft.pk).amount_requested is None


def test_half_filled_budget_line_says_what_is_missing(applicant_client, blank_draft):
    data = budget_data([{**BLANK_LINE, "description": "Catering for faculty"}], amount="")

    response = applicant_client.post(section_url(blank_draft, "budget"), data)

    assert response.status_code == 200
    assert "Budget line 1, category: Choose a category for this line." in response.text
    assert "Budget line 1, unit cost (USD): Enter the unit cost for this line." in response.text
    assert 'value="Catering for faculty"' in response.text


def test_amounts_typed_with_dollar_signs_and_commas_are_understood(applicant_client, blank_draft):
    data = budget_data(
        [{"category": BudgetCategory.VENUE, "description": "Hall", "unit_cost": "$12,500.00", "quantity": "1"}],
        amount="$10,000",
    )
    applicant_client.post(section_url(blank_draft, "budget"), data)

    assert blank_draft.budget_lines.get().unit_cost == Decimal("12500.00")
    assert GrantRequest.objects.get(pk=blank_draft.pk).amount_requested == Decimal("10000.00")


# --- Budget: totals, blank rows, removing and adding rows -------------------------------------------------


def test_budget_totals_are_shown_per_line_and_overall_after_saving(applicant_client, blank_draft):
    data = budget_data(
        [
            {
                "category": BudgetCategory.FACULTY_HONORARIA,
                "description": "Faculty",
                "unit_cost": "2500",
                "quantity": "3",
            },
            {
                "category": BudgetCategory.ONLINE_PLATFORM,
                "description": "Platform",
                "unit_cost": "1250.50",
                "quantity": "2",
            },
        ],
        supporters=[{"name": "Other Pharma Inc.", "amount": "1000", "status": "confirmed"}],
        amount="5000",
    )
    response = applicant_client.post(section_url(blank_draft, "budget"), data, follow=True)

    assert blank_draft.budget_total() == Decimal("10001.00")
    assert "$7,500.00" in response.text
    assert "$2,501.00" in response.text
    assert '<dd id="budget-total">$10,001.00</dd>' in response.text
    assert "$1,000.00" in response.text  # other supporters
    assert "amount-exceeds-budget" not in response.text


def test_amount_requested_above_the_total_budget_is_pointed_out(applicant_client, blank_draft):
    data = budget_data(
        [{"category": BudgetCategory.VENUE, "description": "Hall", "unit_cost": "1000", "quantity": "1"}],
        amount="5000",
    )
    response = applicant_client.post(section_url(blank_draft, "budget"), data, follow=True)

    assert 'id="amount-exceeds-budget"' in response.text
    assert "The amount requested ($5,000.00) is more than the total budget" in response.text
    # Saved all the same: the rule is applied when the request is submitted.
    assert GrantRequest.objects.get(pk=blank_draft.pk).amount_requested == Decimal("5000.00")


def test_excluded_categories_are_marked_not_fundable(applicant_client, blank_draft):
    data = budget_data(
        [{"category": "salaries", "description": "Coordinator salary", "unit_cost": "900", "quantity": "1"}]
    )
    response = applicant_client.post(section_url(blank_draft, "budget"), data, follow=True)

    assert '<option value="salaries" selected>Salaries (not fundable)</option>' in response.text
    assert "Coordinator salary (salaries)" in response.text
    assert "Not fundable</span>" in response.text


def test_blank_extra_rows_are_ignored(applicant_client, blank_draft):
    data = budget_data(
        [
            BLANK_LINE,
            {"category": BudgetCategory.VENUE, "description": "Hall", "unit_cost": "1000", "quantity": "1"},
            BLANK_LINE,
        ],
        supporters=[BLANK_SUPPORTER, BLANK_SUPPORTER, BLANK_SUPPORTER],
    )
    response = applicant_client.post(section_url(blank_draft, "budget"), data)

    assert response.status_code == 302
    assert list(blank_draft.budget_lines.values_list("description", "position")) == [("Hall", 0)]
    assert not blank_draft.other_supporters.exists()


def test_ticking_remove_deletes_a_budget_line_and_renumbers_the_rest(applicant_client, draft_request):
    honoraria, platform = draft_request.budget_lines.all()
    data = budget_data(
        [
            {"id": honoraria.pk, "category": honoraria.category, "description": honoraria.description,
             "unit_cost": "2500", "quantity": "3", "DELETE": "on"},
            {"id": platform.pk, "category": platform.category, "description": platform.description,
             "unit_cost": "22500", "quantity": "1"},
            BLANK_LINE,
        ],
        amount="20000",
        initial_lines=2,
    )  # fmt: skip
    response = applicant_client.post(section_url(draft_request, "budget"), data)

    assert response.status_code == 302
    assert list(draft_request.budget_lines.values_list("pk", "position")) == [(platform.pk, 0)]


def test_removing_a_learning_objective(applicant_client, draft_request):
    objective = draft_request.learning_objectives.get()
    data = rows(
        "objectives", [{"id": objective.pk, "text": objective.text, "DELETE": "on"}, BLANK_OBJECTIVE], initial=1
    )

    applicant_client.post(section_url(draft_request, "content"), {**data, "action": "draft"})

    assert not LearningObjective.objects.filter(grant_request=draft_request).exists()


def test_add_more_rows_saves_and_shows_more_blank_rows(applicant_client, blank_draft):
    data = rows("objectives", [{"text": "First objective"}, BLANK_OBJECTIVE, BLANK_OBJECTIVE])
    response = applicant_client.post(section_url(blank_draft, "content"), {**data, "add_rows": "objectives"})

    assert response.status_code == 302
    assert response["Location"] == section_url(blank_draft, "content") + "?objectives_rows=5#objectives-rows"
    assert blank_draft.learning_objectives.get().text == "First objective"
    page = applicant_client.get(response["Location"])
    assert 'name="objectives-TOTAL_FORMS" value="6"' in page.text  # one saved and five blank
    assert "Learning objective 6" in page.text


# --- Who may edit ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_another_organisation_gets_404_on_every_section(other_applicant_client, draft_request, slug):
    assert other_applicant_client.get(section_url(draft_request, slug)).status_code == 404
    assert other_applicant_client.post(section_url(draft_request, slug), {"title": "Hijacked"}).status_code == 404
    draft_request.refresh_from_db()
    assert draft_request.title.startswith("Closing the Gap")


def test_another_organisation_cannot_resume_the_draft(other_applicant_client, draft_request):
    assert other_applicant_client.get(reverse("grants:request_edit", args=[draft_request.pk])).status_code == 404


@pytest.mark.parametrize("slug", ["organisation", "budget"])
def test_anonymous_visitor_is_sent_to_sign_in(gated_client, draft_request, slug):
    response = gated_client.get(section_url(draft_request, slug))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_anonymous_visitor_cannot_start_a_request(gated_client):
    response = gated_client.post(reverse("grants:request_create"))

    assert response["Location"].startswith(reverse("account_login"))
    assert not GrantRequest.objects.exists()


def test_unknown_section_is_404(applicant_client, draft_request):
    assert applicant_client.get(section_url(draft_request, "payments")).status_code == 404


def test_submitted_request_is_read_only(applicant_client, draft_request):
    GrantRequest.objects.filter(pk=draft_request.pk).update(
        status="submitted", reference="IME-2026-00001", submitted_at=Now()
    )

    page = applicant_client.get(section_url(draft_request, "programme"), follow=True)
    post = applicant_client.post(section_url(draft_request, "programme"), {**programme_data(title="Changed")})

    assert page.redirect_chain[0][0] == f"/requests/{draft_request.pk}/"
    assert "This request has been submitted and is read-only." in page.text
    assert post.status_code == 302
    draft_request.refresh_from_db()
    assert draft_request.title.startswith("Closing the Gap")
    assert draft_request.status == "submitted"


def test_request_sent_back_for_information_can_be_edited(applicant_client, draft_request):
    GrantRequest.objects.filter(pk=draft_request.pk).update(
        status="information_requested", reference="IME-2026-00002", submitted_at=Now()
    )

    response = applicant_client.post(
        section_url(draft_request, "programme"), {**programme_data(title="Clarified title"), "action": "draft"}
    )

    assert response.status_code == 302
    draft_request.refresh_from_db()
    assert draft_request.title == "Clarified title"
    assert draft_request.status == "information_requested"


# --- Progress indicator ------------------------------------------------------------------------------------


def progress_items(html):
    """The state shown for each section in the progress indicator, by section title."""
    nav = html.split('aria-label="Request sections"', 1)[1].split("</nav>", 1)[0]
    found = re.findall(
        r'<li class="request-progress__item is-(\w+)[^"]*">\s*<a [^>]*?(aria-current="step")?>.*?'
        r'request-progress__title">([^<]+)</span>.*?request-progress__state">([^<]+)</span>',
        nav,
        re.S,
    )
    return {title: (state_class, label, bool(current)) for state_class, current, title, label in found}


def test_progress_marks_complete_and_incomplete_sections(applicant_client, draft_request):
    GrantRequest.objects.filter(pk=draft_request.pk).update(attest_open_payments=False, title="")

    response = applicant_client.get(section_url(draft_request, "budget"))

    items = progress_items(response.text)
    assert items == {
        "Organization and contacts": ("complete", "Complete", False),
        "Program": ("incomplete", "Incomplete", False),
        "Educational content": ("complete", "Complete", False),
        "Accreditation": ("complete", "Complete", False),
        "Budget": ("complete", "Complete", True),
        "Attachments": ("incomplete", "Incomplete", False),
        "Attestations": ("incomplete", "Incomplete", False),
    }
    assert "4 of 7 sections complete" in response.text


def test_progress_marks_accreditation_not_needed_and_attachments_complete(applicant_client, draft_request):
    GrantRequest.objects.filter(pk=draft_request.pk).update(request_type=RequestType.NON_ACCREDITED)
    attach_required_documents(draft_request)

    response = applicant_client.get(section_url(draft_request, "organisation"))

    items = progress_items(response.text)
    assert items["Accreditation"] == ("not_needed", "Not needed", False)
    assert items["Attachments"] == ("complete", "Complete", False)
    assert items["Organization and contacts"] == ("complete", "Complete", True)
    assert "7 of 7 sections complete" in response.text


def test_section_page_lists_what_is_still_missing(applicant_client, blank_draft):
    response = applicant_client.get(section_url(blank_draft, "organisation"))

    assert "Still to complete in this section" in response.text
    assert "secondary contact" in response.text


def test_new_blank_draft_has_every_section_incomplete_but_accreditation(blank_draft):
    assert section_states(blank_draft) == {
        "organisation": False,
        "programme": False,
        "content": False,
        "accreditation": True,
        "budget": False,
        "attachments": False,
        "attestations": False,
    }


def test_complete_factory_request_needs_only_its_documents():
    grant_request = GrantRequestFactory()
    states = section_states(grant_request)
    assert [slug for slug, complete in states.items() if not complete] == ["attachments"]


# --- Query counts --------------------------------------------------------------------------------------


def test_budget_page_query_count_does_not_grow_with_its_rows(
    applicant_client, draft_request, django_assert_num_queries
):
    url = section_url(draft_request, "budget")
    with CaptureQueriesContext(connection) as few:
        applicant_client.get(url)
    for number in range(20):
        BudgetLine.objects.create(
            grant_request=draft_request, category=BudgetCategory.VENUE, description=f"Room {number}", unit_cost=10
        )
        OtherSupporter.objects.create(grant_request=draft_request, name=f"Supporter {number}", amount=5)
        LearningObjective.objects.create(grant_request=draft_request, text=f"Objective {number}")

    with django_assert_num_queries(len(few.captured_queries)):
        response = applicant_client.get(url)
    assert "Room 19" in response.text

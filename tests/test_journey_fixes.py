"""Regression tests for product bugs the browser journeys (test_journey_*.py) found, each pinned here
without a browser."""

import re

import pytest
from django.urls import reverse

from grants.choices import AccreditationBody, RequestType
from grants.models import GrantRequest
from grants.services.drafts import start_draft

pytestmark = pytest.mark.django_db


def accreditation_page(client, grant_request) -> str:
    return client.get(reverse("grants:request_section", args=[grant_request.pk, "accreditation"])).content.decode()


def input_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def selected_option(page: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return chosen.group(1) if chosen else ""


def test_accreditation_section_starts_from_the_organisation_profile(applicant_client):
    organisation = applicant_client.user.membership.organisation
    draft = start_draft(applicant_client.user)
    GrantRequest.objects.filter(pk=draft.pk).update(request_type=RequestType.ACCREDITED)

    page = accreditation_page(applicant_client, draft)

    assert input_value(page, "accredited_provider") == organisation.legal_name
    assert selected_option(page, "accreditation_body") == organisation.accreditation_body == AccreditationBody.ACCME


def test_accreditation_section_keeps_what_the_applicant_saved(applicant_client):
    draft = start_draft(applicant_client.user)
    GrantRequest.objects.filter(pk=draft.pk).update(
        request_type=RequestType.ACCREDITED, accredited_provider="Joint CME Partners", accreditation_body="ancc"
    )

    page = accreditation_page(applicant_client, draft)

    assert input_value(page, "accredited_provider") == "Joint CME Partners"
    assert selected_option(page, "accreditation_body") == "ancc"


def test_money_boxes_accept_dollar_signs_and_thousands_separators_in_a_browser(applicant_client, draft_request):
    # A type="number" box makes the browser drop "$9,000" and send nothing; a text box sends what was typed.
    page = applicant_client.get(reverse("grants:request_section", args=[draft_request.pk, "budget"])).content.decode()

    for name in ("budget_lines-0-unit_cost", "supporters-0-amount", "amount_requested"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'type="text"' in tag and 'inputmode="decimal"' in tag, tag


def test_staff_score_tables_can_be_scrolled_with_the_keyboard(client, applicant_user, settings):
    # A table wider than the screen scrolls inside its box; without tabindex a keyboard cannot reach it.
    settings.IME_STAFF_2FA = False  # the markup is the point here, not the sign-in
    from reviews.services import assign_reviewer, declare_conflict, review_for, submit_review
    from workflow.engine import perform
    from workflow.roles import Role

    from .factories import grant_request_in_screening, staff_with_role

    coordinator = staff_with_role(Role.COORDINATOR)
    medic = staff_with_role(Role.MEDICAL, first_name="Morgan", last_name="Medic")
    grant_request = grant_request_in_screening(applicant_user, coordinator)
    perform(grant_request, "send_to_medical_review", by=coordinator)
    assign_reviewer(grant_request, reviewer=medic, stage="medical_review", by=coordinator)
    review = declare_conflict(review_for(grant_request, medic), has_conflict=False)
    scores = {name: 4 for name in ("score_educational_need", "score_design_quality", "score_audience_fit")}
    scores |= {name: 3 for name in ("score_outcomes_plan", "score_budget", "score_independence")}
    submit_review(review, scores=scores, comments="", recommendation="approve")
    client.force_login(coordinator)

    page = client.get(reverse("admin:grants_grantrequest_change", args=[grant_request.pk])).content.decode()

    boxes = re.findall(r'<div class="staff-scroll"[^>]*>', page)
    assert boxes, "the scores table is missing"
    for box in boxes:
        assert 'tabindex="0"' in box and 'role="region"' in box and 'aria-label="Medical review scores"' in box

"""Applicant forms, polished: a refused form says so in the title and puts focus on its problems, answers
200 (like Django's own forms), and the editor's boxes, lists and numbers say what they mean."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.choices import RequestType
from grants.models import BudgetLine, GrantRequest, LearningObjective
from grants.sections import SECTIONS
from workflow.roles import Role

from .factories import TINY_PDF, grant_request_in_screening, staff_with_role
from .test_sections import BLANK_OBJECTIVE, rows
from .workflow_steps import request_information

pytestmark = pytest.mark.django_db


def section_url(grant_request, slug):
    return reverse("grants:request_section", args=[grant_request.pk, slug])


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def focused_summary(response) -> str:
    """The element the browser focuses on load: the one carrying autofocus (there must be exactly one)."""
    html = response.content.decode()
    tags = re.findall(r"<[a-z]+\b[^>]*\bautofocus\b[^>]*>", html)
    assert len(tags) == 1, tags
    assert "error-summary" in tags[0] and 'tabindex="-1"' in tags[0]
    return tags[0]


@pytest.fixture
def blank_draft(applicant_user):
    return GrantRequest.objects.create(organisation=applicant_user.membership.organisation, created_by=applicant_user)


@pytest.fixture
def in_screening(applicant_user):
    return grant_request_in_screening(applicant_user, staff_with_role(Role.COORDINATOR))


# --- Every refused form: status 200, "Error: " in the title, focus on the summary ------------------------


def refuse_section(client, draft):
    start = timezone.localdate() + timedelta(days=120)
    return client.post(
        section_url(draft, "programme"),
        {"start_date": start.isoformat(), "end_date": (start - timedelta(days=1)).isoformat(), "action": "draft"},
    )


def refuse_upload(client, draft):
    return client.post(
        section_url(draft, "attachments"),
        {"action": "upload", "kind": "", "file": SimpleUploadedFile("letter.pdf", TINY_PDF)},
    )


def refuse_submit(client, draft):
    return client.post(reverse("grants:request_submit", args=[draft.pk]))  # no documents attached


def refuse_organisation(client, draft):
    return client.post(reverse("grants:organisation_edit"), {"legal_name": ""})


def refuse_invitation(client, draft):
    return client.post(reverse("grants:organisation_invite"), {"email": "not an address"})


def refuse_contact(client, draft):
    return client.post(reverse("portal:contact"), {"name": "", "email": "nope", "subject": "", "message": ""})


def refuse_self_check(client, draft):
    return client.get(reverse("grants:eligibility"), {"organisation_type": "", "start_date": ""})


@pytest.mark.parametrize(
    "refuse",
    [
        refuse_section,
        refuse_upload,
        refuse_submit,
        refuse_organisation,
        refuse_invitation,
        refuse_contact,
        refuse_self_check,
    ],
)
def test_a_refused_form_says_error_in_the_title_and_focuses_its_summary(applicant_client, draft_request, refuse):
    response = refuse(applicant_client, draft_request)
    assert response.status_code == 200
    assert title_of(response).startswith("Error: ")
    focused_summary(response)


@pytest.mark.parametrize("refuse", [refuse_section, refuse_upload, refuse_contact])
def test_the_same_page_without_errors_has_a_plain_title_and_no_autofocus(applicant_client, draft_request, refuse):
    response = applicant_client.get(refuse(applicant_client, draft_request).request["PATH_INFO"])
    assert not title_of(response).startswith("Error")
    assert "autofocus" not in response.content.decode()


def test_refused_answer_and_message_say_error_and_focus_the_summary(applicant_client, in_screening):
    request_information(in_screening, by=staff_with_role(Role.COORDINATOR), message="Agenda?", sections=[])
    for url, data in (
        (reverse("grants:request_answer", args=[in_screening.pk]), {"answer": " "}),
        (reverse("grants:request_message", args=[in_screening.pk]), {"body": " "}),
    ):
        response = applicant_client.post(url, data)
        assert response.status_code == 200
        assert title_of(response).startswith("Error: ")
        focused_summary(response)


def test_refused_withdrawal_says_error_and_focuses_the_summary(applicant_client, in_screening):
    response = applicant_client.post(reverse("grants:request_withdraw", args=[in_screening.pk]), {"reason": "x"})
    assert response.status_code == 200
    assert title_of(response).startswith("Error: ")
    assert "This page was out of date: reload it and try again." in focused_summary(response) + response.text
    assert GrantRequest.objects.get(pk=in_screening.pk).status == in_screening.status


def test_the_review_page_before_submitting_is_a_checklist_not_an_error(applicant_client, draft_request):
    response = applicant_client.get(reverse("grants:request_review", args=[draft_request.pk]))
    assert "things to fix before you can submit" in response.text
    assert not title_of(response).startswith("Error")
    assert "autofocus" not in response.text


# --- Learning objectives: "at least one", not three required boxes ----------------------------------------


def test_learning_objective_boxes_are_not_each_marked_required(applicant_client, blank_draft):
    page = applicant_client.get(section_url(blank_draft, "content")).content.decode()
    objectives = page.split('id="objectives-rows"', 1)[1].split("</fieldset>", 1)[0]
    assert "Add at least one" in objectives
    assert "asteriskField" not in objectives and "required" not in objectives


def test_one_objective_with_the_other_boxes_blank_is_saved(applicant_client, blank_draft):
    data = {
        "action": "draft",
        **rows("objectives", [{"text": "Choose a next-step treatment."}, BLANK_OBJECTIVE, BLANK_OBJECTIVE]),
    }
    assert applicant_client.post(section_url(blank_draft, "content"), data).status_code == 302
    assert list(LearningObjective.objects.filter(grant_request=blank_draft).values_list("text", flat=True)) == [
        "Choose a next-step treatment."
    ]


def test_emptying_a_saved_objective_asks_to_remove_it_instead(applicant_client, blank_draft):
    saved = LearningObjective.objects.create(grant_request=blank_draft, text="Recognize agitation.", position=1)
    data = {"action": "draft", **rows("objectives", [{"id": str(saved.pk), "text": ""}], initial=1)}
    response = applicant_client.post(section_url(blank_draft, "content"), data)
    assert "Write the objective, or tick “Remove” to delete it." in response.text
    assert LearningObjective.objects.get(pk=saved.pk).text == "Recognize agitation."


# --- Accreditation: boxes prefilled from the profile are not listed as missing -------------------------


def test_accreditation_checklist_does_not_call_prefilled_boxes_missing(applicant_client, blank_draft):
    blank_draft.request_type = RequestType.ACCREDITED
    blank_draft.save()
    organisation = blank_draft.organisation
    assert organisation.is_accredited

    page = applicant_client.get(section_url(blank_draft, "accreditation")).content.decode()
    assert f'value="{organisation.legal_name}"' in page.replace("&#x27;", "'")
    assert "The accredited provider is missing" not in page
    assert "The accrediting body is missing" not in page
    assert "The credit types are missing" in page  # really empty, so still listed
    assert "We filled in the accredited provider and accrediting body from your" in page
    assert "This section is complete" not in page


# --- Quantities as typed --------------------------------------------------------------------------------


def test_quantities_come_back_as_typed(applicant_client, blank_draft):
    for position, quantity in enumerate(["4", "2.5"]):
        BudgetLine.objects.create(
            grant_request=blank_draft, category="faculty_honoraria", description="Faculty", unit_cost=Decimal("1000"),
            quantity=Decimal(quantity), position=position,
        )  # fmt: skip
    page = applicant_client.get(section_url(blank_draft, "budget")).content.decode()
    quantities = re.findall(r'name="budget_lines-\d+-quantity" value="([^"]*)"', page)
    assert quantities[:2] == ["4", "2.5"]
    assert BudgetLine.objects.filter(grant_request=blank_draft, quantity=4).exists()


# --- Selects start with a prompt ------------------------------------------------------------------------


def test_no_select_on_any_section_starts_with_dashes(applicant_client, draft_request):
    prompts = []
    for section in SECTIONS:
        page = applicant_client.get(section_url(draft_request, section.slug)).content.decode()
        assert "---------" not in page, section.slug
        prompts += re.findall(r'<option value=""[^>]*>([^<]+)</option>', page)
    for prompt in ("Choose the type of request", "Choose a therapeutic area", "Choose a format",
                   "Choose the highest level", "Choose the accrediting body"):  # fmt: skip
        assert prompt in prompts


# --- The self-check is introduced once --------------------------------------------------------------------


def test_the_self_check_introduction_is_not_repeated(gated_client):
    page = gated_client.get(reverse("grants:eligibility")).content.decode()
    self_check = page.split('id="self-check"', 1)[1].split("</section>", 1)[0]
    assert self_check.count("account") == 1
    assert len(re.findall(r"whether a request could\s+be\s+accepted", self_check)) == 1


# --- The W-9 on the organization's profile -----------------------------------------------------------------


def test_the_w9_on_the_profile_is_shown_on_the_request_not_as_none_attached(applicant_client, draft_request):
    organisation = draft_request.organisation
    organisation.w9.save("w9.pdf", ContentFile(TINY_PDF), save=False)
    organisation.w9_original_name = "Signed W-9 2026.pdf"
    organisation.save()

    page = applicant_client.get(section_url(draft_request, "attachments")).content.decode()
    w9_group = page.split('<h3 class="h6 mb-2">W-9', 1)[1].split("</div>", 1)[0]
    assert "none attached" not in w9_group
    assert "On file with your organization profile" in w9_group
    assert "Signed W-9 2026.pdf" in w9_group and reverse("grants:organisation_w9") in w9_group

    review = applicant_client.get(reverse("grants:request_review", args=[draft_request.pk])).content.decode()
    assert "W-9: on file with the organization profile" in review


def test_without_a_w9_on_file_the_request_says_what_is_needed(applicant_client, draft_request):
    assert not draft_request.organisation.w9
    page = applicant_client.get(section_url(draft_request, "attachments")).content.decode()
    w9_group = page.split('<h3 class="h6 mb-2">W-9', 1)[1].split("</div>", 1)[0]
    assert "Required" in w9_group
    assert "attach a W-9 signed within the last 12 months here" in w9_group
    assert "your organization profile" in w9_group


def test_a_refused_sign_in_says_error_and_focuses_the_summary(gated_client, applicant_user):
    response = gated_client.post(reverse("account_login"), {"login": applicant_user.email, "password": "wrong"})
    assert response.status_code == 200
    assert title_of(response).startswith("Error: ")
    focused_summary(response)

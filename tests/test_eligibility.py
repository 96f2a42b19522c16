"""The eligibility rules a request must pass before it can be submitted (SPEC §4), alone and together."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from grants import eligibility
from grants.choices import (
    AccreditationBody,
    AttachmentKind,
    BudgetCategory,
    OrganisationType,
    ProgramFormat,
    RequestType,
    TherapeuticArea,
)
from grants.eligibility import RULES, Problem, check_request, check_self_assessment, long_date
from grants.models import BudgetLine, GrantRequest
from grants.sections import SECTIONS
from grants.status import GrantStatus

from .factories import TINY_PDF, AttachmentFactory, GrantRequestFactory, attach_required_documents

pytestmark = pytest.mark.django_db

SECTION_SLUGS = {section.slug for section in SECTIONS}
RULE_NAMES = [rule.__name__ for rule in RULES]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def complete_request():
    """Accredited, live virtual, every field filled and every document attached."""
    return attach_required_documents(GrantRequestFactory())


def problems_of(rule, grant_request, today):
    return [problem for problem in rule(grant_request, today) if problem.rule == rule.__name__]


def save(grant_request, **changes):
    for field, value in changes.items():
        setattr(grant_request, field, value)
    grant_request.save()
    return grant_request


# --- A complete request -------------------------------------------------------------------------------


def test_complete_request_with_its_documents_passes_every_rule(complete_request, today):
    assert check_request(complete_request) == []
    for rule in RULES:
        assert rule(complete_request, today) == [], rule.__name__


def test_complete_request_without_documents_is_refused_for_the_documents_only(today):
    grant_request = GrantRequestFactory()
    problems = check_request(grant_request, today)
    assert problems
    assert {p.rule for p in problems} == {"required_attachments_present"}


def test_problems_are_frozen_and_name_a_rule_and_a_section(today):
    grant_request = save(GrantRequestFactory(with_content=False), title="", attest_independence=False)
    problems = check_request(grant_request, today)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.rule in RULE_NAMES
        assert problem.section is None or problem.section in SECTION_SLUGS
        assert problem.message.endswith(".")
    with pytest.raises(AttributeError):
        problems[0].message = "changed"


# --- required_fields_complete ---------------------------------------------------------------------------

REQUIRED = [
    ("requester_name", "", "organisation", "requester's name"),
    ("requester_email", "", "organisation", "requester's email"),
    ("secondary_name", "", "organisation", "secondary contact's name"),
    ("secondary_email", "", "organisation", "secondary contact's email"),
    ("signer_name", "", "organisation", "authorized signer's name"),
    ("signer_title", "", "organisation", "authorized signer's title"),
    ("signer_email", "", "organisation", "authorized signer's email"),
    ("request_type", "", "programme", "type of request"),
    ("title", "   ", "programme", "program title"),
    ("therapeutic_area", "", "programme", "therapeutic area"),
    ("program_format", "", "programme", "format"),
    ("start_date", None, "programme", "start date"),
    ("end_date", None, "programme", "end date"),
    ("target_audience", "", "programme", "target audience"),
    ("expected_learners", None, "programme", "expected number of learners"),
    ("expected_learners", 0, "programme", "expected number of learners"),
    ("needs_assessment", "", "content", "needs assessment"),
    ("needs_references", "", "content", "references"),
    ("educational_design", "", "content", "educational design"),
    ("outcomes_plan", "", "content", "outcomes plan"),
    ("moore_level", "", "content", "Moore outcome level"),
    ("amount_requested", None, "budget", "amount requested"),
]


@pytest.mark.parametrize(("field", "empty", "section", "named"), REQUIRED, ids=[f"{r[0]}={r[1]!r}" for r in REQUIRED])
def test_each_missing_required_field_is_named_with_its_section(complete_request, today, field, empty, section, named):
    save(complete_request, **{field: empty})
    problems = eligibility.required_fields_complete(complete_request, today)
    assert len(problems) == 1
    assert problems[0].section == section
    assert named in problems[0].message
    assert "missing" in problems[0].message


def test_missing_fields_are_listed_one_each_in_section_order(complete_request, today):
    save(complete_request, amount_requested=None, signer_email="", title="", requester_name="")
    problems = eligibility.required_fields_complete(complete_request, today)
    assert [p.section for p in problems] == ["organisation", "organisation", "programme", "budget"]
    assert "requester's name" in problems[0].message
    assert "authorized signer's email" in problems[1].message


def test_other_therapeutic_area_needs_its_name(complete_request, today):
    save(complete_request, therapeutic_area=TherapeuticArea.OTHER, therapeutic_area_other="")
    [problem] = eligibility.required_fields_complete(complete_request, today)
    assert "other therapeutic area" in problem.message
    save(complete_request, therapeutic_area_other="Essential tremor")
    assert eligibility.required_fields_complete(complete_request, today) == []


@pytest.mark.parametrize("program_format", [ProgramFormat.LIVE_IN_PERSON, ProgramFormat.HYBRID])
def test_in_person_and_hybrid_programs_need_a_venue(complete_request, today, program_format):
    save(complete_request, program_format=program_format, location="")
    [problem] = eligibility.required_fields_complete(complete_request, today)
    assert "venue and city" in problem.message
    save(complete_request, location="Hynes Convention Center, Boston")
    assert eligibility.required_fields_complete(complete_request, today) == []


@pytest.mark.parametrize("program_format", [ProgramFormat.LIVE_VIRTUAL, ProgramFormat.ENDURING])
def test_virtual_and_on_demand_programs_need_a_url(complete_request, today, program_format):
    save(complete_request, program_format=program_format, program_url="", location="Boston")
    [problem] = eligibility.required_fields_complete(complete_request, today)
    assert "program URL" in problem.message


def test_grand_rounds_need_a_venue_or_a_url(complete_request, today):
    save(complete_request, program_format=ProgramFormat.GRAND_ROUNDS, program_url="", location="")
    [problem] = eligibility.required_fields_complete(complete_request, today)
    assert "grand rounds" in problem.message
    save(complete_request, location="Main auditorium, Boston General Hospital")
    assert eligibility.required_fields_complete(complete_request, today) == []


def test_request_without_objectives_or_budget_lines_is_told_to_add_them(today):
    grant_request = GrantRequestFactory(with_content=False)
    problems = eligibility.required_fields_complete(grant_request, today)
    assert [(p.section, "at least one" in p.message or "no lines" in p.message) for p in problems] == [
        ("content", True),
        ("budget", True),
    ]


# --- required_attachments_present ----------------------------------------------------------------------


def test_accredited_live_request_needs_letter_budget_accreditation_agenda_and_w9(today):
    grant_request = GrantRequestFactory()  # accredited, live virtual, no W-9 on file
    problems = eligibility.required_attachments_present(grant_request, today)
    assert [p.section for p in problems] == ["attachments"] * 5
    text = " ".join(p.message for p in problems)
    for named in ("request letter", "detailed budget", "accreditation letter", "agenda", "W-9"):
        assert named in text


def test_non_accredited_on_demand_request_needs_letter_budget_and_w9_only(today):
    grant_request = GrantRequestFactory(request_type=RequestType.NON_ACCREDITED, program_format=ProgramFormat.ENDURING)
    messages = [p.message for p in eligibility.required_attachments_present(grant_request, today)]
    assert len(messages) == 3
    assert "request letter" in messages[0] and "detailed budget" in messages[1] and "W-9" in messages[2]


def test_w9_on_the_organisation_profile_counts(today):
    grant_request = GrantRequestFactory(request_type=RequestType.NON_ACCREDITED, program_format=ProgramFormat.PRINT)
    AttachmentFactory(grant_request=grant_request, kind=AttachmentKind.REQUEST_LETTER)
    AttachmentFactory(grant_request=grant_request, kind=AttachmentKind.BUDGET)
    [problem] = eligibility.required_attachments_present(grant_request, today)
    assert "W-9" in problem.message
    grant_request.organisation.w9.save("w9.pdf", ContentFile(TINY_PDF))
    assert eligibility.required_attachments_present(grant_request, today) == []


def test_attachment_of_another_kind_does_not_stand_in_for_the_agenda(complete_request, today):
    complete_request.attachments.filter(kind=AttachmentKind.AGENDA).delete()
    AttachmentFactory(grant_request=complete_request, kind=AttachmentKind.OTHER)
    [problem] = eligibility.required_attachments_present(complete_request, today)
    assert "agenda" in problem.message


# --- Dates ------------------------------------------------------------------------------------------------


def test_end_date_before_start_date_is_refused(complete_request, today):
    save(complete_request, start_date=today + timedelta(days=100), end_date=today + timedelta(days=99))
    [problem] = eligibility.end_not_before_start(complete_request, today)
    assert problem.section == "programme"
    assert long_date(today + timedelta(days=99)) in problem.message
    save(complete_request, end_date=today + timedelta(days=100))
    assert eligibility.end_not_before_start(complete_request, today) == []


def test_program_that_started_yesterday_is_retroactive_and_not_also_late(complete_request, today):
    save(complete_request, start_date=today - timedelta(days=1), end_date=today + timedelta(days=1))
    problems = check_request(complete_request, today)
    assert [p.rule for p in problems] == ["no_retroactive_program"]
    assert "in the past" in problems[0].message


def test_program_starting_in_30_days_breaks_lead_time(complete_request, today):
    save(complete_request, start_date=today + timedelta(days=30), end_date=today + timedelta(days=31))
    [problem] = check_request(complete_request, today)
    assert problem.rule == "lead_time_respected"
    assert problem.section == "programme"
    assert "at least 60 days" in problem.message
    assert f"earliest start date we can accept today is {long_date(today + timedelta(days=60))}" in problem.message


def test_program_starting_today_breaks_lead_time_not_retroactivity(complete_request, today):
    save(complete_request, start_date=today, end_date=today)
    assert [p.rule for p in check_request(complete_request, today)] == ["lead_time_respected"]


def test_program_starting_in_exactly_60_days_respects_lead_time(complete_request, today):
    save(complete_request, start_date=today + timedelta(days=60), end_date=today + timedelta(days=60))
    assert check_request(complete_request, today) == []
    save(complete_request, start_date=today + timedelta(days=59))
    assert [p.rule for p in check_request(complete_request, today)] == ["lead_time_respected"]


def test_shorter_lead_time_setting_accepts_a_program_50_days_away(complete_request, today, settings):
    save(complete_request, start_date=today + timedelta(days=50), end_date=today + timedelta(days=50))
    assert [p.rule for p in check_request(complete_request, today)] == ["lead_time_respected"]
    settings.IME_MIN_LEAD_DAYS = 45
    assert check_request(complete_request, today) == []
    settings.IME_MIN_LEAD_DAYS = 90
    [problem] = check_request(complete_request, today)
    assert "at least 90 days" in problem.message
    assert long_date(today + timedelta(days=90)) in problem.message


# --- The organisation ------------------------------------------------------------------------------------


def test_organisation_outside_the_us_cannot_apply(complete_request, today):
    organisation = complete_request.organisation
    organisation.country = "CA"
    organisation.save()
    [problem] = check_request(complete_request, today)
    assert problem.rule == "organisation_in_us"
    assert "based in the United States" in problem.message
    assert "CA" in problem.message


@pytest.mark.parametrize("org_type", [OrganisationType.INDIVIDUAL_PRACTITIONER, OrganisationType.MEDICAL_PRACTICE])
def test_individual_practitioners_and_practices_cannot_apply(complete_request, today, org_type):
    organisation = complete_request.organisation
    organisation.org_type = org_type
    organisation.save()
    [problem] = check_request(complete_request, today)
    assert problem.rule == "organisation_type_may_apply"
    assert org_type.label in problem.message
    assert "should apply" in problem.message


@pytest.mark.parametrize("org_type", sorted(set(OrganisationType) - eligibility.INELIGIBLE_ORGANISATION_TYPES))
def test_education_providers_may_apply(complete_request, today, org_type):
    organisation = complete_request.organisation
    organisation.org_type = org_type
    organisation.save()
    assert eligibility.organisation_type_may_apply(complete_request, today) == []


# --- Accreditation ----------------------------------------------------------------------------------------


def test_accredited_request_needs_its_accreditation_section(complete_request, today):
    save(complete_request, accredited_provider="", accreditation_body=AccreditationBody.NONE, credit_hours=None)
    problems = eligibility.accreditation_current_for_accredited_request(complete_request, today)
    assert [p.section for p in problems] == ["accreditation"] * 3
    assert "accredited provider" in problems[0].message
    assert "accrediting body" in problems[1].message
    assert "credit hours" in problems[2].message


def test_accredited_request_from_an_unaccredited_organisation_is_refused(complete_request, today):
    organisation = complete_request.organisation
    organisation.accreditation_body = AccreditationBody.NONE
    organisation.save()
    [problem] = check_request(complete_request, today)
    assert problem.rule == "accreditation_current_for_accredited_request"
    assert "shows no accreditation" in problem.message
    assert "non-accredited" in problem.message


def test_accreditation_expiring_before_the_program_starts_is_refused(complete_request, today):
    organisation = complete_request.organisation
    organisation.accreditation_expiry = complete_request.start_date - timedelta(days=1)
    organisation.save()
    [problem] = check_request(complete_request, today)
    assert problem.rule == "accreditation_current_for_accredited_request"
    assert f"expires on {long_date(organisation.accreditation_expiry)}" in problem.message
    organisation.accreditation_expiry = complete_request.start_date
    organisation.save()
    assert check_request(complete_request, today) == []


def test_accreditation_without_expiry_date_is_refused(complete_request, today):
    organisation = complete_request.organisation
    organisation.accreditation_expiry = None
    organisation.save()
    [problem] = eligibility.accreditation_current_for_accredited_request(complete_request, today)
    assert "no accreditation expiry date" in problem.message


def test_non_accredited_request_needs_no_accreditation(complete_request, today):
    organisation = complete_request.organisation
    organisation.accreditation_body = AccreditationBody.NONE
    organisation.accreditation_expiry = None
    organisation.save()
    save(complete_request, request_type=RequestType.NON_ACCREDITED, accredited_provider="", credit_hours=None)
    assert check_request(complete_request, today) == []


# --- Budget ------------------------------------------------------------------------------------------------


def test_amount_above_the_total_budget_is_refused(complete_request, today):
    save(complete_request, amount_requested=Decimal("30000.01"))  # lines total $30,000.00
    [problem] = check_request(complete_request, today)
    assert problem.rule == "amount_within_budget"
    assert "$30,000.01" in problem.message and "$30,000.00" in problem.message
    save(complete_request, amount_requested=Decimal("30000.00"))
    assert check_request(complete_request, today) == []


def test_zero_amount_is_refused(complete_request, today):
    save(complete_request, amount_requested=Decimal("0"))
    [problem] = eligibility.amount_within_budget(complete_request, today)
    assert "more than $0" in problem.message


def test_each_excluded_budget_line_is_named(complete_request, today):
    BudgetLine.objects.create(
        grant_request=complete_request, category=BudgetCategory.SALARIES, description="Coordinator salary", unit_cost=1
    )
    BudgetLine.objects.create(
        grant_request=complete_request, category=BudgetCategory.GIFTS, description="Tote bags", unit_cost=2, quantity=5
    )
    problems = check_request(complete_request, today)
    assert [p.rule for p in problems] == ["no_excluded_budget_categories"] * 2
    assert "“Coordinator salary”" in problems[0].message and "salaries" in problems[0].message
    assert "“Tote bags”" in problems[1].message and "Remove this line" in problems[1].message


def test_excluded_categories_come_from_settings_when_checked(complete_request, today, settings):
    BudgetLine.objects.create(
        grant_request=complete_request, category=BudgetCategory.SALARIES, description="Coordinator", unit_cost=1
    )
    assert len(eligibility.no_excluded_budget_categories(complete_request, today)) == 1
    settings.IME_EXCLUDED_BUDGET_CATEGORIES = [BudgetCategory.ONLINE_PLATFORM]
    [problem] = eligibility.no_excluded_budget_categories(complete_request, today)
    assert "“Virtual platform and production”" in problem.message


# --- Attestations and reconciliation ----------------------------------------------------------------------


def test_both_attestations_must_be_given(complete_request, today):
    save(complete_request, attest_independence=False, attest_open_payments=False)
    problems = check_request(complete_request, today)
    assert [(p.rule, p.section) for p in problems] == [("attestations_given", "attestations")] * 2
    assert "independence" in problems[0].message and "Open Payments" in problems[1].message


def _earlier_grant(organisation, today, ended_days_ago, status=GrantStatus.RECONCILIATION_DUE):
    return GrantRequestFactory(
        organisation=organisation,
        status=status,
        reference=f"IME-2025-{ended_days_ago:05d}",
        start_date=today - timedelta(days=ended_days_ago + 1),
        end_date=today - timedelta(days=ended_days_ago),
        # What the daily task writes when the program ends (the end_program row).
        reconciliation_due_on=today - timedelta(days=ended_days_ago - 60),
    )


def test_overdue_reconciliation_of_an_earlier_grant_blocks_a_new_request(complete_request, today):
    _earlier_grant(complete_request.organisation, today, ended_days_ago=61)
    [problem] = check_request(complete_request, today)
    assert problem.rule == "no_overdue_reconciliation"
    assert "The reconciliation report for IME-2025-00061 (" in problem.message and "is overdue" in problem.message
    assert long_date(today - timedelta(days=1)) in problem.message


def test_reconciliation_still_within_its_window_does_not_block(complete_request, today):
    _earlier_grant(complete_request.organisation, today, ended_days_ago=60)
    assert check_request(complete_request, today) == []


def test_reconciled_grants_and_other_organisations_do_not_block(complete_request, today):
    _earlier_grant(complete_request.organisation, today, ended_days_ago=200, status=GrantStatus.RECONCILED)
    _earlier_grant(GrantRequestFactory().organisation, today, ended_days_ago=201)
    assert check_request(complete_request, today) == []


def test_the_due_date_is_the_one_the_workflow_stored_not_the_setting_of_today(complete_request, today, settings):
    earlier = _earlier_grant(complete_request.organisation, today, ended_days_ago=40)
    assert check_request(complete_request, today) == []
    settings.IME_RECONCILIATION_DAYS = 30
    assert check_request(complete_request, today) == []
    GrantRequest.objects.filter(pk=earlier.pk).update(reconciliation_due_on=today - timedelta(days=1))
    assert [p.rule for p in check_request(complete_request, today)] == ["no_overdue_reconciliation"]


# --- Several problems at once ------------------------------------------------------------------------------


def test_several_problems_are_all_listed_in_rule_order(complete_request, today):
    organisation = complete_request.organisation
    organisation.country = "GB"
    organisation.save()
    complete_request.attachments.filter(kind=AttachmentKind.REQUEST_LETTER).delete()
    save(
        complete_request,
        signer_email="",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=29),
        amount_requested=Decimal("99000"),
        attest_open_payments=False,
    )
    BudgetLine.objects.create(
        grant_request=complete_request, category=BudgetCategory.ENTERTAINMENT, description="Dinner cruise", unit_cost=1
    )
    _earlier_grant(organisation, today, ended_days_ago=90)
    problems = check_request(complete_request, today)
    assert [p.rule for p in problems] == [
        "required_fields_complete",
        "required_attachments_present",
        "end_not_before_start",
        "lead_time_respected",
        "organisation_in_us",
        "amount_within_budget",
        "no_excluded_budget_categories",
        "attestations_given",
        "no_overdue_reconciliation",
    ]
    order = [p.rule for p in problems]
    assert order == sorted(order, key=RULE_NAMES.index)


# --- Queries ------------------------------------------------------------------------------------------------


def test_check_request_uses_prefetched_relations(complete_request, today, django_assert_num_queries):
    loaded = (
        GrantRequest.objects.select_related("organisation")
        .prefetch_related(*eligibility.RELATIONS)
        .get(pk=complete_request.pk)
    )
    with django_assert_num_queries(1):  # only the earlier grants' reconciliation
        assert check_request(loaded, today) == []


def test_check_request_loads_each_relation_once_when_not_prefetched(complete_request, today, django_assert_num_queries):
    plain = GrantRequest.objects.get(pk=complete_request.pk)
    with django_assert_num_queries(5):  # organisation, objectives, budget lines, attachments, reconciliations
        assert check_request(plain, today) == []


def test_check_request_leaves_no_stale_cache_on_the_callers_request(complete_request, today):
    assert check_request(complete_request, today) == []
    BudgetLine.objects.create(
        grant_request=complete_request, category=BudgetCategory.EQUIPMENT, description="Laptop", unit_cost=900
    )
    assert [p.rule for p in check_request(complete_request, today)] == ["no_excluded_budget_categories"]


# --- The self-assessment shares the rules' wording ----------------------------------------------------------

ELIGIBLE_ANSWERS = {
    "organisation_type": OrganisationType.HOSPITAL,
    "based_in_us": True,
    "request_type": RequestType.ACCREDITED,
    "accreditation_current": True,
    "budget_categories": [BudgetCategory.FACULTY_HONORARIA, BudgetCategory.VENUE],
}


def test_self_assessment_with_eligible_answers_finds_nothing(today):
    assert check_self_assessment({**ELIGIBLE_ANSWERS, "start_date": today + timedelta(days=90)}, today) == []


def test_self_assessment_lists_every_reason_in_rule_order(today):
    answers = {
        "organisation_type": OrganisationType.MEDICAL_PRACTICE,
        "based_in_us": False,
        "request_type": RequestType.ACCREDITED,
        "accreditation_current": False,
        "start_date": today + timedelta(days=10),
        "budget_categories": [BudgetCategory.VENUE, BudgetCategory.ATTENDEE_TRAVEL, BudgetCategory.GIFTS],
    }
    problems = check_self_assessment(answers, today)
    assert [p.rule for p in problems] == [
        "lead_time_respected",
        "organisation_in_us",
        "organisation_type_may_apply",
        "accreditation_current_for_accredited_request",
        "no_excluded_budget_categories",
        "no_excluded_budget_categories",
    ]
    assert "attendee travel" in problems[4].message and "gifts" in problems[5].message


def test_self_assessment_and_submission_word_the_lead_time_the_same(complete_request, today):
    start = today + timedelta(days=30)
    save(complete_request, start_date=start, end_date=start)
    [from_request] = check_request(complete_request, today)
    [from_answers] = check_self_assessment({**ELIGIBLE_ANSWERS, "start_date": start}, today)
    assert from_answers == from_request


def test_self_assessment_ignores_accreditation_for_non_accredited_education(today):
    answers = {
        **ELIGIBLE_ANSWERS,
        "request_type": RequestType.PATIENT_COMMUNITY,
        "accreditation_current": False,
        "start_date": today + timedelta(days=61),
    }
    assert check_self_assessment(answers, today) == []


def test_self_assessment_follows_the_excluded_categories_setting(today, settings):
    answers = {**ELIGIBLE_ANSWERS, "start_date": today + timedelta(days=90)}
    settings.IME_EXCLUDED_BUDGET_CATEGORIES = [BudgetCategory.VENUE]
    [problem] = check_self_assessment(answers, today)
    assert "venue" in problem.message.lower()

"""One request's page in the admin: the application read-only, the actions each role may take (each
confirmed on its own page and re-checked by the workflow), messages, downloads and the change history."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from grants.models import BudgetLine, GrantRequest, InformationRequest, Message, StatusChange
from grants.services.conversation import answer_information_request, post_message
from grants.status import GrantStatus
from outbox.models import Email
from reviews.models import Assignment, Review
from workflow.engine import perform
from workflow.roles import STAFF_ROLES, Role

from .conftest import assert_accessible
from .factories import (
    PASSWORD,
    TINY_PDF,
    AttachmentFactory,
    GrantRequestFactory,
    StaffFactory,
    applicant,
    staff_with_role,
)
from .workflow_steps import request_forced_to, request_information

pytestmark = pytest.mark.django_db
INPUT_OF = {"request_information": "message", "resubmit": "answer"}


request_in = request_forced_to  # a page read at a status, with no history before it


def page_url(grant_request):
    return reverse("admin:grants_grantrequest_change", args=[grant_request.pk])


def action_url(grant_request, name):
    return reverse("admin:grants_grantrequest_action", args=[grant_request.pk, name])


def flash(response) -> str:
    return " | ".join(str(m) for m in get_messages(response.wsgi_request))


def signed_in(user):
    other = Client()
    other.force_login(user)
    return other


def status_of(grant_request):
    return GrantRequest.objects.get(pk=grant_request.pk).status


# --- The page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES, ids=[r.value for r in STAFF_ROLES])
def test_every_staff_role_can_read_the_whole_application(client, role):
    grant_request = request_in(GrantStatus.SCREENING, title="Migraine Prevention in Practice")
    AttachmentFactory(grant_request=grant_request, kind="agenda")
    client.force_login(staff_with_role(role))

    response = client.get(page_url(grant_request))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Migraine Prevention in Practice" in page
    assert grant_request.organisation.legal_name in page
    assert "Needs assessment and gap analysis" in page
    assert "Surveys of 200 clinicians" in page
    assert "Faculty honoraria (3 × $2,500)" in page
    assert "Screening" in page and "for 0 days" in page
    assert "agenda.pdf" in page
    assert page.count("<h1>") == 1


def test_the_request_page_is_not_a_form_for_editing_the_application(client):
    grant_request = request_in(GrantStatus.SCREENING)
    client.force_login(staff_with_role(Role.ADMINISTRATOR, is_superuser=True))

    page = client.get(page_url(grant_request)).content.decode()
    posted = client.post(page_url(grant_request), {"title": "Changed by staff"})

    assert 'name="title"' not in page
    assert posted.status_code == 405
    assert GrantRequest.objects.get(pk=grant_request.pk).title == grant_request.title


BUTTONS = {
    (GrantStatus.SUBMITTED, Role.COORDINATOR): {"start_screening"},
    (GrantStatus.SCREENING, Role.COORDINATOR): {"request_information", "send_to_medical_review", "decline"},
    (GrantStatus.SCREENING, Role.COMPLIANCE): {"request_information", "send_to_medical_review"},
    (GrantStatus.SCREENING, Role.MEDICAL): set(),
    (GrantStatus.SCREENING, Role.COMMITTEE): {"decline"},
    (GrantStatus.MEDICAL_REVIEW, Role.MEDICAL): {"send_to_committee"},
    (GrantStatus.MEDICAL_REVIEW, Role.COMPLIANCE): set(),
    # A committee member decides only after declaring no conflict (test_committee_member_decides_only_...).
    (GrantStatus.COMMITTEE_REVIEW, Role.COMMITTEE): set(),
    (GrantStatus.COMMITTEE_REVIEW, Role.MEDICAL): set(),
    (GrantStatus.COMMITTEE_REVIEW, Role.COORDINATOR): {"decline"},
    (GrantStatus.DECLINED, Role.ADMINISTRATOR): set(),
}
ALL_STAFF_ACTIONS = [
    "start_screening", "request_information", "send_to_medical_review", "send_to_committee",
    "approve", "partially_approve", "decline",
]  # fmt: skip


def test_committee_member_decides_only_after_declaring_no_conflict(client):
    grant_request = request_in(GrantStatus.COMMITTEE_REVIEW)
    member = staff_with_role(Role.COMMITTEE)
    client.force_login(member)
    Assignment.objects.create(
        grant_request=grant_request, reviewer=member, stage="committee_review", assigned_by=member
    )
    review = Review.objects.create(grant_request=grant_request, reviewer=member, stage="committee_review")
    deciding = {"approve", "partially_approve", "decline"}

    def shown():
        page = client.get(page_url(grant_request)).content.decode()
        return {name for name in deciding if action_url(grant_request, name) in page}

    assert shown() == set()  # nothing declared yet
    opened = client.get(action_url(grant_request, "approve"))
    assert "Declare on your review whether you have a conflict" in flash(opened)
    refused = client.post(action_url(grant_request, "approve"), {"expected_status": GrantStatus.COMMITTEE_REVIEW})
    assert "Declare on your review whether you have a conflict" in flash(refused)
    assert status_of(grant_request) == GrantStatus.COMMITTEE_REVIEW

    Review.objects.filter(pk=review.pk).update(has_conflict=True, conflict_details="I am on their faculty.")
    assert shown() == set()
    refused = client.post(action_url(grant_request, "approve"), {"expected_status": GrantStatus.COMMITTEE_REVIEW})
    assert "You declared a conflict of interest" in flash(refused)
    assert status_of(grant_request) == GrantStatus.COMMITTEE_REVIEW

    Review.objects.filter(pk=review.pk).update(has_conflict=False, conflict_details="")
    assert shown() == deciding


@pytest.mark.parametrize("status, role", list(BUTTONS), ids=[f"{s}-{r.value}" for s, r in BUTTONS])
def test_each_role_sees_only_the_buttons_it_may_use(client, status, role):
    grant_request = request_in(status)
    client.force_login(staff_with_role(role))

    page = client.get(page_url(grant_request)).content.decode()

    shown = {name for name in ALL_STAFF_ACTIONS if action_url(grant_request, name) in page}
    assert shown == BUTTONS[(status, role)]


# --- Transition forms -------------------------------------------------------------------------

ALLOWED = [
    ("start_screening", GrantStatus.SUBMITTED, Role.COORDINATOR, {"note": ""}),
    (
        "request_information",
        GrantStatus.SCREENING,
        Role.COMPLIANCE,
        {"message": "Send the agenda.", "sections": ["attachments"]},
    ),
    ("send_to_medical_review", GrantStatus.SCREENING, Role.ADMINISTRATOR, {"note": "Complete and eligible."}),
    ("send_to_committee", GrantStatus.MEDICAL_REVIEW, Role.MEDICAL, {"note": ""}),
    ("approve", GrantStatus.COMMITTEE_REVIEW, Role.COMMITTEE, {"message": "Congratulations."}),
    (
        "partially_approve",
        GrantStatus.COMMITTEE_REVIEW,
        Role.COMMITTEE,
        {"approved_amount": "15000", "message": "Platform costs are high."},
    ),
    (
        "decline",
        GrantStatus.SCREENING,
        Role.COORDINATOR,
        {"reason_codes": ["late"], "message": "Too close to the start."},
    ),
]


@pytest.mark.parametrize("name, source, role, data", ALLOWED, ids=[a[0] for a in ALLOWED])
def test_an_allowed_role_confirms_an_action_and_it_is_logged(client, name, source, role, data):
    from grants.workflow import BY_NAME

    grant_request = request_in(source)
    actor = staff_with_role(role)
    if role == Role.COMMITTEE:  # a committee member decides once they have declared no conflict
        Assignment.objects.create(grant_request=grant_request, reviewer=actor, stage=source, assigned_by=actor)
        Review.objects.create(grant_request=grant_request, reviewer=actor, stage=source, has_conflict=False)
    client.force_login(actor)

    confirmation = client.get(action_url(grant_request, name))
    assert confirmation.status_code == 200
    assert "What will happen" in confirmation.content.decode()
    assert f'name="expected_status" value="{source}"' in confirmation.content.decode()

    response = client.post(action_url(grant_request, name), {"expected_status": source, **data})

    assert response.status_code == 302
    assert response["Location"] == page_url(grant_request)
    assert status_of(grant_request) == BY_NAME[name].target
    change = StatusChange.objects.get(grant_request=grant_request)
    assert (change.transition, change.from_status, change.actor) == (name, source, actor)
    assert "done" in flash(response)


def test_the_confirmation_says_who_will_be_emailed(client):
    grant_request = request_in(GrantStatus.SCREENING, secondary_email="second@provider.example.org")
    client.force_login(staff_with_role(Role.COORDINATOR))

    page = client.get(action_url(grant_request, "request_information")).content.decode()

    assert "The applicant will be emailed" in page
    assert grant_request.requester_email in page and "second@provider.example.org" in page


REFUSED = [
    ("decline", GrantStatus.COMMITTEE_REVIEW, Role.MEDICAL, {"reason_codes": ["budget"], "message": "No."}),
    ("approve", GrantStatus.COMMITTEE_REVIEW, Role.COORDINATOR, {"message": ""}),
    ("request_information", GrantStatus.SCREENING, Role.COMMITTEE, {"message": "Send the budget.", "sections": []}),
    ("send_to_medical_review", GrantStatus.SCREENING, Role.MEDICAL, {"note": ""}),
    ("send_to_committee", GrantStatus.MEDICAL_REVIEW, Role.COMPLIANCE, {"note": ""}),
]


@pytest.mark.parametrize("name, source, role, data", REFUSED, ids=[f"{a[0]}-by-{a[2].value}" for a in REFUSED])
def test_a_role_that_may_not_act_is_refused_with_the_reason(client, name, source, role, data):
    grant_request = request_in(source)
    client.force_login(staff_with_role(role))

    response = client.post(action_url(grant_request, name), {"expected_status": source, **data})

    assert response.status_code == 302
    assert "You do not have a role that may" in flash(response)
    assert status_of(grant_request) == source
    assert not StatusChange.objects.exists()
    assert not Email.objects.exists()


def test_opening_an_action_you_may_not_take_goes_back_to_the_request(client):
    grant_request = request_in(GrantStatus.COMMITTEE_REVIEW)
    client.force_login(staff_with_role(Role.MEDICAL))

    response = client.get(action_url(grant_request, "approve"))

    assert response.status_code == 302
    assert "You do not have a role that may “approve” this request." in flash(response)


def test_a_stale_click_is_refused_with_who_moved_the_request(client):
    grant_request = request_in(GrantStatus.SCREENING)
    first = staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Quick")
    client.force_login(staff_with_role(Role.COORDINATOR))
    page = client.get(action_url(grant_request, "decline"))
    assert page.status_code == 200
    perform(grant_request, "send_to_medical_review", by=first, expected_status=GrantStatus.SCREENING)

    response = client.post(
        action_url(grant_request, "decline"),
        {"expected_status": GrantStatus.SCREENING, "reason_codes": ["late"], "message": "Too late."},
    )

    assert response.status_code == 302
    assert "already moved to “Medical review” by Casey Quick; nothing was changed" in flash(response)
    assert status_of(grant_request) == GrantStatus.MEDICAL_REVIEW
    assert StatusChange.objects.count() == 1
    assert not Email.objects.filter(template="decision_declined").exists()


def test_a_reason_is_required_where_the_workflow_asks_for_one(client):
    grant_request = request_in(GrantStatus.COMMITTEE_REVIEW)
    client.force_login(staff_with_role(Role.COMMITTEE))

    response = client.post(
        action_url(grant_request, "decline"), {"expected_status": GrantStatus.COMMITTEE_REVIEW, "message": ""}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose at least one reason for declining." in page
    assert "Write the message the applicant will receive." in page
    assert status_of(grant_request) == GrantStatus.COMMITTEE_REVIEW


# --- Requests for information -----------------------------------------------------------------


def test_information_request_needs_a_message(client):
    grant_request = request_in(GrantStatus.SCREENING)
    client.force_login(staff_with_role(Role.COORDINATOR))

    response = client.post(
        action_url(grant_request, "request_information"),
        {"expected_status": GrantStatus.SCREENING, "message": "  ", "sections": ["budget"]},
    )

    assert response.status_code == 200
    assert "Write what the applicant needs to provide" in response.content.decode()
    assert re.search(r'value="budget"[^>]*checked', response.content.decode()), "the ticked section stays ticked"
    assert status_of(grant_request) == GrantStatus.SCREENING
    assert not Email.objects.exists()


def test_information_request_emails_the_applicant_and_opens_the_sections(client):
    grant_request = request_in(GrantStatus.SCREENING, secondary_email="second@provider.example.org")
    client.force_login(staff_with_role(Role.COORDINATOR))

    client.post(
        action_url(grant_request, "request_information"),
        {
            "expected_status": GrantStatus.SCREENING,
            "message": "Please itemize the platform costs.",
            "sections": ["budget", "attachments"],
        },
    )

    rfi = InformationRequest.objects.get(grant_request=grant_request)
    assert rfi.sections == ["budget", "attachments"]
    email = Email.objects.get(template="information_requested")
    assert set(email.to) == {grant_request.requester_email, "second@provider.example.org"}
    assert "Please itemize the platform costs." in email.body_text
    assert "Budget, Attachments" in email.body_text
    page = client.get(page_url(grant_request)).content.decode()
    assert "Please itemize the platform costs." in page
    assert "Waiting for the applicant" in page


# --- Messages ---------------------------------------------------------------------------------


def test_staff_write_to_the_applicant_and_the_thread_shows_both_sides(client):
    grant_request = request_in(GrantStatus.MEDICAL_REVIEW)
    member = applicant(organisation=grant_request.organisation, first_name="Ana", last_name="Provider")
    post_message(grant_request, by=member, body="Is a hybrid format acceptable?", from_staff=False)
    coordinator = staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")
    client.force_login(coordinator)

    response = client.post(
        reverse("admin:grants_grantrequest_message", args=[grant_request.pk]), {"body": "Yes, hybrid is fine."}
    )

    assert response.status_code == 302
    message = Message.objects.get(from_staff=True)
    assert (message.author, message.body) == (coordinator, "Yes, hybrid is fine.")
    assert Email.objects.get(template="message_to_applicant").to == [
        grant_request.requester_email,
        grant_request.secondary_email,
    ]
    page = client.get(page_url(grant_request)).content.decode()
    assert page.index("Is a hybrid format acceptable?") < page.index("Yes, hybrid is fine.")
    assert "Ana Provider" in page and "(applicant)" in page and "Casey Coordinator" in page


def test_an_empty_message_is_refused_on_the_page(client):
    grant_request = request_in(GrantStatus.SCREENING)
    client.force_login(staff_with_role(Role.COORDINATOR))

    response = client.post(reverse("admin:grants_grantrequest_message", args=[grant_request.pk]), {"body": ""})

    assert response.status_code == 200
    assert "Write the message before sending it." in response.content.decode()
    assert not Message.objects.exists()


# --- Downloads --------------------------------------------------------------------------------


def attachment_url(attachment):
    return reverse("admin:grants_grantrequest_attachment", args=[attachment.grant_request_id, attachment.pk])


def test_staff_download_an_attachment_from_the_request_page(client):
    grant_request = request_in(GrantStatus.SCREENING)
    attachment = AttachmentFactory(grant_request=grant_request, kind="budget", original_name="Budget 2026.pdf")
    client.force_login(staff_with_role(Role.COMPLIANCE))

    assert attachment_url(attachment) in client.get(page_url(grant_request)).content.decode()
    response = client.get(attachment_url(attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TINY_PDF
    assert 'attachment; filename="Budget 2026.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_every_document_link_on_the_staff_page_goes_through_the_admin(client):
    grant_request = request_in(GrantStatus.SCREENING)
    attachments = [AttachmentFactory(grant_request=grant_request, kind=kind) for kind in ("budget", "agenda")]
    client.force_login(staff_with_role(Role.COORDINATOR))

    page = client.get(page_url(grant_request)).content.decode()

    for attachment in attachments:
        # Listed twice (application summary and attachments table), both times through the admin route.
        assert page.count(f'href="{attachment_url(attachment)}"') == 2
        assert reverse("grants:attachment_download", args=[grant_request.pk, attachment.pk]) not in page
    assert not re.findall(r'href="/(?!admin/|static/|favicon\.ico")[^"#]', page)


def test_people_who_are_not_staff_cannot_download_through_the_admin(client):
    attachment = AttachmentFactory(grant_request=request_in(GrantStatus.SCREENING))
    member = applicant(organisation=attachment.grant_request.organisation)

    assert signed_in(member).get(attachment_url(attachment)).status_code == 403
    client.force_login(StaffFactory())  # staff, but no role: no permission to see requests
    assert client.get(attachment_url(attachment)).status_code == 403
    client.logout()
    assert client.get(attachment_url(attachment))["Location"].startswith(reverse("admin:login"))


def test_an_attachment_is_only_found_under_its_own_submitted_request(client):
    attachment = AttachmentFactory(grant_request=request_in(GrantStatus.SCREENING))
    other = request_in(GrantStatus.SCREENING)
    draft_attachment = AttachmentFactory(grant_request=GrantRequestFactory())
    client.force_login(staff_with_role(Role.COORDINATOR))

    wrong_request = reverse("admin:grants_grantrequest_attachment", args=[other.pk, attachment.pk])
    assert client.get(wrong_request).status_code == 404
    assert client.get(attachment_url(draft_attachment)).status_code == 404


def test_staff_download_an_organisations_w9_but_its_own_members_cannot_through_the_admin(client):
    grant_request = request_in(GrantStatus.SCREENING)
    organisation = grant_request.organisation
    member = applicant(organisation=organisation)
    organisation.w9.save("w9.pdf", ContentFile(TINY_PDF))
    organisation.w9_original_name = "Signed W-9.pdf"
    organisation.save()
    client.force_login(staff_with_role(Role.COORDINATOR))
    w9_url = reverse("admin:grants_organisation_w9", args=[organisation.pk])

    organisation_page = client.get(reverse("admin:grants_organisation_change", args=[organisation.pk]))
    download = client.get(w9_url)

    assert organisation_page.status_code == 200
    assert w9_url in organisation_page.content.decode()
    assert organisation.w9.name not in organisation_page.content.decode()
    assert member.email in organisation_page.content.decode()
    assert b"".join(download.streaming_content) == TINY_PDF
    assert signed_in(member).get(w9_url).status_code == 403


# --- History ----------------------------------------------------------------------------------


def test_the_changes_an_applicant_made_when_answering_are_listed(client):
    grant_request = request_in(GrantStatus.SCREENING, title="Old program title")
    coordinator = staff_with_role(Role.COORDINATOR)
    member = applicant(organisation=grant_request.organisation)
    request_information(grant_request, by=coordinator, message="Please retitle and add AV.", sections=["programme"])
    grant_request.refresh_from_db()
    grant_request.title = "New program title"
    grant_request.expected_learners = 650
    grant_request.save()
    BudgetLine.objects.create(
        grant_request=grant_request, category="audiovisual", description="AV crew", unit_cost=Decimal("1200")
    )
    answer_information_request(grant_request, by=member, answer="Retitled; AV line added.")
    client.force_login(coordinator)

    page = client.get(page_url(grant_request)).content.decode()

    assert "What changed since the last request for information" in page
    changes = page[page.index('id="changes"') : page.index('id="reviews"')]
    assert "Program title" in changes and "Old program title" in changes and "New program title" in changes
    assert "Expected number of learners" in changes and "400" in changes and "650" in changes
    assert "Budget line added" in changes and "AV crew" in changes
    assert "Retitled; AV line added." in changes
    assert "Status" not in changes.split("Fields changed")[1].split("Lines and documents")[0]


def test_field_history_is_reachable_and_read_only(client):
    grant_request = request_in(GrantStatus.SCREENING, title="First title")
    grant_request.title = "Second title"
    grant_request.save()
    admin_user = staff_with_role(Role.ADMINISTRATOR, is_superuser=True)
    perform(grant_request, "send_to_medical_review", by=admin_user)
    client.force_login(admin_user)
    history_url = reverse("admin:grants_grantrequest_history", args=[grant_request.pk])

    assert history_url in client.get(page_url(grant_request)).content.decode()
    history = client.get(history_url)
    assert history.status_code == 200
    assert "First title" in history.content.decode() and "Second title" in history.content.decode()
    assert "Screening → Medical review" in history.content.decode()

    oldest = grant_request.history.order_by("history_date").first()
    version_url = reverse("admin:grants_grantrequest_simple_history", args=[grant_request.pk, oldest.history_id])
    version = client.get(version_url)
    assert version.status_code == 200
    assert "Revert" not in version.content.decode()
    assert client.post(version_url, {"_save": "Revert"}).status_code == 405
    assert GrantRequest.objects.get(pk=grant_request.pk).title == "Second title"


def test_a_declined_request_offers_nothing_more(client):
    grant_request = request_in(GrantStatus.DECLINED)
    client.force_login(staff_with_role(Role.ADMINISTRATOR, is_superuser=True))

    page = client.get(page_url(grant_request)).content.decode()
    response = client.post(
        action_url(grant_request, "send_to_medical_review"), {"expected_status": GrantStatus.DECLINED, "note": "x"}
    )

    assert "The decision is final" in page
    assert not any(action_url(grant_request, name) in page for name in ALL_STAFF_ACTIONS)
    assert "is not possible while the request is declined" in flash(response)
    assert status_of(grant_request) == GrantStatus.DECLINED


# --- In the browser ---------------------------------------------------------------------------


def staff_sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_screen_assign_and_review_a_request_in_the_browser(page, live_server):
    coordinator = staff_with_role(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")
    reviewer = staff_with_role(Role.MEDICAL, first_name="Morgan", last_name="Medic")
    grant_request = request_in(GrantStatus.SUBMITTED, title="Agitation in Alzheimer's Disease: A Case Series")
    AttachmentFactory(grant_request=grant_request, kind="request_letter")
    page.set_default_timeout(10_000)

    staff_sign_in(page, live_server, coordinator)
    page.goto(live_server.url + reverse("admin:grants_grantrequest_changelist") + "?status=awaiting_staff")
    assert_accessible(page, "request queue")
    page.get_by_role("link", name=grant_request.reference).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(grant_request.reference)
    assert_accessible(page, "request page")

    page.get_by_role("link", name="Start screening").click()
    assert "What will happen" in page.locator("#content").inner_text()
    assert_accessible(page, "confirmation page")
    page.get_by_role("button", name="Confirm: start screening").click()
    assert "moved from Submitted to Screening" in page.locator(".messagelist").inner_text()

    page.get_by_role("link", name="Send to medical review").click()
    page.get_by_label("Note for the record").fill("Complete; eligible.")
    page.get_by_role("button", name="Confirm: send to medical review").click()
    page.get_by_label("Medical reviewer to assign").select_option(label=f"Morgan Medic ({reviewer.email})")
    page.get_by_role("button", name="Assign medical reviewer").click()
    assert "Morgan Medic is assigned" in page.locator(".messagelist").inner_text()

    staff_sign_in(page, live_server, reviewer)
    page.goto(live_server.url + page_url(grant_request))
    page.get_by_label("No — I have no financial").check()
    page.get_by_role("button", name="Record my declaration").click()
    page.wait_for_load_state()
    assert_accessible(page, "rubric")
    for fieldset in page.locator("form.staff-rubric fieldset").all()[:6]:
        fieldset.get_by_label("4 — Good").check()
    page.get_by_label("Approve in full").check()
    page.get_by_label("Comments").fill("Clear gap and sound design.")
    page.get_by_role("button", name="Submit my review").click()
    page.wait_for_load_state()

    review = grant_request.reviews.get()
    assert review.average_score == Decimal("4.00")
    assert "Your medical review is submitted" in page.locator(".messagelist").inner_text()
    page.goto(live_server.url + reverse("admin:reviews_committee"))
    assert_accessible(page, "committee agenda")


def test_the_request_page_query_count_does_not_grow_with_its_history(client):
    """Messages, status changes, reviews' authors and documents are loaded in bulk, not one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = staff_with_role(Role.COORDINATOR)
    grant_request = request_in(GrantStatus.SCREENING)
    member = applicant(organisation=grant_request.organisation)
    client.force_login(coordinator)

    def queries_for_page():
        client.get(page_url(grant_request))  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(grant_request)).status_code == 200
        return len(captured)

    for name in ("request_information", "resubmit"):
        actor = coordinator if name == "request_information" else member
        perform(grant_request, name, by=actor, **{INPUT_OF[name]: f"{name} note"})
    post_message(grant_request, by=coordinator, body="First question", from_staff=True)
    AttachmentFactory(grant_request=grant_request)
    few = queries_for_page()

    for n in range(12):
        post_message(grant_request, by=member, body=f"Answer {n}", from_staff=False)
        post_message(grant_request, by=staff_with_role(Role.COMPLIANCE), body=f"Follow-up {n}", from_staff=True)
        AttachmentFactory(grant_request=grant_request)
    for name in ("request_information", "resubmit"):
        actor = coordinator if name == "request_information" else member
        perform(grant_request, name, by=actor, **{INPUT_OF[name]: f"{name} note, round two"})
    many = queries_for_page()

    assert many == few


def test_the_request_page_stays_within_fifteen_queries_with_reviewers_and_history(client):
    """The page a coordinator opens most: both assignment forms, assignments and reviews at both stages,
    a decision-free history, messages and an information request. Issue 13's bar is 15 queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coordinator = staff_with_role(Role.COORDINATOR)
    grant_request = request_in(GrantStatus.SCREENING)
    member = applicant(organisation=grant_request.organisation)
    for _ in range(3):
        staff_with_role(Role.MEDICAL)
        staff_with_role(Role.COMMITTEE)
    for name in ("request_information", "resubmit"):
        actor = coordinator if name == "request_information" else member
        perform(grant_request, name, by=actor, **{INPUT_OF[name]: f"{name} note"})
    post_message(grant_request, by=coordinator, body="A question", from_staff=True)
    AttachmentFactory(grant_request=grant_request)
    client.force_login(coordinator)
    client.get(page_url(grant_request))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url(grant_request))
    assert response.status_code == 200
    # Both assignment forms list their reviewers, from one shared query.
    assert response.content.decode().count("Choose a reviewer…") == 2
    assert len(captured) <= 15, "\n".join(q["sql"][:200] for q in captured)

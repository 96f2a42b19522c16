"""The staff side of a request's life in Chromium, with the applicant answering in a browser of their
own: screening, a request for information about the budget, medical review, the committee (one member
with a conflict of interest) and a partial approval the applicant reads on their request page. Then the
two short endings: a decline at screening, and a withdrawal by the applicant."""

import re
from decimal import Decimal

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.status import GrantStatus
from outbox.models import Email
from reviews.models import Review
from workflow.roles import Role

from . import factories
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RFI_MESSAGE = "Please add the accreditation fee to the budget and lower the amount requested to match."
ANSWER = "Added the $1,500 accreditation fee as its own line and lowered the amount requested to $24,000."
SCORE_LABELS = {1: "1 — Poor", 2: "2 — Weak", 3: "3 — Adequate", 4: "4 — Good", 5: "5 — Excellent"}
PARTIAL_REASON = "The committee funds the faculty and platform costs; production extras are not covered."


@pytest.fixture
def role_groups(db, settings):
    # Staff sign in as in production: password, then the code from their authenticator app.
    settings.IME_STAFF_2FA = True
    # A transactional test empties every table; the groups normally come back with post_migrate.
    factories.ensure_role_groups()


@pytest.fixture
def own_browser(browser, live_server):
    """Open a browser of one person's own (a separate context: cookies and session apart)."""
    contexts = []

    def open_browser(*, gated=False):
        context = browser.new_context()
        contexts.append(context)
        if gated:
            context.add_cookies([{"name": "ime_us_hcp", "value": "yes", "url": live_server.url}])
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield open_browser
    for context in contexts:
        context.close()


@pytest.fixture
def applicant_page(own_browser):
    return own_browser(gated=True)


def staff_member(role, **names):
    """A member of staff in ``role`` whose phone already has the portal in its authenticator app."""
    user = factories.staff_with_role(role, **names)
    TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def code_on_the_phone_of(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def staff_sign_in(page, live_server, user, check_accessibility=False):
    page.goto(live_server.url + "/admin/login/")
    if check_accessibility:
        assert_accessible(page, "staff sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/2fa/verify/**")
    if check_accessibility:
        assert_accessible(page, "staff sign-in code")
    page.get_by_label("6-digit code").fill(code_on_the_phone_of(user))
    page.get_by_role("button", name="Verify and continue").click()
    page.wait_for_url(live_server.url + "/admin/")


def applicant_sign_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.locator('input[name="login"]').fill(user.email)
    page.locator('input[name="password"]').fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(live_server.url + "/requests/")


def open_from_queue(page, live_server, grant_request, query=""):
    page.goto(live_server.url + "/admin/grants/grantrequest/" + query)
    assert_accessible(page, f"request queue {query}")
    page.get_by_role("link", name=grant_request.reference).click()
    page.wait_for_url(f"**/admin/grants/grantrequest/{grant_request.pk}/change/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith(grant_request.reference)


def confirm_action(page, action, fill=None):
    """Open an action from the request page, fill its confirmation page and confirm."""
    page.locator(".staff-actions").get_by_role("link", name=action, exact=True).click()
    page.wait_for_url("**/actions/**")
    assert "What will happen" in page.locator("#content").inner_text()
    assert_accessible(page, f"confirmation page: {action}")
    for label, value in (fill or {}).items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name=f"Confirm: {action.lower()}").click()
    page.wait_for_load_state()


def flash(page) -> str:
    return page.locator(".messagelist").inner_text()


def status_badge(page) -> str:
    return page.locator(".staff-status .status-badge").inner_text()


def assign(page, role_label, user):
    page.get_by_label(f"{role_label} to assign").select_option(label=f"{user.get_full_name()} ({user.email})")
    page.get_by_label(f"{role_label} to assign").locator("xpath=ancestor::form").get_by_role(
        "button", name=f"Assign {role_label.lower()}"
    ).click()
    page.wait_for_load_state()
    assert f"{user.get_full_name()} is assigned" in flash(page)


def score_all_criteria(page, scores):
    fieldsets = page.locator("form.staff-rubric fieldset.staff-choices").all()
    for fieldset, score in zip(fieldsets[:6], scores, strict=True):
        fieldset.get_by_label(SCORE_LABELS[score], exact=True).check()


def test_request_goes_through_screening_information_reviews_and_a_partial_approval(
    page, applicant_page, own_browser, live_server, role_groups
):
    page.set_default_timeout(15_000)
    applicant = factories.applicant(first_name="Dana", last_name="Whitfield")
    grant_request = factories.submitted_grant_request(applicant, title="Agitation in Alzheimer's Disease in Practice")
    coordinator = staff_member(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")
    medic = staff_member(Role.MEDICAL, first_name="Morgan", last_name="Medic")
    conflicted = staff_member(Role.COMMITTEE, first_name="Quinn", last_name="Conflicted")
    member = staff_member(Role.COMMITTEE, first_name="Robin", last_name="Reviewer")

    # --- The coordinator (``page``) screens the new request and asks about the budget.
    staff_sign_in(page, live_server, coordinator, check_accessibility=True)
    assert_accessible(page, "staff home")
    open_from_queue(page, live_server, grant_request, "?status=awaiting_staff")
    assert_accessible(page, "staff request page, submitted")
    confirm_action(page, "Start screening")
    assert "moved from Submitted to Screening" in flash(page)

    page.locator(".staff-actions").get_by_role("link", name="Request information").click()
    page.wait_for_url("**/actions/**")
    assert_accessible(page, "request information page")
    page.get_by_role("button", name="Confirm: request information").click()  # nothing written yet
    page.wait_for_load_state()
    assert "Write what the applicant needs to provide" in page.locator("#content").inner_text()
    page.get_by_label("What the applicant needs to provide").fill(RFI_MESSAGE)
    page.get_by_role("group", name="Sections the applicant may change").get_by_label("Budget").check()
    page.get_by_role("button", name="Confirm: request information").click()
    page.wait_for_load_state()
    assert "moved from Screening to Information requested" in flash(page)
    assert "may change: Budget" in page.locator("#messages").inner_text()
    asked = Email.objects.get(template="information_requested")
    assert applicant.email in asked.to and RFI_MESSAGE in asked.body_text

    # --- The applicant, in their own browser, sees the banner, changes the budget and answers.
    applicant_sign_in(applicant_page, live_server, applicant)
    row = applicant_page.get_by_role("row", name=re.compile(re.escape(grant_request.reference)))
    assert "Answer the request for information" in row.inner_text()
    assert_accessible(applicant_page, "request list with a request for information")
    row.get_by_role("link").first.click()
    banner = applicant_page.get_by_role("region", name="The IME team has asked for more information")
    assert RFI_MESSAGE in banner.inner_text()
    assert_accessible(applicant_page, "applicant request page with the request for information")
    banner.get_by_role("link", name="Budget").click()
    applicant_page.wait_for_url("**/edit/budget/")
    assert_accessible(applicant_page, "budget section while answering")
    new_line = applicant_page.get_by_role("group", name="Budget line 3")
    new_line.get_by_label("Category").select_option("accreditation_fees")
    new_line.get_by_label("Description").fill("Accreditation fee")
    new_line.get_by_label("Unit cost (USD)").fill("1,500")
    new_line.get_by_label("Quantity").fill("1")
    applicant_page.get_by_label("Amount requested from Axsome (USD)").fill("24000")
    applicant_page.get_by_role("button", name="Save as draft").click()
    applicant_page.wait_for_load_state()
    assert "Draft saved" in applicant_page.locator("main").inner_text()
    assert applicant_page.locator("#budget-total").inner_text() == "$31,500.00"
    assert_accessible(applicant_page, "budget section saved while answering")
    applicant_page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name=grant_request.reference
    ).click()
    applicant_page.wait_for_url(f"**/requests/{grant_request.pk}/")
    applicant_page.get_by_role("textbox", name=re.compile(r"^Your answer")).fill(ANSWER)
    applicant_page.get_by_role("button", name="Send your answer").click()
    applicant_page.wait_for_load_state()
    assert "Your answer has been sent" in applicant_page.locator("main").inner_text()
    assert "Screening" in applicant_page.locator(".page-header").inner_text()
    assert_accessible(applicant_page, "request page after answering")
    assert Email.objects.filter(template="information_answered", to=[coordinator.email]).exists()

    # --- The coordinator sees what changed, sends it to medical review and assigns the reviewer.
    page.reload()
    changes = page.locator("#changes")
    assert "What changed since the last request for information" in changes.inner_text()
    assert ANSWER in changes.inner_text()
    amount_row = changes.get_by_role("row", name=re.compile("Amount requested"))
    assert "25000" in amount_row.inner_text().replace(",", "") and "24000" in amount_row.inner_text().replace(",", "")
    assert "Budget line added" in changes.inner_text() and "Accreditation fee" in changes.inner_text()
    assert_accessible(page, "staff request page with what changed")
    confirm_action(page, "Send to medical review", fill={"Note for the record": "Complete and eligible."})
    assert "moved from Screening to Medical review" in flash(page)
    assign(page, "Medical reviewer", medic)
    assert Email.objects.filter(template="review_assignment", to=[medic.email]).exists()

    # --- The medical reviewer, in their own browser, declares no conflict and scores every criterion.
    medic_page = own_browser()
    staff_sign_in(medic_page, live_server, medic)
    open_from_queue(medic_page, live_server, grant_request, "?assigned=me")
    assert medic_page.locator("form.staff-rubric").count() == 0  # the declaration comes first
    medic_page.get_by_label("No — I have no financial").check()
    medic_page.get_by_role("button", name="Record my declaration").click()
    medic_page.wait_for_load_state()
    assert "No conflict of interest recorded" in flash(medic_page)
    assert_accessible(medic_page, "medical review rubric")
    score_all_criteria(medic_page, [5, 4, 4, 3, 3, 4])
    medic_page.get_by_label("Approve in part").check()
    medic_page.get_by_label("Amount you recommend (USD)").fill("20000")
    medic_page.get_by_label("Comments").fill("Strong need and design; the production budget is generous.")
    medic_page.get_by_role("button", name="Submit my review").click()
    medic_page.wait_for_load_state()
    assert "Your medical review is submitted" in flash(medic_page)
    assert "average score 3.83" in medic_page.locator("#your-review").inner_text()

    # --- The coordinator sends it to the committee and assigns two members.
    page.reload()
    assert "3.83" in page.locator("#reviews").inner_text()
    confirm_action(page, "Send to committee")
    assert "moved from Medical review to Committee review" in flash(page)
    assign(page, "Committee member", conflicted)
    assign(page, "Committee member", member)

    # --- One committee member has a conflict of interest and cannot score.
    conflicted_page = own_browser()
    staff_sign_in(conflicted_page, live_server, conflicted)
    open_from_queue(conflicted_page, live_server, grant_request, "?assigned=me")
    conflicted_page.get_by_label("Yes — I have a conflict of interest").check()
    conflicted_page.get_by_label("If yes, describe the conflict").fill("I sit on the applicant's advisory board.")
    conflicted_page.get_by_role("button", name="Record my declaration").click()
    conflicted_page.wait_for_load_state()
    assert "you will not score this request" in flash(conflicted_page)
    assert conflicted_page.locator("form.staff-rubric").count() == 0
    assert "so you do not score this request" in conflicted_page.locator("#your-review").inner_text()
    assert_accessible(conflicted_page, "committee member with a conflict")

    # --- The other member scores, reads the agenda, and approves part of the amount.
    member_page = own_browser()
    staff_sign_in(member_page, live_server, member)
    open_from_queue(member_page, live_server, grant_request, "?assigned=me")
    member_page.get_by_label("No — I have no financial").check()
    member_page.get_by_role("button", name="Record my declaration").click()
    member_page.wait_for_load_state()
    score_all_criteria(member_page, [4, 4, 4, 4, 3, 5])
    member_page.get_by_label("Approve in part").check()
    member_page.get_by_label("Amount you recommend (USD)").fill("20000")
    member_page.get_by_role("button", name="Submit my review").click()
    member_page.wait_for_load_state()
    assert "Your committee review is submitted" in flash(member_page)

    member_page.locator(".object-tools").get_by_role("link", name="Committee agenda").click()
    member_page.wait_for_url("**/committee/")
    assert_accessible(member_page, "committee agenda")
    agenda_row = member_page.get_by_role("row", name=re.compile(re.escape(grant_request.reference)))
    cells = agenda_row.inner_text()
    assert "3.83" in cells  # the medical review
    assert "Declared a conflict" in cells  # Quinn's column
    assert "Approve in part" in cells and "average 4.00" in cells and "$20,000.00" in cells  # Robin's column
    headers = [text.strip() for text in member_page.locator("table.staff-agenda thead th").all_text_contents()]
    assert "Quinn Conflicted" in headers and "Robin Reviewer" in headers

    agenda_row.get_by_role("link", name=grant_request.reference).click()
    member_page.wait_for_url(f"**/admin/grants/grantrequest/{grant_request.pk}/change/**")
    member_page.locator(".staff-actions").get_by_role("link", name="Approve in part", exact=True).click()
    member_page.wait_for_url("**/actions/**")
    assert_accessible(member_page, "partial approval member_page")
    member_page.get_by_label("Amount approved (USD)").fill("24000")  # the whole amount is not a partial approval
    member_page.get_by_label("Why only part of the request is approved").fill(PARTIAL_REASON)
    member_page.get_by_role("button", name="Confirm: approve in part").click()
    member_page.wait_for_load_state()
    assert "less than the $24,000.00 requested" in member_page.locator("#content").inner_text()
    assert member_page.get_by_label("Why only part of the request is approved").input_value() == PARTIAL_REASON
    assert_accessible(member_page, "partial approval member_page with an error")
    member_page.get_by_label("Amount approved (USD)").fill("20000")
    member_page.get_by_role("button", name="Confirm: approve in part").click()
    member_page.wait_for_load_state()
    assert "moved from Committee review to Partially approved" in flash(member_page)
    assert "Partially approved" in status_badge(member_page)

    # --- The applicant reads the decision on the request page; the email is in the outbox.
    applicant_page.reload()
    decision = applicant_page.get_by_role("region", name="Decision: Partially approved")
    assert "$20,000.00" in decision.inner_text() and "$24,000.00" in decision.inner_text()
    assert PARTIAL_REASON in decision.inner_text()
    assert "Partially approved" in applicant_page.locator(".page-header").inner_text()
    assert_accessible(applicant_page, "applicant request page with the decision")
    email = Email.objects.get(template="decision_partially_approved")
    assert applicant.email in email.to and "$20,000.00" in email.body_text

    grant_request.refresh_from_db()
    assert grant_request.status == GrantStatus.PARTIALLY_APPROVED
    assert grant_request.approved_amount == Decimal("20000.00")
    assert Review.objects.filter(grant_request=grant_request, has_conflict=True, reviewer=conflicted).exists()
    assert not Review.objects.filter(reviewer=conflicted, score_educational_need__isnull=False).exists()


def test_coordinator_declines_at_screening_and_the_decline_is_final(page, applicant_page, live_server, role_groups):
    page.set_default_timeout(15_000)
    applicant = factories.applicant()
    grant_request = factories.submitted_grant_request(applicant, title="Smoking Cessation for Pharmacists")
    coordinator = staff_member(Role.COORDINATOR, first_name="Casey", last_name="Coordinator")

    staff_sign_in(page, live_server, coordinator)
    open_from_queue(page, live_server, grant_request, "?status=awaiting_staff")
    confirm_action(page, "Start screening")
    page.locator(".staff-actions").get_by_role("link", name="Decline", exact=True).click()
    page.wait_for_url("**/actions/**")
    assert "A decline is final" in page.locator("#content").inner_text()
    assert_accessible(page, "decline page")
    page.get_by_label("Message to the applicant").fill("This program falls outside our current priorities.")
    page.get_by_role("button", name="Confirm: decline").click()  # no reason ticked
    page.wait_for_load_state()
    assert "Choose at least one reason for declining." in page.locator("#content").inner_text()
    assert page.get_by_label("Message to the applicant").input_value().startswith("This program falls outside")
    reasons = page.get_by_role("group", name="Reasons for declining")
    reasons.get_by_label("Outside the areas of educational need we support").check()
    reasons.get_by_label("Budget for the period is fully committed").check()
    page.get_by_role("button", name="Confirm: decline").click()
    page.wait_for_load_state()
    assert "moved from Screening to Declined" in flash(page)
    assert "The decision is final" in page.locator(".staff-actions").inner_text()

    applicant_sign_in(applicant_page, live_server, applicant)
    row = applicant_page.get_by_role("row", name=re.compile(re.escape(grant_request.reference)))
    assert "Declined (final)" in row.inner_text()
    assert_accessible(applicant_page, "request list with a declined request")
    row.get_by_role("link").first.click()
    decision = applicant_page.get_by_role("region", name="Decision: Declined")
    assert "Outside the areas of educational need we support" in decision.inner_text()
    assert "This decision is final for this request" in decision.inner_text()
    main = applicant_page.locator("main")
    assert main.get_by_role("link", name="Withdraw this request").count() == 0
    assert main.get_by_role("button", name="Send message").count() == 0
    assert main.get_by_role("link", name="Edit the request").count() == 0
    assert_accessible(applicant_page, "declined request page")

    assert "This request is closed to new messages" in main.inner_text()

    # Typing the withdraw page's address only brings back the request, with the reason.
    applicant_page.goto(f"{live_server.url}/requests/{grant_request.pk}/withdraw/")
    applicant_page.wait_for_url(f"**/requests/{grant_request.pk}/")
    assert "can be withdrawn only before a decision is made" in main.inner_text()
    grant_request.refresh_from_db()
    assert grant_request.status == GrantStatus.DECLINED
    email = Email.objects.get(template="decision_declined")
    assert applicant.email in email.to and "Outside the areas of educational need we support" in email.body_text


def test_applicant_withdraws_a_submitted_request_and_staff_see_it_in_the_audit_trail(
    page, applicant_page, live_server, role_groups
):
    page.set_default_timeout(15_000)
    applicant = factories.applicant(first_name="Dana", last_name="Whitfield")
    grant_request = factories.submitted_grant_request(applicant, title="Migraine Prevention in Primary Care")
    coordinator = staff_member(Role.COORDINATOR)

    applicant_sign_in(applicant_page, live_server, applicant)
    assert_accessible(applicant_page, "request list with a submitted request")
    applicant_page.get_by_role("row", name=re.compile(re.escape(grant_request.reference))).get_by_role(
        "link"
    ).first.click()
    assert_accessible(applicant_page, "submitted request page")
    applicant_page.get_by_role("link", name="Withdraw this request").click()
    applicant_page.wait_for_url(f"**/requests/{grant_request.pk}/withdraw/")
    assert applicant_page.get_by_role("heading", level=1).inner_text() == (
        f"Withdraw request {grant_request.reference}?"
    )
    assert_accessible(applicant_page, "withdraw confirmation")
    applicant_page.get_by_label("Why are you withdrawing this request? (optional)").fill(
        "The faculty are no longer available this year."
    )
    applicant_page.get_by_role("button", name="Withdraw this request").click()
    applicant_page.wait_for_url(f"**/requests/{grant_request.pk}/")
    assert f"Request {grant_request.reference} was withdrawn" in applicant_page.locator("main").inner_text()
    assert "Withdrawn" in applicant_page.locator(".page-header").inner_text()
    assert applicant_page.get_by_role("link", name="Withdraw this request").count() == 0
    assert_accessible(applicant_page, "withdrawn request page")

    staff_sign_in(page, live_server, coordinator)
    open_from_queue(page, live_server, grant_request, "?status=withdrawn")
    assert "Withdrawn" in status_badge(page)
    trail = page.locator("#timeline").get_by_role("row", name=re.compile("Submitted → Withdrawn"))
    assert "Dana Whitfield" in trail.inner_text() or applicant.email in trail.inner_text()
    assert "The faculty are no longer available this year." in trail.inner_text()
    assert "Nothing for you to do" in page.locator(".staff-actions").inner_text()
    assert_accessible(page, "staff request page, withdrawn")
    grant_request.refresh_from_db()
    assert grant_request.status == GrantStatus.WITHDRAWN

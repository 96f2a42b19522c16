"""The reconciliation pages end to end: the applicant files the report over two sittings (nothing typed
lost on a format error), sees the refund with its arithmetic and submits; staff see it beside the
approved budget, return it with a question, accept it, finance records the refund, staff close. A second
organization gets 404 on every URL; each page costs the same queries with few or many rows."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import BudgetLine, OtherSupporter, Reconciliation, ReconciliationDocument
from grants.status import GrantStatus as S
from outbox.models import Email
from workflow.roles import Role

from .factories import TINY_PDF, applicant, staff_with_role
from .workflow_steps import complete_reconciliation, request_at, workflow_admin

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.cookies["ime_us_hcp"] = "yes"
    client.force_login(user)
    return client


def on(name, *args):
    return reverse(f"grants:{name}", args=args)


def first_sitting(grant_request, **extra):
    lines = list(grant_request.budget_lines.all())
    data = {
        "added-TOTAL_FORMS": "2", "added-INITIAL_FORMS": "0", "added-MIN_NUM_FORMS": "0", "added-MAX_NUM_FORMS": "30",
        f"line_{lines[0].pk}": "$7,000.00", f"line_{lines[1].pk}": "21,000",
        "added-0-description": "Captioning", "added-0-actual": "500", "added-0-explanation": "Asked by learners.",
        "learners_physicians": "120", "learners_nurses": "30", "action": "save",
    }  # fmt: skip
    return {**data, **extra}


def second_sitting(grant_request):
    data = first_sitting(grant_request)
    data.update({
        "learners_nps": "40", "learners_pas": "10", "learners_pharmacists": "5", "learners_psychologists": "3",
        "learners_other": "2", "moore_level_reached": "4", "outcomes_summary": "Competence rose on the post-test.",
        "disclosure_method": "slide", "credits_awarded": "1.5", "attested": "on", "action": "review",
    })  # fmt: skip
    for kind in ("final_budget", "attendance_summary", "outcomes_report", "outcomes_data", "disclosure_evidence"):
        data[f"document_{kind}"] = SimpleUploadedFile(f"{kind}.pdf", TINY_PDF, content_type="application/pdf")
    return data


def test_the_applicant_files_the_report_over_two_sittings_and_submits_it_with_the_refund_shown():
    grant_request = request_at(S.RECONCILIATION_DUE)
    client = signed_in(grant_request.created_by)
    detail = client.get(on("request_detail", grant_request.pk)).content.decode()
    assert "Start the reconciliation report" in detail

    page = client.get(on("reconciliation", grant_request.pk))
    assert page.status_code == 200 and "Reconciliation and outcomes report" in page.content.decode()

    # A format error: the page says so, keeps everything typed, and saves nothing.
    bad = first_sitting(grant_request, learners_physicians="about a hundred")
    refused = client.post(on("reconciliation", grant_request.pk), bad)
    body = refused.content.decode()
    assert refused.status_code == 200 and "<title>Error: " in body
    assert "Enter a whole number" in body and 'value="about a hundred"' in body and 'value="Captioning"' in body
    assert not Reconciliation.objects.get(grant_request=grant_request).lines.exists()

    saved = client.post(on("reconciliation", grant_request.pk), first_sitting(grant_request))
    assert saved.status_code == 302
    report = Reconciliation.objects.get(grant_request=grant_request)
    assert sorted(report.lines.values_list("actual", flat=True)) == [Decimal("500"), Decimal("7000"), Decimal("21000")]
    summary = client.get(on("reconciliation_summary", grant_request.pk)).content.decode()
    assert "Before you can submit" in summary

    # Second sitting: the rest, with the documents; then the refund with its arithmetic.
    done = client.post(on("reconciliation", grant_request.pk), second_sitting(grant_request))
    assert done.status_code == 302 and done.url == on("reconciliation_summary", grant_request.pk)
    summary = client.get(on("reconciliation_summary", grant_request.pk)).content.decode()
    # 25,000 paid − 28,500 spent: over-spent, nothing to return.
    assert "= Surplus" in summary and "−$3,500.00" in summary and "Submit the reconciliation" in summary

    emails = list(Email.objects.values_list("pk", flat=True))
    submitted = client.post(on("reconciliation_submit", grant_request.pk), {"expected_status": S.RECONCILIATION_DUE})
    assert submitted.status_code == 302
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_SUBMITTED and grant_request.refund_due == Decimal("0.00")
    assert set(Email.objects.exclude(pk__in=emails).values_list("template", flat=True)) == {
        "reconciliation_receipt", "reconciliation_alert",
    }  # fmt: skip
    # Submitted: the report is read-only.
    assert client.get(on("reconciliation", grant_request.pk)).url == on("reconciliation_summary", grant_request.pk)
    late = client.post(on("reconciliation", grant_request.pk), first_sitting(grant_request))
    assert late.status_code == 302


def test_submitting_an_incomplete_report_shows_what_is_missing_as_an_error():
    grant_request = request_at(S.RECONCILIATION_DUE)
    client = signed_in(grant_request.created_by)
    client.post(on("reconciliation", grant_request.pk), first_sitting(grant_request))
    response = client.post(on("reconciliation_submit", grant_request.pk), {"expected_status": S.RECONCILIATION_DUE})
    body = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in body and "The outcomes data file." in body
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_DUE


def test_a_file_we_do_not_accept_is_refused_on_the_page():
    grant_request = request_at(S.RECONCILIATION_DUE)
    client = signed_in(grant_request.created_by)
    data = first_sitting(grant_request)
    data["document_final_budget"] = SimpleUploadedFile("budget.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(on("reconciliation", grant_request.pk), data)
    assert response.status_code == 200 and "is not a file type we accept" in response.content.decode()
    assert not ReconciliationDocument.objects.exists()


def test_return_with_questions_answer_accept_refund_and_close_through_the_pages():
    admin = workflow_admin()
    grant_request = request_at(S.RECONCILIATION_SUBMITTED, staff=admin)
    staff = signed_in(admin)
    page = staff.get(reverse("admin:grants_grantrequest_change", args=[grant_request.pk])).content.decode()
    assert "Reconciliation" in page and "variance-under" in page and "Return the reconciliation with questions" in page

    action = reverse("admin:grants_grantrequest_action", args=[grant_request.pk, "return_reconciliation"])
    empty = staff.post(action, {"expected_status": S.RECONCILIATION_SUBMITTED, "message": ""})
    assert empty.status_code == 200 and "Write the questions" in empty.content.decode()
    staff.post(action, {"expected_status": S.RECONCILIATION_SUBMITTED, "message": "Why was the platform cheaper?"})
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_RETURNED

    member = signed_in(grant_request.created_by)
    assert "Read and answer them" in member.get(on("request_detail", grant_request.pk)).content.decode()
    summary = member.get(on("reconciliation_summary", grant_request.pk)).content.decode()
    assert "Why was the platform cheaper?" in summary
    blank = member.post(on("reconciliation_answer", grant_request.pk),
                        {"expected_status": S.RECONCILIATION_RETURNED, "answer": " "})  # fmt: skip
    assert blank.status_code == 200 and "<title>Error: " in blank.content.decode()
    member.post(on("reconciliation_answer", grant_request.pk),
                {"expected_status": S.RECONCILIATION_RETURNED, "answer": "A sponsor discount."})  # fmt: skip
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILIATION_SUBMITTED

    accept = reverse("admin:grants_grantrequest_action", args=[grant_request.pk, "accept_reconciliation"])
    staff.post(accept, {"expected_status": S.RECONCILIATION_SUBMITTED, "note": ""})
    grant_request.refresh_from_db()
    assert grant_request.status == S.RECONCILED and grant_request.refund_due == Decimal("1000.00")

    close = reverse("admin:grants_grantrequest_action", args=[grant_request.pk, "close_grant"])
    refused = staff.post(close, {"expected_status": S.RECONCILED, "note": "", "waiver_reason": ""})
    assert refused.status_code == 200 and "is still due" in refused.content.decode()

    finance = signed_in(staff_with_role(Role.FINANCE))
    refund = reverse("admin:grants_grantrequest_action", args=[grant_request.pk, "record_reconciliation_refund"])
    form = finance.get(refund).content.decode()
    assert "stays" in form
    finance.post(refund, {"expected_status": S.RECONCILED, "amount": "1000.00",
                          "received_on": timezone.localdate().isoformat(), "reference": "CHK-77"})  # fmt: skip
    assert grant_request.refunds.get().amount == Decimal("1000.00")

    staff.post(close, {"expected_status": S.RECONCILED, "note": "", "waiver_reason": ""})
    grant_request.refresh_from_db()
    assert grant_request.status == S.CLOSED
    closed = member.get(on("reconciliation_summary", grant_request.pk)).content.decode()
    assert "Closed" in closed and "Refund received so far: $1,000.00" in closed


def test_a_second_organisation_gets_404_on_every_reconciliation_url():
    grant_request = request_at(S.RECONCILIATION_RETURNED)
    report = complete_reconciliation(grant_request)
    document = report.documents.first()
    outsider = signed_in(applicant())
    for method, url, data in [
        ("get", on("reconciliation", grant_request.pk), {}),
        ("post", on("reconciliation", grant_request.pk), first_sitting(grant_request)),
        ("get", on("reconciliation_summary", grant_request.pk), {}),
        ("post", on("reconciliation_submit", grant_request.pk), {"expected_status": S.RECONCILIATION_DUE}),
        ("post", on("reconciliation_answer", grant_request.pk), {"expected_status": S.RECONCILIATION_RETURNED,
                                                                 "answer": "x"}),
        ("get", on("reconciliation_document", grant_request.pk, document.pk), {}),
    ]:  # fmt: skip
        assert getattr(outsider, method)(url, data).status_code == 404, url
    member = signed_in(grant_request.created_by)
    download = member.get(on("reconciliation_document", grant_request.pk, document.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == TINY_PDF


def test_the_staff_download_of_a_report_document_needs_the_permission():
    grant_request = request_at(S.RECONCILIATION_DUE)
    document = complete_reconciliation(grant_request).documents.first()
    url = reverse("admin:grants_grantrequest_reconciliation_document", args=[grant_request.pk, document.pk])
    assert signed_in(workflow_admin()).get(url).status_code == 200
    assert signed_in(grant_request.created_by).get(url).status_code in (302, 403)


def test_the_queue_filters_overdue_reconciliations_with_days_overdue():
    overdue = request_at(S.RECONCILIATION_DUE)
    not_yet = request_at(S.RECONCILIATION_DUE, member=overdue.created_by)
    # Nine days after the due date the daily task set (the dates of a walk lie in the future).
    type(overdue).objects.filter(pk=overdue.pk).update(
        reconciliation_due_on=timezone.localdate() - timezone.timedelta(days=9)
    )
    staff = signed_in(workflow_admin())
    page = staff.get(reverse("admin:grants_grantrequest_changelist") + "?reconciliation=overdue").content.decode()
    assert overdue.reference in page and not_yet.reference not in page
    assert '<td class="field-days_overdue_column">9</td>' in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(grant_request, n):
    report = complete_reconciliation(grant_request)
    for i in range(n):
        line = BudgetLine.objects.create(grant_request=grant_request, category="faculty_honoraria",
                                         description=f"Extra {i}", unit_cost=Decimal("10"), quantity=1)  # fmt: skip
        report.lines.create(budget_line=line, actual=Decimal("9"))
        report.lines.create(description=f"Added {i}", actual=Decimal("1"), explanation="Needed.")
        supporter = OtherSupporter.objects.create(grant_request=grant_request, name=f"S{i}", amount=Decimal("5"))
        report.supports.create(supporter=supporter, actual=Decimal("5"))


@pytest.mark.parametrize("page", ["reconciliation", "reconciliation_summary", "admin"])
def test_each_page_costs_the_same_queries_with_few_or_many_rows(page):
    counts = []
    admin, member = workflow_admin(), applicant()
    for n in (1, 8):
        grant_request = request_at(S.RECONCILIATION_DUE, member=member)
        _grow(grant_request, n)
        if page == "admin":
            client, url = signed_in(admin), reverse("admin:grants_grantrequest_change", args=[grant_request.pk])
        else:
            client, url = signed_in(grant_request.created_by), on(page, grant_request.pk)
        _queries(client, url)  # warm the session and caches
        counts.append(_queries(client, url))
    assert counts[0] == counts[1]

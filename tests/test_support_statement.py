"""The commercial-support statement of an accredited grant: the applicant's printable page (404 for
another organization, and for a grant that is not accredited or not yet executed) and the staff copy."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from grants.choices import RequestType
from grants.models import Payment, Refund
from grants.status import GrantStatus as S
from workflow.roles import Role

from .factories import staff_with_role
from .workflow_steps import finance_officer, request_at, walk

pytestmark = pytest.mark.django_db


def statement_url(grant_request):
    return reverse("grants:request_support_statement", args=[grant_request.pk])


def staff_url(grant_request):
    return reverse("admin:grants_grantrequest_support_statement", args=[grant_request.pk])


@pytest.fixture
def paid_in_two(applicant_user):
    """An accredited grant of $25,000 paid in two instalments, $3,000 returned at reconciliation."""
    grant = request_at(S.AGREEMENT_SIGNED, member=applicant_user)
    walk(grant, ["record_instalment", "record_final_payment"], member=applicant_user)
    first, second = grant.payments.order_by("pk")
    Payment.objects.filter(pk=first.pk).update(paid_on=date(2026, 3, 2))
    Payment.objects.filter(pk=second.pk).update(paid_on=date(2026, 4, 15))
    Refund.objects.create(
        grant_request=grant, cause=Refund.Cause.RECONCILIATION, amount=Decimal("3000.00"),
        received_on=date(2026, 10, 1), reference="CHK-1208", recorded_by=finance_officer(),
    )  # fmt: skip
    grant.refresh_from_db()
    return grant


def test_the_applicant_reads_supporter_amounts_dates_paid_and_in_kind_none(applicant_client, paid_in_two):
    detail = applicant_client.get(reverse("grants:request_detail", args=[paid_in_two.pk])).content.decode()
    assert f'href="{statement_url(paid_in_two)}"' in detail

    response = applicant_client.get(statement_url(paid_in_two))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Axsome Therapeutics, Inc." in page
    assert "March 2, 2026" in page and "April 15, 2026" in page and "October 1, 2026" in page
    assert "$12,500.00" in page  # each instalment
    assert '<dd class="col-sm-8 statement-net">$22,000.00</dd>' in page  # 25,000 paid - 3,000 returned
    assert '<dt class="col-sm-4">In-kind support</dt><dd class="col-sm-8">None</dd>' in page
    assert paid_in_two.reference in page


def test_another_organization_gets_404(other_applicant_client, paid_in_two):
    assert other_applicant_client.get(statement_url(paid_in_two)).status_code == 404


def test_no_statement_before_execution_or_for_a_grant_that_is_not_accredited(applicant_client, applicant_user):
    approved = request_at(S.APPROVED, member=applicant_user)
    detail = applicant_client.get(reverse("grants:request_detail", args=[approved.pk])).content.decode()
    assert "Commercial-support statement" not in detail
    assert applicant_client.get(statement_url(approved)).status_code == 404

    patient = request_at(S.PAID, member=applicant_user, request_type=RequestType.PATIENT_COMMUNITY,
                         signer_email="signer.two@provider.example.org")  # fmt: skip
    assert applicant_client.get(statement_url(patient)).status_code == 404


def test_staff_read_the_same_statement_from_the_request_page(client, paid_in_two):
    client.force_login(staff_with_role(Role.MEDICAL))
    request_page = client.get(reverse("admin:grants_grantrequest_change", args=[paid_in_two.pk])).content.decode()
    assert f'href="{staff_url(paid_in_two)}"' in request_page

    page = client.get(staff_url(paid_in_two)).content.decode()
    assert "Axsome Therapeutics, Inc." in page and "$22,000.00" in page and "April 15, 2026" in page


def test_staff_get_404_for_a_grant_that_is_not_accredited(client, applicant_user):
    patient = request_at(S.APPROVED, member=applicant_user, request_type=RequestType.PATIENT_COMMUNITY)
    client.force_login(staff_with_role(Role.COORDINATOR))
    assert client.get(staff_url(patient)).status_code == 404
    page = client.get(reverse("admin:grants_grantrequest_change", args=[patient.pk])).content.decode()
    assert staff_url(patient) not in page

"""The staff list of reconciliation reports: what it shows, what its export carries (the actual cost
summed in the database, the refund due, learners), who may export it, and its constant query count."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.status import GrantStatus as S
from workflow.roles import Role

from .factories import staff_with_role
from .workflow_steps import complete_reconciliation, request_at

pytestmark = pytest.mark.django_db
LIST = reverse("admin:grants_reconciliation_changelist")


def signed_in(role):
    client = Client()
    client.force_login(staff_with_role(role))
    return client


def ended_grant(n):
    # Each organization has its own authorized signer (a user per email).
    return request_at(S.RECONCILIATION_DUE, signer_email=f"signer{n}@provider.example.org")


def test_the_export_has_each_reports_actual_cost_refund_and_learners():
    grant_request = request_at(S.RECONCILIATION_DUE)
    complete_reconciliation(grant_request, spent_share=Decimal("0.5"))  # $15,000 of the $30,000 budget

    response = signed_in(Role.FINANCE).get(reverse("admin:grants_reconciliation_export_csv"))

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["Request"] == grant_request.reference
    assert row["Actual cost (USD)"] == "15000.00"
    assert row["Learners: physicians"] == "120"
    assert row["Request status"] == "Reconciliation due"


def test_the_list_costs_the_same_queries_with_one_report_or_several():
    client = signed_in(Role.COORDINATOR)
    complete_reconciliation(ended_grant(0))
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for n in range(1, 4):
        complete_reconciliation(ended_grant(n))
    with CaptureQueriesContext(connection) as four:
        page = client.get(LIST)
    assert page.status_code == 200 and page.content.decode().count("IME-") >= 4
    assert len(four) == len(one)


def test_reviewers_may_read_the_list_but_not_export_it():
    client = signed_in(Role.MEDICAL)
    assert client.get(LIST).status_code == 200
    assert client.get(reverse("admin:grants_reconciliation_export_csv")).status_code == 403

"""Django side of scripts/benchmark.py, run in a child process once per database (the environment names
it): migrate, seed the benchmark data (or reuse it), sign the benchmark users in and count the SQL
queries of every measured page. Prints one ``BENCHMARK-RESULT {json}`` line for the orchestrator.

    DATABASE_URL=... python scripts/benchmark_data.py --rows 10000 --organisations 300 \\
        --applicant-requests 200 --pages '<json from benchmark.py>' [--sessions]
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ime_portal.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from grants import choices  # noqa: E402
from grants.models import (  # noqa: E402
    Attachment,
    BudgetLine,
    GrantRequest,
    LearningObjective,
    Membership,
    Organisation,
    StatusChange,
)  # fmt: skip
from grants.status import GrantStatus as S  # noqa: E402
from portal.caching import forget_public_pages, public_page_key  # noqa: E402
from reviews.models import Assignment  # noqa: E402
from workflow.models import RoleGroup  # noqa: E402
from workflow.roles import Role  # noqa: E402

User = get_user_model()
RESULT_MARK = "BENCHMARK-RESULT "
RESEED_EXIT = 3  # the database holds other data: the orchestrator rebuilds it
SEED_PREFIX = "Benchmark Education Provider"
APPLICANT = "bench-applicant@bench.example.org"
COORDINATOR = "bench-coordinator@axsome.example.com"
DETAIL_TITLE = "Benchmark detail request: case-based update in depression care"
# Most requests are somewhere past submission; a few are drafts.
STATUS_MIX = [
    S.DRAFT, S.SUBMITTED, S.SCREENING, S.INFORMATION_REQUESTED, S.MEDICAL_REVIEW, S.COMMITTEE_REVIEW, S.APPROVED,
    S.PARTIALLY_APPROVED, S.DECLINED, S.WITHDRAWN, S.AGREEMENT_SENT, S.AGREEMENT_SIGNED, S.PAID, S.IN_PROGRESS,
    S.RECONCILIATION_DUE, S.RECONCILED, S.CLOSED, S.CLOSED, S.DRAFT,
]  # fmt: skip
BUDGET_CATEGORIES = [
    choices.BudgetCategory.FACULTY_HONORARIA, choices.BudgetCategory.ONLINE_PLATFORM, choices.BudgetCategory.VENUE,
]  # fmt: skip
STATES = ["MA", "NY", "CA", "TX", "IL", "PA", "FL", "OH", "NC", "WA"]


# --- Seeding ------------------------------------------------------------------------------------


def seed(rows, organisations, applicant_requests):
    """The benchmark data, created in one transaction; reused while the counts match."""
    existing_orgs = Organisation.objects.filter(legal_name__startswith=SEED_PREFIX).count()
    existing_rows = GrantRequest.objects.count()
    if existing_orgs or existing_rows:
        if (existing_orgs, existing_rows) != (organisations, rows):
            print(f"holds {existing_rows} requests in {existing_orgs} benchmark organisations", file=sys.stderr)
            sys.exit(RESEED_EXIT)
        return describe_seed(reused=True)
    started = time.monotonic()
    with transaction.atomic():
        owners, coordinator, reviewer = create_users(organisations)
        orgs = create_organisations(owners)
        requests = create_requests(rows, orgs, owners, applicant_requests)
        create_request_details(requests, coordinator, reviewer)
    return describe_seed(reused=False, seconds=round(time.monotonic() - started, 1))


def describe_seed(reused, seconds=0.0):
    organisation = User.objects.get(username=APPLICANT).membership.organisation
    return {
        "reused": reused,
        "seconds": seconds,
        "requests": GrantRequest.objects.count(),
        "organisations": Organisation.objects.count(),
        "budget_lines": BudgetLine.objects.count(),
        "attachments": Attachment.objects.count(),
        "status_changes": StatusChange.objects.count(),
        "applicant_requests": organisation.grant_requests.count(),
        "detail_id": organisation.grant_requests.get(title=DETAIL_TITLE).pk,
        # A draft of the applicant's, for the section edit page (only drafts and answered requests open).
        "draft_id": organisation.grant_requests.filter(status=S.DRAFT).order_by("pk").values_list("pk", flat=True)[0],
    }


def create_users(organisations):
    """One owner per organisation (the first is the benchmark applicant), a coordinator and a reviewer.
    Nobody signs in with a password: sessions are made directly."""
    unusable = make_password(None)

    def user(email, first, last, **extra):
        return User(username=email, email=email, first_name=first, last_name=last, password=unusable, **extra)

    owners = User.objects.bulk_create(
        [user(APPLICANT, "Avery", "Benchmark")]
        + [user(f"bench-owner-{i:03d}@bench.example.org", "Owner", f"{i:03d}") for i in range(1, organisations)]
    )
    coordinator, reviewer = User.objects.bulk_create(
        [
            user(COORDINATOR, "Casey", "Coordinator", is_staff=True),
            user("bench-reviewer@axsome.example.com", "Riley", "Reviewer", is_staff=True),
        ]
    )
    coordinator.groups.add(RoleGroup.objects.get(code=Role.COORDINATOR).group)
    reviewer.groups.add(RoleGroup.objects.get(code=Role.MEDICAL).group)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in [*owners, coordinator, reviewer]
    )
    return owners, coordinator, reviewer


def create_organisations(owners):
    org_types = list(choices.OrganisationType)
    expiry = timezone.localdate() + timedelta(days=400)
    orgs = Organisation.objects.bulk_create(
        Organisation(
            legal_name=f"{SEED_PREFIX} {i:03d}, Inc.",
            org_type=org_types[i % len(org_types)],
            tax_status=choices.TaxStatus.NON_PROFIT,
            ein=f"{10 + i % 89:02d}-{1000000 + i:07d}",
            address_line1=f"{100 + i} Main Street",
            city="Springfield",
            state=STATES[i % len(STATES)],
            postal_code=f"{10000 + i:05d}",
            accreditation_body=choices.AccreditationBody.ACCME,
            accreditation_id=f"ACCME-{5000 + i}",
            accreditation_expiry=expiry,
        )
        for i in range(len(owners))
    )
    Membership.objects.bulk_create(
        Membership(organisation=org, user=owner, role=Membership.Role.OWNER)
        for org, owner in zip(orgs, owners, strict=True)
    )
    return orgs


def create_requests(rows, orgs, owners, applicant_requests):
    """``rows`` requests: the applicant's organisation (the first) gets its share, the rest go round."""
    areas, formats, kinds = list(choices.TherapeuticArea), list(choices.ProgramFormat), list(choices.RequestType)
    now, today = timezone.now(), timezone.localdate()
    requests = []
    for n in range(rows):
        # The first is the applicant's detail page: in screening, with history, budget and attachments.
        # The second is a draft, for the section edit page (a request past submission is not editable).
        status = S.SCREENING if n == 0 else S.DRAFT if n == 1 else STATUS_MIX[(n * 7) % len(STATUS_MIX)]
        owner = 0 if n < applicant_requests else 1 + n % (len(orgs) - 1)
        area, start = areas[n % len(areas)], today + timedelta(days=(n % 400) - 150)
        requests.append(
            GrantRequest(
                reference=None if status == S.DRAFT else f"IME-2025-{n + 1:05d}",
                organisation=orgs[owner],
                created_by=owners[owner],
                status=status,
                requester_name="Dana Whitfield",
                requester_email=owners[owner].email,
                signer_name="Dr. Lee Park",
                signer_title="Director of CME",
                request_type=kinds[n % len(kinds)],
                title=DETAIL_TITLE if n == 0 else f"Closing care gaps in {area.label}, programme {n + 1}",
                therapeutic_area=area,
                program_format=formats[n % len(formats)],
                start_date=start,
                end_date=start + timedelta(days=1),
                target_audience="Psychiatrists, neurologists, primary care physicians",
                expected_learners=100 + n % 900,
                needs_assessment="Clinician surveys show gaps in recognising and stepping up treatment.",
                educational_design="Case-based sessions with audience response.",
                outcomes_plan="Pre/post and 60-day follow-up surveys.",
                moore_level=choices.MooreLevel.PERFORMANCE,
                amount_requested=Decimal(5000 + (n * 137) % 145000),
                attest_independence=True,
                attest_open_payments=True,
                submitted_at=None if status == S.DRAFT else now - timedelta(minutes=n),
            )
        )
    return GrantRequest.objects.bulk_create(requests, batch_size=1000)


def create_request_details(requests, coordinator, reviewer):
    """Budget lines and an objective on every request, history on every submitted one, attachment rows
    on one in 25 (rows only: no page measured opens the files) and medical-review assignments."""
    BudgetLine.objects.bulk_create(
        (
            BudgetLine(grant_request=r, category=category, description=f"{category.label} (line {k + 1})",
                       unit_cost=Decimal(1000 + k * 500), quantity=1 + k, position=k)
            for r in requests
            for k, category in enumerate(BUDGET_CATEGORIES[: 2 + r.pk % 2])
        ),
        batch_size=2000,
    )  # fmt: skip
    LearningObjective.objects.bulk_create(
        (LearningObjective(grant_request=r, text="Apply guideline criteria for next-step therapy.") for r in requests),
        batch_size=2000,
    )
    Attachment.objects.bulk_create(
        Attachment(grant_request=r, kind=kind, file=f"bench/{r.pk}/{kind}.pdf", original_name=f"{kind}.pdf",
                   content_type="application/pdf", size=48_000, uploaded_by=r.created_by)
        for i, r in enumerate(requests)
        if i % 25 == 0
        for kind in (["request_letter", "budget"] if i == 0 else ["request_letter"])
    )  # fmt: skip
    StatusChange.objects.bulk_create(
        (
            StatusChange(grant_request=r, transition="submit", from_status=S.DRAFT, to_status=S.SUBMITTED,
                         actor=r.created_by)
            for r in requests
            if r.status != S.DRAFT
        ),
        batch_size=2000,
    )  # fmt: skip
    StatusChange.objects.create(grant_request=requests[0], transition="start_screening", from_status=S.SUBMITTED,
                                to_status=S.SCREENING, actor=coordinator)  # fmt: skip
    Assignment.objects.bulk_create(
        Assignment(grant_request=r, reviewer=reviewer, stage=S.MEDICAL_REVIEW, assigned_by=coordinator)
        for r in requests
        if r.status == S.MEDICAL_REVIEW
    )


# --- Sessions and query counts -----------------------------------------------------------------


def signed_in_clients():
    """Test clients past the gate: anonymous, the applicant and the coordinator, signed in through real
    sessions in the database (the coordinator's also OTP-verified, should the admin ask for it)."""
    clients = {}
    for who, username in [("anonymous", None), ("applicant", APPLICANT), ("coordinator", COORDINATOR)]:
        client = Client()
        client.cookies["ime_us_hcp"] = "yes"
        if username:
            user = User.objects.get(username=username)
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            if user.is_staff:
                device, _ = TOTPDevice.objects.get_or_create(user=user, name="benchmark", defaults={"confirmed": True})
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
        clients[who] = client
    return clients


def count_queries(clients, pages, ids: dict):
    """SQL queries of each page's second request (a process's first requests fill its caches)."""
    pages = [(label, path.format(**ids), who, text) for label, path, who, text in pages]
    faq = next((page for page in pages if page[1] == "/faq/"), None)
    if faq:
        pages.insert(pages.index(faq), ("public page, fresh render (/faq/)", *faq[1:]))
    counted = {}
    for label, path, who, text in pages:
        client = clients[who]
        client.get(path)
        if "fresh render" in label:
            cache.delete(public_page_key("faq", "/faq/"))
            forget_public_pages()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        ok = response.status_code == 200 and text in response.content.decode()
        counted[label] = {"queries": len(queries), "status": response.status_code, "ok": ok}
    return counted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--organisations", type=int, required=True)
    parser.add_argument("--applicant-requests", type=int, required=True)
    parser.add_argument("--pages", required=True, help="JSON list of [label, path, who, expected text]")
    parser.add_argument("--sessions", action="store_true", help="also print the session cookies")
    args = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    seeded = seed(args.rows, args.organisations, args.applicant_requests)
    with connection.cursor() as cursor:
        # Planner statistics and visibility maps as autovacuum keeps them on a live database: without
        # them PostgreSQL plans the bulk-loaded tables as if nearly empty, and autovacuum would start
        # catching up in the middle of the measurements.
        cursor.execute("VACUUM (ANALYZE)")
    clients = signed_in_clients()
    ids = {"detail": seeded["detail_id"], "draft": seeded["draft_id"]}
    result = {"seed": seeded, "queries": count_queries(clients, json.loads(args.pages), ids)}
    if args.sessions:
        name = settings.SESSION_COOKIE_NAME
        result["sessions"] = {
            who: f"{name}={c.cookies[name].value}" for who, c in clients.items() if who != "anonymous"
        }
    print(RESULT_MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""How long the reminder sweep (reviews/reminders.py) takes at 100,000 grant requests, on PostgreSQL.

    .venv/bin/python scripts/reminder_sweep_benchmark.py              # seed once (reused), then measure
    .venv/bin/python scripts/reminder_sweep_benchmark.py --reseed     # drop and rebuild the database first
    .venv/bin/python scripts/reminder_sweep_benchmark.py --explain    # also print each query's plan

1. Creates and migrates a database of its own (--database-url; its name must contain "bench", since the
   script may drop it) and fills it with bulk inserts: --requests grant requests over 2,000
   organizations in a post-award-heavy mix of statuses, a Letter of Agreement for every request past
   approval (signed unless it waits in "agreement sent"), information requests (answered, and one open
   per request waiting on the applicant), two review assignments per reviewed request with their reviews,
   and reconciliation due dates spread over six months around today. Timestamps spread over two years.
2. Marks every reminder that was already due yesterday as sent (their keys, as yesterday's sweep would
   have left them), so today's sweep sends what a real day's sweep sends: the objects whose occasion
   came today.
3. Times today's sweep (the four SELECTs and one ``queue_email_once`` per reminder, each mail handed to
   kombu's in-process "memory://" broker, so nothing is delivered and no other process sees it), then a
   second sweep the same day (the hourly catch-up: nothing left to send), --rounds times, with today's keys
   removed in between, keeping the best round. Then EXPLAIN ANALYZE of each kind's SELECT, flagging
   sequential scans of the large tables.
Only 127.0.0.1 is contacted. A few minutes the first time (seeding), well under a minute after.
"""

import argparse
import os
import random
import secrets
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEED_MARK = "Reminder benchmark organization"
LARGE_TABLES = ("grants_grantrequest", "grants_agreement", "grants_informationrequest", "reviews_assignment",
                "reviews_review", "outbox_sentonce")  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ime_reminders_bench")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the full plan of each SELECT")
    return parser.parse_args()


def ensure_database(url, recreate):
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to use {name!r}: the benchmark database's name must contain 'bench'.")
    server = urlsplit(url)._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if recreate or not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def configure(args):
    os.environ.update(
        DATABASE_URL=args.database_url, CELERY_BROKER_URL="memory://", IME_ENVIRONMENT="demo",
        IME_DEMO_DATA="0", HTTPS="0", LOG_LEVEL="WARNING", EMAIL_URL="dummymail://",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="ime_portal.settings", IME_VAR_DIR=str(ROOT / "var" / "reminder-bench"),
    )  # fmt: skip
    import django

    django.setup()


# --- Seeding ------------------------------------------------------------------------------------

# Share of the requests in each status (sums to 100): most of a mature portal's rows are past the award.
MIX = [
    ("draft", 8), ("submitted", 2), ("screening", 2), ("information_requested", 4), ("medical_review", 4),
    ("committee_review", 3), ("declined", 12), ("withdrawn", 4), ("agreement_sent", 5), ("agreement_signed", 2),
    ("paid", 4), ("in_progress", 10), ("reconciliation_due", 10), ("reconciled", 5), ("closed", 25),
]  # fmt: skip
PAST_AGREEMENT = {"agreement_signed", "paid", "in_progress", "reconciliation_due", "reconciled", "closed"}
REVIEWED = {"declined", "agreement_sent", *PAST_AGREEMENT}
BATCH = 5_000


@contextmanager
def timestamps_as_given(*models):
    """bulk_create would stamp ``auto_now_add`` fields with the present; the seed spreads them in time."""
    fields = [f for model in models for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def seed(requests):
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from grants.models import Agreement, AgreementTemplate, GrantRequest, InformationRequest, Organisation
    from grants.models.agreements import text_hash
    from reviews.models import Assignment, Review

    user_model = get_user_model()
    now, today = timezone.now(), timezone.localdate()
    started = time.monotonic()
    rng = random.Random(2026)  # the same data on every machine
    with transaction.atomic(), timestamps_as_given(GrantRequest, Agreement, InformationRequest, Assignment, Review):
        staff = user_model.objects.create(username="bench-staff", email="staff@bench.example.com", is_staff=True)
        reviewers = user_model.objects.bulk_create(
            user_model(username=f"bench-reviewer-{n}", email=f"reviewer{n}@bench.example.com", is_staff=True,
                       first_name="Robin", last_name=f"Reviewer {n}")
            for n in range(60)
        )  # fmt: skip
        applicants = user_model.objects.bulk_create(
            user_model(username=f"bench-applicant-{n}", email=f"applicant{n}@provider{n}.example.org")
            for n in range(2_000)
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(legal_name=f"{SEED_MARK} {n}", org_type="accredited_provider", tax_status="non_profit",
                         ein=f"{10 + n % 89:02d}-{1000000 + n:07d}", address_line1="1 Main Street", city="Boston",
                         state="MA", postal_code="02110")
            for n in range(2_000)
        )  # fmt: skip
        statuses = [status for status, share in MIX for _ in range(share)]
        template = AgreementTemplate.current()
        letter = "Letter of Agreement (benchmark text)."
        for start in range(0, requests, BATCH):
            rows = []
            for i in range(start, min(start + BATCH, requests)):
                status = statuses[i % len(statuses)]
                org = i % len(organisations)
                age = timedelta(days=rng.randrange(730), minutes=rng.randrange(1440))
                rows.append(GrantRequest(
                    organisation=organisations[org], created_by=applicants[org], status=status,
                    created_at=now - age - timedelta(days=5), status_changed_at=now - age / 2,
                    reference=None if status == "draft" else f"IME-B-{i:07d}",
                    submitted_at=None if status == "draft" else now - age, title=f"Benchmark program {i}",
                    requester_name="Dana Whitfield", requester_email=applicants[org].email,
                    signer_name="Lee Park", signer_email=f"signer{org}@provider{org}.example.org",
                    amount_requested=25_000, approved_amount=25_000 if status in REVIEWED - {"declined"} else None,
                    reconciliation_due_on=(today + timedelta(days=rng.randrange(-90, 90)))
                    if status in {"reconciliation_due", "reconciled", "closed"} else None,
                ))  # fmt: skip
            made = GrantRequest.objects.bulk_create(rows)
            agreements, rfis, assignments, reviews = [], [], [], []
            for n, gr in enumerate(made):
                i = start + n
                spread = timedelta(days=rng.randrange(60), minutes=rng.randrange(1440))
                if gr.status == "agreement_sent" or gr.status in PAST_AGREEMENT:
                    signed = gr.status in PAST_AGREEMENT
                    agreements.append(Agreement(
                        grant_request=gr, version=1, template=template, text=letter, text_sha256=text_hash(letter),
                        issued_by=staff, issued_at=now - spread - (timedelta(days=90) if signed else timedelta()),
                        signed_by=applicants[i % len(applicants)] if signed else None,
                        signed_at=now - spread if signed else None, signed_sha256=text_hash(letter) if signed else "",
                    ))  # fmt: skip
                if gr.status != "draft" and i % 3 == 0:  # an answered information request in its past
                    rfis.append(InformationRequest(grant_request=gr, requested_by=staff, message="Agenda, please.",
                                                   created_at=gr.submitted_at, answered_at=gr.submitted_at,
                                                   answer="Attached."))  # fmt: skip
                if gr.status == "information_requested":
                    rfis.append(InformationRequest(grant_request=gr, requested_by=staff, message="Budget detail.",
                                                   created_at=now - spread))  # fmt: skip
                stages = {"medical_review": ["medical_review"], "committee_review": ["medical_review",
                          "committee_review"]}.get(gr.status, ["medical_review", "committee_review"]
                                                   if gr.status in REVIEWED else [])  # fmt: skip
                for stage in stages:
                    for k in range(2):
                        reviewer = reviewers[(i + k * 7) % len(reviewers)]
                        current = stage == gr.status
                        assignments.append(Assignment(grant_request=gr, reviewer=reviewer, stage=stage,
                                                      assigned_by=staff, assigned_at=now - spread))  # fmt: skip
                        if not current or (i + k) % 2:  # past stages reviewed; half of the current ones
                            reviews.append(Review(grant_request=gr, reviewer=reviewer, stage=stage,
                                                  has_conflict=False, created_at=now - spread,
                                                  submitted_at=now - spread / 2))  # fmt: skip
            Agreement.objects.bulk_create(agreements)
            InformationRequest.objects.bulk_create(rfis)
            Assignment.objects.bulk_create(assignments)
            Review.objects.bulk_create(reviews)
    print(f"Seeded {requests:,} requests in {time.monotonic() - started:.0f} s.", flush=True)


def counts():
    from grants.models import Agreement, GrantRequest, InformationRequest
    from outbox.models import SentOnce
    from reviews.models import Assignment, Review

    return {model._meta.label: model.objects.count()
            for model in (GrantRequest, Agreement, InformationRequest, Assignment, Review, SentOnce)}  # fmt: skip


# --- Measuring -----------------------------------------------------------------------------------


def mark_yesterdays_reminders_sent(today):
    """What yesterday's sweep left: the keys of every reminder due then."""
    from outbox.models import SentOnce
    from reviews.reminders import ALL_OCCASIONS

    yesterday = today - timedelta(days=1)
    keys = [reminder.key for occasion in ALL_OCCASIONS.values() for reminder in occasion(yesterday)]
    SentOnce.objects.bulk_create([SentOnce(key=key) for key in keys], ignore_conflicts=True, batch_size=5_000)
    return len(keys)


def forget_todays_reminders(since_pk):
    from outbox.models import Email, SentOnce

    SentOnce.objects.filter(pk__gt=since_pk).delete()
    Email.objects.filter(template__startswith="reminder_").delete()


def timed_sweep(now):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from reviews.reminders import send_due_reminders

    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        queued = send_due_reminders(now)
        elapsed = time.perf_counter() - started
    selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    select_seconds = sum(float(q["time"]) for q in selects)
    return elapsed, queued, len(captured.captured_queries), len(selects), select_seconds


def explain(today, full):
    from django.db import connection

    from grants.reminders import reconciliations_due, unanswered_information_requests, unsigned_agreements
    from reviews.reminders import overdue_assignments

    lines = []
    for kind, queryset in (("agreement_unsigned", unsigned_agreements(today)),
                           ("information_unanswered", unanswered_information_requests(today)),
                           ("reconciliation", reconciliations_due(today)),
                           ("review_due", overdue_assignments(today))):  # fmt: skip
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        took = next((line for line in plan if line.startswith("Execution Time")), "?")
        seq = sorted({t for line in plan for t in LARGE_TABLES if "Seq Scan on " + t in line})
        lines.append(f"  {kind:24} {took:28} sequential scans of large tables: {', '.join(seq) or 'none'}")
        if full:
            lines += ["      " + line for line in plan]
    return lines


def main():
    args = parse_args()
    ensure_database(args.database_url, args.reseed)
    configure(args)
    from django.core.management import call_command
    from django.utils import timezone

    from grants.models import Organisation
    from outbox.models import SentOnce

    call_command("migrate", verbosity=0)
    if not Organisation.objects.filter(legal_name__startswith=SEED_MARK).exists():
        seed(args.requests)
    elif counts()["grants.GrantRequest"] != args.requests:
        raise SystemExit("The database holds another number of requests: run with --reseed.")
    now = timezone.now()
    today = timezone.localdate(now)
    forget_todays_reminders(since_pk=0)
    before = mark_yesterdays_reminders_sent(today)
    baseline = SentOnce.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Rows: {counts()}; {before:,} reminders marked as sent by yesterday's sweep.", flush=True)

    best_first = best_second = None
    for round_number in range(1, args.rounds + 1):
        first = timed_sweep(now)
        second = timed_sweep(now)
        print(f"  round {round_number}: today's sweep {first[0] * 1000:8.1f} ms, queued {first[1]}, "
              f"{first[2]} queries ({first[3]} SELECTs, {first[4] * 1000:.1f} ms); "
              f"second sweep {second[0] * 1000:6.1f} ms, {second[2]} queries", flush=True)  # fmt: skip
        assert sum(second[1].values()) == 0, "a second sweep queued mail"
        best_first = first if best_first is None or first[0] < best_first[0] else best_first
        best_second = second if best_second is None or second[0] < best_second[0] else best_second
        if round_number < args.rounds:
            forget_todays_reminders(since_pk=baseline)

    print("EXPLAIN ANALYZE of each kind's SELECT (after today's sweep):")
    print("\n".join(explain(today, args.explain)))
    mails = sum(best_first[1].values())
    print(f"Result at {counts()['grants.GrantRequest']:,} requests: today's sweep {best_first[0] * 1000:.0f} ms for "
          f"{mails} reminders ({best_first[3]} SELECTs taking {best_first[4] * 1000:.1f} ms in all); a second "
          f"sweep the same day {best_second[0] * 1000:.1f} ms ({best_second[2]} queries, nothing sent).")  # fmt: skip
    forget_todays_reminders(since_pk=baseline)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Profile one page in-process (Django test client, cProfile) against a benchmark database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ime_portal_bench CACHE_URL=rediscache://127.0.0.1:6379/12 \\
        .venv/bin/python scripts/profile_page.py /requests/ --who applicant --repeat 200 --top 30

The database must have been seeded by scripts/benchmark.py. The first requests warm the process's caches
(templates, URL resolvers, content types) and are not profiled; then ``--repeat`` requests are, and the
entries with the most time of their own and the most cumulative time are printed, with the mean wall time
of one request without the profiler's overhead.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ime_portal.settings")
os.environ.setdefault("IME_ENVIRONMENT", "demo")
os.environ.setdefault("IME_BENCHMARK_VIEWS", "1")
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from benchmark_data import APPLICANT, COORDINATOR, DETAIL_TITLE, signed_in_clients  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from grants.models import GrantRequest  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="page path; {detail} is the applicant's benchmark request")
    parser.add_argument("--who", choices=["anonymous", "applicant", "coordinator"], default="applicant")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime,cumulative", help="pstats sort keys, comma separated")
    parser.add_argument("--sql", action="store_true", help="also print each query of one request with its time")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    detail = GrantRequest.objects.get(title=DETAIL_TITLE, created_by__username=APPLICANT).pk
    path = args.path.format(detail=detail)
    client = signed_in_clients()[args.who]
    assert COORDINATOR  # the coordinator is signed in by signed_in_clients too
    extra = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(20):
        response = client.get(path, **extra)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    if args.sql:
        with CaptureQueriesContext(connection) as queries:
            client.get(path, **extra)
        for query in queries:
            print(f"{float(query['time']) * 1000:6.2f} ms  {len(query['sql']):5} chars  {query['sql'][:160]}")
    started = time.perf_counter()
    for _ in range(args.repeat):
        client.get(path, **extra)
    plain_ms = (time.perf_counter() - started) * 1000 / args.repeat
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.repeat):
        client.get(path, **extra)
    profiler.disable()
    print(f"{path} as {args.who}: {plain_ms:.2f} ms per request without the profiler ({args.repeat} requests)")
    stats = pstats.Stats(profiler)
    for key in args.sort.split(","):
        print(f"\n--- top {args.top} by {key} (totals over {args.repeat} requests) ---")
        stats.sort_stats(key).print_stats(args.top)


if __name__ == "__main__":
    main()

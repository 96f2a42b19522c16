"""Yardsticks for scripts/benchmark.py, mounted under /bench/ only when IME_BENCHMARK_VIEWS is on.

``bare`` is the cheapest response Django can give through the full middleware stack; ``reference``
renders a page of this site (base.html) from 20 database rows — the floor cost of any dynamic page,
against which the applicant pages are compared (SPEC §7). Both answer only loopback clients: the
reference lists request titles, which nobody outside the benchmarking machine should read.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from grants.models import GrantRequest

REFERENCE_ROWS = 20
LOOPBACK = {"127.0.0.1", "::1"}


def _loopback_only(view):
    def guarded(request):
        if request.META.get("REMOTE_ADDR") not in LOOPBACK:
            raise Http404("Benchmark pages answer only the machine itself.")
        return view(request)

    return guarded


@_loopback_only
def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@_loopback_only
def reference(request):
    rows = (
        GrantRequest.objects.select_related("organisation")
        .only("pk", "reference", "title", "status", "amount_requested", "organisation__legal_name")
        .order_by("-pk")[:REFERENCE_ROWS]
    )
    return render(request, "portal/bench_reference.html", {"rows": rows})


app_name = "bench"
urlpatterns = [
    path("bare/", bare, name="bare"),
    path("reference/", reference, name="reference"),
]

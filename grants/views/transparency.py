"""The public transparency page, ``/transparency/``: the grants Axsome has funded, by quarter of payment,
with a CSV of the same rows. On only when ``IME_TRANSPARENCY_REPORT`` is set (404 otherwise); public,
so behind the US-HCP gate like every public page (portal/middleware.py). What is published and how
it is cached: ``grants/transparency.py``."""

import csv
import io

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from .. import transparency

# Text a spreadsheet would run as a formula is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TransparencyFilter(forms.Form):
    year = forms.TypedChoiceField(label="Year paid", coerce=int, required=False, empty_value=None)
    quarter = forms.TypedChoiceField(
        label="Quarter", coerce=int, required=False, empty_value=None,
        choices=[("", "All quarters"), *[(q, f"Q{q}") for q in transparency.QUARTERS]],
    )  # fmt: skip

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "All years"), *[(y, str(y)) for y in years]]


def _filters(request):
    form = TransparencyFilter(request.GET or None, years=transparency.published_years())
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data["quarter"]
    return form, None, None


def _require_switched_on():
    if not settings.IME_TRANSPARENCY_REPORT:
        raise Http404("The transparency report is not published.")


@require_GET
def transparency_page(request):
    _require_switched_on()
    form, year, quarter = _filters(request)
    refused = form.is_bound and not form.is_valid()
    rows = [] if refused else transparency.rows_for(year, quarter)
    return render(
        request, "grants/transparency/page.html",
        {"form": form, "rows": rows, "total": transparency.total_of(rows), "year": year, "quarter": quarter,
         "refused": refused, "query": request.GET.urlencode() if not refused else ""},
    )  # fmt: skip


def _cell(value):
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@require_GET
def transparency_csv(request):
    _require_switched_on()
    form, year, quarter = _filters(request)
    if form.is_bound and not form.is_valid():
        return transparency_page(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(transparency.CSV_HEADER)
    for row in transparency.rows_for(year, quarter):
        writer.writerow([_cell(value) for value in row.csv_row()])
    name = "-".join(["funded-ime-grants", str(year or "all-years"), f"q{quarter}" if quarter else "all-quarters"])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


urlpatterns = [
    path("transparency/", transparency_page, name="page"),
    path("transparency/funded-grants.csv", transparency_csv, name="csv"),
]

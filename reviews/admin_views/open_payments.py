"""The Open Payments review list (``reviews/open_payments.py``): a page to choose the calendar year and
its XLSX, for compliance and administrators. Each download is recorded in the export log."""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from ..models import ExportLog
from ..open_payments import may_review, workbook_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearForm(forms.Form):
    year = forms.IntegerField(label="Calendar year", min_value=2000, max_value=2100)


def _refused(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not may_review(request.user):
        raise PermissionDenied
    return None


def review_page(admin_site, request):
    refused = _refused(request)
    if refused:
        return refused
    last_year = timezone.localdate().year - 1
    form = YearForm(request.GET or None, initial={"year": last_year})
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else last_year
    context = {
        **admin_site.each_context(request),
        "title": "Open Payments review list",
        "form": form,
        "year": year,
        "download_url": reverse("admin:open_payments_xlsx", args=[year]),
    }
    return TemplateResponse(request, "admin/open_payments.html", context)


def review_xlsx(admin_site, request, year):
    refused = _refused(request)
    if refused:
        return refused
    log = ExportLog.objects.create(user=request.user, list_name="Open Payments review list", file_format="xlsx",
                                   query_string=f"year={year}")  # fmt: skip
    output, count = workbook_for(year)
    log.row_count, log.finished_at = count, timezone.now()
    log.save(update_fields=["row_count", "finished_at"])
    return FileResponse(output, as_attachment=True, filename=f"open-payments-review-{year}.xlsx", content_type=XLSX)

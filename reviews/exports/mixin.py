"""``ExportMixin`` gives an admin list "Export CSV" and "Export XLSX" for exactly the rows its filters,
search and ordering select: the export builds the list's own ChangeList from the request's query
string, then streams that queryset instead of showing a page of it. A list declares its columns:

    class DecisionAdmin(ExportMixin, admin.ModelAdmin):
        export_columns = (Column("Request", "grant_request__reference"), Column("Decided", "decided_at"))
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, PAGE_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify

from ..models import ExportLog
from .columns import Column, loading_plan
from .permissions import EXPORT
from .writers import csv_chunks, xlsx_file

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportChangeList(ChangeList):
    """The list's own queryset (filters, search, date hierarchy, ordering) without the page of results
    and the counts a list page fetches: the export reads the rows itself."""

    def get_results(self, request):
        self.result_list = self.queryset.none()
        self.result_count = self.full_result_count = 0
        self.can_show_all = self.multi_page = self.show_full_result_count = False


class ExportMixin:
    export_columns: tuple[Column, ...] = ()

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm(EXPORT)

    def get_export_columns(self, request):
        return self.export_columns

    def _export_url_name(self, file_format: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_export_{file_format}"

    def get_urls(self):
        def view(file_format):
            return self.admin_site.admin_view(lambda request: self.export_view(request, file_format))

        exports = [path(f"export/{f}/", view(f), name=self._export_url_name(f)) for f in FORMATS]
        return exports + super().get_urls()

    def get_changelist(self, request, **kwargs):
        match = request.resolver_match
        if match and match.url_name in {self._export_url_name(f) for f in FORMATS}:
            return ExportChangeList
        return super().get_changelist(request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        if self.has_export_permission(request):
            query = request.GET.copy()
            query.pop(PAGE_VAR, None)  # every selected row, not the page on screen
            suffix = f"?{query.urlencode()}" if query else ""
            links = [
                (f"Export {f.upper()}", reverse(f"{self.admin_site.name}:{self._export_url_name(f)}") + suffix)
                for f in FORMATS
            ]
            extra_context = {**(extra_context or {}), "export_links": links}
        return super().changelist_view(request, extra_context)

    def export_view(self, request, file_format):
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # What the list page does with a filter it cannot read: back to the list, which says so.
            url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{url}?{ERROR_FLAG}=1")
        columns = [column.bind(self.model) for column in self.get_export_columns(request)]
        relations, fields = loading_plan(self.model, columns)
        # Only the joins and columns the export writes (the list page's own joins and prefetches are
        # for its display columns and would be loaded for every row).
        queryset = changelist.queryset.select_related(None).prefetch_related(None)
        if relations:
            queryset = queryset.select_related(*relations)
        queryset = queryset.only(*fields)

        list_name = str(self.opts.verbose_name_plural)
        log = ExportLog.objects.create(
            user=request.user, list_name=list_name, file_format=file_format, query_string=request.GET.urlencode()
        )
        filename = f"{slugify(list_name)}-{timezone.localtime():%Y-%m-%d-%H%M}.{file_format}"
        if file_format == "csv":
            response = StreamingHttpResponse(
                csv_chunks(queryset, columns, on_done=lambda count: _finish(log, count)),
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        else:
            output, count = xlsx_file(queryset, columns, sheet_title=list_name.capitalize())
            _finish(log, count)
            response = FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
        response["Cache-Control"] = "private, no-store"
        return response


def _finish(log: ExportLog, count: int) -> None:
    ExportLog.objects.filter(pk=log.pk).update(row_count=count, finished_at=timezone.now())

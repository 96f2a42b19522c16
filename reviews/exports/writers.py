"""Writing the rows: CSV as a stream, XLSX through openpyxl's write-only workbook into a temporary
file. Either way the rows come from the database a chunk at a time (``iterator``), so a 10,000-row
export never holds 10,000 objects."""

import csv
import tempfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .cells import XLSX_FORMATS, csv_field, xlsx_value

CHUNK_ROWS = 1000  # rows fetched from the database per round trip
CSV_BATCH_ROWS = 200  # rows sent to the client per write


class _Line:
    """csv.writer wants a file; this one hands back each line instead of keeping it."""

    def write(self, line):
        return line


def rows(queryset, columns):
    for obj in queryset.iterator(chunk_size=CHUNK_ROWS):
        yield [column.read(obj) for column in columns]


def csv_chunks(queryset, columns, on_done):
    """The CSV text in pieces; calls ``on_done(row_count)`` once the last row is out."""
    writer = csv.writer(_Line())
    # The byte-order mark tells Excel the file is UTF-8 (names with accents would come out garbled).
    batch, count = ["\ufeff" + writer.writerow([column.header for column in columns])], 0
    for values in rows(queryset, columns):
        batch.append(writer.writerow([csv_field(value) for value in values]))
        count += 1
        if len(batch) >= CSV_BATCH_ROWS:
            yield "".join(batch)
            batch = []
    yield "".join(batch)
    on_done(count)


def xlsx_file(queryset, columns, sheet_title: str):
    """A temporary file (deleted when closed) holding the workbook, and the number of rows in it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [XLSX_FORMATS.get(column.kind) for column in columns]
    count = 0
    for values in rows(queryset, columns):
        sheet.append([_cell(sheet, xlsx_value(value), fmt) for value, fmt in zip(values, formats, strict=True)])
        count += 1
    output = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(output)
    output.seek(0)
    return output, count


def _cell(sheet, value, number_format):
    if number_format is None or value is None or isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _sheet_title(title: str) -> str:
    # Excel refuses sheet names over 31 characters or containing []:*?/\
    return "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Export"

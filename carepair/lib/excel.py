"""Excel exports (导出 Excel): every list page can hand its rows over as an .xlsx file."""

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, (int, Decimal, datetime.date, str)):
        return value
    return str(value)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its tab title, its header row and its rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]


def _clean_title(title: str) -> str:
    # Excel refuses these characters in a sheet title and cuts it at 31 characters.
    return "".join("_" if c in "[]:*?/\\" else c for c in str(title))[:31] or "Sheet"


def workbook_bytes_sheets(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of several sheets, written in constant memory however many rows."""
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = book.create_sheet(title=_clean_title(spec.title))
        header_cells = []
        for text in spec.headers:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in spec.rows:
            sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook, written in constant memory however many rows there are."""
    return workbook_bytes_sheets([Sheet(title, headers, rows)])


def _attachment(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().isoformat()
    name = quote(f"{filename}-{stamp}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows) -> HttpResponse:
    return _attachment(workbook_bytes(title, headers, rows), filename)


def xlsx_sheets_response(filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    """An .xlsx download of several sheets (the dashboard's briefing)."""
    return _attachment(workbook_bytes_sheets(sheets), filename)

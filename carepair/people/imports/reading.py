"""Reading a file into rows of cells: an .xlsx through python-calamine, a CSV in UTF-8
(with or without a BOM) or GB18030; the header row mapped to the template's columns;
cells turned into text and dates as people write them."""

import csv
import datetime
import io
import re
from pathlib import Path

from django.utils.translation import gettext as _

from carepair.people.imports.template import ALIASES, BY_KEY, COLUMNS, REQUIRED

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_HEADER_SPACE = re.compile(r"[\s*＊]+")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


class FileProblem(Exception):
    """The file as a whole cannot be imported: not a table we read, or the wrong columns."""


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030 (Chinese Excel's "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(
            _("The CSV file is neither UTF-8 nor GB18030 text: save it again as CSV.")
        ) from None


def read_table(data: bytes, filename: str) -> list[list]:
    """The first sheet (or the CSV) as rows of cells, the header row first."""
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise FileProblem(_("The workbook cannot be read: %(why)s") % {"why": exc}) from None
    if suffix == ".csv":
        return list(csv.reader(io.StringIO(decode_csv(data), newline="")))
    raise FileProblem(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))


def _header_key(text) -> str | None:
    clean = _HEADER_SPACE.sub("", str(text or "")).replace("(", "（").replace(")", "）")
    if not clean:
        return None
    for column in COLUMNS:
        if clean == column.header or clean.lower() == column.key:
            return column.key
    return ALIASES.get(clean, "?" + clean)


def map_columns(header: list) -> dict[str, int]:
    """Which position each column is at; a clear FileProblem for a wrong set of columns."""
    positions: dict[str, int] = {}
    unknown, twice = [], []
    for i, text in enumerate(header):
        key = _header_key(text)
        if key is None:
            continue
        if key.startswith("?"):
            unknown.append(key[1:])
        elif key in positions:
            twice.append(BY_KEY[key].header)
        else:
            positions[key] = i
    missing = [BY_KEY[k].header for k in REQUIRED if k not in positions]
    if missing or unknown or twice:
        parts = []
        if missing:
            parts.append(_("missing: %(columns)s") % {"columns": "、".join(missing)})
        if unknown:
            parts.append(
                _("not a column of the template: %(columns)s") % {"columns": "、".join(unknown)}
            )
        if twice:
            parts.append(_("given twice: %(columns)s") % {"columns": "、".join(twice)})
        raise FileProblem(
            _(
                "The columns do not match the template (%(details)s). Download the template and "
                "copy the rows into it."
            )
            % {"details": "; ".join(parts)}
        )
    return positions


def cell_text(value) -> str:
    if type(value) is str:
        text = value.strip()
        if not text or (text[0] not in "'=" and "\u3000" not in text):
            return text
        # A leading apostrophe or ="…" is how people keep Excel from turning numbers
        # into numbers; neither belongs to the value.
        text = text.replace("\u3000", " ").strip()
        if text.startswith("'"):
            text = text[1:]
        if text.startswith('="') and text.endswith('"'):
            text = text[2:-1]
        return text.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return cell_text(str(value))


def cell_date(value) -> datetime.date:
    """A date from a cell: a date, an Excel day number, or text such as 1944-03-05,
    1944/3/5, 1944年3月5日 or 19440305. ValueError if it is none of them."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and 1 <= value < 100000:
        if value >= 10_000_000:
            raise ValueError
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = cell_text(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return datetime.date.fromisoformat(text)
    if len(text) == 8 and text.isdigit():
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(g) for g in match.groups()))

"""Reading the planner's CSV files: demand points (需求点) and candidate sites (候选点位).

Every cell is checked; a bad file is refused whole with each bad row (numbered as a
spreadsheet shows it, the header being row 1), its column and the reason.
"""

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEMAND_COLUMNS = ("id", "lat", "lon", "weight", "area_type")
SITE_COLUMNS = ("id", "lat", "lon", "existing")
URBAN, RURAL = 0, 1
# The programme's own words are accepted beside the English ones.
AREA_WORDS = {"urban": URBAN, "城镇": URBAN, "城市": URBAN, "rural": RURAL, "农村": RURAL}
TRUE_WORDS = {"1", "true", "yes", "y", "是"}
FALSE_WORDS = {"0", "false", "no", "n", "否", ""}
# A file with thousands of bad rows is named by its first few; the count says the rest.
SHOWN_ERRORS = 20


class InputError(ValueError):
    """Planner input that cannot be used; the message names the file, row and column."""


@dataclass
class Demand:
    """Demand points: where elderly people live, weighted by how many (priority groups
    counted more), each urban or rural."""

    ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray
    area: np.ndarray  # URBAN or RURAL per point


@dataclass
class Sites:
    """Candidate sites for meal points (助餐点); existing ones stay open."""

    ids: list[str]
    lat: np.ndarray
    lon: np.ndarray
    existing: np.ndarray  # bool
    capacity: np.ndarray | None  # meals a day; NaN where a row leaves it empty


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without a byte-order mark) or GBK, the two encodings Chinese
    spreadsheets save CSV in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # GB 18030 is a superset of GBK, so every GBK file reads the same.
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(f"{name}: the file is neither UTF-8 nor GBK text") from None


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()):
    """The header (lower-cased, trimmed) and the non-blank rows as (row number, cells)."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    reader = csv.reader(io.StringIO(decode(data, name), newline=""))
    header = next(reader, None)
    if header is None:
        raise InputError(f"{name}: the file is empty; it needs the columns {', '.join(required)}")
    header = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"{name}: missing column(s) {', '.join(missing)}; "
            f"the columns are {', '.join(required + tuple(f'[{o}]' for o in optional))}"
        )
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise InputError(f"{name}: column(s) {', '.join(repeated)} appear more than once")
    where = {c: header.index(c) for c in required + optional if c in header}
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        rows.append((number, {c: cells[i].strip() for c, i in where.items()}))
    return rows


class Checker:
    """Collects the bad cells of one file, then refuses it with all of them named."""

    def __init__(self, name: str):
        self.name = name
        self.errors: list[str] = []

    def bad(self, number: int, column: str, reason: str) -> None:
        self.errors.append(f"row {number}, column {column}: {reason}")

    def number(self, number, cells, column, low=-math.inf, high=math.inf, what="a number"):
        text = cells[column]
        try:
            value = float(text)
        except ValueError:
            self.bad(number, column, f"{text!r} is not a number" if text else "empty")
            return math.nan
        if not math.isfinite(value) or not low <= value <= high:
            self.bad(number, column, f"{text} is not {what}")
            return math.nan
        return value

    def ids(self, rows) -> list[str]:
        seen: dict[str, int] = {}
        ids = []
        for number, cells in rows:
            key = cells["id"]
            if not key:
                self.bad(number, "id", "empty")
            elif key in seen:
                self.bad(number, "id", f"{key!r} repeats the id of row {seen[key]}")
            else:
                seen[key] = number
            ids.append(key)
        return ids

    def coordinates(self, number, cells):
        lat = self.number(number, cells, "lat", -90, 90, "a latitude (-90 to 90)")
        lon = self.number(number, cells, "lon", -180, 180, "a longitude (-180 to 180)")
        return lat, lon

    def close(self, rows) -> None:
        if not rows:
            self.errors.insert(0, "no rows after the header")
        if self.errors:
            shown = self.errors[:SHOWN_ERRORS]
            more = len(self.errors) - len(shown)
            tail = f"\n  ... and {more} more" if more else ""
            raise InputError(
                f"{self.name}: {len(self.errors)} problem(s)\n  " + "\n  ".join(shown) + tail
            )


def read_demand(path: Path | str) -> Demand:
    path = Path(path)
    rows = read_rows(path, DEMAND_COLUMNS)
    check = Checker(str(path))
    ids = check.ids(rows)
    lat, lon, weight, area = [], [], [], []
    for number, cells in rows:
        y, x = check.coordinates(number, cells)
        lat.append(y)
        lon.append(x)
        weight.append(check.number(number, cells, "weight", 0, what="a weight (0 or more)"))
        word = cells["area_type"].lower()
        if word not in AREA_WORDS:
            shown = repr(cells["area_type"]) if word else "empty"
            check.bad(number, "area_type", f"{shown} is neither urban nor rural")
        area.append(AREA_WORDS.get(word, URBAN))
    check.close(rows)
    return Demand(
        ids=ids,
        lat=np.array(lat),
        lon=np.array(lon),
        weight=np.array(weight),
        area=np.array(area, dtype=np.int8),
    )


def read_sites(path: Path | str) -> Sites:
    path = Path(path)
    rows = read_rows(path, SITE_COLUMNS, optional=("capacity",))
    check = Checker(str(path))
    ids = check.ids(rows)
    lat, lon, existing, capacity = [], [], [], []
    has_capacity = bool(rows) and "capacity" in rows[0][1]
    for number, cells in rows:
        y, x = check.coordinates(number, cells)
        lat.append(y)
        lon.append(x)
        word = cells["existing"].lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            check.bad(number, "existing", f"{cells['existing']!r} is not 1/0 or true/false")
        existing.append(word in TRUE_WORDS)
        if has_capacity:
            if cells["capacity"]:
                capacity.append(
                    check.number(number, cells, "capacity", 0, what="a capacity (0 or more)")
                )
            else:
                capacity.append(math.nan)
    check.close(rows)
    return Sites(
        ids=ids,
        lat=np.array(lat),
        lon=np.array(lon),
        existing=np.array(existing, dtype=bool),
        capacity=np.array(capacity) if has_capacity else None,
    )

"""Checking every row (逐行校验), a chunk at a time: check_person() (the form's rules),
the village (it exists, is a village, lies in the user's region), the template's words,
and the same person twice in one file. Problems name row, column and reason; an ID
number in them is masked. Nothing here reads the database once the checker is made."""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from carepair.accounts.scope import scope_of
from carepair.lib.errors import ValidationError
from carepair.people import idnumber
from carepair.people.imports.reading import (
    FileProblem,
    cell_date,
    cell_text,
    map_columns,
    read_table,
)
from carepair.people.imports.template import (
    BY_KEY,
    CATEGORY_WORDS,
    EXAMPLE_ID,
    LIVING_WORDS,
    SEX_WORDS,
)
from carepair.people.services import (
    CategoryLine,
    check_person,
)
from carepair.regions.models import Level, Region

CHUNK = 5000  # rows checked (and then written) at a time
_SPLIT = re.compile(r"[;；,，、\n]+")
_ITEM = re.compile(r"^(?P<word>[^()（）]+?)\s*(?:[(（]\s*(?P<date>[^()（）]*?)\s*[)）])?$")
# A mobile (11 digits) or a landline with its area code, perhaps with +86, dashes,
# spaces or brackets: 7 to 13 digits in all.
_PHONE = re.compile(r"^(?:\+?86[ -]?)?(?:[ ()-]*[0-9]){7,13}[ ()-]*$")


@dataclass
class Problem:
    """What is wrong with one cell of a row (or the row), for the error workbook."""

    row: int
    column: str
    reason: str
    name: str = ""
    id_masked: str = ""
    value: str = ""


@dataclass
class Row:
    """A row that passed every check, ready to be written."""

    row: int
    name: str
    number: str
    digest: str
    cipher: str
    sex: str
    birth_date: datetime.date
    village: str
    phone: str
    household_address: str
    address: str
    living: str
    categories: list[CategoryLine]
    contact: tuple[str, str, str] | None  # name, relation, phone

    @property
    def masked(self) -> str:
        return idnumber.mask(self.number)


_NOT_A_DATE = object()

Progress = Callable[[str, int, int], None]  # stage, rows done, rows in all


def _quiet(stage: str, done: int, total: int) -> None:
    pass


class _RowChecker:
    """Checks rows one by one against the template, check_person() and the villages the
    actor may register people in."""

    def __init__(self, positions: dict[str, int], villages: dict[str, int], actor, today):
        self.positions = positions
        self.items = list(positions.items())
        self.villages = villages  # code -> level, for the codes the file names
        self.scope = scope_of(actor)
        self.today = today
        self.dates: dict[str, datetime.date | object] = {}
        self.lines: dict[tuple, tuple[CategoryLine, ...]] = {}

    def texts(self, cells: list) -> dict[str, str]:
        """Each column's cell as text (cell_text()), "" for a column the row lacks."""
        n = len(cells)
        text = dict.fromkeys(BY_KEY, "")
        for key, i in self.items:
            if i < n:
                value = cells[i]
                if type(value) is str:
                    # cell_text's common case inline: a hundred thousand rows of 15 cells.
                    value = value.strip()
                    if value and (value[0] in "'=" or "\u3000" in value):
                        value = cell_text(value)
                    text[key] = value
                else:
                    text[key] = cell_text(value)
        return text

    def date(self, value) -> datetime.date:
        """cell_date(), remembered for text cells: a file has few distinct dates."""
        if type(value) is not str:
            return cell_date(value)
        known = self.dates.get(value)
        if known is None:
            try:
                known = cell_date(value)
            except ValueError:
                known = _NOT_A_DATE
            self.dates[value] = known
        if known is _NOT_A_DATE:
            raise ValueError(value)
        return known

    def categories(self, cell: str, since: datetime.date, source: str, bad) -> list:
        """The category lines of a cell; the lines of a cell read without fault are kept
        for the next row with the same cell, start date and source (a file has few)."""
        memo = (cell, since, source)
        known = self.lines.get(memo)
        if known is not None:
            return list(known)
        faults = 0

        def fault(key: str, reason: str) -> None:
            nonlocal faults
            faults += 1
            bad(key, reason)

        lines = []
        for item in _SPLIT.split(cell) if cell else ():
            item = item.strip()
            category = CATEGORY_WORDS.get(item)  # most cells: a name and no date
            start = since
            if category is None and item:
                match = _ITEM.match(item)
                category = CATEGORY_WORDS.get(match["word"].strip()) if match else None
                if category is None:
                    fault(
                        "categories",
                        _("“%(word)s” is not a category of the template.") % {"word": item},
                    )
                    continue
                if match["date"]:
                    try:
                        start = cell_date(match["date"])
                    except ValueError:
                        fault(
                            "categories",
                            _("“%(word)s”: the date is not a date.") % {"word": item},
                        )
                        continue
            if category is not None:
                lines.append(CategoryLine(category, start, source=source))
        if not faults:
            self.lines[memo] = tuple(lines)
        return lines

    def cell(self, cells: list, key: str):
        i = self.positions.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    def check(self, row_no: int, cells: list) -> tuple[Row | None, list[Problem]]:
        problems: list[Problem] = []

        def bad(key: str, reason: str, value: str = "") -> None:
            problems.append(Problem(row_no, BY_KEY[key].header, reason, value=value))

        text = self.texts(cells)
        for key, value in text.items():
            if "\x00" in value:
                # Neither database keeps it (PostgreSQL refuses the text): named, not stored.
                bad(key, _("The cell holds a NUL control character: type its text again."))
                text[key] = value.replace("\x00", "")
        raw_id = self.cell(cells, "id_number")
        if isinstance(raw_id, float) and raw_id >= 1e17:
            bad(
                "id_number",
                _(
                    "Excel stored the ID number as a number and lost its last digits: format the "
                    "column as text and type the number again."
                ),
            )

        sex = text["sex"]
        if sex:
            sex = SEX_WORDS.get(sex.lower(), "")
            if not sex:
                bad("sex", _("Write 男 or 女."), text["sex"])
        born = None
        if text["birth_date"]:
            try:
                born = self.date(self.cell(cells, "birth_date"))
            except ValueError:
                bad("birth_date", _("Not a date: write it as 1944-03-05."), text["birth_date"])

        since = self.today
        if text["categories_since"]:
            try:
                since = self.date(self.cell(cells, "categories_since"))
            except ValueError:
                bad(
                    "categories_since",
                    _("Not a date: write it as 2023-06-01."),
                    text["categories_since"],
                )
        source = text["categories_source"]
        if len(source) > 64:
            bad("categories_source", _("Longer than 64 characters."))
        lines = self.categories(text["categories"], since, source, bad)

        living = text["living"]
        if living:
            living = LIVING_WORDS.get(living)
            if living is None:
                bad(
                    "living",
                    _("Not one of the living arrangements of the template."),
                    text["living"],
                )

        village = text["village_code"]
        level = self.villages.get(village)
        if level != Level.VILLAGE or not self.scope.owns(village):
            if not village:
                bad("village_code", _("The village code is empty."))
            elif not (len(village) == 12 and village.isdigit()):
                bad("village_code", _("A village code has 12 digits."), village)
            elif level is None:
                bad("village_code", _("No village or community has this code."), village)
            elif level != Level.VILLAGE:
                bad("village_code", _("This code is not a village or community's."), village)
            else:
                bad("village_code", _("This village lies outside your region."), village)

        for key in ("household_address", "address"):
            if len(text[key]) > 200:
                bad(key, _("Longer than %(n)d characters.") % {"n": 200})
        for key in ("phone", "contact_phone"):
            phone = text[key]
            if phone and not _PHONE.match(phone):
                phone = idnumber.normalise(phone).replace("X", "x")
                if _PHONE.match(phone):
                    text[key] = phone
                else:
                    bad(key, _("Not a phone number."), text[key])
        contact = None
        if text["contact_name"] or text["contact_relation"] or text["contact_phone"]:
            if not text["contact_name"]:
                bad("contact_name", _("The contact's name is empty."))
            elif len(text["contact_name"]) > 64 or len(text["contact_relation"]) > 32:
                bad("contact_name", _("The contact's name or relation is too long."))
            contact = (text["contact_name"], text["contact_relation"], text["contact_phone"])

        try:
            checked = check_person(
                name=text["name"],
                id_number=text["id_number"],
                sex=sex,
                birth_date=born,
                categories=lines,
                today=self.today,
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for reason in errors:
                    bad(key if key in BY_KEY else "categories", reason)
            checked = None

        if problems or checked is None:
            masked = _masked(text["id_number"])
            for p in problems:
                p.name = text["name"]
                p.id_masked = masked
                if p.column == BY_KEY["id_number"].header:
                    p.value = masked
                # An ID number typed into another column is not echoed either.
                p.value = _scrub(p.value, text["id_number"])
                p.reason = _scrub(p.reason, text["id_number"])
            return None, problems
        number = checked.id.number
        return (
            Row(
                row=row_no,
                name=checked.name,
                number=number,
                digest="",
                cipher="",
                sex=checked.sex,
                birth_date=checked.birth_date,
                village=village,
                phone=text["phone"],
                household_address=text["household_address"],
                address=text["address"],
                living=living,
                categories=checked.categories,
                contact=contact,
            ),
            [],
        )


def _masked(raw: str) -> str:
    number = idnumber.normalise(raw)
    try:
        return idnumber.parse(number).masked
    except idnumber.InvalidIdNumber:
        return idnumber.mask(number)


def _scrub(reason: str, raw: str) -> str:
    """The reason without the birth date digits of the row's ID number: with the masked
    number beside it, they would give the whole number back."""
    typed = number = idnumber.normalise(raw)
    if len(typed) > 10 and typed in reason:
        reason = reason.replace(typed, idnumber.mask(typed))
    if len(number) == 15 and number.isdigit():
        number = idnumber.from_15(number)
    if len(number) < 14:
        return reason
    if number in reason:
        reason = reason.replace(number, idnumber.mask(number))
    digits = number[6:14]
    return reason.replace(digits, "********").replace(
        f"{digits[:4]}-{digits[4:6]}-{digits[6:]}", "****-**-**"
    )


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _villages(codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(c for c in codes if len(c) == 12 and c.isdigit()), 500):
        found.update(Region.objects.filter(code__in=chunk).values_list("code", "level"))
    return found


@dataclass
class Table:
    """A file read, its columns mapped: the rows to check as (row number, cells), the
    row numbers as Excel shows them. Empty rows are left out."""

    body: list[tuple[int, list]]
    positions: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.body)


def read_rows(data: bytes, filename: str) -> Table:
    """Read the file and map its columns (FileProblem for a file that cannot be read,
    has the wrong columns or no people)."""
    table = read_table(data, filename)
    start = next((i for i, cells in enumerate(table) if any(cell_text(c) for c in cells)), None)
    if start is None:
        raise FileProblem(_("The file is empty."))
    positions = map_columns(table[start])
    # The header's row is row start + 1.
    body = [
        (i + 1, cells)
        for i, cells in enumerate(table[start + 1 :], start=start + 1)
        if not _blank(cells)
    ]
    if not body:
        raise FileProblem(_("The file has a header row but no people."))
    return Table(body, positions)


def _blank(cells: list) -> bool:
    try:
        return not "".join(cells).strip()  # a CSV's row: text only
    except TypeError:  # a workbook's: numbers and dates too
        return not any(str(c).strip() for c in cells)


def row_checker(table: Table, *, actor, today) -> _RowChecker:
    """The checker for this file: the villages it names are looked up here, once, so
    that checking reads nothing more from the database (it may run in another thread)."""
    village_at = table.positions["village_code"]
    codes = {cell_text(cells[village_at]) for _n, cells in table.body if village_at < len(cells)}
    return _RowChecker(table.positions, _villages(codes), actor, today)


def id_numbers(table: Table) -> list[str]:
    """Each row's ID number as it will be read if it is good ("" for none)."""
    at = table.positions["id_number"]
    canonical = idnumber.canonical
    return [canonical(cell_text(cells[at])) if at < len(cells) else "" for _n, cells in table.body]


def _held(numbers: list[str]) -> set[int]:
    """Positions in the body of the rows whose ID number is also on another row, or is
    the template's example: whether they may be written is known only once the whole
    file is checked (a number on a good and a bad row is the good row's)."""
    first: dict[str, int] = {}
    held: set[int] = set()
    for i, number in enumerate(numbers):
        if not number:
            continue
        j = first.setdefault(number, i)
        if j != i:
            held.update((i, j))
        elif number == EXAMPLE_ID:
            held.add(i)
    return held


def _settle(held: list[Row]) -> tuple[list[Row], list[Problem]]:
    """The held-back good rows: the same person twice in one file (neither row is taken,
    both are named) or the template's example row; the others go."""
    rows_of: dict[str, list[Row]] = defaultdict(list)
    for row in held:
        rows_of[row.number].append(row)
    rows, problems = [], []
    for number, group in rows_of.items():
        if len(group) == 1 and number != EXAMPLE_ID:
            rows += group
            continue
        for row in group:
            if number == EXAMPLE_ID:
                reason = _("This is the template's example row: delete it.")
            else:
                others = "、".join(str(r.row) for r in group if r is not row)
                reason = _("The same ID number is also on row %(rows)s.") % {"rows": others}
            problems.append(
                Problem(row.row, BY_KEY["id_number"].header, reason, row.name, row.masked)
            )
    return rows, problems


def seal(rows: list[Row], keys, digests: dict[str, str]) -> None:
    """Give the rows their keyed hashes (from `digests`, made by digests_of()) and
    encrypted numbers (the nonces drawn in one call for the lot)."""
    for row, cipher in zip(rows, keys.encrypt_many([row.number for row in rows]), strict=True):
        row.digest, row.cipher = digests[row.number], cipher


def check_rows(table: Table, checker: _RowChecker, numbers: list[str], *, chunk: int = 0):
    """Check the rows chunk by chunk; for each, yield its good rows (not yet sealed),
    its problems and how many rows are checked so far. Rows whose number (`numbers`,
    from id_numbers()) is on another row too are held back and settled after the last
    chunk, in one more (the last) yield. Reads nothing from the database: it may run
    in a thread of its own."""
    chunk = chunk or CHUNK
    held_at = _held(numbers)
    held: list[Row] = []
    body = table.body
    for start in range(0, len(body), chunk):
        end = min(start + chunk, len(body))
        rows: list[Row] = []
        problems: list[Problem] = []
        for i in range(start, end):
            row, found = checker.check(*body[i])
            if row is not None:
                (held if i in held_at else rows).append(row)
            else:
                problems += found
        yield rows, problems, end
    yield *_settle(held), len(body)


def digests_of(numbers: list[str], keys) -> dict[str, str]:
    """{number: keyed hash} of the distinct numbers."""
    return {number: keys.digest(number) for number in set(numbers) if number}

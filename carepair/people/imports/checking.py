"""Checking every row (逐行校验) before anything is written: check_person() (the form's
rules), the village (it exists, is a village, lies in the user's region), the template's
words, and the same person twice in one file. Problems name row, column and reason; an
ID number in them is masked."""

import datetime
import multiprocessing as mp
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.scope import scope_of
from carepair.lib.errors import ValidationError
from carepair.lib.vault import vault
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

CHUNK = 4000  # rows checked (and written) together, between two progress reports
PARALLEL_ROWS = 20000  # a file of fewer rows is checked in one process
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
        self.keys = vault()

    def cell(self, cells: list, key: str):
        i = self.positions.get(key)
        return cells[i] if i is not None and i < len(cells) else None

    def check(self, row_no: int, cells: list) -> tuple[Row | None, list[Problem]]:
        problems: list[Problem] = []

        def bad(key: str, reason: str, value: str = "") -> None:
            problems.append(Problem(row_no, BY_KEY[key].header, reason, value=value))

        n = len(cells)
        text = dict.fromkeys(BY_KEY, "")
        for key, i in self.items:
            if i < n:
                value = cells[i]
                # cell_text() inlined for the usual cell, plain text (a CSV has nothing else).
                if type(value) is str:
                    value = value.strip()
                    if value and (value[0] in "'=" or "\u3000" in value):
                        value = cell_text(value)
                    text[key] = value
                else:
                    text[key] = cell_text(value)
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
                born = cell_date(self.cell(cells, "birth_date"))
            except ValueError:
                bad("birth_date", _("Not a date: write it as 1944-03-05."), text["birth_date"])

        since = self.today
        if text["categories_since"]:
            try:
                since = cell_date(self.cell(cells, "categories_since"))
            except ValueError:
                bad(
                    "categories_since",
                    _("Not a date: write it as 2023-06-01."),
                    text["categories_since"],
                )
        source = text["categories_source"]
        if len(source) > 64:
            bad("categories_source", _("Longer than 64 characters."))
        lines = []
        for item in _SPLIT.split(text["categories"]) if text["categories"] else ():
            item = item.strip()
            category = CATEGORY_WORDS.get(item)  # most cells: a name and no date
            start = since
            if category is None and item:
                match = _ITEM.match(item)
                category = CATEGORY_WORDS.get(match["word"].strip()) if match else None
                if category is None:
                    bad(
                        "categories",
                        _("“%(word)s” is not a category of the template.") % {"word": item},
                    )
                    continue
                if match["date"]:
                    try:
                        start = cell_date(match["date"])
                    except ValueError:
                        bad(
                            "categories",
                            _("“%(word)s”: the date is not a date.") % {"word": item},
                        )
                        continue
            if category is not None:
                lines.append(CategoryLine(category, start, source=source))

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
            plain = phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 13
            if phone and not plain and not _PHONE.match(phone):
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
                digest=self.keys.digest(number),
                cipher=self.keys.encrypt(number),
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


class Twice:
    """The same person twice in one file: neither row is taken, both are named. Fed the
    good rows in file order; `seen_again` says as soon as a number comes back."""

    def __init__(self):
        self.rows_of: dict[str, list[Row]] = defaultdict(list)
        self.seen_again = False

    def add(self, rows: list[Row]) -> None:
        rows_of = self.rows_of
        for row in rows:
            group = rows_of[row.number]
            group.append(row)
            if len(group) > 1 or row.number == EXAMPLE_ID:
                self.seen_again = True

    def problems(self) -> list[Problem]:
        found = []
        for number, group in self.rows_of.items():
            if len(group) < 2 and number != EXAMPLE_ID:
                continue
            for row in group:
                others = "、".join(str(r.row) for r in group if r is not row)
                if number == EXAMPLE_ID:
                    reason = _("This is the template's example row: delete it.")
                else:
                    reason = _("The same ID number is also on row %(rows)s.") % {"rows": others}
                found.append(
                    Problem(row.row, BY_KEY["id_number"].header, reason, row.name, row.masked)
                )
        return found

    def numbers(self) -> set[str]:
        return {n for n, group in self.rows_of.items() if len(group) > 1 or n == EXAMPLE_ID}


Chunks = Iterator[tuple[list[Row], list[Problem], int]]  # good rows, problems, rows done


def check_chunks(
    data: bytes, filename: str, *, actor, today=None, workers: int = 1
) -> tuple[int, Chunks]:
    """Read the file and check its rows, a chunk at a time, in file order; write nothing.
    Returns the number of rows (empty rows are not counted) and the chunks, so that the
    caller can write one chunk while the next are checked. With `workers` > 1 a large
    file is checked by that many processes (forked: they share the rows and the
    checker, and send back only what they found)."""
    today = today or timezone.localdate()
    table = read_table(data, filename)
    start = next((i for i, cells in enumerate(table) if any(cell_text(c) for c in cells)), None)
    if start is None:
        raise FileProblem(_("The file is empty."))
    positions = map_columns(table[start])
    # Row numbers as Excel shows them: the header's row is row start + 1.
    body = [
        (i + 1, cells)
        for i, cells in enumerate(table[start + 1 :], start=start + 1)
        if any(str(c).strip() for c in cells)
    ]
    del table
    total = len(body)
    if not total:
        raise FileProblem(_("The file has a header row but no people."))
    village_at = positions["village_code"]
    codes = {cell_text(cells[village_at]) for _n, cells in body if village_at < len(cells)}
    checker = _RowChecker(positions, _villages(codes), actor, today)
    bounds = [(i, min(i + CHUNK, total)) for i in range(0, total, CHUNK)]
    if workers > 1 and total >= PARALLEL_ROWS and "fork" in mp.get_all_start_methods():
        return total, _parallel(checker, body, bounds, workers)
    return total, (_check_range(checker, body, a, b) for a, b in bounds)


def _check_range(checker, body, start: int, end: int) -> tuple[list[Row], list[Problem], int]:
    rows: list[Row] = []
    problems: list[Problem] = []
    check = checker.check
    for row_no, cells in body[start:end]:
        row, found = check(row_no, cells)
        if row is not None:
            rows.append(row)
        elif found:
            problems.extend(found)
    return rows, problems, end


_SHARED = None  # (checker, body) for the forked checkers, set just before they fork


def _check_shared(bounds: tuple[int, int]):
    checker, body = _SHARED
    return _check_range(checker, body, *bounds)


def _parallel(checker, body, bounds, workers: int) -> Chunks:
    global _SHARED
    _SHARED = (checker, body)
    try:
        pool = mp.get_context("fork").Pool(min(workers, len(bounds)))
    finally:
        _SHARED = None  # the children have their copy; the parent needs none
    try:
        yield from pool.imap(_check_shared, bounds)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def check_file(
    data: bytes, filename: str, *, actor, progress: Progress = _quiet, today=None, workers=1
) -> tuple[list[Row], list[Problem], int]:
    """Read and check every row; write nothing. Returns the good rows (without the
    people given twice), the problems and the number of rows."""
    total, chunks = check_chunks(data, filename, actor=actor, today=today, workers=workers)
    rows: list[Row] = []
    problems: list[Problem] = []
    twice = Twice()
    progress("checking", 0, total)
    for good, found, done in chunks:
        rows += good
        problems += found
        twice.add(good)
        progress("checking", done, total)
    if twice.seen_again:
        problems += twice.problems()
        numbers = twice.numbers()
        rows = [row for row in rows if row.number not in numbers]
    problems.sort(key=lambda p: p.row)
    return rows, problems, total

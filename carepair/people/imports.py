"""Importing people in need from Excel or CSV (批量导入帮扶对象): the engine, with no views
inside, used by the import page, its background job and `carepair import people`.

A file is read whole (an .xlsx through python-calamine; a CSV in UTF-8, UTF-8 with a BOM
or GB18030, which Chinese Excel writes), every row is checked by `check_person()` (the
form's rules) and against the villages of the importing user's region, and only then is
anything written, in one transaction with bulk inserts. A file with any bad row is
rejected whole unless the caller asks for the good rows alone; the problems come back
naming row, column and reason, for `report_workbook()`.

Identity numbers are never written out in full: problems carry the masked number, and
their messages are scrubbed of the birth date the number holds (which, with the masked
number's first six and last four characters, would give the whole number back).
"""

import contextlib
import csv
import datetime
import gc
import io
import operator
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.excel import Sheet, workbook_bytes_sheets
from carepair.lib.freshness import records_changed
from carepair.lib.vault import vault
from carepair.people import idnumber
from carepair.people.models import (
    CHILD_CATEGORIES,
    Category,
    Contact,
    ContactKind,
    Living,
    Person,
    PersonCategory,
    VisitRule,
)
from carepair.people.services import (
    ADULT_AGE,
    CategoryLine,
    age_on,
    check_person,
    every_days_for,
    plan_refresh,
)
from carepair.regions.models import Level, Region

MERGE, REPORT = "merge", "report"
DUPLICATE_MODES = (MERGE, REPORT)
PROGRESS_EVERY = 2000  # rows between two progress reports
BATCH = 2000  # rows per bulk insert (Django splits further where the database needs it)


@dataclass(frozen=True)
class Column:
    """A column of the template: its key (also accepted as a header), its Chinese header,
    whether every row must fill it, and what the template's second sheet says of it."""

    key: str
    header: str
    required: bool
    explains: str
    example: str


COLUMNS = (
    Column("name", "姓名", True, "本人姓名，最多 64 个字。", "王秀英"),
    Column(
        "id_number",
        "身份证号",
        True,
        "18 位居民身份证号（末位可为 X）；15 位老号码会自动转为 18 位。"
        "请把这一列设为“文本”格式，否则 Excel 会把 18 位数字改掉末几位。",
        "51110219440305002X",
    ),
    Column("sex", "性别", False, "男 或 女；可不填，以身份证号为准，填了须与身份证号一致。", "女"),
    Column(
        "birth_date",
        "出生日期",
        False,
        "如 1944-03-05；可不填，以身份证号为准，填了须与身份证号一致。",
        "1944-03-05",
    ),
    Column("phone", "联系电话", False, "手机或座机号码。", "13800001111"),
    Column("household_address", "户籍地址", False, "最多 200 个字。", "乐山市市中区凌云路 1 号"),
    Column("address", "现住址", False, "最多 200 个字。", "乐山市市中区凌云路 1 号"),
    Column(
        "village_code",
        "村（社区）代码",
        True,
        "本人所在村或社区的 12 位统计用区划代码，须在您的辖区内。",
        "511102001001",
    ),
    Column(
        "living",
        "居住情况",
        False,
        "独居、仅与配偶同住、与子女同住、与其他亲属或监护人同住、机构集中供养、其他 之一；"
        "不填为“其他”。",
        "独居",
    ),
    Column(
        "categories",
        "帮扶类别",
        False,
        "一个或几个类别，用分号（；）或顿号（、）隔开；某个类别的认定日期不同于“认定日期”列时，"
        "写在类别后的括号里，如：独居；高龄（2024-03-05）。类别名称见下表。",
        "独居；高龄（2024-03-05）",
    ),
    Column(
        "categories_since",
        "认定日期",
        False,
        "帮扶类别的认定日期（括号里没写日期的类别都用它）；不填为导入当天。",
        "2023-06-01",
    ),
    Column(
        "categories_source", "认定单位", False, "如 市中区民政局，最多 64 个字。", "市中区民政局"
    ),
    Column(
        "contact_name",
        "监护人或紧急联系人",
        False,
        "儿童填监护人，老人填紧急联系人。",
        "李建国",
    ),
    Column("contact_relation", "与本人关系", False, "如 儿子、女儿、祖父。", "儿子"),
    Column("contact_phone", "联系人电话", False, "联系人的手机或座机号码。", "13900002222"),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)

# Headers people write for the same column.
ALIASES = {
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "身份证": "id_number",
    "电话": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "村代码": "village_code",
    "社区代码": "village_code",
    "村（社区）编码": "village_code",
    "区划代码": "village_code",
    "类别": "categories",
    "监护人": "contact_name",
    "紧急联系人": "contact_name",
}

# The words of the template for living arrangements and categories, as the Chinese UI
# shows them; the English keys are accepted too.
LIVING_WORDS = {
    "独居": Living.ALONE,
    "仅与配偶同住": Living.SPOUSE,
    "与配偶同住": Living.SPOUSE,
    "与子女同住": Living.CHILDREN,
    "与其他亲属或监护人同住": Living.RELATIVES,
    "与亲属同住": Living.RELATIVES,
    "机构集中供养": Living.INSTITUTION,
    "住养老机构": Living.INSTITUTION,
    "其他": Living.OTHER,
    **{v: v for v in Living.values},
}
CATEGORY_WORDS = {
    "特困供养": Category.EXTREME_HARDSHIP,
    "特困": Category.EXTREME_HARDSHIP,
    "低保": Category.DIBAO,
    "低保边缘": Category.NEAR_DIBAO,
    "独居": Category.ALONE,
    "空巢": Category.EMPTY_NEST,
    "留守老人": Category.LEFT_BEHIND_ELDER,
    "失能": Category.DISABLED,
    "半失能": Category.PARTLY_DISABLED,
    "高龄": Category.OVER_80,
    "计生特殊家庭": Category.FAMILY_PLANNING,
    "孤儿": Category.ORPHAN,
    "事实无人抚养": Category.UNSUPPORTED_CHILD,
    "事实无人抚养儿童": Category.UNSUPPORTED_CHILD,
    "留守儿童": Category.LEFT_BEHIND_CHILD,
    "困境儿童": Category.CHILD_IN_DIFFICULTY,
    "残疾儿童": Category.DISABLED_CHILD,
    **{v: v for v in Category.values},
}
# The name the template gives each category (the first word above for it).
CATEGORY_NAMES = {}
for _word, _value in CATEGORY_WORDS.items():
    CATEGORY_NAMES.setdefault(_value, _word)
SEX_WORDS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}

_SPLIT = re.compile(r"[;；,，、\n]+")
_ITEM = re.compile(r"^(?P<word>[^()（）]+?)\s*(?:[(（]\s*(?P<date>[^()（）]*?)\s*[)）])?$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_PHONE = re.compile(r"^[0-9+\-() ]{5,32}$")
_HEADER_SPACE = re.compile(r"[\s*＊]+")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


class FileProblem(Exception):
    """The file as a whole cannot be imported: not a table we read, or the wrong columns."""


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


@dataclass
class Outcome:
    """What an import did, or would have done."""

    rows: int = 0
    created: int = 0
    merged: int = 0
    skipped: int = 0  # bad rows left out when importing the good rows alone
    rejected: bool = False
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)  # in the registry, not written

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    def counts(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "merged": self.merged,
            "duplicates": len(self.duplicates),
            "skipped": self.skipped,
            "bad_rows": self.bad_rows,
            "problems": len(self.problems),
        }


Progress = Callable[[str, int, int], None]  # stage, rows done, rows in all


def _quiet(stage: str, done: int, total: int) -> None:
    pass


# --- reading ---------------------------------------------------------------------------


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


def _text(value) -> str:
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
    return _text(str(value))


def _date(value) -> datetime.date:
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
    text = _text(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return datetime.date.fromisoformat(text)
    if len(text) == 8 and text.isdigit():
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return datetime.date(*(int(g) for g in match.groups()))


# --- checking --------------------------------------------------------------------------


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
                text[key] = _text(cells[i])
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
                born = _date(self.cell(cells, "birth_date"))
            except ValueError:
                bad("birth_date", _("Not a date: write it as 1944-03-05."), text["birth_date"])

        since = self.today
        if text["categories_since"]:
            try:
                since = _date(self.cell(cells, "categories_since"))
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
                        start = _date(match["date"])
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
    number = idnumber.normalise(raw)
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


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _villages(codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(c for c in codes if len(c) == 12 and c.isdigit()), 500):
        found.update(Region.objects.filter(code__in=chunk).values_list("code", "level"))
    return found


def check_file(
    data: bytes, filename: str, *, actor, progress: Progress = _quiet, today=None
) -> tuple[list[Row], list[Problem], int]:
    """Read and check every row; write nothing. Returns the good rows, the problems and
    the number of rows (empty rows are not counted)."""
    today = today or timezone.localdate()
    table = read_table(data, filename)
    start = next((i for i, cells in enumerate(table) if any(_text(c) for c in cells)), None)
    if start is None:
        raise FileProblem(_("The file is empty."))
    positions = map_columns(table[start])
    # Row numbers as Excel shows them: the header's row is row start + 1.
    body = [
        (i + 1, cells)
        for i, cells in enumerate(table[start + 1 :], start=start + 1)
        if any(str(c).strip() for c in cells)
    ]
    total = len(body)
    if not total:
        raise FileProblem(_("The file has a header row but no people."))
    village_at = positions["village_code"]
    codes = {_text(cells[village_at]) for _n, cells in body if village_at < len(cells)}
    checker = _RowChecker(positions, _villages(codes), actor, today)
    rows: list[Row] = []
    problems: list[Problem] = []
    progress("checking", 0, total)
    for done, (row_no, cells) in enumerate(body, start=1):
        row, found = checker.check(row_no, cells)
        if row is not None:
            rows.append(row)
        problems.extend(found)
        if done % PROGRESS_EVERY == 0:
            progress("checking", done, total)
    progress("checking", total, total)

    # The same person twice in one file: neither row is taken, both are named.
    rows_of: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        rows_of[row.number].append(row)
    twice = {number: group for number, group in rows_of.items() if len(group) > 1}
    if EXAMPLE_ID in rows_of:
        twice.setdefault(EXAMPLE_ID, rows_of[EXAMPLE_ID])
    if twice:
        for number, group in twice.items():
            for row in group:
                others = "、".join(str(r.row) for r in group if r is not row)
                if number == EXAMPLE_ID:
                    reason = _("This is the template's example row: delete it.")
                else:
                    reason = _("The same ID number is also on row %(rows)s.") % {"rows": others}
                problems.append(
                    Problem(row.row, BY_KEY["id_number"].header, reason, row.name, row.masked)
                )
        rows = [row for row in rows if row.number not in twice]
    problems.sort(key=lambda p: p.row)
    return rows, problems, total


# --- writing ---------------------------------------------------------------------------


def _may_import(actor) -> None:
    can = getattr(actor, "can", None)
    if can is not None and not can(Perm.MANAGE_PEOPLE):
        raise NotAllowed(_("Your role may not import people in need."))
    if can is None and not scope_of(actor).everything:
        raise NotAllowed(_("Your role may not import people in need."))


def import_people(
    *,
    actor,
    data: bytes,
    filename: str,
    good_rows_only: bool = False,
    duplicates: str = REPORT,
    progress: Progress = _quiet,
    today: datetime.date | None = None,
) -> Outcome:
    """Import a file of people into villages of the actor's region (the actor may be
    `reports.selectors.SYSTEM`: the whole city). Rejected whole if any row is bad, unless
    `good_rows_only`; people already registered (by ID number) are merged or reported,
    as `duplicates` says. Raises FileProblem for a file that cannot be read at all."""
    _may_import(actor)
    if duplicates not in DUPLICATE_MODES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_MODES}")
    today = today or timezone.localdate()
    with translation.override("zh-hans"), _no_gc():
        rows, problems, total = check_file(
            data, filename, actor=actor, progress=progress, today=today
        )
        outcome = Outcome(rows=total, problems=problems)
        if problems and not good_rows_only:
            outcome.rejected = True
            return outcome
        outcome.skipped = outcome.bad_rows
        progress("writing", total, total)
        _write(actor=actor, rows=rows, mode=duplicates, outcome=outcome, today=today)
    return outcome


@contextlib.contextmanager
def _no_gc():
    """Python's cycle collector, run again and again over the hundred thousand rows held
    in memory, costs a fifth of an import; the rows hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _history_user(actor):
    return actor if getattr(actor, "_meta", None) is not None else None


@transaction.atomic
def _write(*, actor, rows: list[Row], mode: str, outcome: Outcome, today) -> None:
    existing: dict[str, int] = {}
    for chunk in _chunks([r.digest for r in rows], 10000):
        existing.update(
            (digest, pk)
            for digest, pk in Person.objects.filter(id_hash__in=chunk).values_list("id_hash", "pk")
        )
    new = [r for r in rows if r.digest not in existing]
    old = [r for r in rows if r.digest in existing]
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection: the indexes of a large file's rows
        # are written in random order (the keyed hash), and the default 2 MB thrashes.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")
    now = timezone.now()
    user = _history_user(actor)
    stamp = {
        "history_date": now,
        "history_change_reason": "import",
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    rules = list(VisitRule.objects.filter(active=True))
    blank = _defaults(Person)
    people = []
    for r in new:
        # The plan plan_refresh() would make for someone never visited: due today.
        every = every_days_for(
            rules, {c.category for c in r.categories}, age_on(r.birth_date, today)
        )
        people.append(
            {
                **blank,
                "name": r.name,
                "id_cipher": r.cipher,
                "id_hash": r.digest,
                "id_masked": r.masked,
                "sex": r.sex,
                "birth_date": r.birth_date,
                "phone": r.phone,
                "household_address": r.household_address,
                "address": r.address,
                "region_id": r.village,
                "living": r.living or Living.OTHER,
                "visit_every_days": every,
                "next_visit_on": today if every else None,
                "created_at": now,
                "created_by_id": stamp["history_user_id"],
            }
        )
    _insert_with_history(Person, people, stamp)
    categories, contacts = [], []
    for person, r in zip(people, new, strict=True):
        categories += _category_rows(person["id"], r.categories)
        if r.contact:
            contacts.append(_contact_row(person["id"], r.contact, r.birth_date, today))
    outcome.created = len(people)
    merged_pks = _merge(actor, old, existing, mode, outcome, categories, contacts, user, now)
    _insert_with_history(PersonCategory, categories, stamp)
    _insert_with_history(Contact, contacts, stamp)
    for chunk in _chunks(merged_pks, 2000):
        plan_refresh(Person.objects.filter(pk__in=chunk), today=today)
    records_changed()


def _defaults(model) -> dict:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def _insert_with_history(model, rows: list[dict], stamp: dict) -> None:
    """Insert the rows and their history rows (who, when: this import), setting each
    row's "id". Django's bulk_create spends two thirds of an import's time building
    model instances and compiling SQL for each of them; these are plain multi-row
    INSERT statements on SQLite and COPY on PostgreSQL (its bulk-loading path, several
    times faster than INSERT there), the values adapted as Django would."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        for row, pk in zip(rows, _next_keys(model, len(rows)), strict=True):
            row["id"] = pk
        _copy(model, rows)
        _copy(model.history.model, [{**row, **stamp} for row in rows])
        return
    for row, pk in zip(rows, _insert(model, rows, returning=True), strict=True):
        row["id"] = pk
    _insert(model.history.model, [{**row, **stamp} for row in rows])


def _next_keys(model, n: int) -> list[int]:
    """n primary keys taken from the table's sequence, as INSERT would take them."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, n],
        )
        return [r[0] for r in cursor.fetchall()]


def _copy(model, rows: list[dict]) -> None:
    ops = connection.ops
    meta = model._meta
    # The key goes in (taken from the sequence beforehand), except an automatic one
    # nobody needs back: the history rows' history_id.
    fields = [
        f
        for f in meta.concrete_fields
        if not (isinstance(f, models.AutoField) and f.attname not in rows[0])
    ]
    pick = operator.itemgetter(*(f.attname for f in fields))
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(pick(row))


def _insert(model, rows: list[dict], returning: bool = False) -> list:
    ops = connection.ops
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not isinstance(f, models.AutoField)]
    pick = operator.itemgetter(*(f.attname for f in fields))
    adapt_at = [
        (
            i,
            ops.adapt_datetimefield_value
            if isinstance(f, models.DateTimeField)
            else ops.adapt_datefield_value,
        )
        for i, f in enumerate(fields)
        if isinstance(f, models.DateField)
    ]
    adapted: dict = {}  # a file has few distinct dates: adapt each once
    sqlite = connection.vendor == "sqlite"
    # Django's SQLite cursor turns each %s into ? with a regular expression, which on
    # statements of thousands of parameters costs more than the insert: write ? here.
    mark = "?" if sqlite else "%s"
    one = "(" + ", ".join([mark] * len(fields)) + ")"
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    head = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {ops.quote_name(meta.pk.column)}" if returning else ""
    # Within SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
    per_statement = max(1, min(BATCH, 30000 // len(fields)))
    keys = []
    connection.ensure_connection()
    with connection.cursor() as cursor:
        execute = connection.connection.execute if sqlite else cursor.execute
        for chunk in _chunks(rows, per_statement):
            params = []
            for row in chunk:
                values = list(pick(row))
                for i, adapt in adapt_at:
                    value = values[i]
                    if value is not None:
                        if value not in adapted:
                            adapted[value] = adapt(value)
                        values[i] = adapted[value]
                params += values
            done = execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                keys += [r[0] for r in (done if sqlite else cursor).fetchall()]
    return keys


def _category_rows(person_pk: int, lines: list[CategoryLine]) -> list[dict]:
    return [
        {
            "person_id": person_pk,
            "category": c.category,
            "start_on": c.start_on,
            "end_on": None,
            "source": c.source,
        }
        for c in lines
    ]


def _contact_row(person_pk: int, contact, born: datetime.date, today) -> dict:
    name, relation, phone = contact
    child = age_on(born, today) < ADULT_AGE
    return {
        "person_id": person_pk,
        "kind": ContactKind.GUARDIAN if child else ContactKind.EMERGENCY,
        "name": name,
        "relation": relation,
        "phone": phone,
        "age": None,
        "health": "",
    }


MERGED_FIELDS = ("name", "phone", "household_address", "address", "region_id", "living")


def _merge(actor, old, existing, mode, outcome, categories, contacts, user, now) -> list[int]:
    """People already registered: list them (report), or update their details and add
    the categories and contact they lack (merge). Returns the merged people's keys."""
    id_header = BY_KEY["id_number"].header
    if mode == REPORT:
        for r in old:
            outcome.duplicates.append(
                Problem(r.row, id_header, _("Already registered: not imported."), r.name, r.masked)
            )
        return []
    scope = scope_of(actor)
    pks = [existing[r.digest] for r in old]
    people: dict[int, Person] = {}
    held: dict[int, set[str]] = defaultdict(set)
    known: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(pks, 500):
        people.update(Person.objects.in_bulk(chunk))
        for pk, category in (
            PersonCategory.objects.current().filter(person_id__in=chunk)
        ).values_list("person_id", "category"):
            held[pk].add(category)
        for pk, name in Contact.objects.filter(person_id__in=chunk).values_list(
            "person_id", "name"
        ):
            known[pk].add(name)
    changed, merged = [], []
    today = timezone.localdate()
    for r in old:
        person = people[existing[r.digest]]
        if not scope.owns(person.region_id):
            outcome.duplicates.append(
                Problem(
                    r.row,
                    id_header,
                    _("Registered in a village outside your region: not changed."),
                    r.name,
                    r.masked,
                )
            )
            continue
        dirty = False
        for name, value in zip(
            MERGED_FIELDS,
            (r.name, r.phone, r.household_address, r.address, r.village, r.living),
            strict=True,
        ):
            if value and getattr(person, name) != value:
                setattr(person, name, value)
                dirty = True
        if dirty:
            changed.append(person)
        lacking = [c for c in r.categories if c.category not in held[person.pk]]
        categories += _category_rows(person.pk, lacking)
        if r.contact and r.contact[0] not in known[person.pk]:
            contacts.append(_contact_row(person.pk, r.contact, person.birth_date, today))
        merged.append(person.pk)
    if changed:
        Person.objects.bulk_update(changed, [f for f in MERGED_FIELDS], batch_size=500)
        Person.history.bulk_history_create(
            changed,
            update=True,
            default_user=user,
            default_date=now,
            default_change_reason="import",
        )
    outcome.merged = len(merged)
    return merged


# --- the files people download ---------------------------------------------------------

EXAMPLE_ID = "51110219440305002" + idnumber.check_character("51110219440305002")
PROBLEM_HEADERS = ("行号", "列", "原因", "填写的内容", "姓名", "身份证号（已隐藏）")


def report_workbook(outcome: Outcome) -> bytes:
    """The error workbook: each problem with its row, column and reason, and the people
    already registered that were not written. ID numbers masked."""
    sheets = [
        Sheet(
            "错误",
            PROBLEM_HEADERS,
            ((p.row, p.column, p.reason, p.value, p.name, p.id_masked) for p in outcome.problems),
        )
    ]
    if outcome.duplicates:
        sheets.append(
            Sheet(
                "已登记",
                PROBLEM_HEADERS,
                ((p.row, p.column, p.reason, "", p.name, p.id_masked) for p in outcome.duplicates),
            )
        )
    return workbook_bytes_sheets(sheets)


def _example_row() -> list[str]:
    return [EXAMPLE_ID if c.key == "id_number" else c.example for c in COLUMNS]


def template_csv() -> bytes:
    """The template as CSV, in UTF-8 with the BOM that makes Excel read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow(_example_row())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_workbook() -> bytes:
    """The template: the header row and an example row (to delete), the text columns set
    to text so Excel keeps every digit, and a sheet explaining each column and naming
    the categories and living arrangements."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "帮扶对象"
    sheet.append([c.header for c in COLUMNS])
    sheet.append(_example_row())
    required = PatternFill("solid", fgColor="FDE2E1")
    for i, column in enumerate(COLUMNS, start=1):
        head = sheet.cell(row=1, column=i)
        head.font = Font(bold=True, color="9B2C2C" if column.required else "000000")
        if column.required:
            head.fill = required
        example = sheet.cell(row=2, column=i)
        example.font = Font(italic=True, color="808080")
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.key in ("id_number", "phone", "village_code", "contact_phone"):
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
    sheet.freeze_panes = "A2"

    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "说明", "示例"])
    for column in COLUMNS:
        example = EXAMPLE_ID if column.key == "id_number" else column.example
        notes.append([column.header, "是" if column.required else "", column.explains, example])
    notes.append([])
    notes.append(
        [
            "第 2 行是示例，导入前请删除；红色列名为必填。整份文件有任何一行出错则全部不导入，"
            "并给出错误报告（也可选择只导入无误的行）。"
        ]
    )
    notes.append([])
    notes.append(["帮扶类别", "适用对象"])
    for value, word in CATEGORY_NAMES.items():
        notes.append([word, "儿童（未满 18 岁）" if value in CHILD_CATEGORIES else "老人"])
    notes.append([])
    notes.append(["居住情况"])
    for word in (
        "独居",
        "仅与配偶同住",
        "与子女同住",
        "与其他亲属或监护人同住",
        "机构集中供养",
        "其他",
    ):
        notes.append([word])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["C"].width = 80
    notes.column_dimensions["D"].width = 26
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""Importing people in need from Excel or CSV (批量导入帮扶对象): the engine, with no views
inside, used by the import page, its background job and `carepair import people`.

A file is read whole (an .xlsx through python-calamine; a CSV in UTF-8, UTF-8 with a BOM
or GB18030, which Chinese Excel writes), every row is checked by `check_person()` (the
form's rules) and against the villages of the importing user's region, and written in
one transaction with bulk inserts, a chunk at a time while the next chunk is checked. A
file with any bad row is rejected whole (rolled back) unless the caller asks for the
good rows alone; the problems come back naming row, column and reason, for
`report_workbook()`.

Identity numbers are never written out in full: problems carry the masked number, and
their messages are scrubbed of the birth date the number holds (which, with the masked
number's first six and last four characters, would give the whole number back).

The parts: `template` (the columns, the words, the files to download), `reading` (file to
cells), `checking` (cells to checked rows and problems), `writing` (chunks of rows into
the tables).
"""

import contextlib
import datetime
import gc
import sys
from concurrent.futures import Future
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.ahead import Ahead
from carepair.lib.errors import NotAllowed
from carepair.lib.excel import Sheet, workbook_bytes_sheets
from carepair.lib.vault import vault
from carepair.people.imports.checking import (
    Problem,
    Progress,
    Row,
    _quiet,
    check_file,
    check_rows,
    digests_of,
    id_numbers,
    read_rows,
    row_checker,
)
from carepair.people.imports.reading import FileProblem, decode_csv, map_columns, read_table
from carepair.people.imports.template import (
    BY_KEY,
    CATEGORY_NAMES,
    CATEGORY_WORDS,
    COLUMNS,
    EXAMPLE_ID,
    LIVING_WORDS,
    SEX_WORDS,
    template_csv,
    template_workbook,
)
from carepair.people.imports.writing import MERGE, REPORT, Batch, Writer

__all__ = [
    "BY_KEY",
    "CATEGORY_NAMES",
    "CATEGORY_WORDS",
    "COLUMNS",
    "DUPLICATE_MODES",
    "EXAMPLE_ID",
    "LIVING_WORDS",
    "MERGE",
    "REPORT",
    "SEX_WORDS",
    "FileProblem",
    "Outcome",
    "Problem",
    "Row",
    "check_file",
    "decode_csv",
    "import_people",
    "map_columns",
    "may_import",
    "read_table",
    "report_workbook",
    "template_csv",
    "template_workbook",
]

DUPLICATE_MODES = (MERGE, REPORT)


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


def may_import(actor) -> None:
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
    as `duplicates` says. Raises FileProblem for a file that cannot be read at all.

    Everything is written in one transaction, a chunk at a time while the next chunk is
    checked; a rejected file's transaction is rolled back, so it leaves nothing behind,
    as if it had been checked first. The progress is reported as the rows are checked
    ("checking"), then once for the rest ("writing"); it is reported from inside the
    transaction, so a reporter that wrote it to the database would not be seen until
    the end."""
    may_import(actor)
    if duplicates not in DUPLICATE_MODES:
        raise ValueError(f"duplicates must be one of {DUPLICATE_MODES}")
    today = today or timezone.localdate()
    with translation.override("zh-hans"), _no_gc():
        table = read_rows(data, filename)
        checker = row_checker(table, actor=actor, today=today)
        outcome = Outcome(rows=table.total)
        progress("checking", 0, table.total)
        try:
            with transaction.atomic():
                writer = Writer(actor=actor, mode=duplicates, outcome=outcome, today=today)
                old, villages = _check_and_write(
                    table, checker, writer, outcome, good_rows_only, progress
                )
                if outcome.rejected:
                    raise _Rejected
                outcome.skipped = outcome.bad_rows
                progress("writing", table.total, table.total)
                writer.finish(old, villages)
        except _Rejected:
            return Outcome(rows=table.total, problems=outcome.problems, rejected=True)
        except IntegrityError:
            raise FileProblem(
                _(
                    "Some of these people were registered by someone else while the file was "
                    "being imported, so nothing was imported. Upload the file again."
                )
            ) from None
    return outcome


def _check_and_write(table, checker, writer: Writer, outcome: Outcome, good_rows_only, progress):
    """Check the rows in a thread, a chunk at a time, while this thread writes the
    chunks checked before: the database's work and Python's take two cores instead of
    one after the other. A bad row stops the writing (outcome.rejected) unless the good
    rows alone are wanted; the rows are checked to the end all the same, for the report.
    Returns the rows of people registered already and the villages of the good rows."""
    keys = vault()
    numbers = id_numbers(table)
    digests = digests_of(numbers, keys)
    keys_taken: Future = Future()

    def batches():
        with translation.override("zh-hans"):
            for rows, problems, done in check_rows(table, checker, keys, numbers, digests):
                keys_taken.result()
                if outcome.rejected:
                    yield Batch(done, problems)
                else:
                    yield writer.build(rows, problems, done)

    old, villages, reported = [], set(), 0
    with Ahead(batches) as ahead:
        try:
            writer.take_keys(list(digests.values()))
        except BaseException as exc:
            keys_taken.set_exception(exc)
            raise
        keys_taken.set_result(None)
        for batch in ahead:
            outcome.problems += batch.problems
            outcome.rejected = bool(outcome.problems) and not good_rows_only
            if not outcome.rejected:
                writer.write(batch)
                old += batch.old
                villages |= batch.villages
            if batch.done > reported:
                reported = batch.done
                progress("checking", reported, table.total)
    outcome.problems.sort(key=lambda p: p.row)
    return old, villages


class _Rejected(Exception):
    """A bad row in a file imported whole: what was written is rolled back."""


# How soon (in seconds) the writing thread, back from the database, gets Python's lock
# from the checking thread: at Python's 5 ms, a batch's COPY, sent in many pieces,
# waits that long for each piece and the database idles (PostgreSQL: 7.6 s -> 6.4 s
# for 100,000 rows at 0.2 ms).
SWITCH_INTERVAL = 0.0002


@contextlib.contextmanager
def _no_gc():
    """Python's cycle collector, run again and again over the hundred thousand rows held
    in memory, costs a fifth of an import; the rows hold no cycles. And the threads of
    the import take turns sooner (SWITCH_INTERVAL)."""
    enabled = gc.isenabled()
    gc.disable()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if enabled:
            gc.enable()


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

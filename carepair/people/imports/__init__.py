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
import threading
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
    check_rows,
    digests_of,
    id_numbers,
    read_rows,
    row_checker,
    seal,
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
    with translation.override("zh-hans"), _import_mode():
        table = read_rows(data, filename)
        checker = row_checker(table, actor=actor, today=today)
        keys = vault()
        numbers = id_numbers(table)
        digests = digests_of(numbers, keys)
        outcome = Outcome(rows=table.total)
        writer: Writer | None = None
        keys_taken: Future = Future()

        def batches():
            """Checked chunks, built for writing until the file is rejected."""
            with translation.override("zh-hans"):
                for rows, problems, done in check_rows(table, checker, numbers):
                    keys_taken.result()
                    if outcome.rejected:
                        yield Batch(done, problems)
                    else:
                        seal(rows, keys, digests)
                        yield writer.build(rows, problems, done)

        progress("checking", 0, table.total)
        reported = 0
        with Ahead(batches) as ahead:
            try:
                with transaction.atomic():
                    try:
                        writer = Writer(actor=actor, mode=duplicates, outcome=outcome, today=today)
                        writer.take_keys(list(digests.values()))
                    except BaseException as exc:
                        keys_taken.set_exception(exc)
                        raise
                    keys_taken.set_result(None)
                    old, villages = [], set()
                    for batch in ahead:
                        outcome.problems += batch.problems
                        if outcome.problems and not good_rows_only:
                            outcome.rejected = True
                            raise _Rejected(batch.done)
                        writer.write(batch)
                        old += batch.old
                        villages |= batch.villages
                        reported = _report(progress, batch.done, reported, table.total)
                    outcome.problems.sort(key=lambda p: p.row)
                    outcome.skipped = outcome.bad_rows
                    progress("writing", table.total, table.total)
                    writer.finish(old, villages)
            except _Rejected as rejected:
                # Rolled back at once; the rest is checked outside the transaction, for
                # the report.
                reported = _report(progress, rejected.args[0], reported, table.total)
                for batch in ahead:
                    outcome.problems += batch.problems
                    reported = _report(progress, batch.done, reported, table.total)
                outcome.problems.sort(key=lambda p: p.row)
                return Outcome(rows=table.total, problems=outcome.problems, rejected=True)
            except IntegrityError:
                raise FileProblem(
                    _(
                        "Some of these people were registered by someone else while the file "
                        "was being imported, so nothing was imported. Upload the file again."
                    )
                ) from None
    return outcome


def _report(progress: Progress, done: int, reported: int, total: int) -> int:
    """Report the rows checked so far, once per count (the last batch repeats it)."""
    if done > reported:
        progress("checking", done, total)
    return max(reported, done)


class _Rejected(Exception):
    """A bad row in a file imported whole: what was written is rolled back. Its
    argument: the rows checked so far."""


# How soon (in seconds) the writing thread, back from the database, gets Python's lock
# from the checking thread: at Python's 5 ms, a batch's COPY, sent in many pieces,
# waits that long for each piece and the database idles (PostgreSQL: 7.6 s -> 6.4 s
# for 100,000 rows at 0.2 ms).
SWITCH_INTERVAL = 0.0002
_running = 0  # imports running in this process
_running_lock = threading.Lock()
_saved: tuple[bool, float] = (True, 0.005)


@contextlib.contextmanager
def _import_mode():
    """While imports run in this process: no cycle collector (run again and again over
    the hundred thousand rows held in memory, it costs a fifth of an import; the rows
    hold no cycles), and the threads take turns sooner (SWITCH_INTERVAL). Both are the
    process's settings: the first import to start sets them, the last to end restores
    them."""
    global _running, _saved
    with _running_lock:
        if not _running:
            _saved = (gc.isenabled(), sys.getswitchinterval())
            gc.disable()
            sys.setswitchinterval(SWITCH_INTERVAL)
        _running += 1
    try:
        yield
    finally:
        with _running_lock:
            _running -= 1
            if not _running:
                enabled, interval = _saved
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

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

The parts: `template` (the columns, the words, the files to download), `reading` (file to
cells), `checking` (cells to checked rows and problems), `writing` (one transaction).
"""

import contextlib
import datetime
import gc
from dataclasses import dataclass, field

from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.errors import NotAllowed
from carepair.lib.excel import Sheet, workbook_bytes_sheets
from carepair.people.imports.checking import Problem, Progress, Row, _quiet, check_file
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
from carepair.people.imports.writing import MERGE, REPORT, _write

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
    as `duplicates` says. Raises FileProblem for a file that cannot be read at all."""
    may_import(actor)
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
        try:
            _write(actor=actor, rows=rows, mode=duplicates, outcome=outcome, today=today)
        except IntegrityError:
            raise FileProblem(
                _(
                    "Some of these people were registered by someone else while the file was "
                    "being imported, so nothing was imported. Upload the file again."
                )
            ) from None
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

"""`carepair import people FILE [--good-rows-only] [--duplicates merge|report] [--as USER]
[--errors OUT.xlsx]`: import people in need from an .xlsx or .csv file of the template's
columns, with the checks of the import page.

Without --as it imports as the system (every village of the city); with --as, as that
user, into the villages of their region only. Exit status: 0 imported (with
--good-rows-only, also when bad rows were left out), 1 rejected because of bad rows
(each named on stderr and in the error workbook), 2 a file that cannot be imported at all
(unreadable, or the wrong columns) or a user who may not import.
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from carepair.accounts.models import User
from carepair.lib.errors import NotAllowed
from carepair.people import imports
from carepair.people.import_jobs import summary
from carepair.reports.selectors import SYSTEM

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "Import people in need from an .xlsx or .csv file: `import people FILE`."

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="WHAT")
        people = kinds.add_parser(
            "people",
            help="people in need, from the template's columns",
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        people.add_argument("file", help="an .xlsx or .csv file")
        people.add_argument(
            "--good-rows-only",
            action="store_true",
            help="import the good rows even if some rows are bad",
        )
        people.add_argument(
            "--duplicates",
            choices=imports.DUPLICATE_MODES,
            default=imports.REPORT,
            help="people already registered: merge (update them) or report (leave them)",
        )
        people.add_argument(
            "--as", dest="username", help="import as this user, into their region only"
        )
        people.add_argument(
            "--errors",
            metavar="OUT.xlsx",
            help="where to write the error workbook (default: next to FILE)",
        )

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            self.people(options)

    def people(self, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=2)
        actor = SYSTEM
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("No active user is called %(name)s.") % {"name": options["username"]},
                    returncode=2,
                )
        began = time.perf_counter()
        try:
            outcome = imports.import_people(
                actor=actor,
                data=path.read_bytes(),
                filename=path.name,
                good_rows_only=options["good_rows_only"],
                duplicates=options["duplicates"],
            )
        except (imports.FileProblem, NotAllowed) as exc:
            raise CommandError(str(exc), returncode=2) from None
        seconds = time.perf_counter() - began
        if outcome.problems or outcome.duplicates:
            out = Path(options["errors"] or path.with_name(f"{path.stem}.errors.xlsx"))
            out.write_bytes(imports.report_workbook(outcome))
            self._problems(outcome, out)
        line = f"{summary(outcome)} ({seconds:.1f} s, {outcome.rows / seconds:,.0f} rows/s)"
        if outcome.rejected:
            raise CommandError(line, returncode=1)
        self.stdout.write(line)

    def _problems(self, outcome, out: Path) -> None:
        err = self.stderr
        for p in outcome.problems[:SHOWN_PROBLEMS]:
            err.write(f"第 {p.row} 行 · {p.column} · {p.reason}")
        if len(outcome.problems) > SHOWN_PROBLEMS:
            err.write(f"…… 共 {len(outcome.problems)} 处问题")
        if outcome.duplicates:
            err.write(f"已登记的人：{len(outcome.duplicates)} 人（见报告）")
        err.write(_("Report written to %(path)s") % {"path": out})
        sys.stderr.flush()

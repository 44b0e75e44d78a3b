"""`carepair report summary [--json] [--from DATE] [--to DATE] [--region CODE]`: the
programme's summary figures for the whole city (or one region), as the system sees them.

`carepair report rollup [--check]`: count the monthly totals (月度汇总) again from the
records, after the records were changed past the services (a repair, a bulk load); with
--check, only compare, and fail naming each cell that disagrees.

With --json it prints one JSON object with at least the keys of SUMMARY_KEYS; money is
exact: `material_value_yuan` is a JSON number written from the Decimal (30123456.78, never
a float's 30123456.780000001) and `material_value_fen` an integer.
"""

import datetime
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from carepair.lib.freshness import records_changed
from carepair.regions.models import Region, full_code
from carepair.reports import rollup
from carepair.reports.labels import ACTIVITY_CATEGORIES, FIGURES
from carepair.reports.selectors import SYSTEM, Period, programme_summary
from carepair.reports.templatetags.reports import thousands_text


def exact_json(value) -> str:
    """JSON in which a Decimal is written as the number it is, digit for digit."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a JSON number: {value}")
        return str(value)
    if isinstance(value, dict):
        items = (
            f"{json.dumps(str(k), ensure_ascii=False)}: {exact_json(v)}" for k, v in value.items()
        )
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(exact_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _date(text: str | None, option: str) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("%(option)s: “%(value)s” is not a date; write it as YYYY-MM-DD.")
            % {"option": option, "value": text}
        ) from None


class Command(BaseCommand):
    help = (
        "Programme reports. `report summary`: the summary figures (工作成效); "
        "`report rollup`: count the monthly totals again."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        summary = actions.add_parser(
            "summary",
            help="the programme's summary figures",
            # Django's own parser class, so errors raise CommandError under call_command.
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        summary.add_argument("--json", action="store_true", help="print one JSON object")
        summary.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD")
        summary.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD")
        summary.add_argument(
            "--region", metavar="CODE", help="a region's statistical code (e.g. 511102)"
        )

        months = actions.add_parser(
            "rollup",
            help="count the monthly totals again from the records",
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        months.add_argument(
            "--check", action="store_true", help="only compare; fail if they disagree"
        )

    def handle(self, *args, **options):
        if options["report"] == "summary":
            self.summary(options)
        elif options["report"] == "rollup":
            self.rollup(check=options["check"])

    def rollup(self, *, check: bool):
        if check:
            wrong = rollup.differences()
            if wrong:
                raise CommandError(
                    _("The monthly totals disagree with the records in %(n)d cells:")
                    % {"n": len(wrong)}
                    + "\n"
                    + "\n".join(wrong)
                )
            self.stdout.write(_("The monthly totals agree with the records."))
            return
        with transaction.atomic():
            cells = rollup.rebuild()
            records_changed()
        self.stdout.write(
            _("Monthly totals counted again: %(activities)d + %(problems)d cells.")
            % {"activities": cells["activity_cells"], "problems": cells["problem_cells"]}
        )

    def summary(self, options):
        period = Period(_date(options["start"], "--from"), _date(options["end"], "--to"))
        if period.start and period.end and period.start > period.end:
            raise CommandError(_("--to is before --from."))
        code = options["region"]
        if code is not None:
            if not (code.isdigit() and 4 <= len(code) <= 12):
                raise CommandError(_("--region: “%(code)s” is not a region code.") % {"code": code})
            region = Region.objects.filter(code=full_code(code)).first()
            if region is None:
                raise CommandError(_("--region: no region has the code %(code)s.") % {"code": code})
            code = region.code
        summary = programme_summary(user=SYSTEM, period=period, region_code=code)
        if options["json"]:
            self.stdout.write(exact_json(summary))
            return
        self.stdout.write(self._table(summary, region if code else None))

    def _table(self, summary: dict, region) -> str:
        place = region.name if region is not None else _("The whole city")
        if summary["period_from"] or summary["period_to"]:
            period = f"{summary['period_from'] or '…'} – {summary['period_to'] or '…'}"
        else:
            period = _("All time")
        rows = [(str(label), thousands_text(summary[key])) for key, label in FIGURES]
        rows.append((str(_("Material value (fen)")), thousands_text(summary["material_value_fen"])))
        rows += [
            (f"  {label}", thousands_text(summary["activities_by_category"].get(k, 0)))
            for k, label in ACTIVITY_CATEGORIES.items()
        ]
        width = max(_display_width(label) for label, _v in rows) + 2
        value_width = max(len(v) for _l, v in rows)
        lines = [f"{_('Programme figures')} · {place} · {period}", ""]
        for label, value in rows:
            lines.append(label + " " * (width - _display_width(label)) + value.rjust(value_width))
        return "\n".join(lines)


def _display_width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

"""`carepair match link LEFT RIGHT --out PAIRS [--engine duckdb|spark]`: link two lists
(CSV in UTF-8 or GBK, or Parquet, with record_id, name, id_number, birth_date, sex, phone,
address) and write the pairs (left_id, right_id, score, decision, rule, weight, evidence,
then the lists' other columns) as CSV or Parquet, after the name of PAIRS.

Exit status: 0 linked; 2 a list that cannot be linked as it is (missing columns,
unreadable dates, a file that cannot be read), with the reason on stderr.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from carepair.matching.engine import LinkInputError, Settings, check_output, link, write_pairs


class Command(BaseCommand):
    help = "Big data comparison: `match link LEFT RIGHT --out PAIRS`."

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="WHAT")
        one = kinds.add_parser(
            "link",
            help="link two lists and write the pairs",
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        one.add_argument("left", help="the registry side: .csv or .parquet")
        one.add_argument("right", help="the list compared with it: .csv or .parquet")
        one.add_argument("--out", required=True, metavar="PAIRS", help=".csv or .parquet")
        one.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
        one.add_argument(
            "--bad-dates",
            choices=("error", "empty"),
            default="error",
            help="birth dates that are not dates: stop (error) or link without them (empty)",
        )
        one.add_argument("--match-probability", type=float, default=Settings.match_probability)
        one.add_argument("--review-probability", type=float, default=Settings.review_probability)
        one.add_argument("--stats", metavar="FILE.json", help="write the run's figures here")
        one.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args, **options):
        settings = Settings(
            match_probability=options["match_probability"],
            review_probability=options["review_probability"],
            bad_dates=options["bad_dates"],
        )
        progress = None if options["quiet"] else (lambda line: print(line, file=sys.stderr))
        try:
            check_output(options["out"])
            result = link(
                options["left"],
                options["right"],
                engine=options["engine"],
                settings=settings,
                progress=progress,
            )
            write_pairs(result.pairs, options["out"])
        except LinkInputError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["stats"]:
            with open(options["stats"], "w", encoding="utf-8") as f:
                json.dump(result.stats, f, ensure_ascii=False, indent=1)
        counts = result.stats.get("pairs", {})
        matched = sum(n for key, n in counts.items() if key.startswith("match/"))
        review = sum(n for key, n in counts.items() if key.startswith("review/"))
        self.stdout.write(
            f"{matched} matches, {review} pairs to review, "
            f"{result.stats['seconds']['total']} s: {options['out']}"
        )

"""`carepair plan meal-points --demand DEMAND --sites SITES --p N --out PLAN [--detour F]
[--urban-radius M] [--rural-radius M] [--time-limit S] [--gap-goal G] [--osm FILE]`:
choose N new meal points (助餐点) that bring as many elderly people as possible within
reach, existing points staying open.

A thin shell over carepair.meals.planner, which holds the model and the checks. Exit
status: 0 planned (the JSON summary on stdout), 2 bad input (each bad row and column on
stderr, no PLAN written).
"""

import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from carepair.meals import planner

EPILOG = """\
DEMAND: CSV (UTF-8 or GBK) with columns id, lat, lon, weight, area_type (urban or
rural); weight = elderly people, priority groups counted more.
SITES: CSV with columns id, lat, lon, existing (1/0 or true/false) and, optionally,
capacity. Existing sites stay open; capacity is not a constraint of the model: the
summary names the open sites whose load (each covered demand point counted at its
nearest open site) exceeds it.
PLAN: CSV with site_id, chosen (1 or 0) for every site: the existing ones and exactly
N new ones are 1. If fewer than N candidates exist, all of them are chosen and the
summary says so.

A site covers a demand point when detour x the great-circle (haversine) distance
between them is at most the point's radius; with --osm, when the walk along the roads
(every way tagged highway=*, both directions), plus the straight steps from each of
them to its nearest road node, is. The summary (JSON on stdout) gives
covered_weight, total_weight, upper_bound (no plan of N new points can cover more:
proven area by area, by greedy's submodular bound, LP relaxations and HiGHS's MILP),
and gap = (upper_bound - covered_weight) / total_weight. The search stops when the gap
is below --gap-goal or after --time-limit seconds.
"""


class Command(BaseCommand):
    help = "Plan new meal points: `plan meal-points --demand D --sites S --p N --out PLAN`."
    # It reads files and touches no model: the system checks would only delay it.
    requires_system_checks = []

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="WHAT")
        points = kinds.add_parser(
            "meal-points",
            help="choose new meal points to cover the most elderly people",
            description=__doc__.split("\n\n")[0],
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        points.add_argument("--demand", required=True, metavar="DEMAND", help="demand CSV")
        points.add_argument("--sites", required=True, metavar="SITES", help="sites CSV")
        points.add_argument("--p", type=int, required=True, metavar="N", help="new points")
        points.add_argument("--out", required=True, metavar="PLAN", help="plan CSV to write")
        points.add_argument(
            "--detour",
            type=float,
            default=1.0,
            metavar="F",
            help="road distance / straight-line distance, 1.0 or more (default 1.0)",
        )
        points.add_argument(
            "--urban-radius",
            type=float,
            default=planner.URBAN_RADIUS_M,
            metavar="M",
            help=f"service radius of urban demand, metres (default {planner.URBAN_RADIUS_M:g})",
        )
        points.add_argument(
            "--rural-radius",
            type=float,
            default=planner.RURAL_RADIUS_M,
            metavar="M",
            help=f"service radius of rural demand, metres (default {planner.RURAL_RADIUS_M:g})",
        )
        points.add_argument(
            "--gap-goal",
            type=float,
            default=planner.GAP_GOAL,
            metavar="G",
            help="stop searching once the gap is below this share of the total weight "
            f"(default {planner.GAP_GOAL:g})",
        )
        points.add_argument(
            "--osm",
            metavar="FILE",
            help="an OpenStreetMap .osm (XML) extract: measure reach along its roads",
        )
        points.add_argument(
            "--time-limit",
            type=float,
            default=planner.TIME_LIMIT_S,
            metavar="S",
            help="seconds to search for the optimum before answering with the best plan "
            f"found and its gap (default {planner.TIME_LIMIT_S:g})",
        )

    def handle(self, *args, **options):
        try:
            summary = planner.plan_files(
                options["demand"],
                options["sites"],
                options["p"],
                options["out"],
                urban_radius=options["urban_radius"],
                rural_radius=options["rural_radius"],
                detour=options["detour"],
                time_limit=options["time_limit"],
                gap_goal=options["gap_goal"],
                osm=options["osm"],
            )
        except planner.InputError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))

"""The meal-point planner (助餐点选址): where to open N new meal points so that as many
elderly people as possible live within reach of one, existing points staying open.

A plain Python library (numpy, SciPy; no Django), reached on the command line through
`carepair plan meal-points`. `plan_files()` reads the two CSV files, solves, writes the
plan and returns the summary; `plan()` does the same on data already in memory.

Reach: a point covers a demand point when detour × the great-circle distance between them
is within the demand point's service radius (urban 1,000 m, rural 2,000 m by default).
"""

import csv
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from .geometry import coverage, nearest
from .inputs import RURAL, Demand, InputError, Sites, read_demand, read_sites
from .mclp import Solution, solve
from .roads import Roads, read_osm
from .roads import coverage as road_coverage

__all__ = [
    "Demand",
    "InputError",
    "Sites",
    "Solution",
    "plan",
    "plan_files",
    "read_demand",
    "read_sites",
    "summary",
    "write_plan",
]

URBAN_RADIUS_M = 1000.0
RURAL_RADIUS_M = 2000.0
TIME_LIMIT_S = 30.0
GAP_GOAL = 1e-4
SHOWN_OVER_CAPACITY = 20


def check_settings(p, urban_radius, rural_radius, detour, time_limit) -> None:
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0:
        raise InputError(f"--p must be a whole number of new meal points, 0 or more (got {p})")
    for name, value in (("--urban-radius", urban_radius), ("--rural-radius", rural_radius)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a distance in metres above 0 (got {value})")
    if not (math.isfinite(detour) and detour >= 1.0):
        raise InputError(f"--detour must be 1.0 or more (got {detour})")
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise InputError(f"--time-limit must be a number of seconds above 0 (got {time_limit})")


def check_gap_goal(gap_goal: float) -> None:
    if not (math.isfinite(gap_goal) and 0 <= gap_goal < 1):
        raise InputError(f"--gap-goal must be a share from 0 to below 1 (got {gap_goal})")


def plan(
    demand: Demand,
    sites: Sites,
    p: int,
    *,
    urban_radius: float = URBAN_RADIUS_M,
    rural_radius: float = RURAL_RADIUS_M,
    detour: float = 1.0,
    time_limit: float = TIME_LIMIT_S,
    gap_goal: float = GAP_GOAL,
    roads: Roads | None = None,
) -> Solution:
    """With roads, reach is measured along them (and detour must stay 1.0)."""
    check_settings(p, urban_radius, rural_radius, detour, time_limit)
    check_gap_goal(gap_goal)
    if roads is not None and detour != 1.0:
        raise InputError(
            "--detour stretches straight lines; with --osm the roads give the distance"
        )
    started = time.perf_counter()
    radius = np.where(demand.area == RURAL, rural_radius, urban_radius)
    if roads is None:
        cover = coverage(demand.lat, demand.lon, radius, sites.lat, sites.lon, detour)
    else:
        cover = road_coverage(roads, demand.lat, demand.lon, radius, sites.lat, sites.lon)
    built = time.perf_counter() - started
    solution = solve(
        cover, demand.weight, sites.existing, p, time_limit=time_limit, gap_goal=gap_goal
    )
    solution.stats["coverage_seconds"] = built
    solution.stats["links"] = int(cover.nnz)
    solution.stats["covered_mask"] = cover[:, solution.chosen].getnnz(axis=1) > 0
    solution.stats["cover"] = cover  # demand × site, 0/1: for callers that show more
    return solution


def capacity_report(demand: Demand, sites: Sites, solution: Solution) -> dict | None:
    """Capacity is not a constraint of the model (a capacitated covering model is another
    problem); it is checked afterwards: each covered demand point is counted at its
    nearest open site, and open sites whose count exceeds their capacity are named."""
    if sites.capacity is None:
        return None
    open_sites = np.flatnonzero(solution.chosen)
    covered = solution.stats["covered_mask"]
    load = np.zeros(len(sites.ids))
    if open_sites.size and covered.any():
        index = nearest(
            demand.lat[covered], demand.lon[covered], sites.lat[open_sites], sites.lon[open_sites]
        )
        np.add.at(load, open_sites[index], demand.weight[covered])
    over = [
        int(j)
        for j in open_sites
        if not math.isnan(sites.capacity[j]) and load[j] > sites.capacity[j]
    ]
    over.sort(key=lambda j: load[j] - sites.capacity[j], reverse=True)
    return {
        "rule": "each covered demand point counted at its nearest open site",
        "open_sites_with_capacity": int(np.count_nonzero(~np.isnan(sites.capacity[open_sites]))),
        "open_sites_over_capacity": len(over),
        "over_capacity": [
            {
                "site_id": sites.ids[j],
                "capacity": float(sites.capacity[j]),
                "load": round(float(load[j]), 6),
            }
            for j in over[:SHOWN_OVER_CAPACITY]
        ],
    }


def summary(demand: Demand, sites: Sites, solution: Solution, settings: dict) -> dict:
    existing = int(sites.existing.sum())
    candidates = len(sites.ids) - existing
    out = {
        "covered_weight": round(solution.covered_weight, 6),
        "total_weight": round(solution.total_weight, 6),
        "upper_bound": round(solution.upper_bound, 6),
        "gap": solution.gap,
        "proven_optimal": solution.proven_optimal,
        "new_sites_requested": solution.new_requested,
        "new_sites_chosen": solution.new_chosen,
        "existing_sites": existing,
        "candidate_sites": candidates,
        "demand_points": len(demand.ids),
        "distance": (
            f"great-circle (haversine) x detour {settings['detour']}"
            if not settings.get("osm")
            else f"shortest path along the roads of {settings['osm']}, plus the straight "
            "steps from each point to its nearest road node"
        ),
        "radius_m": {"urban": settings["urban_radius"], "rural": settings["rural_radius"]},
        "method": solution.method,
        "seconds": round(solution.stats["coverage_seconds"] + solution.stats["seconds"], 3),
    }
    if solution.new_chosen < solution.new_requested:
        out["note"] = (
            f"only {candidates} candidate site(s) besides the existing ones: all of them are "
            f"chosen, fewer than the {solution.new_requested} asked for"
        )
    report = capacity_report(demand, sites, solution)
    if report is not None:
        out["capacity"] = report
    return out


def write_plan(path: Path | str, sites: Sites, chosen: np.ndarray) -> None:
    """site_id, chosen (1 or 0) for every site, in the order of the sites file; written to
    a temporary file beside the target and renamed, so a failure leaves nothing behind."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["site_id", "chosen"])
            writer.writerows(zip(sites.ids, chosen.astype(int).tolist(), strict=True))
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def plan_files(
    demand_path: Path | str,
    sites_path: Path | str,
    p: int,
    out: Path | str,
    *,
    urban_radius: float = URBAN_RADIUS_M,
    rural_radius: float = RURAL_RADIUS_M,
    detour: float = 1.0,
    time_limit: float = TIME_LIMIT_S,
    gap_goal: float = GAP_GOAL,
    osm: Path | str | None = None,
) -> dict:
    """Read, solve, write PLAN; the summary. InputError (nothing written) on bad input."""
    settings = {
        "urban_radius": urban_radius,
        "rural_radius": rural_radius,
        "detour": detour,
        "time_limit": time_limit,
    }
    check_settings(p, **settings)
    check_gap_goal(gap_goal)
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError(f"{out}: its directory does not exist")
    demand = read_demand(demand_path)
    sites = read_sites(sites_path)
    roads = read_osm(osm) if osm else None
    solution = plan(demand, sites, p, roads=roads, gap_goal=gap_goal, **settings)
    write_plan(out, sites, solution.chosen)
    return summary(demand, sites, solution, {**settings, "osm": str(osm) if osm else None})

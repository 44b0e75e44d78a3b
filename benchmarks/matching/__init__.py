"""The matching benchmark: our `carepair match link` against Splink on the same lists."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"

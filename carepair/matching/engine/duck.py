"""The DuckDB backend: in process, columnar, all cores, within a memory limit (DuckDB
spills joins and tables beyond it to a temporary directory, removed at the end)."""

import os
import shutil
import tempfile

import duckdb
import pyarrow as pa

# CAREPAIR_MATCH_MEMORY (e.g. "2GB") bounds DuckDB's memory; by default a quarter of the
# machine's, at least 1 GB and at most 2 GB: a city's lists (3.2 M x 1 M) link within it
# as fast as with 4 GB, and a linkage should not take a shared server's memory from the
# application beside it.
DEFAULT_FRACTION = 0.25


def memory_limit() -> str:
    configured = os.environ.get("CAREPAIR_MATCH_MEMORY")
    if configured:
        return configured
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return "2GB"
    mib = min(max(int(total * DEFAULT_FRACTION / 2**20), 1024), 2048)
    return f"{mib}MB"


class DuckBackend:
    div = "//"  # integer division

    def __init__(self, threads: int | None = None):
        self.tmp = tempfile.mkdtemp(prefix="carepair-match-")
        config = {"memory_limit": memory_limit(), "temp_directory": self.tmp}
        if threads:
            config["threads"] = threads
        self.con = duckdb.connect(config=config)
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")
        self._kept: dict = {}

    def put(self, name: str, table: pa.Table) -> None:
        self._kept[name] = table  # DuckDB scans the Arrow memory in place
        self.con.register(name, table)

    def create(self, name: str, query: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")

    def drop(self, name: str) -> None:
        if self._kept.pop(name, None) is not None:
            self.con.unregister(name)
        else:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def arrow(self, query: str) -> pa.Table:
        return self.con.sql(query).to_arrow_table()

    def close(self) -> None:
        self.con.close()
        self._kept.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

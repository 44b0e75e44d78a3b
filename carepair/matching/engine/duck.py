"""The DuckDB backend: in process, columnar, all cores."""

import duckdb
import pyarrow as pa


class DuckBackend:
    div = "//"  # integer division

    def __init__(self, threads: int | None = None):
        self.con = duckdb.connect(config={"threads": threads} if threads else {})
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")
        self._kept: list = []

    def put(self, name: str, table: pa.Table) -> None:
        self._kept.append(table)  # DuckDB scans the Arrow memory in place
        self.con.register(name, table)

    def create(self, name: str, query: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {query}")

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def arrow(self, query: str) -> pa.Table:
        return self.con.sql(query).to_arrow_table()

    def close(self) -> None:
        self.con.close()

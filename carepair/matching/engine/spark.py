"""The Spark backend (`--engine spark`): the same SQL as DuckDB's, run by Spark SQL, for
lists that outgrow one machine. Local mode by default; CAREPAIR_SPARK_MASTER points it at
a cluster."""

import os

import pyarrow as pa

_SESSION = None


def session():
    """One Spark session per process: starting one takes seconds."""
    global _SESSION
    if _SESSION is None:
        from pyspark.sql import SparkSession

        cores = os.environ.get("CAREPAIR_SPARK_MASTER", f"local[{os.cpu_count() or 2}]")
        _SESSION = (
            SparkSession.builder.master(cores)
            .appName("carepair-match")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config(
                "spark.sql.shuffle.partitions", os.environ.get("CAREPAIR_SPARK_PARTITIONS", "8")
            )
            .config("spark.driver.memory", os.environ.get("CAREPAIR_SPARK_MEMORY", "4g"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.ansi.enabled", "true")
            .getOrCreate()
        )
        _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


class SparkBackend:
    div = "div"  # integer division

    def __init__(self):
        self.spark = session()
        self._cached: list = []

    def put(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            # Spark cannot infer a schema from no rows; give it the Arrow one.
            from pyspark.sql.pandas.types import from_arrow_schema

            frame = self.spark.createDataFrame([], from_arrow_schema(table.schema))
        else:
            frame = self.spark.createDataFrame(table)
        frame.createOrReplaceTempView(name)

    def create(self, name: str, query: str) -> None:
        frame = self.spark.sql(query).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)
        self._cached.append(name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def arrow(self, query: str) -> pa.Table:
        return self.spark.sql(query).toArrow()

    def close(self) -> None:
        for name in self._cached:
            self.spark.catalog.dropTempView(name)

"""`--engine spark`: the same SQL run by Spark in local mode gives the same pairs as DuckDB.
One Spark session for the module (starting one takes seconds)."""

import pytest

from carepair.matching.engine import link
from tests.matching_lists import copy, department, registry, table

pytest.importorskip("pyspark")

PEOPLE = registry(300)


def mistype(number: str, position: int) -> str:
    return number[:position] + str((int(number[position]) + 3) % 10) + number[position + 1 :]


@pytest.mark.slow
def test_spark_and_duckdb_give_the_same_pairs_scores_and_evidence():
    a, b = PEOPLE[10], PEOPLE[11]
    n = PEOPLE[12]["id_number"]
    right = [
        *department(PEOPLE, 80),
        copy(PEOPLE[100], "M1", id_number=mistype(PEOPLE[100]["id_number"], 8)),
        copy(PEOPLE[12], "O1", id_number=n[:6] + n[8:17]),
        copy(PEOPLE[101], "N1", id_number=""),
        copy(b, "X1", id_number=a["id_number"]),
        copy(PEOPLE[102], "T1", id_number="", name="張" + PEOPLE[102]["name"][1:]),
    ]
    left, right = table(PEOPLE), table(right)

    def pairs(engine):
        out = link(left, right, engine=engine).pairs.to_pylist()
        return sorted(
            (p["left_id"], p["right_id"], p["decision"], p["rule"], p["evidence"],
             round(p["score"], 5)) for p in out
        )  # fmt: skip

    duck = pairs("duckdb")
    assert len([p for p in duck if p[2] == "match"]) >= 84
    assert pairs("spark") == duck

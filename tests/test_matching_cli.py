"""`carepair match link`: CSV (UTF-8 and GBK) and Parquet in, CSV or Parquet out, clear
errors and a non-zero exit for lists that cannot be linked, nothing half-written."""

import csv
import subprocess
import sys

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.matching_lists import COLUMNS, copy, department, registry, table

PEOPLE = registry(200)


def write_csv(path, rows, encoding="utf-8", columns=COLUMNS):
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def lists(tmp_path):
    left = tmp_path / "registry.parquet"
    pq.write_table(table(PEOPLE), left)
    right = write_csv(tmp_path / "deaths.csv", department(PEOPLE, 60))
    return left, right


def test_it_writes_csv_pairs_with_the_agreed_columns_first(lists, tmp_path):
    out = tmp_path / "pairs.csv"
    call_command("match", "link", *map(str, lists), "--out", str(out), "--quiet")
    pairs = pa_csv.read_csv(out)
    assert pairs.column_names[:4] == ["left_id", "right_id", "score", "decision"]
    assert pairs.num_rows == 60
    assert set(pairs.column("decision").to_pylist()) == {"match"}


def test_it_writes_parquet_when_the_name_says_so(lists, tmp_path):
    out = tmp_path / "pairs.parquet"
    call_command("match", "link", *map(str, lists), "--out", str(out), "--quiet")
    assert pq.read_table(out).num_rows == 60


def test_a_gbk_list_reads_as_well_as_utf8(lists, tmp_path):
    left, _ = lists
    right = write_csv(tmp_path / "gbk.csv", [copy(PEOPLE[5], "G1", id_number="")], "gbk")
    out = tmp_path / "pairs.csv"
    call_command("match", "link", str(left), str(right), "--out", str(out), "--quiet")
    [pair] = pa_csv.read_csv(out).to_pylist()
    assert (pair["left_id"], pair["right_id"], pair["decision"]) == ("L00005", "G1", "match")


def test_missing_columns_are_named_and_nothing_is_written(lists, tmp_path):
    left, _ = lists
    right = write_csv(tmp_path / "short.csv", PEOPLE[:3], columns=("record_id", "name"))
    out = tmp_path / "pairs.csv"
    with pytest.raises(CommandError, match="missing columns: id_number, birth_date, sex, phone"):
        call_command("match", "link", str(left), str(right), "--out", str(out), "--quiet")
    assert list(tmp_path.glob("*pairs*")) == []


def test_unreadable_dates_are_reported_with_the_record_and_the_exit_status_is_2(lists, tmp_path):
    left, _ = lists
    right = write_csv(tmp_path / "dates.csv", [copy(PEOPLE[1], "D1", birth_date="去年春天")])
    out = tmp_path / "pairs.csv"
    done = subprocess.run(
        [sys.executable, "-m", "carepair.cli", "match", "link", str(left), str(right),
         "--out", str(out), "--quiet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "RIGHT record D1: birth_date '去年春天'" in done.stderr
    assert not out.exists()
    call_command(
        "match", "link", str(left), str(right), "--out", str(out), "--quiet", "--bad-dates", "empty"
    )
    assert out.exists()


def test_an_unknown_output_kind_is_refused(lists, tmp_path):
    with pytest.raises(CommandError, match=r"written as \.csv or \.parquet"):
        call_command(
            "match", "link", *map(str, lists), "--out", str(tmp_path / "p.xlsx"), "--quiet"
        )

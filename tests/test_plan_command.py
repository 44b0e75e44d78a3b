"""`carepair plan meal-points`: a plan for every site and the JSON summary; bad input
refused with the row and column named, exit status 2, and no plan written."""

import csv
import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

DEMAND = [
    ("id", "lat", "lon", "weight", "area_type"),
    ("d1", "29.5521", "103.7656", "120", "urban"),
    ("d2", "29.5530", "103.7660", "80", "urban"),
    ("d3", "29.6010", "103.4843", "60", "rural"),
    ("d4", "29.2088", "103.9494", "40", "urban"),
]
SITES = [
    ("id", "lat", "lon", "existing", "capacity"),
    ("s1", "29.5525", "103.7658", "0", "150"),
    ("s2", "29.6015", "103.4850", "false", ""),
    ("s3", "29.2090", "103.9490", "1", ""),
    ("s4", "29.9000", "104.2000", "0", "10"),
]


def write(path, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def plan(tmp_path, demand=DEMAND, sites=SITES, p="1", encoding="utf-8", extra=()):
    out = tmp_path / "plan.csv"
    stdout = StringIO()
    call_command(
        "plan",
        "meal-points",
        "--demand",
        str(write(tmp_path / "demand.csv", demand, encoding)),
        "--sites",
        str(write(tmp_path / "sites.csv", sites, encoding)),
        "--p",
        p,
        "--out",
        str(out),
        *extra,
        stdout=stdout,
    )
    with out.open(encoding="utf-8", newline="") as fh:
        chosen = {row["site_id"]: row["chosen"] for row in csv.DictReader(fh)}
    return json.loads(stdout.getvalue()), chosen


def test_it_writes_a_plan_for_every_site_and_prints_the_summary(tmp_path):
    summary, chosen = plan(tmp_path)
    assert chosen == {"s1": "1", "s2": "0", "s3": "1", "s4": "0"}
    assert summary["covered_weight"] == 240
    assert summary["total_weight"] == 300
    assert summary["upper_bound"] == 240
    assert summary["gap"] == 0
    assert summary["new_sites_chosen"] == 1
    assert summary["capacity"]["open_sites_over_capacity"] == 1
    assert summary["capacity"]["over_capacity"][0]["site_id"] == "s1"


def test_it_reads_gbk_files_as_well_as_utf8(tmp_path):
    demand = [*DEMAND, ("老人点5", "29.6012", "103.4845", "30", "农村")]
    summary, chosen = plan(tmp_path, demand=demand, p="2", encoding="gbk")
    assert summary["covered_weight"] == 330
    assert chosen["s1"] == chosen["s2"] == "1"


def test_it_opens_every_candidate_when_fewer_exist_than_asked_for(tmp_path):
    summary, chosen = plan(tmp_path, p="9")
    assert set(chosen.values()) == {"1"}
    assert summary["new_sites_chosen"] == 3
    assert "only 3 candidate site(s)" in summary["note"]


def test_it_uses_the_radii_and_detour_given(tmp_path):
    # From s1, d1 lies 48.5 m away and d2 59 m; d4 lies 44.7 m from s3.
    summary, _chosen = plan(tmp_path, extra=("--urban-radius", "53"))
    assert summary["covered_weight"] == 120 + 40
    # 20 x 48.5 m and 20 x 44.7 m are within 1,000 m; 20 x 59 m is not.
    summary, _chosen = plan(tmp_path, extra=("--detour", "20"))
    assert summary["covered_weight"] == 120 + 40
    summary, _chosen = plan(tmp_path, extra=("--detour", "16"))
    assert summary["covered_weight"] == 120 + 80 + 40


def with_cell(rows, row, column, value):
    header = rows[0]
    changed = [list(r) for r in rows]
    changed[row][header.index(column)] = value
    return changed


@pytest.mark.parametrize(
    ("which", "rows", "message"),
    [
        ("demand", [r[:4] for r in DEMAND], "missing column(s) area_type"),
        ("sites", [r[1:] for r in SITES], "missing column(s) id"),
        ("demand", with_cell(DEMAND, 2, "lat", "north"), "row 3, column lat: 'north' is not a"),
        ("demand", with_cell(DEMAND, 1, "lat", "95"), "row 2, column lat: 95 is not a latitude"),
        ("sites", with_cell(SITES, 3, "lon", "-181"), "row 4, column lon: -181 is not a longitude"),
        ("sites", with_cell(SITES, 1, "lat", "nan"), "row 2, column lat: nan is not a latitude"),
        ("demand", with_cell(DEMAND, 4, "weight", "-3"), "row 5, column weight: -3 is not a"),
        ("demand", with_cell(DEMAND, 2, "area_type", "suburb"), "row 3, column area_type"),
        ("demand", with_cell(DEMAND, 3, "id", "d1"), "row 4, column id: 'd1' repeats"),
        ("sites", with_cell(SITES, 2, "id", "s1"), "row 3, column id: 's1' repeats"),
        ("sites", with_cell(SITES, 2, "existing", "maybe"), "row 3, column existing"),
        ("sites", with_cell(SITES, 4, "capacity", "-1"), "row 5, column capacity"),
        ("demand", DEMAND[:1], "no rows after the header"),
    ],
)
def test_it_refuses_bad_input_naming_row_and_column_and_writes_nothing(
    tmp_path, which, rows, message
):
    kwargs = {which: rows}
    with pytest.raises(CommandError) as refused:
        plan(tmp_path, **kwargs)
    assert message in str(refused.value)
    assert refused.value.returncode == 2
    assert not (tmp_path / "plan.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan")] == []


@pytest.mark.parametrize(
    ("extra", "p", "message"),
    [
        ((), "-1", "--p must be a whole number"),
        (("--detour", "0.5"), "1", "--detour must be 1.0 or more"),
        (("--urban-radius", "0"), "1", "--urban-radius must be a distance"),
    ],
)
def test_it_refuses_bad_settings(tmp_path, extra, p, message):
    with pytest.raises(CommandError) as refused:
        plan(tmp_path, p=p, extra=extra)
    assert message in str(refused.value)
    assert refused.value.returncode == 2
    assert not (tmp_path / "plan.csv").exists()


def test_it_refuses_a_file_in_neither_utf8_nor_gbk(tmp_path):
    (tmp_path / "demand.csv").write_bytes(
        b"id,lat,lon,weight,area_type\n\xff\xfe\xff,1,2,3,urban\n"
    )
    with pytest.raises(CommandError, match="neither UTF-8 nor GBK"):
        call_command(
            "plan",
            "meal-points",
            "--demand",
            str(tmp_path / "demand.csv"),
            "--sites",
            str(write(tmp_path / "sites.csv", SITES)),
            "--p",
            "1",
            "--out",
            str(tmp_path / "plan.csv"),
        )


def test_the_command_line_exits_with_status_2_on_bad_input(tmp_path):
    demand = write(tmp_path / "demand.csv", with_cell(DEMAND, 1, "weight", "-1"))
    sites = write(tmp_path / "sites.csv", SITES)
    out = tmp_path / "plan.csv"
    run = subprocess.run(
        [
            *(sys.executable, "-m", "carepair.cli", "plan", "meal-points"),
            *("--demand", str(demand), "--sites", str(sites), "--p", "1", "--out", str(out)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "row 2, column weight" in run.stderr
    assert not out.exists()


def test_it_measures_along_the_roads_of_an_osm_file_when_given(tmp_path):
    # One road from s1 to d1 only: d2 (59 m from s1 in a straight line) has none nearby
    # but steps onto the road's end at s1 itself, so it is still reached.
    osm = tmp_path / "roads.osm"
    osm.write_text(
        '<osm><node id="1" lat="29.5525" lon="103.7658"/><node id="2" lat="29.5521" '
        'lon="103.7656"/><way id="3"><nd ref="1"/><nd ref="2"/>'
        '<tag k="highway" v="footway"/></way></osm>'
    )
    summary, chosen = plan(tmp_path, extra=("--osm", str(osm)))
    assert chosen["s1"] == "1"
    # d4 and s3 are far from the road: each steps 40 km to it, beyond any radius.
    assert summary["covered_weight"] == 200
    assert "along the roads" in summary["distance"]


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        ('<osm><node id="1" lat="29" lon="103"/></osm>', (), "no roads"),
        (
            '<osm><node id="1" lat="29" lon="103"/><node id="2" lat="29.1" lon="103"/>'
            '<way id="3"><nd ref="1"/><nd ref="2"/><tag k="highway" v="path"/></way></osm>',
            ("--detour", "1.5"),
            "with --osm the roads give the distance",
        ),
    ],
)
def test_it_refuses_a_road_map_without_roads_or_with_a_detour(tmp_path, text, extra, message):
    osm = tmp_path / "roads.osm"
    osm.write_text(text)
    with pytest.raises(CommandError) as refused:
        plan(tmp_path, extra=("--osm", str(osm), *extra))
    assert message in str(refused.value)
    assert refused.value.returncode == 2
    assert not (tmp_path / "plan.csv").exists()


def test_it_refuses_a_gap_goal_that_is_not_a_share(tmp_path):
    with pytest.raises(CommandError, match="--gap-goal must be a share") as refused:
        plan(tmp_path, extra=("--gap-goal", "1.5"))
    assert refused.value.returncode == 2

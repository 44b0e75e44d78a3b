"""The comparison scenarios (比对场景) of the engine, on hand-made lists: each finds what
was planted and nothing else."""

import datetime

import pyarrow as pa
import pytest

from carepair.matching.engine import scenarios
from carepair.people.idnumber import check_character

TODAY = datetime.date(2025, 6, 1)


def nid(region: str, born: str, seq: str) -> str:
    first17 = f"{region}{born}{seq}"
    return first17 + check_character(first17)


A = nid("511102", "19440305", "122")
B = nid("511111", "19500101", "123")
C = nid("511123", "19600707", "456")
KID = nid("511102", "20150101", "111")
KID2 = nid("511102", "20160202", "112")
DAD = nid("511102", "19850101", "131")
MUM = nid("511102", "19870101", "142")


def table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows)


def found(key, lists, registry=None) -> list[dict]:
    return scenarios.run(key, lists, registry=registry, today=TODAY)


ROLL = table(
    [
        {"record_id": "r1", "name": "王秀英", "id_number": A, "paid_from": "2024-07-01",
         "region_code": "511102001001", "address": "市中区"},
        {"record_id": "r2", "name": "李建国", "id_number": B, "paid_from": "2024-07-01",
         "region_code": "511111001001", "address": "沙湾区"},
        {"record_id": "r3", "name": "赵四", "id_number": C, "paid_from": "2024-07-01",
         "region_code": "511123001001", "address": "犍为县"},
    ]
)  # fmt: skip


def test_it_finds_the_dead_still_paid_but_not_those_who_died_after():
    deaths = table(
        [
            {"record_id": "d1", "name": "王秀英", "id_number": A, "death_date": "2024-05-01",
             "address": "市中区"},
            {"record_id": "d2", "name": "李建国", "id_number": B, "death_date": "2025-03-01",
             "address": "沙湾区"},
        ]
    )  # fmt: skip
    result = found("deceased_still_paid", {"deaths": deaths, "benefit_roll": ROLL})
    assert [(f["record_id"], f["other_record_id"], f["region_code"]) for f in result] == [
        ("r1", "d1", "511102001001")
    ]
    assert result[0]["rule"] and result[0]["evidence"]


def test_it_finds_the_same_person_paid_in_two_counties_once():
    twice = [
        *ROLL.to_pylist(),
        {"record_id": "r4", "name": "赵四", "id_number": C, "paid_from": "2024-07-01",
         "region_code": "511102001002", "address": "市中区"},
    ]  # fmt: skip
    result = found("paid_twice", {"benefit_roll": table(twice)})
    assert len(result) == 1
    assert {result[0]["record_id"], result[0]["other_record_id"]} == {"r3", "r4"}


def test_it_finds_people_on_two_rolls_that_exclude_each_other():
    other = table([{"record_id": "t1", "name": "李建国", "id_number": B, "address": "沙湾区"}])
    result = found("paid_twice", {"benefit_roll": ROLL, "benefit_roll_other": other})
    assert [f["record_id"] for f in result] == ["r2"]


def test_it_finds_disabled_children_of_school_age_on_no_school_roll():
    disability = table(
        [
            {"record_id": "p1", "name": "小明", "id_number": KID, "grade": "二级",
             "address": "市中区"},
            {"record_id": "p2", "name": "小红", "id_number": KID2, "grade": "一级",
             "address": "市中区"},
            {"record_id": "p3", "name": "王秀英", "id_number": A, "grade": "一级",
             "address": "市中区"},
        ]
    )  # fmt: skip
    school = table([{"record_id": "s1", "name": "小明", "id_number": KID, "address": "市中区"}])
    result = found(
        "disabled_children_out_of_school", {"disability": disability, "school_roll": school}
    )
    assert [f["record_id"] for f in result] == ["p2"]


def test_it_finds_children_whose_parents_are_both_away_and_not_in_the_archive():
    school = table(
        [
            {"record_id": "s1", "name": "小明", "id_number": KID, "father_id_number": DAD,
             "mother_id_number": MUM, "address": "市中区"},
            {"record_id": "s2", "name": "小红", "id_number": KID2, "father_id_number": DAD,
             "mother_id_number": "", "address": "市中区"},
        ]
    )  # fmt: skip
    migrants = table(
        [
            {"record_id": "m1", "name": "王父", "id_number": DAD, "address": "广东"},
            {"record_id": "m2", "name": "李母", "id_number": MUM, "address": "浙江"},
        ]
    )
    registry = table(
        [
            {
                "record_id": "1",
                "name": "王秀英",
                "id_number": A,
                "categories": "alone",
                "address": "市中区",
            }
        ]
    )
    result = found(
        "left_behind_missing", {"school_roll": school, "migrant_workers": migrants}, registry
    )
    assert [f["record_id"] for f in result] == ["s1"]


def test_it_finds_benefit_recipients_with_a_vehicle():
    vehicles = table([{"record_id": "v1", "name": "赵四", "id_number": C, "plate": "川L12345"}])
    result = found("benefit_with_assets", {"benefit_roll": ROLL, "vehicles": vehicles})
    assert [(f["record_id"], f["facts"]["plate"]) for f in result] == [("r3", "川L12345")]
    assert result[0]["facts"]["other"]["name"] == "赵四"


def test_a_findings_identity_is_the_same_from_run_to_run():
    deaths = table(
        [{"record_id": "x", "name": "王秀英", "id_number": A, "death_date": "2024-01-01"}]
    )
    first = found("deceased_still_paid", {"deaths": deaths, "benefit_roll": ROLL})
    again = found("deceased_still_paid", {"deaths": deaths, "benefit_roll": ROLL})
    assert first[0]["identity"] == again[0]["identity"] == f"deceased_still_paid:id:{A}"


def test_a_scenario_without_its_lists_says_which_it_needs():
    with pytest.raises(ValueError, match="deaths"):
        found("deceased_still_paid", {"benefit_roll": ROLL})

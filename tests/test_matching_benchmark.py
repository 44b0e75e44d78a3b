"""The matching benchmark's generator and metrics (no database, no Splink run)."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from benchmarks.matching import generate, metrics, splink_run
from carepair.people import idnumber

# Big enough for the shares to show (10,000 right records), small enough to take a second.
N_LEFT, N_RIGHT = 20_000, 10_000


@pytest.fixture(scope="module")
def lists():
    return generate.generate(N_LEFT, N_RIGHT, seed=7)


def joined(lists):
    """Right records with their truth and their true left record's ID number."""
    left = dict(
        zip(
            lists.left.column("record_id").to_pylist(),
            lists.left.column("id_number").to_pylist(),
            strict=True,
        )
    )
    rows = []
    for right, truth in zip(lists.right.to_pylist(), lists.truth.to_pylist(), strict=True):
        assert right["record_id"] == truth["right_id"]
        rows.append((right, truth, left.get(truth["left_id"])))
    return rows


def test_it_writes_the_same_lists_for_the_same_seed(lists):
    again = generate.generate(N_LEFT, N_RIGHT, seed=7)
    assert again.left.equals(lists.left)
    assert again.right.equals(lists.right)
    assert again.truth.equals(lists.truth)
    other = generate.generate(N_LEFT, N_RIGHT, seed=8)
    assert not other.right.equals(lists.right)


def test_it_writes_the_sizes_asked_with_unique_record_and_id_numbers(lists):
    assert lists.left.num_rows == N_LEFT
    assert lists.right.num_rows == N_RIGHT == lists.truth.num_rows
    assert pc.count_distinct(lists.left["record_id"]).as_py() == N_LEFT
    assert pc.count_distinct(lists.left["id_number"]).as_py() == N_LEFT
    assert pc.count_distinct(lists.right["record_id"]).as_py() == N_RIGHT


def test_every_registry_number_passes_gb_11643_with_the_birth_date_and_sex_it_encodes(lists):
    for row in lists.left.to_pylist():
        parsed = idnumber.parse(row["id_number"])
        assert parsed.number == row["id_number"]
        assert parsed.birth_date.isoformat() == row["birth_date"]
        assert {"M": "男", "F": "女"}[parsed.sex] == row["sex"]
        assert row["id_number"][:6] in {c[0] for c in generate.names.COUNTIES}


def test_each_id_class_is_what_it_says(lists):
    seen = set()
    for right, truth, true_number in joined(lists):
        cls, raw = truth["id_class"], right["id_number"]
        seen.add(cls)
        if cls == "missing":
            assert raw == ""
            continue
        if cls in ("mistyped", "swapped"):
            with pytest.raises(idnumber.InvalidIdNumber):
                idnumber.parse(raw)
            if true_number:
                differ = [i for i in range(18) if raw[i] != true_number[i]]
                assert len(differ) == (1 if cls == "mistyped" else 2)
            continue
        number = idnumber.parse(raw).number  # valid, old15 and relative all pass
        if cls == "old15":
            assert len(raw) == 15
        if true_number and cls in ("valid", "old15"):
            assert number == true_number
        if cls == "relative":
            assert number != true_number
    assert seen == set(generate.ID_CLASSES)


def shares(column) -> dict[str, int]:
    return {c["values"]: c["counts"] for c in pc.value_counts(column).to_pylist()}


def test_the_error_classes_occur_at_the_configured_rates(lists):
    rates = generate.Rates()
    counts = shares(lists.truth["id_class"])
    for cls, share in rates.id_class_shares().items():
        assert counts.get(cls, 0) / N_RIGHT == pytest.approx(share, abs=0.01), cls
    outside = pc.sum(pc.equal(lists.truth["left_id"], "")).as_py()
    assert outside / N_RIGHT == pytest.approx(rates.not_in_left, abs=0.002)
    names = shares(lists.truth["name_error"])
    for kind in ("homophone", "fuzzy", "traditional", "spaced"):
        # Some names admit no error of a kind (no traditional form): at most the rate.
        assert 0.5 * getattr(rates, kind) <= names[kind] / N_RIGHT <= getattr(rates, kind) + 0.01


def test_right_records_outside_the_registry_are_not_in_it(lists):
    left_ids = set(lists.left.column("record_id").to_pylist())
    for truth in lists.truth.to_pylist():
        assert truth["left_id"] == "" or truth["left_id"] in left_ids


def test_the_population_has_compound_surnames_and_thousands_of_given_name_characters():
    population = generate.generate(200_000, 1_000, seed=1).left
    names = population.column("name").to_pylist()
    given = set()
    for name in names:
        given.update(name[1:])
    assert len(given) > 2_000
    assert any(n.startswith("欧阳") for n in names)
    surnames = pc.value_counts(pc.utf8_slice_codeunits(population["name"], 0, 1)).to_pylist()
    top = sorted(surnames, key=lambda c: -c["counts"])[:6]
    assert {c["values"] for c in top} <= set("王李张刘陈杨黄赵")


def test_the_metrics_count_matches_reviews_and_id_classes_as_defined():
    truth = pa.table(
        {
            "right_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "left_id": ["l1", "l2", "l3", "l4", "", ""],
            "id_class": ["valid", "valid", "missing", "relative", "valid", "missing"],
        }
    )
    pairs = pa.table(
        {
            "left_id": ["l1", "l9", "l3", "l4", "l5"],
            "right_id": ["r1", "r2", "r3", "r4", "r5"],
            "score": [1.0, 0.995, 0.9, 0.85, 0.999],
            "decision": ["match", "match", "review", "review", "match"],
        }
    )
    got = metrics.evaluate(pairs, truth)
    # Matches: r1 right, r2 wrong partner, r5 has no partner at all.
    assert got["matches"] == 3 and got["true_matches"] == 1
    assert got["precision"] == pytest.approx(1 / 3)
    assert got["recall"] == pytest.approx(1 / 4)
    assert got["f1"] == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    assert got["recall_any"] == pytest.approx(3 / 4)  # r1, r3, r4
    assert got["review_share"] == pytest.approx(2 / 6)
    assert got["recall_valid"] == pytest.approx(1 / 2)
    assert got["recall_valid_ids"] == pytest.approx(1 / 2)
    assert got["recall_bad_ids"] == 0
    assert got["extra_matches"] == 0

    best = metrics.best_threshold(pairs.select(["left_id", "right_id", "score"]), truth)
    # Scores in order: r5 (wrong), r2 (wrong), r1, r3, r4 (right): best keeps all five.
    assert best["threshold"] == 0.85
    assert best["recall"] == pytest.approx(3 / 4)


def test_the_splink_side_is_given_ids_of_18_digits_and_folded_pinyin():
    assert splink_run.id18("511102 19500304 123x") == "51110219500304123X"
    assert splink_run.id18("５１１１０２５００３０４１２３") == idnumber.from_15("511102500304123")
    assert splink_run.fold("neng") == splink_run.fold("leng") == "len"
    assert splink_run.fold("zhang") == splink_run.fold("zan")
    parts = splink_run.NameParts()
    assert parts("歐陽 明") == ("欧阳明", "欧阳", "明", "ouyan", "min")
    assert parts("单丽")[3] == "san"


def test_febrl4_is_given_in_our_columns_with_each_duplicate_partnered_to_its_original(tmp_path):
    import pyarrow.parquet as pq

    from benchmarks.matching.__main__ import febrl_files

    out = febrl_files(tmp_path)
    left, right = pq.read_table(out / "left.parquet"), pq.read_table(out / "right.parquet")
    truth = pq.read_table(out / "truth.parquet").to_pylist()
    assert left.num_rows == right.num_rows == len(truth) == 5_000
    assert {"record_id", "name", "id_number", "birth_date", "address"} <= set(left.column_names)
    assert all(t["left_id"] == t["right_id"].split("-dup")[0] + "-org" for t in truth)
    first = left.slice(0, 1).to_pylist()[0]
    assert first["name"] == f"{first['given_name']} {first['surname']}"

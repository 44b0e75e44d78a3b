"""Normalisation for the matching engine: ID numbers, names, dates, phones and addresses,
each as the comparisons see it. No database needed."""

import datetime
import subprocess
import sys

import pyarrow as pa
import pytest

from carepair.matching.engine import LinkInputError, normalise_list
from carepair.matching.engine.normalise import Unreadable, address_forms, date_forms, parse_date
from carepair.matching.engine.pinyin import name_forms
from tests.matching_lists import COLUMNS


def one(**fields) -> dict:
    row = {c: [fields.get(c)] for c in COLUMNS}
    row["record_id"] = ["1"]
    return normalise_list(
        pa.table({c: pa.array(v, pa.string()) for c, v in row.items()})
    ).to_pylist()[0]


def test_importing_the_engine_does_not_import_django():
    code = (
        "import sys, carepair.matching.engine, carepair.matching.engine.spark;"
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


class TestIdNumbers:
    def test_a_valid_number_passes_its_check_and_gives_birth_date_and_sex(self):
        row = one(id_number="11010519491231002X")
        assert (row["idn"], row["idv"], row["bs"], row["sx"]) == (
            "11010519491231002X", True, "19491231", "F")  # fmt: skip

    def test_a_small_x_full_width_digits_spaces_and_dashes_are_made_plain(self):
        row = one(id_number=" １１０１０５-1949 1231002x ")
        assert (row["idn"], row["idv"]) == ("11010519491231002X", True)

    def test_an_old_15_digit_number_becomes_its_18_digit_one(self):
        row = one(id_number="130503670401001")
        assert (row["idn"], row["idv"], row["bs"]) == ("130503196704010016", True, "19670401")

    def test_a_mistyped_digit_fails_the_check(self):
        row = one(id_number="110105194912310021")
        assert row["idv"] is False
        assert row["idn"] == "110105194912310021"

    def test_an_impossible_birth_date_inside_fails(self):
        first17 = "51110219451307002"
        assert one(id_number=first17 + "0")["idv"] is False

    def test_the_records_own_birth_date_and_sex_win_over_the_ids(self):
        row = one(id_number="11010519491231002X", birth_date="1950-01-01", sex="男")
        assert (row["bs"], row["bsrc"], row["sx"]) == ("19500101", 1, "M")


class TestNames:
    def test_traditional_and_full_width_characters_are_simplified(self):
        assert name_forms("歐陽娜娜")["nm"] == "欧阳娜娜"
        assert name_forms("张　三")["nm"] == "张三"

    def test_separators_inside_a_name_go(self):
        for written in ("欧阳·娜娜", "欧阳•娜娜", "欧阳 娜娜", "欧阳.娜娜", "欧阳-娜娜"):
            assert name_forms(written)["nm"] == "欧阳娜娜"

    def test_a_compound_surname_is_one_surname(self):
        forms = name_forms("欧阳娜娜")
        assert (forms["sur"], forms["giv"], forms["py"]) == ("欧阳", "娜娜", "ouyangnana")
        assert name_forms("司马光")["sur"] == "司马"

    def test_surnames_are_read_as_surnames(self):
        assert name_forms("单田芳")["py"] == "shantianfang"  # not dan
        assert name_forms("曾国藩")["py"] == "zengguofan"  # not ceng
        assert name_forms("解缙")["py"] == "xiejin"  # not jie
        assert name_forms("仇英")["py"].startswith("qiu")

    def test_homophones_share_their_pinyin(self):
        assert name_forms("王小明")["py"] == name_forms("王晓明")["py"]

    def test_sichuan_fuzzy_pinyin_merges_n_l_z_zh_an_ang_in_ing(self):
        assert name_forms("刘宁")["fz"] == name_forms("牛林")["fz"] == "liulin"
        assert name_forms("张三")["fz"] == name_forms("赞山")["fz"]
        assert name_forms("陈静")["fz"] == name_forms("岑进")["fz"]

    def test_latin_names_are_words_in_any_order(self):
        assert name_forms("Robbie LOWE")["py"] == name_forms("lowe robbie")["py"]

    def test_an_empty_name_has_no_forms(self):
        assert name_forms("  ") is None
        assert name_forms(None) is None


class TestDates:
    @pytest.mark.parametrize(
        "written",
        ["1956-05-03", "1956/5/3", "1956.05.03", "19560503", "1956年5月3日", "03/05/1956",
         "1956-05-03 00:00:00", "1956-05-03T00:00", "19560503.0", "１９５６－０５－０３",
         "20578"],
    )  # fmt: skip
    def test_common_ways_of_writing_a_date_are_read(self, written):
        assert parse_date(written) == datetime.date(1956, 5, 3)

    def test_month_and_day_the_wrong_way_round_are_read_as_the_only_real_date(self):
        assert parse_date("1956-13-05") == datetime.date(1956, 5, 13)

    def test_a_date_shaped_slip_keeps_its_digits_for_the_comparison(self):
        assert date_forms("1945-04-93") == {
            "bs": "19450493", "byr": 1945, "bmo": None, "bda": None, "bd": None}  # fmt: skip

    def test_words_for_unknown_are_empty(self):
        assert date_forms("不详") is None

    def test_what_is_not_a_date_is_unreadable(self):
        with pytest.raises(Unreadable):
            date_forms("last spring")


class TestPhonesAndAddresses:
    def test_a_phone_loses_its_country_code_and_punctuation(self):
        assert one(phone="+86 138-1234-5678")["ph"] == "13812345678"
        assert one(phone="0086 13812345678")["ph"] == "13812345678"
        assert one(phone="unknown")["ph"] is None

    def test_an_address_loses_province_city_and_county_and_keeps_its_area(self):
        a = address_forms("四川省乐山市市中区通江街道办事处张公桥社区三组12号")
        b = address_forms("市中区通江街道张公桥社区3组12号")
        assert a == b == {"ad": "通江街道张公桥社区3组12号", "ad_area": "通江街道张公桥社区"}

    def test_a_community_is_not_taken_for_a_county(self):
        assert address_forms("张公桥社区3组")["ad"] == "张公桥社区3组"


class TestBadInput:
    def test_missing_columns_are_named(self):
        table = pa.table({"record_id": ["1"], "name": ["张三"]})
        with pytest.raises(LinkInputError, match="missing columns: id_number, birth_date, sex"):
            normalise_list(table)

    def test_unreadable_birth_dates_are_reported_with_their_records(self):
        table = pa.table({c: pa.array(["x"], pa.string()) for c in COLUMNS})
        table = table.set_column(3, "birth_date", pa.array(["last spring"]))
        with pytest.raises(LinkInputError, match="record x: birth_date 'last spring'"):
            normalise_list(table)
        assert normalise_list(table, bad_dates="empty").column("bs").to_pylist() == [None]

"""Importing people from Excel and CSV files (批量导入): real files written into a temporary
directory, imported through the engine, the command line and the pages."""

import csv
import datetime
import gc
import io
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from carepair.lib.vault import vault
from carepair.people import idnumber, imports
from carepair.people.imports import checking, writing
from carepair.people.models import (
    Category,
    Contact,
    ContactKind,
    ImportJob,
    Person,
    PersonCategory,
)
from carepair.reports.selectors import SYSTEM
from tests.base import TODAY, make_user, run_jobs
from tests.people_base import PeopleTestCase, id_for, years_ago

HEADERS = [c.header for c in imports.COLUMNS]
VILLAGE_A = "511102001001"
VILLAGE_B = "511111101001"


def row(name: str, number: str, village: str = VILLAGE_A, **cells) -> dict:
    return {"姓名": name, "身份证号": number, "村（社区）代码": village, **cells}


def write_csv(path: Path, rows: list[dict], encoding="utf-8-sig", headers=HEADERS) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        for r in rows:
            writer.writerow([r.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, rows: list[dict], headers=HEADERS) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h, "") for h in headers])
    book.save(path)
    return path


def cells_of(workbook: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(workbook))
    return [tuple(r) for s in book.worksheets for r in s.iter_rows(values_only=True)]


class ImportTestCase(PeopleTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def run_import(self, path: Path, actor=None, **options) -> imports.Outcome:
        return imports.import_people(
            actor=actor or self.township_worker,
            data=path.read_bytes(),
            filename=path.name,
            **options,
        )

    def good_rows(self) -> list[dict]:
        return [
            row(
                "赵桂兰",
                id_for("511102", years_ago(85, 10), 11, male=False),
                性别="女",
                联系电话="13800002222",
                居住情况="独居",
                帮扶类别=f"独居；高龄（{TODAY() - datetime.timedelta(days=100)}）",
                认定日期="2023-06-01",
                认定单位="市中区民政局",
                监护人或紧急联系人="赵建国",
                与本人关系="儿子",
                联系人电话="13900003333",
            ),
            row(
                "孙小雨",
                id_for("511102", years_ago(10), 12, male=False),
                帮扶类别="留守儿童",
                监护人或紧急联系人="孙大山",
                与本人关系="祖父",
            ),
        ]

    def assert_rejected_naming(self, outcome, row_no: int, column: str, words: str) -> None:
        self.assertTrue(outcome.rejected)
        self.assertEqual(outcome.created, 0)
        report = cells_of(imports.report_workbook(outcome))
        self.assertEqual(list(report[0][:3]), ["行号", "列", "原因"])
        found = [r for r in report[1:] if r[0] == row_no and r[1] == column]
        self.assertTrue(found, report)
        self.assertIn(words, " ".join(str(r[2]) for r in found))


class GoodFileTests(ImportTestCase):
    def test_a_good_workbook_imports_people_with_encrypted_hashed_masked_numbers(self):
        rows = self.good_rows()
        before = Person.objects.count()
        outcome = self.run_import(write_xlsx(self.dir / "people.xlsx", rows))
        self.assertFalse(outcome.rejected, outcome.problems)
        self.assertEqual((outcome.rows, outcome.created), (2, 2))
        self.assertEqual(Person.objects.count(), before + 2)

        elder = Person.objects.get(name="赵桂兰")
        number = rows[0]["身份证号"]
        self.assertNotIn(number, elder.id_cipher)
        self.assertEqual(vault().decrypt(elder.id_cipher), number)
        self.assertEqual(elder.id_hash, vault().digest(number))
        self.assertEqual(elder.id_masked, idnumber.mask(number))
        self.assertEqual((elder.sex, elder.living, elder.region_id), ("F", "alone", VILLAGE_A))
        self.assertEqual(elder.created_by, self.township_worker)
        held = {c.category: c for c in elder.categories.all()}
        self.assertEqual(set(held), {Category.ALONE, Category.OVER_80})
        self.assertEqual(held[Category.ALONE].start_on, datetime.date(2023, 6, 1))
        self.assertEqual(held[Category.OVER_80].start_on, TODAY() - datetime.timedelta(days=100))
        self.assertEqual(held[Category.ALONE].source, "市中区民政局")
        contact = elder.contacts.get()
        self.assertEqual((contact.kind, contact.name), (ContactKind.EMERGENCY, "赵建国"))
        # The visit plan is made as registration makes it: due from today.
        self.assertIsNotNone(elder.visit_every_days)
        self.assertEqual(elder.next_visit_on, TODAY())
        created = elder.history.get()
        self.assertEqual((created.history_type, created.history_user), ("+", self.township_worker))
        self.assertEqual((created.name, created.id_hash), (elder.name, elder.id_hash))
        self.assertEqual(PersonCategory.history.filter(person_id=elder.pk).count(), 2)
        self.assertEqual(Contact.history.filter(person_id=elder.pk).count(), 1)

        child = Person.objects.get(name="孙小雨")
        self.assertEqual(child.contacts.get().kind, ContactKind.GUARDIAN)
        self.assertEqual(child.categories.get().start_on, TODAY())

    def test_text_with_tabs_backslashes_and_line_breaks_is_written_as_typed(self):
        # PostgreSQL's COPY text format gives these characters a meaning of their own.
        rows = self.good_rows()
        rows[0]["现住址"] = "东街\t3号\\N\r\n二楼"
        rows[0]["户籍地址"] = "\\N"
        rows[0]["监护人或紧急联系人"] = "赵\\建国"
        outcome = self.run_import(write_csv(self.dir / "people.csv", rows))
        self.assertFalse(outcome.rejected, outcome.problems)
        elder = Person.objects.get(name="赵桂兰")
        self.assertEqual(elder.address, "东街\t3号\\N\r\n二楼")
        self.assertEqual(elder.household_address, "\\N")
        self.assertEqual(elder.contacts.get().name, "赵\\建国")
        self.assertEqual(elder.history.get().address, elder.address)

    def test_a_gb18030_csv_from_chinese_excel_imports(self):
        path = write_csv(self.dir / "people.csv", self.good_rows(), encoding="gb18030")
        outcome = self.run_import(path)
        self.assertEqual(outcome.created, 2, outcome.problems)
        self.assertTrue(Person.objects.filter(name="孙小雨").exists())

    def test_a_utf8_csv_with_english_column_keys_imports(self):
        keys = [c.key for c in imports.COLUMNS]
        rows = [
            {k: r.get(h, "") for k, h in zip(keys, HEADERS, strict=True)} for r in self.good_rows()
        ]
        path = write_csv(self.dir / "people.csv", rows, encoding="utf-8", headers=keys)
        self.assertEqual(self.run_import(path).created, 2)

    def test_a_fifteen_digit_number_is_converted_to_eighteen(self):
        eighteen = id_for("511102", datetime.date(1945, 7, 1), 21)
        fifteen = eighteen[:6] + eighteen[8:17]
        outcome = self.run_import(write_csv(self.dir / "old.csv", [row("钱老汉", fifteen)]))
        self.assertEqual(outcome.created, 1, outcome.problems)
        person = Person.objects.get(name="钱老汉")
        self.assertEqual(vault().decrypt(person.id_cipher), eighteen)
        self.assertEqual(person.birth_date, datetime.date(1945, 7, 1))

    def test_the_system_imports_into_any_county(self):
        rows = [row("周大爷", id_for("511111", years_ago(70), 31), village=VILLAGE_B)]
        outcome = self.run_import(write_csv(self.dir / "b.csv", rows), actor=SYSTEM)
        self.assertEqual(outcome.created, 1, outcome.problems)
        self.assertIsNone(Person.objects.get(name="周大爷").created_by)


class RejectedWholeTests(ImportTestCase):
    """Each of these files has one bad row among good ones: nothing at all is written."""

    def setUp(self):
        super().setUp()
        self.people = Person.objects.count()
        self.categories = PersonCategory.objects.count()
        self.contacts = Contact.objects.count()

    def reject(self, bad: dict, **options):
        rows = [*self.good_rows(), bad]
        outcome = self.run_import(write_xlsx(self.dir / "people.xlsx", rows), **options)
        self.assertEqual(Person.objects.count(), self.people)
        self.assertEqual(PersonCategory.objects.count(), self.categories)
        self.assertEqual(Contact.objects.count(), self.contacts)
        return outcome

    def test_a_wrong_check_character_rejects_the_file(self):
        good = id_for("511102", years_ago(70), 41)
        wrong = good[:17] + ("0" if good[17] != "0" else "1")
        outcome = self.reject(row("吴大妈", wrong))
        self.assert_rejected_naming(outcome, 4, "身份证号", "校验")

    def test_an_impossible_birth_date_in_the_number_rejects_the_file(self):
        first17 = "51110219990230" + "051"
        outcome = self.reject(row("郑某", first17 + idnumber.check_character(first17)))
        self.assert_rejected_naming(outcome, 4, "身份证号", "")
        self.assertEqual(outcome.bad_rows, 1)

    def test_a_birth_date_contradicting_the_number_rejects_the_file(self):
        number = id_for("511102", datetime.date(1950, 5, 6), 42)
        outcome = self.reject(row("冯某", number, 出生日期="1951-05-06"))
        self.assert_rejected_naming(outcome, 4, "出生日期", "1951-05-06")

    def test_the_same_person_twice_in_a_file_rejects_it_naming_both_rows(self):
        rows = self.good_rows()
        outcome = self.reject(row("赵桂兰", rows[0]["身份证号"]))
        self.assert_rejected_naming(outcome, 2, "身份证号", "4")
        self.assert_rejected_naming(outcome, 4, "身份证号", "2")

    def test_a_nul_character_in_a_csv_cell_rejects_the_file(self):
        rows = [*self.good_rows(), row("吴\x00某", id_for("511102", years_ago(70), 46))]
        outcome = self.run_import(write_csv(self.dir / "people.csv", rows))
        self.assertEqual(Person.objects.count(), self.people)
        self.assert_rejected_naming(outcome, 4, "姓名", "NUL")

    def test_a_village_outside_the_users_region_rejects_the_file(self):
        outcome = self.reject(row("陈某", id_for("511111", years_ago(70), 43), village=VILLAGE_B))
        self.assert_rejected_naming(outcome, 4, "村（社区）代码", "辖区")

    def test_a_code_that_is_not_a_village_rejects_the_file(self):
        outcome = self.reject(
            row("褚某", id_for("511102", years_ago(70), 44), village="511102001000")
        )
        self.assert_rejected_naming(outcome, 4, "村（社区）代码", "")

    def test_a_category_for_children_on_an_adult_rejects_the_file(self):
        outcome = self.reject(row("卫某", id_for("511102", years_ago(40), 45), 帮扶类别="留守儿童"))
        self.assert_rejected_naming(outcome, 4, "帮扶类别", "18")

    def test_a_word_that_is_not_a_category_is_named_on_every_row_that_has_it(self):
        # The lines of a categories cell are remembered between rows: only good ones.
        rows = [
            *self.good_rows(),
            row("蒋某", id_for("511102", years_ago(70), 46), 帮扶类别="独居；孤寡"),
            row("沈某", id_for("511102", years_ago(71), 47), 帮扶类别="独居；孤寡"),
        ]
        outcome = self.run_import(write_xlsx(self.dir / "people.xlsx", rows))
        self.assertEqual(Person.objects.count(), self.people)
        self.assert_rejected_naming(outcome, 4, "帮扶类别", "孤寡")
        self.assert_rejected_naming(outcome, 5, "帮扶类别", "孤寡")

    def test_wrong_columns_are_named_and_nothing_is_read(self):
        headers = ["姓名", "身份证号码", "住址", "备注"]
        path = write_csv(self.dir / "wrong.csv", [], headers=headers)
        with self.assertRaises(imports.FileProblem) as caught:
            self.run_import(path)
        message = str(caught.exception)
        for word in ("村（社区）代码", "住址", "备注"):
            self.assertIn(word, message)
        self.assertEqual(Person.objects.count(), self.people)

    def test_the_template_example_row_left_in_rejects_the_file(self):
        template = self.dir / "template.xlsx"
        template.write_bytes(imports.template_workbook())
        outcome = self.run_import(template)
        self.assert_rejected_naming(outcome, 2, "身份证号", "示例")

    def test_the_error_workbook_never_shows_a_whole_number(self):
        number = id_for("511102", datetime.date(1950, 5, 6), 46)
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        outcome = self.reject(row("冯某", number, 出生日期="1951-05-06"))
        outcome2 = self.reject(row("蒋某", wrong))
        for result, n in ((outcome, number), (outcome2, wrong)):
            text = " ".join(str(c) for r in cells_of(imports.report_workbook(result)) for c in r)
            self.assertNotIn(n, text)
            # Nor the birth date digits the mask hides, which would give the number back.
            self.assertNotIn(n[6:14], text)
            self.assertNotIn(f"{n[6:10]}-{n[10:12]}-{n[12:14]}", text)
            self.assertIn(idnumber.mask(n), text)

    def test_a_number_typed_into_another_column_is_not_echoed_in_the_workbook(self):
        number = id_for("511102", datetime.date(1950, 5, 6), 47)
        outcome = self.reject(row("沈某", number, 联系电话=number))
        text = " ".join(str(c) for r in cells_of(imports.report_workbook(outcome)) for c in r)
        self.assertIn("联系电话", text)
        self.assertNotIn(number, text)

    def test_with_good_rows_only_the_good_rows_are_written_and_the_bad_reported(self):
        rows = [*self.good_rows(), row("吴大妈", "123")]
        path = write_xlsx(self.dir / "people.xlsx", rows)
        outcome = self.run_import(path, good_rows_only=True)
        self.assertEqual((outcome.created, outcome.skipped), (2, 1))
        self.assertEqual(Person.objects.count(), self.people + 2)
        report = cells_of(imports.report_workbook(outcome))
        self.assertEqual(report[1][:2], (4, "身份证号"))


class DuplicateTests(ImportTestCase):
    def registered_again(self, **cells) -> list[dict]:
        number = vault().decrypt(self.elder.id_cipher)
        return [row("王秀英", number, **cells), *self.good_rows()]

    def test_people_already_registered_are_reported_and_left_alone(self):
        path = write_csv(self.dir / "p.csv", self.registered_again(联系电话="13011112222"))
        outcome = self.run_import(path, duplicates=imports.REPORT)
        self.assertEqual((outcome.created, outcome.merged, len(outcome.duplicates)), (2, 0, 1))
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.phone, "13800001111")
        self.assertEqual(Person.objects.filter(id_hash=self.elder.id_hash).count(), 1)
        report = cells_of(imports.report_workbook(outcome))
        self.assertIn((2, "身份证号"), [tuple(r[:2]) for r in report])

    def test_merging_updates_details_and_adds_the_categories_they_lack(self):
        cells = {"联系电话": "13011112222", "帮扶类别": "独居；低保", "认定日期": "2024-01-01"}
        path = write_csv(self.dir / "p.csv", self.registered_again(**cells))
        outcome = self.run_import(path, duplicates=imports.MERGE)
        self.assertEqual((outcome.created, outcome.merged), (2, 1), outcome.problems)
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.phone, "13011112222")
        self.assertEqual(Person.objects.filter(id_hash=self.elder.id_hash).count(), 1)
        held = list(self.elder.categories.values_list("category", flat=True))
        self.assertEqual(sorted(held), sorted(["alone", "over_80", "dibao"]))
        self.assertEqual(self.elder.history.first().history_type, "~")

    def test_a_person_registered_in_another_county_is_not_merged(self):
        number = vault().decrypt(self.elder_b.id_cipher)
        rows = [row("张德福", number, 联系电话="13011112222")]
        outcome = self.run_import(write_csv(self.dir / "p.csv", rows), duplicates=imports.MERGE)
        self.assertEqual((outcome.created, outcome.merged, len(outcome.duplicates)), (0, 0, 1))
        self.elder_b.refresh_from_db()
        self.assertEqual(self.elder_b.phone, "")


class ChunkTests(ImportTestCase):
    """Files checked and written two rows at a time, as a large file is checked and
    written a chunk at a time: what is written early is taken back when a later row
    rejects the file, and a number given twice is known whatever the chunks."""

    def setUp(self):
        super().setUp()
        patcher = mock.patch.object(checking, "CHUNK", 2)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.counts = self.tables()

    def tables(self) -> list[int]:
        return [
            m.objects.count()
            for m in (
                Person,
                PersonCategory,
                Contact,
                Person.history.model,
                PersonCategory.history.model,
                Contact.history.model,
            )
        ]

    def people(self, n: int, first_seq: int = 60) -> list[dict]:
        return [
            row(
                f"导入{i}",
                id_for("511102", years_ago(70 + i), first_seq + i),
                帮扶类别="独居",
                监护人或紧急联系人=f"导入子{i}",
                与本人关系="儿子",
            )
            for i in range(n)
        ]

    def test_a_bad_last_row_takes_back_every_chunk_written_before_it(self):
        rows = [*self.people(7), row("吴大妈", "123")]
        outcome = self.run_import(write_csv(self.dir / "p.csv", rows))
        self.assert_rejected_naming(outcome, 9, "身份证号", "")
        self.assertEqual(self.tables(), self.counts)
        self.assertEqual((outcome.created, outcome.duplicates), (0, []))

    def test_every_chunk_is_written_with_its_history(self):
        outcome = self.run_import(write_csv(self.dir / "p.csv", self.people(7)))
        self.assertEqual((outcome.created, outcome.problems), (7, []))
        self.assertEqual(
            [now - before for now, before in zip(self.tables(), self.counts, strict=True)],
            [7, 7, 7, 7, 7, 7],
        )
        made = Person.objects.filter(name__startswith="导入").order_by("name")
        self.assertEqual([p.categories.get().category for p in made], ["alone"] * 7)
        self.assertEqual([p.contacts.get().name for p in made], [f"导入子{i}" for i in range(7)])
        self.assertEqual(
            set(Person.history.filter(name__startswith="导入").values_list("history_type")),
            {("+",)},
        )

    def test_with_good_rows_only_a_number_given_twice_in_two_chunks_takes_neither_row(self):
        rows = self.people(5)
        twice = rows[0]["身份证号"]
        # The same number again, four rows on, in its old fifteen-digit form.
        rows.insert(4, row("导入零", twice[:6] + twice[8:17], 帮扶类别="独居"))
        outcome = self.run_import(write_csv(self.dir / "p.csv", rows), good_rows_only=True)
        self.assertEqual(outcome.created, 4)
        self.assertEqual(sorted({p.row for p in outcome.problems}), [2, 6])
        self.assertFalse(Person.objects.filter(name__in=["导入0", "导入零"]).exists())

    def test_a_number_on_a_good_and_a_bad_row_is_the_good_rows(self):
        rows = self.people(5)
        rows.append(row("导入错", rows[1]["身份证号"], 出生日期="1900-01-01"))
        outcome = self.run_import(write_csv(self.dir / "p.csv", rows), good_rows_only=True)
        self.assertEqual((outcome.created, outcome.bad_rows), (5, 1))
        self.assertTrue(Person.objects.filter(name="导入1").exists())

    def test_people_registered_already_are_merged_whatever_their_chunk(self):
        number = vault().decrypt(self.elder.id_cipher)
        rows = [*self.people(5), row("王秀英", number, 联系电话="13011112222")]
        outcome = self.run_import(write_csv(self.dir / "p.csv", rows), duplicates=imports.MERGE)
        self.assertEqual((outcome.created, outcome.merged), (5, 1), outcome.problems)
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.phone, "13011112222")


class TransactionTests(ImportTestCase):
    def test_a_rejected_file_is_checked_to_the_end_outside_the_transaction(self):
        rows = [row("吴大妈", "123"), *ChunkTests.people(self, 7)]
        depth = []

        def progress(stage, done, total):
            depth.append((done, len(connection.savepoint_ids)))

        with mock.patch.object(checking, "CHUNK", 2):
            outcome = self.run_import(write_csv(self.dir / "p.csv", rows), progress=progress)
        self.assertTrue(outcome.rejected)
        outside = len(connection.savepoint_ids)
        # The first chunk's bad row ends the transaction; the other chunks are checked
        # after it, and all their rows are counted.
        self.assertEqual(
            depth, [(0, outside), (2, outside), (4, outside), (6, outside), (8, outside)]
        )

    def test_someone_registering_a_person_of_the_file_meanwhile_leaves_nothing_written(self):
        number = vault().decrypt(self.elder.id_cipher)
        path = write_csv(self.dir / "p.csv", [*self.good_rows(), row("王秀英", number)])
        before = Person.objects.count()
        # As if the elder had been registered after the import asked who was.
        with (
            mock.patch.object(writing, "_registered", return_value={}),
            self.assertRaisesMessage(imports.FileProblem, "已被他人登记"),
        ):
            self.run_import(path)
        self.assertEqual(Person.objects.count(), before)

    def test_imports_running_together_leave_the_process_as_they_found_it(self):
        interval = sys.getswitchinterval()
        with imports._import_mode():
            with imports._import_mode():
                self.assertAlmostEqual(sys.getswitchinterval(), imports.SWITCH_INTERVAL)
            self.assertFalse(gc.isenabled())
        self.assertEqual(sys.getswitchinterval(), interval)
        self.assertTrue(gc.isenabled())


class CommandTests(ImportTestCase):
    def command(self, *args):
        self.out, self.err = io.StringIO(), io.StringIO()
        call_command("import", "people", *map(str, args), stdout=self.out, stderr=self.err)
        return self.out.getvalue(), self.err.getvalue()

    def test_a_good_file_exits_zero_and_prints_a_summary(self):
        path = write_csv(self.dir / "p.csv", self.good_rows())
        out, _err = self.command(path)
        self.assertIn("2", out)
        self.assertEqual(Person.objects.filter(name__in=["赵桂兰", "孙小雨"]).count(), 2)

    def test_bad_rows_exit_one_with_the_problems_on_stderr_and_in_the_workbook(self):
        path = write_csv(self.dir / "p.csv", [*self.good_rows(), row("吴大妈", "123")])
        errors = self.dir / "out.xlsx"
        with self.assertRaises(CommandError) as caught:
            self.command(path, "--errors", errors)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertIn("第 4 行", self.err.getvalue())
        self.assertEqual(cells_of(errors.read_bytes())[1][:2], (4, "身份证号"))
        self.assertFalse(Person.objects.filter(name="赵桂兰").exists())

    def test_wrong_columns_exit_two(self):
        path = write_csv(self.dir / "p.csv", [], headers=["姓名", "备注"])
        with self.assertRaises(CommandError) as caught:
            self.command(path)
        self.assertEqual(caught.exception.returncode, 2)
        self.assertIn("备注", str(caught.exception))

    def test_as_a_county_b_user_county_a_villages_are_refused(self):
        path = write_csv(self.dir / "p.csv", self.good_rows())
        with self.assertRaises(CommandError) as caught:
            self.command(path, "--as", self.county_b_worker.username)
        self.assertEqual(caught.exception.returncode, 1)
        self.assertFalse(Person.objects.filter(name="赵桂兰").exists())

    def test_good_rows_only_and_merge_options(self):
        number = vault().decrypt(self.elder.id_cipher)
        rows = [row("王秀英", number, 联系电话="13011112222"), row("吴大妈", "123")]
        path = write_csv(self.dir / "p.csv", rows)
        self.command(path, "--good-rows-only", "--duplicates", "merge")
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.phone, "13011112222")


class PageTests(ImportTestCase):
    def upload(self, path: Path, user=None, **fields):
        self.login(user or self.township_worker)
        with path.open("rb") as fh:
            return self.client.post(
                "/people/import/", {"file": fh, "duplicates": "report", **fields}
            )

    def test_the_import_page_offers_the_template_and_the_options(self):
        self.login(self.township_worker)
        response = self.client.get("/people/import/")
        self.assertContains(response, "/people/import/template.xlsx")
        self.assertContains(response, "/people/import/template.csv")
        self.assertContains(response, 'name="good_rows_only"')

    def test_the_templates_download_with_the_header_row(self):
        self.login(self.township_worker)
        book = self.client.get("/people/import/template.xlsx")
        self.assertEqual(book.status_code, 200)
        sheets = load_workbook(io.BytesIO(book.content)).worksheets
        self.assertEqual([c.value for c in sheets[0][1]], HEADERS)
        self.assertEqual(sheets[1].title, "填写说明")
        text = self.client.get("/people/import/template.csv").content
        self.assertTrue(text.startswith(b"\xef\xbb\xbf"))
        self.assertIn("村（社区）代码".encode(), text)

    def test_a_role_that_may_not_import_is_refused(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get("/people/import/").status_code, 403)
        self.assertEqual(self.client.get("/people/import/template.xlsx").status_code, 403)

    def test_a_small_file_is_imported_at_once_and_the_job_page_shows_the_result(self):
        response = self.upload(write_xlsx(self.dir / "p.xlsx", self.good_rows()))
        job = ImportJob.objects.get()
        self.assertRedirects(response, f"/people/import/jobs/{job.pk}/")
        self.assertEqual(job.state, ImportJob.State.DONE)
        self.assertEqual(job.counts["created"], 2)
        self.assertFalse(job.file)  # the upload, with full numbers, is not kept
        page = self.client.get(f"/people/import/jobs/{job.pk}/")
        self.assertContains(page, "p.xlsx")
        self.assertNotContains(page, "import_job.js")

    def test_a_rejected_file_offers_the_error_report(self):
        self.upload(write_csv(self.dir / "p.csv", [*self.good_rows(), row("吴大妈", "123")]))
        job = ImportJob.objects.get()
        self.assertEqual(job.state, ImportJob.State.REJECTED)
        page = self.client.get(f"/people/import/jobs/{job.pk}/")
        self.assertContains(page, f"/people/import/jobs/{job.pk}/report.xlsx")
        report = self.client.get(f"/people/import/jobs/{job.pk}/report.xlsx")
        self.assertEqual(cells_of(b"".join(report.streaming_content))[1][:2], (4, "身份证号"))

    @override_settings(CAREPAIR_IMPORT_INLINE_ROWS=0)
    def test_a_large_file_runs_in_the_background_with_its_progress_shown(self):
        self.upload(write_csv(self.dir / "p.csv", self.good_rows()))
        job = ImportJob.objects.get()
        self.assertEqual(job.state, ImportJob.State.QUEUED)
        self.assertTrue(job.task_id)
        page = self.client.get(f"/people/import/jobs/{job.pk}/")
        self.assertContains(page, "<progress")
        self.assertContains(page, "import_job.js")
        status = self.client.get(f"/people/import/jobs/{job.pk}/status.json").json()
        self.assertEqual((status["state"], status["finished"]), ("queued", False))

        self.assertEqual(run_jobs(), 1)
        status = self.client.get(f"/people/import/jobs/{job.pk}/status.json").json()
        self.assertEqual(status["state"], "done")
        self.assertEqual(
            (status["rows_done"], status["rows_total"], status["percent"]), (2, 2, 100)
        )
        job.refresh_from_db()
        self.assertEqual(job.counts["created"], 2)
        from carepair.people.import_jobs import run_import_job

        self.assertEqual(run_import_job.get_result(job.task_id).return_value["created"], 2)

    @override_settings(
        CAREPAIR_IMPORT_INLINE_ROWS=0,
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    )
    def test_a_running_jobs_page_shows_the_progress_its_import_reports(self):
        self.upload(write_csv(self.dir / "p.csv", self.good_rows()))
        job = ImportJob.objects.get()
        seen = []
        real = imports.import_people

        def watched(**kwargs):
            report = kwargs.pop("progress")

            def progress(stage, done, total):
                report(stage, done, total)
                status = self.client.get(f"/people/import/jobs/{job.pk}/status.json").json()
                seen.append((status["state"], status["stage"], status["rows_done"]))

            return real(progress=progress, **kwargs)

        with mock.patch.object(imports, "import_people", watched):
            self.assertEqual(run_jobs(), 1)
        self.assertEqual(
            seen,
            [
                ("running", "checking", 0),
                ("running", "checking", 2),
                ("running", "writing", 2),
            ],
        )
        status = self.client.get(f"/people/import/jobs/{job.pk}/status.json").json()
        self.assertEqual((status["state"], status["stage"], status["percent"]), ("done", "", 100))

    def test_a_county_b_worker_gets_404_on_a_county_a_job(self):
        self.upload(write_csv(self.dir / "p.csv", [*self.good_rows(), row("吴大妈", "123")]))
        job = ImportJob.objects.get()
        self.login(self.county_b_worker)
        for url in ("", "status.json", "report.xlsx"):
            self.assertEqual(
                self.client.get(f"/people/import/jobs/{job.pk}/{url}").status_code, 404, url
            )

    def test_the_county_administrator_sees_the_jobs_of_their_region(self):
        self.upload(write_csv(self.dir / "p.csv", self.good_rows()))
        job = ImportJob.objects.get()
        self.login(self.county_a_worker)
        self.assertEqual(self.client.get(f"/people/import/jobs/{job.pk}/").status_code, 200)
        colleague = make_user(
            "township_a2", "township_worker", region=self.township_a, organisation=None
        )
        self.login(colleague)
        self.assertEqual(self.client.get(f"/people/import/jobs/{job.pk}/").status_code, 404)

    def test_a_county_b_worker_cannot_import_into_county_a(self):
        self.upload(write_csv(self.dir / "p.csv", self.good_rows()), user=self.county_b_worker)
        job = ImportJob.objects.get()
        self.assertEqual(job.state, ImportJob.State.REJECTED)
        self.assertFalse(Person.objects.filter(name="赵桂兰").exists())

    def test_a_file_that_is_not_a_table_is_refused_on_the_form(self):
        path = self.dir / "notes.txt"
        path.write_text("hello")
        response = self.upload(path)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ImportJob.objects.exists())

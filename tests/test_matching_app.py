"""Big data comparison in the application (大数据比对): lists uploaded and mapped, a
scenario run in the background, findings sent to the township and settled there."""

import datetime

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from carepair.accounts.roles import Role
from carepair.lib.vault import vault
from carepair.matching import services
from carepair.matching.models import DataList, Finding, ListKind, Run
from carepair.people.models import Category
from carepair.people.services import CategoryLine, person_register
from tests.base import TODAY, make_user, run_jobs
from tests.people_base import PeopleTestCase, id_for, years_ago


def csv_file(name: str, rows: list[list[str]], encoding: str = "utf-8") -> SimpleUploadedFile:
    text = "\n".join(",".join(r) for r in rows) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


class MatchingTestCase(PeopleTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.officer = make_user("officer_a", Role.DATA_OFFICER, region=cls.county_a)
        cls.officer_b = make_user("officer_b", Role.DATA_OFFICER, region=cls.county_b)
        cls.paid = person_register(
            actor=cls.township_worker,
            name="刘桂芳",
            id_number=id_for("511102", years_ago(77), 7, male=False),
            region=cls.village_a,
            categories=[CategoryLine(Category.DIBAO, TODAY() - datetime.timedelta(days=500))],
        )

    def number(self, person) -> str:
        return vault().decrypt(person.id_cipher)

    def upload(self, kind, rows, actor=None, name="list.csv", encoding="utf-8") -> DataList:
        data_list = services.list_upload(
            actor=actor or self.officer,
            upload=csv_file(name, rows, encoding),
            name=name,
            kind=kind,
        )
        return services.list_map(
            actor=actor or self.officer,
            data_list=data_list,
            mapping=data_list.columns["mapped"],
        )

    def deaths_and_roll(self):
        died = (TODAY() - datetime.timedelta(days=200)).isoformat()
        paid = (TODAY() - datetime.timedelta(days=90)).isoformat()
        deaths = self.upload(
            ListKind.DEATHS,
            [
                ["姓名", "身份证号", "死亡日期", "地址"],
                ["刘桂芳", self.number(self.paid), died, "凌云社区"],
            ],
            name="deaths.csv",
        )
        roll = self.upload(
            ListKind.BENEFIT_ROLL,
            [
                ["姓名", "身份证号", "发放起始月", "村（社区）代码", "地址"],
                ["刘桂芳", self.number(self.paid), paid, "511102001001", "凌云社区"],
                ["王大山", id_for("511102", years_ago(70), 8), paid, "511102001001", "凌云社区"],
            ],
            name="roll.csv",
        )
        return deaths, roll

    def compare(self, scenario, lists, actor=None) -> Run:
        run = services.run_start(actor=actor or self.officer, scenario=scenario, lists=lists)
        self.assertEqual(run_jobs(), 1)
        run.refresh_from_db()
        return run


class ListTests(MatchingTestCase):
    def test_an_upload_guesses_the_chinese_headers_and_keeps_the_rows_as_parquet(self):
        self.login(self.officer)
        page = self.client.post(
            "/matching/",
            {
                "file": csv_file(
                    "deaths.csv",
                    [["序号", "姓名", "身份证号", "死亡日期"], ["1", "张三", "", "2024年3月5日"]],
                ),
                "kind": ListKind.DEATHS,
                "name": "民政死亡名单",
            },
        )
        data_list = DataList.objects.get()
        self.assertRedirects(page, f"/matching/lists/{data_list.pk}/columns/")
        page = self.client.get(page.url)
        self.assertContains(page, '<option value="死亡日期" selected>')
        page = self.client.post(
            f"/matching/lists/{data_list.pk}/columns/",
            {
                "record_id": "序号",
                "name": "姓名",
                "id_number": "身份证号",
                "death_date": "死亡日期",
            },
        )
        self.assertRedirects(page, "/matching/")
        data_list.refresh_from_db()
        self.assertTrue(data_list.ready)
        table = services.list_table(data_list).to_pylist()
        self.assertEqual(table[0]["death_date"], "2024-03-05")
        self.assertEqual(table[0]["record_id"], "1")

    def test_a_gbk_csv_reads(self):
        data_list = self.upload(
            ListKind.DEATHS, [["姓名", "死亡日期"], ["张三", "2024-03-05"]], encoding="gbk"
        )
        self.assertEqual(services.list_table(data_list).to_pylist()[0]["name"], "张三")

    def test_unreadable_dates_are_named_by_row_and_the_list_is_not_kept(self):
        data_list = services.list_upload(
            actor=self.officer,
            upload=csv_file(
                "d.csv", [["姓名", "死亡日期"], ["张三", "2024-03-05"], ["李四", "去年"]]
            ),
            name="d",
            kind=ListKind.DEATHS,
        )
        with self.assertRaises(services.ValidationError) as caught:
            services.list_map(
                actor=self.officer, data_list=data_list, mapping=data_list.columns["mapped"]
            )
        self.assertIn("3", str(caught.exception))
        self.assertIn("去年", str(caught.exception))
        data_list.refresh_from_db()
        self.assertFalse(data_list.ready)

    def test_a_month_column_takes_a_month(self):
        data_list = self.upload(
            ListKind.BENEFIT_ROLL,
            [["姓名", "发放起始月"], ["张三", "2026-11"], ["李四", "2026年3月"]],
        )
        paid = [r["paid_from"] for r in services.list_table(data_list).to_pylist()]
        self.assertEqual(paid, ["2026-11-01", "2026-03-01"])

    def test_a_list_never_mapped_can_be_deleted_and_one_in_use_cannot(self):
        draft = services.list_upload(
            actor=self.officer,
            upload=csv_file("d.csv", [["编号", "死亡日期"], ["1", "2024-03-05"]]),
            name="d",
            kind=ListKind.DEATHS,
        )
        ready = self.upload(ListKind.DEATHS, [["姓名", "死亡日期"], ["张三", "2024-03-05"]])
        self.login(self.officer_b)
        self.assertEqual(self.client.post(f"/matching/lists/{draft.pk}/delete/").status_code, 404)
        self.login(self.officer)
        self.assertEqual(self.client.post(f"/matching/lists/{ready.pk}/delete/").status_code, 404)
        self.assertRedirects(self.client.post(f"/matching/lists/{draft.pk}/delete/"), "/matching/")
        self.assertEqual(list(DataList.objects.all()), [ready])

    def test_a_list_without_name_or_id_number_is_refused(self):
        data_list = services.list_upload(
            actor=self.officer,
            upload=csv_file("d.csv", [["编号", "死亡日期"], ["1", "2024-03-05"]]),
            name="d",
            kind=ListKind.DEATHS,
        )
        with self.assertRaises(services.ValidationError):
            services.list_map(
                actor=self.officer, data_list=data_list, mapping=data_list.columns["mapped"]
            )

    def test_another_countys_officer_gets_404_on_the_list(self):
        data_list = self.upload(ListKind.DEATHS, [["姓名", "死亡日期"], ["张三", "2024-03-05"]])
        self.login(self.officer_b)
        self.assertEqual(
            self.client.get(f"/matching/lists/{data_list.pk}/columns/").status_code, 404
        )
        self.assertNotContains(self.client.get("/matching/"), "list.csv")

    def test_a_role_that_may_not_compare_is_refused(self):
        self.login(self.volunteer)
        self.assertEqual(self.client.get("/matching/").status_code, 403)


class RunTests(MatchingTestCase):
    def test_a_deceased_person_still_paid_is_found_and_sent_to_the_village(self):
        deaths, roll = self.deaths_and_roll()
        run = self.compare("deceased_still_paid", [deaths, roll])
        self.assertEqual(run.state, Run.State.DONE, run.message)
        finding = Finding.objects.get()
        self.assertEqual(
            (finding.name, finding.region_id, finding.person), ("刘桂芳", "511102001001", self.paid)
        )
        self.assertEqual(finding.source, roll)
        self.assertNotIn(self.number(self.paid), finding.id_masked)
        self.assertIn("2", finding.description())
        self.assertIn("died", finding.facts)

    def test_the_township_sees_it_and_another_county_gets_404(self):
        run = self.compare("deceased_still_paid", list(self.deaths_and_roll()))
        finding = run.found.get()
        self.login(self.township_worker)
        self.assertContains(self.client.get("/matching/findings/"), "刘桂芳")
        self.assertContains(self.client.get(f"/matching/findings/{finding.pk}/"), "刘桂芳")
        self.login(self.county_b_worker)
        self.assertEqual(self.client.get(f"/matching/findings/{finding.pk}/").status_code, 404)
        self.assertNotContains(self.client.get("/matching/findings/"), "刘桂芳")
        self.login(self.officer_b)
        self.assertEqual(self.client.get(f"/matching/runs/{run.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/matching/runs/{run.pk}/status.json").status_code, 404)

    def test_confirming_with_the_benefit_stopped_ends_the_persons_allowance(self):
        finding = self.compare("deceased_still_paid", list(self.deaths_and_roll())).found.get()
        self.login(self.township_worker)
        page = self.client.post(
            f"/matching/findings/{finding.pk}/",
            {"status": "confirmed", "action": "benefit_stopped", "note": "已核实"},
        )
        self.assertRedirects(page, f"/matching/findings/{finding.pk}/")
        finding.refresh_from_db()
        self.assertEqual((finding.status, finding.checked_by), ("confirmed", self.township_worker))
        self.assertFalse(self.paid.categories.current().filter(category=Category.DIBAO).exists())

    def test_a_dismissed_finding_does_not_come_back_on_the_next_run(self):
        deaths, roll = self.deaths_and_roll()
        finding = self.compare("deceased_still_paid", [deaths, roll]).found.get()
        with self.assertRaises(services.ValidationError):
            services.finding_settle(actor=self.township_worker, finding=finding, status="dismissed")
        services.finding_settle(
            actor=self.township_worker, finding=finding, status="dismissed", note="死亡信息有误"
        )
        again = self.compare("deceased_still_paid", [deaths, roll])
        self.assertEqual((again.findings, again.counts["dismissed_before"]), (0, 1))

    @override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    )
    def test_a_running_comparison_says_how_far_it_has_got(self):
        _deaths, roll = self.deaths_and_roll()
        run = services.run_start(actor=self.officer, scenario="paid_twice", lists=[roll])
        Run.objects.filter(pk=run.pk).update(state=Run.State.RUNNING)
        cache.set(run.progress_key(), ("linking:3", 42))
        self.addCleanup(cache.delete, run.progress_key())
        self.login(self.officer)
        status = self.client.get(f"/matching/runs/{run.pk}/status.json").json()
        self.assertEqual((status["stage"], status["seconds"]), ("linking", 42))
        self.assertEqual(status["stage_label"], "比对中（第 3 步）")
        self.assertContains(self.client.get(f"/matching/runs/{run.pk}/"), "<progress")

    def test_a_confirmed_finding_is_not_raised_again_on_the_next_run(self):
        deaths, roll = self.deaths_and_roll()
        finding = self.compare("deceased_still_paid", [deaths, roll]).found.get()
        services.finding_settle(
            actor=self.township_worker, finding=finding, status="confirmed", action="other"
        )
        again = self.compare("deceased_still_paid", [deaths, roll])
        self.assertEqual((again.findings, again.counts["confirmed_before"]), (0, 1))

    def test_the_finding_shows_the_address_and_the_record_it_was_linked_to(self):
        finding = self.compare("deceased_still_paid", list(self.deaths_and_roll())).found.get()
        self.login(self.township_worker)
        page = self.client.get(f"/matching/findings/{finding.pk}/")
        self.assertContains(page, "凌云社区")  # the roll's address, and the death list's
        self.assertEqual(finding.facts["other"]["name"], "刘桂芳")
        listed = self.client.get(f"/matching/findings/?run={finding.run_id}&status=")
        self.assertContains(listed, "刘桂芳")
        self.assertNotContains(self.client.get("/matching/findings/?run=999999&status="), "刘桂芳")

    def test_a_run_needs_the_lists_its_scenario_compares(self):
        deaths, _roll = self.deaths_and_roll()
        with self.assertRaises(services.ValidationError):
            services.run_start(actor=self.officer, scenario="deceased_still_paid", lists=[deaths])

    def test_a_run_cannot_use_another_countys_list(self):
        deaths, roll = self.deaths_and_roll()
        with self.assertRaises(services.ValidationError):
            services.run_start(
                actor=self.officer_b, scenario="deceased_still_paid", lists=[deaths, roll]
            )

    def test_people_eligible_but_not_in_the_registry_are_found(self):
        register = self.upload(
            ListKind.HOUSEHOLD_REGISTER,
            [
                ["姓名", "身份证号", "是否独居", "村（社区）代码", "地址"],
                ["王秀英", self.number(self.elder), "是", "511102001001", "凌云社区"],
                ["赵老汉", id_for("511102", years_ago(86), 9), "是", "511102001001", "凌云社区"],
                ["钱小弟", id_for("511102", years_ago(50), 10), "是", "511102001001", "凌云社区"],
            ],
        )
        run = self.compare("eligible_not_registered", [register])
        self.assertEqual(run.state, Run.State.DONE, run.message)
        self.assertEqual([f.name for f in run.found.all()], ["赵老汉"])

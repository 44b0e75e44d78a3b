"""`carepair report summary`: the summary for the whole city, exact to the fen."""

import io
import json
from decimal import Decimal

from django.core.management import CommandError, call_command

from carepair.ledger.models import Kind
from carepair.reports.selectors import SUMMARY_KEYS
from tests.base import PersonaTestCase
from tests.test_reports_summary import Recording


class ReportSummaryCommandTest(Recording, PersonaTestCase):
    def setUp(self):
        # 30,123,456.78 yuan in three lines whose float sum is not exact.
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            beneficiaries=40,
            materials=[("大米", 1000000010), ("棉被", 1000000020), ("电视机", 1012345648)],
        )
        self.record(
            actor=self.city_admin,
            institution=self.home_b,
            helper=self.other_department,
            kind=Kind.RESEARCH_VISIT,
        )

    def run_report(self, *args) -> str:
        out = io.StringIO()
        call_command("report", "summary", *args, stdout=out)
        return out.getvalue()

    def test_the_json_has_every_key_and_the_exact_material_value(self):
        text = self.run_report("--json")
        self.assertIn('"material_value_yuan": 30123456.78', text)
        summary = json.loads(text, parse_float=Decimal)
        self.assertTrue(set(SUMMARY_KEYS) <= set(summary))
        self.assertEqual(summary["material_value_yuan"], Decimal("30123456.78"))
        self.assertEqual(summary["material_value_fen"], 3012345678)
        self.assertIsInstance(json.loads(text)["material_value_fen"], int)
        self.assertEqual(
            (summary["activities"], summary["research_visits"], summary["beneficiaries"]),
            (1, 1, 40),
        )
        self.assertEqual((summary["institutions"], summary["departments"]), (2, 2))

    def test_the_region_and_period_options_filter_the_summary(self):
        a = json.loads(self.run_report("--json", "--region", "511102"))
        b = json.loads(self.run_report("--json", "--region", "511111000000"))
        self.assertEqual((a["activities"], a["research_visits"]), (1, 0))
        self.assertEqual((b["activities"], b["research_visits"]), (0, 1))
        self.assertEqual(a["region_code"], "511102000000")
        old = json.loads(self.run_report("--json", "--from", "2021-01-01", "--to", "2021-12-31"))
        self.assertEqual((old["activities"], old["material_value_fen"]), (0, 0))
        self.assertEqual(old["period_from"], "2021-01-01")

    def test_without_json_it_prints_a_chinese_table(self):
        text = self.run_report()
        self.assertIn("工作成效 · 全市 · 全部时间", text)
        self.assertRegex(text, r"帮扶物资折合（元）\s+30,123,456\.78")
        self.assertRegex(text, r"调研走访（次）\s+1\n")

    def test_bad_dates_and_unknown_regions_are_refused_clearly(self):
        cases = {
            ("--from", "2024-02-30"): "不是日期",
            ("--to", "yesterday"): "不是日期",
            ("--from", "2024-05-01", "--to", "2024-04-01"): "早于",
            ("--region", "519999"): "没有代码为 519999 的行政区划",
            ("--region", "51x"): "不是行政区划代码",
        }
        for args, message in cases.items():
            with self.subTest(args), self.assertRaisesMessage(CommandError, message):
                self.run_report("--json", *args)

    def test_an_unknown_report_is_refused(self):
        with self.assertRaises(CommandError):
            call_command("report", "nonsense", stdout=io.StringIO())

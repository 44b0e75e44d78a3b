"""The dashboard page and its Excel export: figures, filters, scope, drill-down, offline."""

import datetime
import io
import json
import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from carepair.accounts.models import User
from carepair.ledger.models import Activity, Category, Kind, Material
from carepair.orgs.models import InstitutionType, Organisation
from carepair.orgs.models import Kind as OrgKind
from carepair.pairing.models import Pairing, Tier
from carepair.people.models import Condition, Seen
from carepair.people.services import visit_record
from carepair.problems.models import Category as ProblemCategory
from carepair.problems.models import Problem, Source, Status
from carepair.regions.models import Level, Region
from carepair.reports import rollup
from tests.base import TODAY, PersonaTestCase
from tests.people_base import PeopleTestCase
from tests.test_reports_summary import Recording

URL = "/dashboard/"


def figure(html: str, key: str) -> str:
    """The text of one figure card."""
    match = re.search(rf'data-key="{key}">\s*<div class="value">([^<]*)</div>', html, flags=re.S)
    assert match, f"no figure {key}"
    return match.group(1).strip()


class DashboardPageTest(Recording, PersonaTestCase):
    def setUp(self):
        # County A: a visit and an activity with goods at home A, a solved leak, an overdue
        # problem. County B: one activity with goods at home B.
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            kind=Kind.RESEARCH_VISIT,
            materials=[("大米", 3012345678)],
        )
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            category=Category.ENVIRONMENT,
            beneficiaries=42,
        )
        self.record(
            actor=self.city_admin,
            institution=self.home_b,
            helper=self.other_department,
            category=Category.HEALTH,
            beneficiaries=7,
            materials=[("药品", 77700)],
        )
        leak = self.raise_problem(actor=self.staff, institution=self.home_a)
        self.solve(leak, worker=self.liaison, raiser=self.staff)
        late = self.raise_problem(
            actor=self.staff, institution=self.home_a, category=ProblemCategory.SAFETY
        )
        self.make_overdue(late)

    def get(self, user, **params):
        self.login(user)
        return self.client.get(URL, params)

    def test_it_shows_the_recorded_figures_in_chinese(self):
        response = self.get(self.city_admin)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("工作成效", html)
        self.assertEqual(figure(html, "research_visits"), "1")
        self.assertEqual(figure(html, "activities"), "2")
        self.assertEqual(figure(html, "material_value_yuan"), "30,124,233.78")
        self.assertEqual(figure(html, "beneficiaries"), "49")
        self.assertEqual(figure(html, "problems_raised"), "2")
        self.assertEqual(figure(html, "problems_solved"), "1")
        self.assertEqual(figure(html, "problems_solved_environment"), "1")
        self.assertEqual(figure(html, "problems_overdue"), "1")
        self.assertEqual(figure(html, "departments"), "2")
        self.assertEqual(figure(html, "institutions"), "2")
        self.assertEqual(figure(html, "pairs_active"), "2")

    def test_the_chart_data_carry_chinese_labels(self):
        response = self.get(self.city_admin)
        data = json.loads(
            re.search(
                r'<script id="dashboard-data" type="application/json">(.*?)</script>',
                response.content.decode(),
                flags=re.S,
            ).group(1)
        )
        categories = dict(
            zip(data["categories"]["labels"], data["categories"]["values"], strict=True)
        )
        self.assertEqual(categories["环境提升"], 1)
        self.assertEqual(categories["医疗健康"], 1)
        overdue = dict(zip(data["overdue"]["labels"], data["overdue"]["values"], strict=True))
        self.assertEqual(overdue["安全"], 1)
        self.assertIn("市中区", data["counties"]["labels"])
        self.assertEqual(data["months"]["raised"][-1], 2)
        self.assertEqual(data["locale"], "ZH")

    def test_the_period_presets_and_dates_filter_the_figures(self):
        Activity.objects.filter(institution=self.home_b).update(
            occurred_on=TODAY().replace(month=1, day=1) - datetime.timedelta(days=1)
        )
        rollup.rebuild()  # edited past the services, as a repair would be
        html = self.get(self.city_admin, period="this_year").content.decode()
        self.assertEqual(figure(html, "activities"), "1")
        html = self.get(self.city_admin, period="last_year").content.decode()
        self.assertEqual(figure(html, "activities"), "1")
        self.assertEqual(figure(html, "material_value_yuan"), "777.00")
        self.assertEqual(figure(html, "research_visits"), "0")
        today = TODAY().isoformat()
        html = self.get(self.city_admin, **{"from": today, "to": today}).content.decode()
        self.assertEqual(figure(html, "activities"), "1")
        self.assertEqual(figure(html, "research_visits"), "1")

    def test_a_reversed_period_is_refused_with_a_message(self):
        response = self.get(self.city_admin, **{"from": "2024-05-01", "to": "2024-04-01"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "截止日期早于起始日期")

    def test_the_region_filter_narrows_the_figures(self):
        html = self.get(self.city_admin, region=self.county_b.code).content.decode()
        self.assertEqual(figure(html, "activities"), "1")
        self.assertEqual(figure(html, "material_value_yuan"), "777.00")
        self.assertEqual(figure(html, "research_visits"), "0")

    def test_county_b_worker_gets_404_for_county_a_region(self):
        for code in (self.county_a.code, self.township_a.code, self.village_a.code, "511102"):
            with self.subTest(code):
                self.assertEqual(self.get(self.county_b_worker, region=code).status_code, 404)
        self.assertEqual(
            self.get(self.county_b_worker, region="511102", format="xlsx").status_code, 404
        )

    def test_an_unknown_or_malformed_region_or_institution_answers_404(self):
        for params in (
            {"region": "519999000000"},
            {"region": "abc"},
            {"institution": "999999"},
            {"institution": "x"},
        ):
            with self.subTest(params):
                self.assertEqual(self.get(self.city_admin, **params).status_code, 404)

    def test_county_b_worker_gets_404_for_county_a_institution(self):
        response = self.get(self.county_b_worker, institution=self.home_a.pk)
        self.assertEqual(response.status_code, 404)

    def test_the_county_b_dashboard_shows_none_of_county_a(self):
        response = self.get(self.county_b_worker)
        html = response.content.decode()
        self.assertEqual(figure(html, "activities"), "1")
        self.assertEqual(figure(html, "research_visits"), "0")
        self.assertEqual(figure(html, "material_value_yuan"), "777.00")
        self.assertEqual(figure(html, "problems_raised"), "0")
        self.assertEqual(figure(html, "problems_overdue"), "0")
        for name in ("凌云敬老院", "市中区", "凌云街道", "30,124"):
            self.assertNotIn(name, html)
        self.assertIn("葫芦镇敬老院", html)

    def test_a_liaison_dashboard_covers_only_their_paired_institution(self):
        html = self.get(self.liaison).content.decode()
        self.assertEqual(figure(html, "activities"), "1")
        self.assertEqual(figure(html, "research_visits"), "1")
        self.assertEqual(figure(html, "material_value_yuan"), "30,123,456.78")
        self.assertEqual(figure(html, "problems_overdue"), "1")
        self.assertIn("凌云敬老院", html)
        self.assertNotIn("葫芦镇敬老院", html)

    def test_it_drills_down_from_city_to_county_to_institution(self):
        city = self.get(self.city_admin).content.decode()
        self.assertIn(f'href="?region={self.county_a.code}"', city)
        county = self.get(self.city_admin, region=self.county_a.code).content.decode()
        rows = re.findall(
            r"<tr>\s*<td data-label=\"机构\"><a href=\"([^\"]+)\">([^<]+)</a>", county
        )
        self.assertEqual([name for _url, name in rows], ["凌云敬老院"])
        url = rows[0][0].replace("&amp;", "&")
        institution = self.client.get(URL + url if url.startswith("?") else url)
        self.assertEqual(institution.status_code, 200)
        html = institution.content.decode()
        if url.startswith("?"):
            self.assertEqual(figure(html, "activities"), "1")
            self.assertEqual(figure(html, "problems_overdue"), "1")

    def test_the_home_with_the_most_overdue_problems_comes_first(self):
        second = Organisation.objects.create(
            name="凌云第二养老院",
            kind=OrgKind.INSTITUTION,
            region=self.village_a,
            institution_type=InstitutionType.ELDERLY_HOME,
        )
        for _ in range(2):
            problem = self.raise_problem(actor=self.city_admin, institution=second)
            self.make_overdue(problem)
        html = self.get(self.city_admin, region=self.county_a.code).content.decode()
        names = re.findall(r'<td data-label="机构"><a href="[^"]+">([^<]+)</a>', html)
        self.assertEqual(names, ["凌云第二养老院", "凌云敬老院"])

    def test_the_page_loads_nothing_from_the_internet(self):
        html = self.get(self.city_admin).content.decode()
        urls = re.findall(r'(?:src|href)="([^"]*)"', html)
        self.assertTrue(any("echarts" in u for u in urls))
        self.assertTrue(any("noto-sans-sc.css" in u for u in urls))
        for url in urls:
            with self.subTest(url):
                self.assertFalse(re.match(r"^(https?:)?//", url), url)
        self.assertNotRegex(html, r"url\((['\"])?(https?:)?//")

    def test_the_served_styles_and_scripts_name_no_remote_resource(self):
        from django.contrib.staticfiles import finders

        for name in (
            "vendor/noto-sans-sc/noto-sans-sc.css",
            "carepair/carepair.css",
            "reports/dashboard.css",
            "reports/dashboard.js",
        ):
            with self.subTest(name):
                with open(finders.find(name), encoding="utf-8") as f:
                    text = f.read()
                self.assertNotRegex(text, r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/")
                self.assertNotIn("@import", text)

    def test_a_user_without_the_dashboard_permission_is_refused(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])


class DashboardExportTest(Recording, PersonaTestCase):
    def test_the_excel_export_opens_and_contains_the_figures(self):
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            beneficiaries=12,
            materials=[("大米", 3012345678)],
        )
        self.make_overdue(self.raise_problem(actor=self.staff, institution=self.home_a))
        self.login(self.city_admin)
        response = self.client.get(URL, {"format": "xlsx"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])
        self.assertIn(".xlsx", response["Content-Disposition"])
        book = load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, ["主要指标", "各县（市、区）", "机构", "按月"])
        overview = {row[0]: row[1] for row in book["主要指标"].iter_rows(values_only=True)}
        self.assertEqual(overview["帮扶活动（场次）"], 1)
        self.assertEqual(Decimal(str(overview["帮扶物资折合（元）"])), Decimal("30123456.78"))
        self.assertEqual(overview["惠及人次"], 12)
        self.assertEqual(overview["逾期问题"], 1)
        counties = list(book["各县（市、区）"].iter_rows(values_only=True))
        self.assertEqual(counties[0][0], "县（市、区）")
        county_a = next(r for r in counties if r[0] == "市中区")
        self.assertEqual(county_a[2], 1)
        institutions = list(book["机构"].iter_rows(values_only=True))
        self.assertEqual(institutions[1][0], "凌云敬老院")  # the overdue one first
        self.assertEqual(institutions[1][8], 1)
        self.assertEqual({r[0] for r in institutions[1:]}, {"凌云敬老院", "葫芦镇敬老院"})

    def test_the_county_b_export_holds_nothing_of_county_a(self):
        self.record(actor=self.liaison, institution=self.home_a, helper=self.department)
        self.login(self.county_b_worker)
        response = self.client.get(URL, {"format": "xlsx"})
        book = load_workbook(io.BytesIO(response.content))
        text = " ".join(
            str(v)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
        )
        self.assertNotIn("凌云", text)
        self.assertNotIn("市中区", text)
        self.assertIn("葫芦镇敬老院", text)


class DashboardQueryCountTest(PersonaTestCase):
    """The page costs the same number of queries with 2 counties or 12, 2 homes or 60."""

    def grow(self):
        counties = list(Region.objects.filter(level=Level.COUNTY))
        recorder = User.objects.get(username="city_admin")
        homes, regions = [], []
        for n, county in enumerate(counties):
            township = Region(
                code=county.code[:6] + "901000",
                name=f"测试镇{n}",
                level=Level.TOWNSHIP,
                parent=county,
            )
            regions.append(township)
        Region.objects.bulk_create(regions)
        for n, township in enumerate(regions):
            for m in range(5):
                homes.append(
                    Organisation(
                        name=f"测试敬老院{n}-{m}",
                        kind=OrgKind.INSTITUTION,
                        region=township,
                        institution_type=InstitutionType.RURAL_HOME,
                    )
                )
        homes = Organisation.objects.bulk_create(homes)
        Pairing.objects.bulk_create(
            Pairing(
                tier=Tier.CITY_DEPARTMENT,
                helper=self.department,
                institution=home,
                region_id=home.region_id,
                started_on=TODAY(),
            )
            for home in homes
        )
        activities = Activity.objects.bulk_create(
            Activity(
                kind=Kind.ASSISTANCE,
                category=Category.values[i % 8],
                title="慰问",
                occurred_on=TODAY(),
                institution=home,
                region_id=home.region_id,
                beneficiaries=3,
                recorded_by=recorder,
            )
            for i, home in enumerate(homes)
        )
        Material.objects.bulk_create(
            Material(activity=a, item="米", quantity=1, unit="袋", value_fen=100)
            for a in activities
        )
        Problem.objects.bulk_create(
            Problem(
                title="漏水",
                category=ProblemCategory.values[i % 8],
                due_on=TODAY() - datetime.timedelta(days=1),
                status=Status.RAISED,
                source=Source.ADMINISTRATION,
                institution=home,
                region_id=home.region_id,
                raised_by=recorder,
            )
            for i, home in enumerate(homes)
        )
        rollup.rebuild()  # a bulk load, as seed-demo's
        return len(homes)

    def count(self, **params) -> int:
        self.login(self.city_admin)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_constant_query_count_regardless_of_counties_and_institutions(self):
        views = ({}, {"region": self.county_a.code}, {"format": "xlsx"})
        before = [self.count(**params) for params in views]
        added = self.grow()
        self.assertGreaterEqual(added, 60)
        after = [self.count(**params) for params in views]
        self.assertEqual(before, after)
        html = self.client.get(URL).content.decode()
        self.assertEqual(figure(html, "activities"), str(added))


class DashboardPeopleTest(PeopleTestCase):
    """The registry's cards: for the roles that see the registry, scoped like it."""

    def visit(self, actor, person):
        visit_record(
            actor=self.fresh(actor),
            person=person,
            visited_on=TODAY(),
            seen=Seen.YES,
            health=Condition.GOOD,
            safety=Condition.GOOD,
            food=Condition.GOOD,
            mood=Condition.GOOD,
        )

    def page(self, user) -> str:
        self.login(user)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_registry_cards_count_the_people_in_reach(self):
        self.visit(self.township_worker, self.elder)
        self.visit(self.county_b_worker, self.elder_b)
        html = self.page(self.city_admin)
        self.assertEqual(figure(html, "people_registered"), "3")
        self.assertEqual(figure(html, "left_behind_children"), "1")
        self.assertEqual(figure(html, "household_visits"), "2")
        self.assertIn("困难群众", html)
        html = self.page(self.county_b_worker)
        self.assertEqual(figure(html, "people_registered"), "1")
        self.assertEqual(figure(html, "left_behind_children"), "0")
        self.assertEqual(figure(html, "household_visits"), "1")

    def test_roles_that_may_not_see_the_registry_get_no_registry_cards(self):
        self.visit(self.township_worker, self.elder)
        html = self.page(self.liaison)
        for key in ("people_registered", "left_behind_children", "household_visits"):
            self.assertNotIn(f'data-key="{key}"', html)
        self.login(self.liaison)
        workbook = load_workbook(io.BytesIO(self.client.get(URL, {"format": "xlsx"}).content))
        labels = [row[0] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        self.assertNotIn("入户走访（次）", labels)

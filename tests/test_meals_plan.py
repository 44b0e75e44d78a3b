"""The meal-point planner page (助餐点选址): demand from the registry (older people only,
active, priority groups counted twice), existing open sites kept, the plan chosen, coverage
by township and the villages left out; the Excel plan; scope (another county → 404) and
the role needed."""

import io

from openpyxl import load_workbook

from carepair.meals.models import MealSite
from carepair.people.models import Category, Status
from carepair.people.services import person_set_status
from carepair.regions.models import Level, Region
from tests.base import TODAY
from tests.test_meals import MealsTestCase, registered

# 凌云社区 (village_a, a community under a street: urban, 1,000 m) has the open point.
SEAT = (29.5600, 103.7600)
NEAR = (29.5870, 103.7600)  # 3.0 km north: beyond both radii
FAR = (29.6500, 103.7600)  # 10 km north


class PlanPageTests(MealsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Region.objects.filter(pk=cls.village_a.pk).update(latitude=SEAT[0], longitude=SEAT[1])
        MealSite.objects.filter(pk=cls.point_a.pk).update(latitude=SEAT[0], longitude=SEAT[1])
        # The closed point, even with a position, is not a site that serves.
        MealSite.objects.filter(pk=cls.closed.pk).update(latitude=NEAR[0], longitude=NEAR[1])
        cls.near = Region.objects.create(
            code="511102001201", name="青江村", level=Level.VILLAGE, parent=cls.township_a,
            latitude=NEAR[0], longitude=NEAR[1],
        )  # fmt: skip
        cls.far = Region.objects.create(
            code="511102001202", name="远山村", level=Level.VILLAGE, parent=cls.township_a,
            latitude=FAR[0], longitude=FAR[1],
        )  # fmt: skip
        # village_a: 特困 70 (2), 85 (2), 65 (1) from make_world = 5; a child and a
        # deceased 75-year-old do not count.
        registered(cls, "李小宝", 9, 21, region=cls.village_a)
        gone = registered(cls, "周德明", 75, 22, region=cls.village_a)
        person_set_status(
            actor=cls.township_worker, person=gone, status=Status.DECEASED, on=TODAY()
        )
        # 青江村: two of 70 = 2. 远山村: 62 (1) and 独居 66 (2) = 3.
        registered(cls, "吴正国", 70, 23, region=cls.near)
        registered(cls, "郑桂芳", 70, 24, region=cls.near)
        registered(cls, "王长林", 62, 25, region=cls.far)
        registered(cls, "冯淑英", 66, 26, [Category.ALONE], region=cls.far)
        # Another county's older people are not this county's demand.
        registered(cls, "陈老汉", 80, 27, region=cls.village_b, actor=cls.county_b_worker)

    def plan(self, user=None, **params):
        self.login(user or self.county_a_worker)
        query = {"region": "511102", "p": 1, "urban": 1000, "rural": 2000, "detour": 1, **params}
        return self.client.get("/meals/plan/", query)

    def test_the_plan_opens_the_point_that_reaches_most_and_keeps_the_open_one(self):
        page = self.plan()
        self.assertEqual(page.status_code, 200)
        plan = page.context["plan"]
        weights = {v.name: v.weight for v in plan.villages}
        self.assertEqual(weights, {"凌云社区": 5, "青江村": 2, "远山村": 3})
        self.assertEqual([s.name for s in plan.chosen], ["远山村"])
        self.assertEqual(plan.summary["covered_weight"], 8)
        self.assertEqual(plan.summary["total_weight"], 10)
        self.assertEqual(plan.summary["upper_bound"], 8)
        self.assertEqual(plan.weight_before, 5)
        self.assertEqual([v["name"] for v in plan.uncovered], ["青江村"])
        self.assertEqual(plan.uncovered[0]["distance_km"], 3.0)
        (township,) = plan.townships
        self.assertEqual(
            (township["name"], township["weight"], township["before"], township["after"]),
            ("凌云街道", 10, 5, 8),
        )
        self.assertContains(page, 'id="plan-map"')
        self.assertContains(page, "vendor/maps/leshan.geojson")
        self.assertContains(page, "远山村")

    def test_a_wider_reach_covers_what_was_left_out(self):
        # Under a street (街道) every village counts as urban: the town radius applies.
        self.assertEqual(self.plan(rural=3500).context["plan"].summary["covered_weight"], 8)
        plan = self.plan(urban=3500).context["plan"]
        self.assertEqual(plan.summary["covered_weight"], 10)
        self.assertEqual(plan.uncovered, [])

    def test_the_excel_plan_lists_every_site_with_the_clis_columns_first(self):
        answer = self.plan(format="xlsx")
        self.assertEqual(answer.status_code, 200)
        sheet = load_workbook(io.BytesIO(answer.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:2], ("site_id", "chosen"))
        chosen = {row[2]: row[1] for row in rows[1:]}
        self.assertEqual(chosen, {"凌云社区助餐点": 1, "青江村": 0, "远山村": 1})

    def test_bad_settings_are_refused_with_the_field_named(self):
        page = self.plan(p=-1, detour=0.5)
        self.assertEqual(page.status_code, 400)
        self.assertIsNone(page.context["plan"])
        self.assertTrue(page.context["form"].errors["p"])
        self.assertTrue(page.context["form"].errors["detour"])

    def test_another_countys_region_answers_404(self):
        self.assertEqual(self.plan(user=self.county_b_worker).status_code, 404)
        self.assertEqual(self.plan(user=self.county_b_worker, region="511100").status_code, 404)

    def test_the_city_chooses_among_its_counties_and_a_county_sees_only_its_own(self):
        page = self.plan(user=self.city_admin, region="")
        self.assertEqual(page.context["region"].code, "511100000000")
        self.assertEqual(len(page.context["regions"]), 13)
        page = self.plan(region="")
        self.assertEqual([r.name for r in page.context["regions"]], ["市中区"])

    def test_a_role_that_does_not_keep_the_network_is_refused(self):
        self.assertEqual(self.plan(user=self.staff).status_code, 403)
        self.assertEqual(self.plan(user=self.liaison).status_code, 403)

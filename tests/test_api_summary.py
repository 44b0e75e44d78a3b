"""The summary endpoint returns the programme's figures, equal to what was recorded."""

import datetime
import json
from decimal import Decimal

from carepair.api.summary import SummaryOut
from carepair.ledger.models import Category as ActivityCategory
from carepair.ledger.models import Kind as ActivityKind
from carepair.pairing.services import pairing_adjust
from carepair.people.models import Condition, Seen
from carepair.people.services import visit_record
from carepair.problems import services as problems
from carepair.problems.models import Category as ProblemCategory
from carepair.reports.selectors import SUMMARY_KEYS, Period, programme_summary
from tests.base import TODAY, photo
from tests.people_base import PeopleTestCase
from tests.test_api_base import ApiTestCase


class SummaryApiTest(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # In county A, besides the setUp's 1250.50 yuan assistance activity (42 people):
        cls.record_visit(
            cls.liaison,
            cls.home_a,
            "调研走访",
            "0.01",
            kind=ActivityKind.RESEARCH_VISIT,
            category=ActivityCategory.HARDSHIP,
            beneficiaries=5,
        )
        cls.record_visit(
            cls.liaison, cls.home_a, "重阳节慰问", "99999.99", days_ago=30, beneficiaries=60
        )
        # Solve county A's leak (environment) and a new safety problem; county B's stays open.
        for problem in (
            cls.problem_a,
            problems.problem_raise(
                actor=cls.staff,
                title="电线老化",
                category=ProblemCategory.SAFETY,
                subcategory="wiring",
                due_on=TODAY() + datetime.timedelta(days=3),
                institution=cls.home_a,
            ),
        ):
            problem = problems.problem_assign(
                actor=cls.liaison, problem=problem, helper=cls.department
            )
            problem = problems.problem_start(actor=cls.liaison, problem=problem)
            problem = problems.problem_resolve(
                actor=cls.liaison, problem=problem, resolution="已整改", photos=[photo()]
            )
            problems.problem_verify(actor=cls.staff, problem=problem)
        pairing_adjust(
            actor=cls.city_admin, pairing=cls.pair_b, reason="部门调整", helper=cls.department
        )

    def summary(self, user, **params):
        response = self.get(user, "/summary", **params)
        self.assertEqual(response.status_code, 200, response.content)
        return json.loads(response.content, parse_float=Decimal)

    def test_the_city_summary_equals_what_was_recorded(self):
        figures = self.summary(self.city_admin)
        self.assertLessEqual(set(SUMMARY_KEYS), set(figures))
        expected = {
            "research_visits": 1,
            "activities": 3,  # county A's two and county B's one
            "material_value_fen": 125050 + 1 + 9999999 + 80000,
            "material_value_yuan": Decimal("102050.50"),
            "beneficiaries": 42 + 5 + 60 + 30,
            "problems_raised": 3,
            "problems_solved": 2,
            "problems_solved_environment": 1,
            "problems_solved_safety": 1,
            "departments": 2,
            "institutions": 2,
            "social_organisations": 1,
            "pairs_adjusted": 1,
        }
        self.assertEqual({k: figures[k] for k in expected}, expected)

    def test_the_figures_are_those_of_the_shared_selector(self):
        figures = self.summary(self.county_a_worker)
        selector = programme_summary(user=self.fresh(self.county_a_worker))
        self.assertEqual(figures["material_value_yuan"], selector["material_value_yuan"])
        for key in SUMMARY_KEYS:
            with self.subTest(key=key):
                self.assertEqual(figures[key], selector[key])
        self.assertEqual(figures["activities_by_category"], selector["activities_by_category"])

    def test_money_is_a_number_exact_to_the_fen(self):
        raw = self.get(self.county_a_worker, "/summary").content.decode()
        self.assertIn('"material_value_yuan": 101250.5,', raw)
        self.assertIn('"material_value_fen": 10125050', raw)
        figures = self.summary(self.county_a_worker, to=(TODAY() - datetime.timedelta(days=20)))
        self.assertEqual(figures["material_value_yuan"], Decimal("99999.99"))

    def test_a_county_sees_its_own_figures_only(self):
        county_b = self.summary(self.county_b_worker)
        self.assertEqual(county_b["activities"], 1)
        self.assertEqual(county_b["material_value_fen"], 80000)
        self.assertEqual(county_b["problems_raised"], 1)
        self.assertEqual(county_b["problems_solved"], 0)
        # Asking for county A's region answers as for a region that does not exist.
        spied = self.get(self.county_b_worker, "/summary", region="511102")
        unknown = self.get(self.county_b_worker, "/summary", region="511199")
        self.assertEqual(spied.status_code, 404)
        self.assertEqual(spied.content, unknown.content)

    def test_period_and_region_narrow_the_figures(self):
        since = TODAY() - datetime.timedelta(days=10)
        figures = self.summary(self.city_admin, **{"from": since.isoformat(), "region": "511102"})
        self.assertEqual(figures["period_from"], since.isoformat())
        self.assertEqual(figures["region_code"], "511102000000")
        self.assertEqual(figures["activities"], 1)
        self.assertEqual(figures["research_visits"], 1)
        self.assertEqual(figures["material_value_fen"], 125050 + 1)
        expected = programme_summary(
            user=self.fresh(self.city_admin),
            period=Period(start=since),
            region_code="511102000000",
        )
        self.assertEqual(
            {k: figures[k] for k in SUMMARY_KEYS}, {k: expected[k] for k in SUMMARY_KEYS}
        )

    def test_bad_periods_and_regions_are_refused(self):
        self.assertInvalid(self.get(self.city_admin, "/summary", **{"from": "2024-02-30"}), "from")
        self.assertInvalid(
            self.get(self.city_admin, "/summary", **{"from": "2024-05-02", "to": "2024-05-01"}),
            "to",
        )
        self.assertInvalid(self.get(self.city_admin, "/summary", region="乐山"), "region")

    def test_the_endpoint_returns_every_key_of_the_selector(self):
        # If the selector grows a figure, the API's schema must grow it too.
        selector = programme_summary(user=self.fresh(self.city_admin))
        self.assertEqual(set(SummaryOut.model_fields), set(selector))
        self.assertEqual(set(self.summary(self.city_admin)), set(selector))


class SummaryPeopleApiTest(PeopleTestCase, ApiTestCase):
    """The registry's figures in the API: those of the caller's reach."""

    def test_the_registry_figures_are_the_callers_own(self):
        visit_record(
            actor=self.fresh(self.county_b_worker),
            person=self.elder_b,
            visited_on=TODAY(),
            seen=Seen.YES,
            health=Condition.GOOD,
            safety=Condition.GOOD,
            food=Condition.GOOD,
            mood=Condition.GOOD,
        )
        keys = ("people_registered", "left_behind_children", "household_visits")

        def figures(user):
            response = self.get(user, "/summary")
            self.assertEqual(response.status_code, 200, response.content)
            return tuple(json.loads(response.content)[k] for k in keys)

        self.assertEqual(figures(self.city_admin), (3, 1, 1))
        self.assertEqual(figures(self.county_a_worker), (2, 1, 0))
        self.assertEqual(figures(self.county_b_worker), (1, 0, 1))
        self.assertEqual(figures(self.liaison), (0, 0, 0))  # no registry in their role

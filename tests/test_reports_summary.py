"""The programme summary equals what was recorded, for any period and any scope in reach."""

import datetime
import io
import json
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from carepair.accounts.roles import Role
from carepair.ledger import services as ledger
from carepair.ledger.models import Category, Kind
from carepair.ledger.services import MaterialLine
from carepair.pairing.services import pairing_adjust
from carepair.people.models import Category as PersonCategory
from carepair.people.models import Condition, Seen, Status
from carepair.people.services import CategoryLine, person_register, person_set_status, visit_record
from carepair.problems import services as problems
from carepair.problems.models import Category as ProblemCategory
from carepair.problems.models import Problem
from carepair.reports import rollup
from carepair.reports.selectors import (
    PEOPLE_KEYS,
    SUMMARY_KEYS,
    SYSTEM,
    Period,
    county_of,
    problems_by_month,
    programme_summary,
    tally,
    total,
)
from tests.base import TODAY, PersonaTestCase, make_user, photo
from tests.people_base import PeopleTestCase, id_for, years_ago


class Recording:
    """Records visits, activities and problems through the services, as people do."""

    def record(
        self,
        *,
        actor,
        institution,
        helper,
        kind=Kind.ASSISTANCE,
        category=Category.FESTIVAL,
        on=None,
        beneficiaries=0,
        materials=(),
    ):
        return ledger.activity_record(
            actor=self.fresh(actor),
            kind=kind,
            category=category,
            title="春节送温暖",
            occurred_on=on or TODAY(),
            helpers=[helper],
            institution=institution,
            participants=4,
            beneficiaries=beneficiaries,
            materials=[
                MaterialLine(item=item, quantity=Decimal("1"), unit="批", value_fen=fen)
                for item, fen in materials
            ],
        )

    def raise_problem(self, *, actor, institution, category=ProblemCategory.ENVIRONMENT):
        return problems.problem_raise(
            actor=self.fresh(actor),
            title="屋顶漏水",
            category=category,
            due_on=TODAY() + datetime.timedelta(days=10),
            institution=institution,
        )

    def solve(self, problem, *, worker, raiser):
        """Assign to the worker's organisation, fix with a photo, and verify by the raiser."""
        worker = self.fresh(worker)
        problem = problems.problem_assign(actor=worker, problem=problem, helper=worker.organisation)
        problem = problems.problem_start(actor=worker, problem=problem)
        problem = problems.problem_resolve(
            actor=worker, problem=problem, resolution="已修好", photos=[photo()]
        )
        return problems.problem_verify(actor=self.fresh(raiser), problem=problem)

    def make_overdue(self, problem, days=3):
        # Time passes: the due date is behind us.
        Problem.objects.filter(pk=problem.pk).update(due_on=TODAY() - datetime.timedelta(days=days))

    def move_back(self, problem, days):
        """As if it had been raised (and solved) `days` ago."""
        back = timezone.now() - datetime.timedelta(days=days)
        changes = {"raised_at": back}
        if problem.verified_at:
            changes["verified_at"] = back
        Problem.objects.filter(pk=problem.pk).update(**changes)
        rollup.rebuild()  # edited past the services, as a repair would be


class ProgrammeSummaryTest(Recording, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.liaison_b = make_user("liaison_b", Role.LIAISON, organisation=cls.other_department)

    def record_the_programme(self, adjust=True):
        # In county A, the liaison's department visits its home and gives goods.
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            kind=Kind.RESEARCH_VISIT,
            category=Category.HARDSHIP,
            beneficiaries=0,
            materials=[("大米", 123456), ("食用油", 10000)],
        )
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            category=Category.FESTIVAL,
            beneficiaries=42,
            materials=[("棉被", 2500001)],
        )
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            category=Category.ENVIRONMENT,
            beneficiaries=40,
        )
        # In county B, the city administrator records the other department's activity.
        self.record(
            actor=self.city_admin,
            institution=self.home_b,
            helper=self.other_department,
            category=Category.HEALTH,
            beneficiaries=30,
            materials=[("药品", 99)],
        )
        leak = self.raise_problem(actor=self.staff, institution=self.home_a)
        self.solve(leak, worker=self.liaison, raiser=self.staff)
        wiring = self.raise_problem(
            actor=self.staff, institution=self.home_a, category=ProblemCategory.SAFETY
        )
        self.solve(wiring, worker=self.liaison, raiser=self.staff)
        self.raise_problem(
            actor=self.staff, institution=self.home_a, category=ProblemCategory.HEALTH
        )
        late = self.raise_problem(
            actor=self.staff_b, institution=self.home_b, category=ProblemCategory.FACILITIES
        )
        self.make_overdue(late)
        if not adjust:
            return
        pairing_adjust(
            actor=self.fresh(self.city_admin),
            pairing=self.pair_b,
            reason="部门职能调整",
            helper=self.department,
        )

    def test_the_summary_equals_what_was_recorded(self):
        self.record_the_programme()
        summary = programme_summary(user=self.fresh(self.city_admin))
        expected = {
            "research_visits": 1,
            "activities": 3,
            "material_value_fen": 123456 + 10000 + 2500001 + 99,
            "material_value_yuan": Decimal("26335.56"),
            "beneficiaries": 42 + 40 + 30,
            "problems_raised": 4,
            "problems_solved": 2,
            "problems_solved_environment": 1,
            "problems_solved_safety": 1,
            "problems_open": 2,
            "problems_overdue": 1,
            "departments": 2,
            "institutions": 2,
            "social_organisations": 1,
            "pairs_active": 2,
            "pairs_adjusted": 1,
            # Nobody on the registry here (PeopleSummaryTest counts them).
            "household_visits": 0,
            "people_registered": 0,
            "left_behind_children": 0,
            "meal_points": 0,
            "meals_served": 0,
            "meal_subsidy_yuan": Decimal("0.00"),
        }
        self.assertTrue(set(SUMMARY_KEYS) <= set(expected))
        self.assertEqual({k: summary[k] for k in expected}, expected)
        self.assertEqual(
            summary["activities_by_category"],
            {**dict.fromkeys(Category.values, 0), "festival": 1, "environment": 1, "health": 1},
        )
        figures = total(tally(user=self.fresh(self.city_admin)).values())
        self.assertEqual(figures.overdue_by_category["facilities"], 1)

    def test_the_system_view_sees_the_whole_city_like_the_city_administrator(self):
        self.record_the_programme()
        self.assertEqual(
            programme_summary(user=SYSTEM), programme_summary(user=self.fresh(self.city_admin))
        )

    def test_the_period_filter_counts_only_what_happened_in_the_period(self):
        last_year = TODAY().replace(month=1, day=1) - datetime.timedelta(days=1)
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            on=last_year,
            materials=[("大米", 500)],
        )
        self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            materials=[("面粉", 700)],
        )
        old = self.raise_problem(actor=self.staff, institution=self.home_a)
        self.solve(old, worker=self.liaison, raiser=self.staff)
        old.refresh_from_db()
        self.move_back(old, days=TODAY().timetuple().tm_yday + 5)
        self.raise_problem(actor=self.staff, institution=self.home_a)

        admin = self.fresh(self.city_admin)
        this_year = programme_summary(user=admin, period=Period.preset("this_year"))
        before = programme_summary(user=admin, period=Period.preset("last_year"))
        everything = programme_summary(user=admin, period=Period.preset("all"))
        self.assertEqual((this_year["activities"], this_year["material_value_fen"]), (1, 700))
        self.assertEqual((before["activities"], before["material_value_fen"]), (1, 500))
        self.assertEqual((everything["activities"], everything["material_value_fen"]), (2, 1200))
        self.assertEqual((this_year["problems_raised"], this_year["problems_solved"]), (1, 0))
        self.assertEqual((before["problems_raised"], before["problems_solved"]), (1, 1))

    def test_the_region_filter_counts_only_the_region(self):
        self.record_the_programme()
        admin = self.fresh(self.city_admin)
        a = programme_summary(user=admin, region_code=self.county_a.code)
        b = programme_summary(user=admin, region_code=self.county_b.code)
        self.assertEqual((a["research_visits"], a["activities"], b["activities"]), (1, 2, 1))
        self.assertEqual((a["problems_raised"], b["problems_raised"]), (3, 1))
        self.assertEqual((a["material_value_fen"], b["material_value_fen"]), (2633457, 99))
        self.assertEqual((a["problems_overdue"], b["problems_overdue"]), (0, 1))
        # A township is a region too.
        township = programme_summary(user=admin, region_code=self.township_a.code)
        self.assertEqual(township["activities"], 2)

    def test_a_county_worker_sees_only_their_county(self):
        self.record_the_programme()
        b = programme_summary(user=self.fresh(self.county_b_worker))
        self.assertEqual((b["research_visits"], b["activities"]), (0, 1))
        self.assertEqual((b["material_value_fen"], b["problems_raised"]), (99, 1))
        # Asking for county A's region gives county B's worker nothing of it.
        crossed = programme_summary(
            user=self.fresh(self.county_b_worker), region_code=self.county_a.code
        )
        self.assertEqual(
            {k: crossed[k] for k in ("activities", "research_visits", "problems_raised")},
            {"activities": 0, "research_visits": 0, "problems_raised": 0},
        )
        self.assertEqual(crossed["material_value_fen"], 0)

    def test_a_liaison_sees_only_their_paired_institution(self):
        self.record_the_programme(adjust=False)
        mine = programme_summary(user=self.fresh(self.liaison))
        home_a = programme_summary(
            user=self.fresh(self.city_admin), region_code=self.village_a.code
        )
        for key in SUMMARY_KEYS:
            if key in ("departments", "social_organisations"):
                continue  # organisations are counted where they sit, not where they help
            with self.subTest(key):
                self.assertEqual(mine[key], home_a[key])
        self.assertEqual(mine["institutions"], 1)

    def test_an_adjusted_pair_brings_its_institution_into_the_liaisons_reach(self):
        self.record_the_programme(adjust=True)
        liaison = programme_summary(user=self.fresh(self.liaison))
        self.assertEqual((liaison["activities"], liaison["research_visits"]), (3, 1))
        self.assertEqual(liaison["institutions"], 2)

    def test_months_are_counted_in_shanghai_time(self):
        problem = self.raise_problem(actor=self.staff, institution=self.home_a)
        # 17:30 UTC on 31 January is 01:30 on 1 February in Leshan.
        Problem.objects.filter(pk=problem.pk).update(
            raised_at=datetime.datetime(2024, 1, 31, 17, 30, tzinfo=datetime.UTC)
        )
        rollup.rebuild()
        months = problems_by_month(
            user=self.fresh(self.city_admin),
            period=Period(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
        )
        self.assertEqual(months, [("2024-01", 0, 0), ("2024-02", 1, 0), ("2024-03", 0, 0)])


class PeopleSummaryTest(PeopleTestCase):
    """The registry's figures: people on it today, left-behind children among them, and
    the household visits of the period, each within the viewer's reach."""

    def visit(self, actor, person, days_ago=0):
        return visit_record(
            actor=self.fresh(actor),
            person=person,
            visited_on=TODAY() - datetime.timedelta(days=days_ago),
            seen=Seen.YES,
            health=Condition.GOOD,
            safety=Condition.GOOD,
            food=Condition.GOOD,
            mood=Condition.GOOD,
        )

    def record_the_visits(self):
        self.visit(self.township_worker, self.elder)
        self.visit(self.volunteer, self.elder, days_ago=3)
        self.visit(self.township_worker, self.child)
        self.visit(self.county_b_worker, self.elder_b)
        last_year = TODAY().timetuple().tm_yday + 10
        self.visit(self.county_b_worker, self.elder_b, days_ago=last_year)

    def figures(self, user, **options) -> dict:
        summary = programme_summary(user=self.fresh(user), **options)
        return {k: summary[k] for k in PEOPLE_KEYS}

    def test_the_registry_figures_equal_what_was_recorded(self):
        self.record_the_visits()
        self.assertEqual(
            self.figures(self.city_admin),
            {"people_registered": 3, "left_behind_children": 1, "household_visits": 5},
        )
        self.assertLessEqual(set(PEOPLE_KEYS), set(SUMMARY_KEYS))

    def test_household_visits_are_those_of_the_period(self):
        self.record_the_visits()
        this_year = self.figures(self.city_admin, period=Period.preset("this_year"))
        last_year = self.figures(self.city_admin, period=Period.preset("last_year"))
        self.assertEqual((this_year["household_visits"], last_year["household_visits"]), (4, 1))
        # People are counted as they are today, whatever the period.
        self.assertEqual(last_year["people_registered"], 3)

    def test_only_the_living_on_the_registry_and_children_holding_the_category_count(self):
        person_set_status(
            actor=self.fresh(self.county_b_worker),
            person=self.elder_b,
            status=Status.DECEASED,
            on=TODAY(),
        )
        grown = person_register(
            actor=self.fresh(self.township_worker),
            name="李大明",
            id_number=id_for("511102", years_ago(18, 1), 4),
            region=self.village_a,
            categories=[CategoryLine(PersonCategory.LEFT_BEHIND_CHILD, years_ago(3))],
        )
        ended = person_register(
            actor=self.fresh(self.township_worker),
            name="李二妹",
            id_number=id_for("511102", years_ago(10), 5, male=False),
            region=self.village_a,
            categories=[
                CategoryLine(PersonCategory.LEFT_BEHIND_CHILD, years_ago(2), end_on=years_ago(1)),
                CategoryLine(PersonCategory.CHILD_IN_DIFFICULTY, years_ago(1)),
            ],
        )
        self.assertTrue(grown.pk and ended.pk)
        figures = self.figures(self.city_admin)
        # Alive: the elder and the child of county A, the grown one and the girl no longer
        # left behind; of them only the child holds 留守儿童 and is under 18.
        self.assertEqual((figures["people_registered"], figures["left_behind_children"]), (4, 1))

    def test_a_county_sees_only_its_own_people(self):
        self.record_the_visits()
        self.assertEqual(
            self.figures(self.county_b_worker),
            {"people_registered": 1, "left_behind_children": 0, "household_visits": 2},
        )
        crossed = self.figures(self.county_b_worker, region_code=self.county_a.code)
        self.assertEqual(set(crossed.values()), {0})
        self.assertEqual(
            self.figures(self.city_admin, region_code=self.county_a.code),
            {"people_registered": 2, "left_behind_children": 1, "household_visits": 3},
        )

    def test_a_countys_figures_are_the_same_seen_from_the_city_or_from_the_county(self):
        # The city's view of a county is counted by region, the county worker's own view
        # (which may reach past the county) through visible_to: they agree.
        self.record_the_visits()
        for county, worker in (
            (self.county_a, self.county_a_worker),
            (self.county_b, self.county_b_worker),
        ):
            with self.subTest(county.name):
                self.assertEqual(
                    self.figures(self.city_admin, region_code=county.code), self.figures(worker)
                )

    def test_a_volunteer_counts_the_people_they_visit(self):
        self.record_the_visits()
        self.assertEqual(
            self.figures(self.volunteer),
            {"people_registered": 1, "left_behind_children": 0, "household_visits": 2},
        )

    def test_roles_that_may_not_see_the_registry_count_none_of_it(self):
        self.record_the_visits()
        for user in (self.liaison, self.staff):
            with self.subTest(user.username):
                self.assertEqual(set(self.figures(user).values()), {0})

    def test_the_counties_add_up_to_the_whole(self):
        self.record_the_visits()
        admin = self.fresh(self.city_admin)
        groups = tally(user=admin, by="county", key=county_of)
        self.assertEqual(
            {k: (f.people_registered, f.left_behind_children, f.household_visits)
             for k, f in groups.items() if f.people_registered},
            {"511102": (2, 1, 3), "511111": (1, 0, 2)},
        )  # fmt: skip
        whole = total(groups.values())
        self.assertEqual(whole.household_visits, 5)
        by_region = tally(user=admin, by="region", key=lambda code: code)
        self.assertEqual(by_region[self.village_a.code].household_visits, 3)

    def test_the_report_command_prints_the_registry_figures(self):
        self.record_the_visits()
        out = io.StringIO()
        call_command("report", "summary", "--json", stdout=out)
        summary = json.loads(out.getvalue())
        self.assertEqual(
            {k: summary[k] for k in PEOPLE_KEYS},
            {"people_registered": 3, "left_behind_children": 1, "household_visits": 5},
        )
        out = io.StringIO()
        call_command("report", "summary", stdout=out)
        self.assertRegex(out.getvalue(), r"入户走访\S*\s+5\n")

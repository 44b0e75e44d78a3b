"""The monthly totals (月度汇总) stay equal to the records, and the figures read from them
equal the figures counted from the records, for any period."""

import datetime
import io

from django.core.management import CommandError, call_command
from django.urls import reverse

from carepair.ledger.models import Activity, Category, Kind
from carepair.ledger.services import activity_confirm
from carepair.problems.models import Category as ProblemCategory
from carepair.problems.models import Problem
from carepair.reports import rollup
from carepair.reports.models import ActivityMonth, ProblemMonth
from carepair.reports.selectors import (
    SYSTEM,
    Period,
    _raised_by_month,
    _solved_by_month,
    county_of,
    problems_by_month,
    problems_in,
    split_months,
    tally,
    total,
)
from tests.base import TODAY, PersonaTestCase
from tests.test_reports_summary import Recording

D = datetime.date


def shanghai(*args) -> datetime.datetime:
    """A moment given in Leshan's local time (UTC+8)."""
    return datetime.datetime(*args, tzinfo=datetime.UTC) - datetime.timedelta(hours=8)


class MonthlyTotalsFollowTheServicesTest(Recording, PersonaTestCase):
    def test_every_write_through_the_services_keeps_the_totals_equal_to_the_records(self):
        activity = self.record(
            actor=self.liaison,
            institution=self.home_a,
            helper=self.department,
            beneficiaries=30,
            materials=[("大米", 12_000)],
        )
        self.record(actor=self.county_b_worker, institution=self.home_b, helper=self.social_org)
        self.assertEqual(rollup.differences(), [])

        def cell():
            return ActivityMonth.objects.get(county=self.county_a.code[:6], kind=Kind.ASSISTANCE)

        self.assertEqual(
            (cell().entries, cell().beneficiaries, cell().material_value_fen, cell().confirmed),
            (1, 30, 12_000, 0),
        )

        activity_confirm(actor=self.fresh(self.staff), activity=activity)
        self.assertEqual(cell().confirmed, 1)

        problem = self.raise_problem(actor=self.staff, institution=self.home_a)
        self.assertEqual(ProblemMonth.objects.get().raised, 1)
        self.solve(problem, worker=self.liaison, raiser=self.staff)
        self.assertEqual(ProblemMonth.objects.get().solved, 1)
        self.assertEqual(rollup.differences(), [])

    def test_an_entry_moved_in_the_back_office_leaves_its_old_month(self):
        activity = self.record(actor=self.liaison, institution=self.home_a, helper=self.department)
        old_month = TODAY().replace(day=1)
        moved_to = old_month - datetime.timedelta(days=40)
        self.login(self.city_admin)
        url = reverse("admin:ledger_activity_change", args=[activity.pk])
        response = self.client.post(
            url,
            {
                "kind": activity.kind,
                "category": Category.HEALTH,
                "title": activity.title,
                "occurred_on": moved_to.isoformat(),
                "helpers": [self.department.pk],
                "institution": self.home_a.pk,
                "participants": 4,
                "beneficiaries": 9,
                "notes": "",
                "materials-TOTAL_FORMS": "0",
                "materials-INITIAL_FORMS": "0",
                "photos-TOTAL_FORMS": "0",
                "photos-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertFalse(ActivityMonth.objects.filter(month=old_month).exists())
        moved = ActivityMonth.objects.get(month=moved_to.replace(day=1))
        self.assertEqual((moved.category, moved.beneficiaries), (Category.HEALTH, 9))
        self.assertEqual(rollup.differences(), [])

    def test_a_category_corrected_in_the_back_office_moves_the_problem(self):
        problem = self.raise_problem(actor=self.staff, institution=self.home_a)
        self.login(self.city_admin)
        response = self.client.post(
            reverse("admin:problems_problem_change", args=[problem.pk]),
            {
                "title": problem.title,
                "description": "",
                "category": ProblemCategory.SAFETY,
                "subcategory": "",
                "severity": problem.severity,
                "due_on": problem.due_on.isoformat(),
                "events-TOTAL_FORMS": "0",
                "events-INITIAL_FORMS": "0",
                "evidence-TOTAL_FORMS": "0",
                "evidence-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(ProblemMonth.objects.get().category, ProblemCategory.SAFETY)
        self.assertEqual(rollup.differences(), [])

    def test_the_check_names_a_cell_that_disagrees_and_a_rebuild_mends_it(self):
        self.record(actor=self.liaison, institution=self.home_a, helper=self.department)
        Activity.objects.update(beneficiaries=77)  # past the services
        with self.assertRaises(CommandError) as refused:
            call_command("report", "rollup", "--check", stdout=io.StringIO())
        self.assertIn("activities", str(refused.exception))
        out = io.StringIO()
        call_command("report", "rollup", stdout=out)
        self.assertIn("1", out.getvalue())
        call_command("report", "rollup", "--check", stdout=io.StringIO())
        self.assertEqual(ActivityMonth.objects.get().beneficiaries, 77)


class MonthlyFiguresEqualCountedFiguresTest(Recording, PersonaTestCase):
    """Entries and problems around month ends, in both counties and at the city's own
    level; figures read through the monthly totals against the same counted row by row."""

    PERIODS = [
        Period(),
        Period(D(2024, 1, 15), D(2024, 3, 10)),
        Period(D(2024, 2, 1), D(2024, 2, 29)),
        Period(D(2024, 2, 10), D(2024, 2, 20)),
        Period(None, D(2024, 2, 14)),
        Period(D(2024, 2, 14), None),
        Period(D(2024, 1, 31), D(2024, 3, 1)),
        Period(D(2024, 2, 1), D(2024, 3, 31)),
    ]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        self = cls()
        days = [D(2024, 1, 31), D(2024, 2, 1), D(2024, 2, 14), D(2024, 2, 29), D(2024, 3, 1)]
        for i, day in enumerate(days):
            self.record(
                actor=cls.liaison,
                institution=cls.home_a,
                helper=cls.department,
                on=day,
                kind=Kind.RESEARCH_VISIT if i % 2 else Kind.ASSISTANCE,
                beneficiaries=i + 1,
                materials=[("米", 100 * (i + 1))],
            )
            self.record(
                actor=cls.county_b_worker,
                institution=cls.home_b,
                helper=cls.social_org,
                on=day,
                category=Category.values[i],
            )
        moments = [
            shanghai(2024, 1, 31, 23, 30),
            shanghai(2024, 2, 1, 0, 30),
            shanghai(2024, 2, 14, 12, 0),
            shanghai(2024, 2, 29, 23, 59),
            shanghai(2024, 3, 1, 0, 0),
        ]
        for i, moment in enumerate(moments):
            problem = self.raise_problem(
                actor=cls.staff, institution=cls.home_a, category=ProblemCategory.values[i]
            )
            if i % 2 == 0:
                self.solve(problem, worker=cls.liaison, raiser=cls.staff)
                Problem.objects.filter(pk=problem.pk).update(
                    raised_at=moment, verified_at=moment + datetime.timedelta(days=i * 7)
                )
            else:
                Problem.objects.filter(pk=problem.pk).update(raised_at=moment)
            self.raise_problem(actor=cls.staff_b, institution=cls.home_b)
        rollup.rebuild()  # the moments were set past the services

    def test_the_periods_split_into_whole_months_and_the_days_at_either_end(self):
        self.assertEqual(split_months(Period()), ((None, None), []))
        self.assertEqual(
            split_months(Period(D(2024, 1, 15), D(2024, 3, 10))),
            (
                (D(2024, 2, 1), D(2024, 3, 1)),
                [Period(D(2024, 1, 15), D(2024, 1, 31)), Period(D(2024, 3, 1), D(2024, 3, 10))],
            ),
        )
        self.assertEqual(
            split_months(Period(D(2024, 2, 1), D(2024, 2, 29))),
            ((D(2024, 2, 1), D(2024, 3, 1)), []),
        )
        within = Period(D(2024, 2, 10), D(2024, 2, 20))
        self.assertEqual(split_months(within), (None, [within]))

    def test_the_whole_and_each_county_equal_the_records_counted_one_by_one(self):
        for user in (SYSTEM, self.fresh(self.city_admin)):
            for period in self.PERIODS:
                with self.subTest(user=str(user), period=period):
                    by_county = tally(user=user, period=period, by="county", key=county_of)
                    counted = tally(user=user, period=period, by="region", key=county_of)
                    self.assertEqual(by_county, counted)
                    self.assertEqual(
                        total(tally(user=user, period=period, by=None).values()),
                        total(counted.values()),
                    )

    def test_a_county_in_reach_equals_its_records(self):
        cases = (
            (self.fresh(self.city_admin), "511102"),
            (self.fresh(self.county_a_worker), "511102"),
        )
        for user, code in cases:
            for period in self.PERIODS:
                with self.subTest(code=code, period=period):
                    read = tally(
                        user=user, period=period, region_code=code, by="county", key=county_of
                    )
                    counted = tally(
                        user=user, period=period, region_code=code, by="region", key=county_of
                    )
                    self.assertEqual(read, counted)

    def test_problems_by_month_equal_the_records(self):
        problems = problems_in(SYSTEM)
        for period in self.PERIODS:
            with self.subTest(period=period):
                months = problems_by_month(user=SYSTEM, period=period)
                raised = _raised_by_month(problems, period)
                solved = _solved_by_month(problems, period)
                self.assertEqual({m: r for m, r, _ in months if r}, raised)
                self.assertEqual({m: s for m, _, s in months if s}, solved)
        self.assertEqual(
            problems_by_month(user=SYSTEM, period=Period(D(2024, 1, 1), D(2024, 3, 31)))[:3],
            [("2024-01", 1, 1), ("2024-02", 3, 1), ("2024-03", 1, 1)],
        )


class RegistryTotalsTest(PersonaTestCase):
    """The registry's counts and the visits' monthly totals follow the people services,
    and a count is good for its day only."""

    def test_registry_counts_follow_the_services_and_the_day(self):
        from carepair.people.models import Category as PeopleCategory
        from carepair.people.models import Condition, Seen
        from carepair.people.models import Status as PersonStatus
        from carepair.people.services import (
            CategoryLine,
            person_register,
            person_set_status,
            visit_record,
        )
        from tests.people_base import id_for, years_ago

        today = TODAY()
        child = person_register(
            actor=self.township_worker,
            name="李小明",
            id_number=id_for("511102", years_ago(18, -3), 2),  # 18 in three days
            region=self.village_a,
            categories=[CategoryLine(PeopleCategory.LEFT_BEHIND_CHILD, today)],
        )
        elder = person_register(
            actor=self.township_worker,
            name="王秀英",
            id_number=id_for("511102", years_ago(82), 1, male=False),
            region=self.village_a,
        )
        county = self.county_a.code[:6]
        self.assertEqual(rollup.registry_counts(county), {county: {"people": 2, "left_behind": 1}})
        person_set_status(
            actor=self.township_worker, person=elder, status=PersonStatus.MOVED_AWAY, on=today
        )
        self.assertEqual(rollup.registry_counts(county)[county]["people"], 1)
        # Four days on the child is 18: the first count of that day counts again.
        later = today + datetime.timedelta(days=4)
        self.assertEqual(rollup.registry_counts(county, today=later)[county]["left_behind"], 0)

        visit_record(
            actor=self.township_worker,
            person=child,
            visited_on=today,
            seen=Seen.YES,
            health=Condition.GOOD,
            safety=Condition.GOOD,
            food=Condition.GOOD,
            mood=Condition.GOOD,
        )
        self.assertEqual(rollup.differences(), [])
        figures = total(tally(user=self.fresh(self.city_admin), by=None).values())
        self.assertEqual(figures.household_visits, 1)
        counted = total(tally(user=self.fresh(self.city_admin), by="region").values())
        self.assertEqual(figures.household_visits, counted.household_visits)
        self.assertEqual(figures.people_registered, counted.people_registered)

"""Writes stay inside the writer's own reach: seeing a record through a pairing is not
owning it."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from carepair.orgs import services as orgs
from carepair.pairing import services as pairing
from carepair.problems import services as problems
from carepair.problems.models import Category
from tests.base import TODAY, PersonaTestCase


class ScopedWritesTest(PersonaTestCase):
    def raise_at_home_a(self):
        return problems.problem_raise(
            actor=self.fresh(self.staff),
            title="消防通道堵塞",
            category=Category.SAFETY,
            subcategory="fire_lanes",
            due_on=TODAY() + datetime.timedelta(days=7),
            institution=self.home_a,
        )

    def test_a_county_cannot_end_a_city_tier_pair_in_its_county(self):
        with self.assertRaises(PermissionDenied):
            pairing.pairing_end(
                actor=self.fresh(self.county_b_worker),
                pairing=self.pair_b,
                ended_on=TODAY(),
                reason="机构改革",
            )
        self.pair_b.refresh_from_db()
        self.assertIsNone(self.pair_b.ended_on)

    def test_a_county_cannot_edit_a_city_department_it_sees_through_a_pairing(self):
        with self.assertRaises(PermissionDenied):
            orgs.organisation_update(
                actor=self.fresh(self.county_b_worker),
                organisation=self.other_department,
                fields={"name": "沙湾区财政局"},
            )
        self.other_department.refresh_from_db()
        self.assertEqual(self.other_department.name, "市财政局")

    def test_a_liaison_cannot_take_over_a_problem_another_organisation_holds(self):
        problem = self.raise_at_home_a()
        problem = problems.problem_assign(
            actor=self.fresh(self.county_a_worker), problem=problem, helper=self.county_department_a
        )
        with self.assertRaises(PermissionDenied):
            problems.problem_assign(
                actor=self.fresh(self.liaison), problem=problem, helper=self.department
            )
        problem.refresh_from_db()
        self.assertEqual(problem.assigned_to, self.county_department_a)

    def test_staff_raise_problems_only_at_their_own_home(self):
        with self.assertRaises(PermissionDenied):
            problems.problem_raise(
                actor=self.fresh(self.staff_b),
                title="漏水",
                category=Category.ENVIRONMENT,
                due_on=TODAY() + datetime.timedelta(days=7),
                institution=self.home_a,
            )

    def test_a_problem_outside_an_institution_lies_in_a_village_in_reach(self):
        worker = self.fresh(self.township_worker)
        for region in (self.county_a, self.village_b):
            with self.subTest(region=region.code), self.assertRaises(ValidationError):
                problems.problem_raise(
                    actor=worker,
                    title="独居老人房屋漏雨",
                    category=Category.LIVELIHOOD,
                    due_on=TODAY() + datetime.timedelta(days=7),
                    region=region,
                )
        problem = problems.problem_raise(
            actor=worker,
            title="独居老人房屋漏雨",
            category=Category.LIVELIHOOD,
            due_on=TODAY() + datetime.timedelta(days=7),
            region=self.village_a,
        )
        self.assertEqual(problem.region_id, self.village_a.code)

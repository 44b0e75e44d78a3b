"""The problem loop: every legal step, every illegal one refused, all kept in history."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from carepair.problems import services
from carepair.problems.models import Action, Category, EscalationLevel, Problem, Status
from tests.base import TODAY, PersonaTestCase, photo


class ProblemWorkflowTest(PersonaTestCase):
    def raise_leak(self, **extra) -> Problem:
        return services.problem_raise(
            actor=self.fresh(self.staff),
            title="卫生间屋顶漏水",
            category=Category.ENVIRONMENT,
            subcategory="waterproofing",
            due_on=TODAY() + datetime.timedelta(days=14),
            institution=self.home_a,
            **extra,
        )

    def walk_to(self, status: str) -> Problem:
        problem = self.raise_leak()
        liaison = self.fresh(self.liaison)
        steps = [
            (
                Status.ASSIGNED,
                lambda p: services.problem_assign(actor=liaison, problem=p, helper=self.department),
            ),
            (Status.IN_PROGRESS, lambda p: services.problem_start(actor=liaison, problem=p)),
            (
                Status.RESOLVED,
                lambda p: services.problem_resolve(
                    actor=liaison, problem=p, resolution="已做防水", photos=[photo()]
                ),
            ),
            (
                Status.VERIFIED,
                lambda p: services.problem_verify(actor=self.fresh(self.staff), problem=p),
            ),
        ]
        for reached, step in steps:
            if problem.status == status:
                break
            problem = step(problem)
            self.assertEqual(problem.status, reached)
        return problem

    def test_it_walks_the_whole_loop_and_keeps_each_step(self):
        problem = self.walk_to(Status.VERIFIED)
        actions = list(problem.events.values_list("action", "from_status", "to_status", "actor"))
        self.assertEqual(
            actions,
            [
                (Action.RAISE, "", Status.RAISED, self.staff.pk),
                (Action.ASSIGN, Status.RAISED, Status.ASSIGNED, self.liaison.pk),
                (Action.START, Status.ASSIGNED, Status.IN_PROGRESS, self.liaison.pk),
                (Action.RESOLVE, Status.IN_PROGRESS, Status.RESOLVED, self.liaison.pk),
                (Action.VERIFY, Status.RESOLVED, Status.VERIFIED, self.staff.pk),
            ],
        )
        self.assertIsNotNone(problem.verified_at)
        self.assertEqual(problem.evidence.count(), 1)
        self.assertEqual(problem.region_id, self.home_a.region_id)

    def test_it_reopens_a_fix_the_raiser_does_not_accept(self):
        problem = self.walk_to(Status.RESOLVED)
        problem = services.problem_reopen(
            actor=self.fresh(self.staff), problem=problem, reason="仍然漏水"
        )
        self.assertEqual(problem.status, Status.REOPENED)
        problem = services.problem_start(actor=self.fresh(self.liaison), problem=problem)
        self.assertEqual(problem.status, Status.IN_PROGRESS)

    def test_it_refuses_every_illegal_transition(self):
        liaison = self.fresh(self.liaison)
        staff = self.fresh(self.staff)
        calls = {
            "start": lambda p: services.problem_start(actor=liaison, problem=p),
            "resolve": lambda p: services.problem_resolve(
                actor=liaison, problem=p, resolution="x", photos=[photo()]
            ),
            "verify": lambda p: services.problem_verify(actor=staff, problem=p),
            "reopen": lambda p: services.problem_reopen(actor=staff, problem=p, reason="x"),
            "assign": lambda p: services.problem_assign(
                actor=liaison, problem=p, helper=self.department
            ),
        }
        legal = {
            Status.RAISED: {"assign"},
            Status.ASSIGNED: {"start", "assign"},
            Status.IN_PROGRESS: {"resolve"},
            Status.RESOLVED: {"verify", "reopen"},
            Status.VERIFIED: set(),
        }
        for status, allowed in legal.items():
            for name, call in calls.items():
                if name in allowed:
                    continue
                with self.subTest(status=status, step=name):
                    problem = self.walk_to(status)
                    events = problem.events.count()
                    with self.assertRaises(ValidationError):
                        call(problem)
                    problem.refresh_from_db()
                    self.assertEqual(problem.status, status)
                    self.assertEqual(problem.events.count(), events)

    def test_it_lets_only_the_raiser_side_verify(self):
        problem = self.walk_to(Status.RESOLVED)
        with self.assertRaises(PermissionDenied):
            services.problem_verify(actor=self.fresh(self.liaison), problem=problem)

    def test_only_the_assigned_organisation_works_the_problem(self):
        problem = self.walk_to(Status.ASSIGNED)
        with self.assertRaises(PermissionDenied):
            services.problem_start(actor=self.fresh(self.township_worker), problem=problem)

    def test_resolving_needs_a_photo_and_a_description(self):
        problem = self.walk_to(Status.IN_PROGRESS)
        with self.assertRaises(ValidationError):
            services.problem_resolve(
                actor=self.fresh(self.liaison), problem=problem, resolution="修好了", photos=[]
            )
        with self.assertRaises(ValidationError):
            services.problem_resolve(
                actor=self.fresh(self.liaison), problem=problem, resolution=" ", photos=[photo()]
            )

    def test_overdue_problems_climb_to_the_county_then_the_city(self):
        problem = self.walk_to(Status.ASSIGNED)
        Problem.objects.filter(pk=problem.pk).update(due_on=TODAY() - datetime.timedelta(days=1))
        self.assertEqual(services.problems_escalate_overdue(), 1)
        problem.refresh_from_db()
        self.assertEqual(problem.escalation_level, EscalationLevel.COUNTY)
        self.assertEqual(services.problems_escalate_overdue(), 0)
        later = TODAY() + datetime.timedelta(days=30)
        self.assertEqual(services.problems_escalate_overdue(today=later), 1)
        problem.refresh_from_db()
        self.assertEqual(problem.escalation_level, EscalationLevel.CITY)
        self.assertEqual(problem.events.filter(action=Action.ESCALATE).count(), 2)

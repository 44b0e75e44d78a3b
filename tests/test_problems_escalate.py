"""`carepair escalate-overdue`: overdue problems climb a level and the command says how many."""

import datetime
import io

from django.core.management import CommandError, call_command

from carepair.problems import services
from carepair.problems.models import Action, Category, EscalationLevel, Problem
from tests.base import TODAY, PersonaTestCase


class EscalateOverdueCommandTest(PersonaTestCase):
    def raise_problem(self, title, due_in_days):
        problem = services.problem_raise(
            actor=self.fresh(self.staff),
            title=title,
            category=Category.FACILITIES,
            due_on=TODAY() + datetime.timedelta(days=1),
            institution=self.home_a,
        )
        Problem.objects.filter(pk=problem.pk).update(
            due_on=TODAY() + datetime.timedelta(days=due_in_days)
        )
        return problem

    def run_command(self, *args) -> str:
        out = io.StringIO()
        call_command("escalate_overdue", *args, stdout=out)
        return out.getvalue()

    def test_it_escalates_overdue_problems_and_says_how_many(self):
        late = self.raise_problem("热水器损坏", -3)
        self.raise_problem("窗户漏风", 5)
        output = self.run_command()
        self.assertIn("1", output)
        late.refresh_from_db()
        self.assertEqual(late.escalation_level, EscalationLevel.COUNTY)
        self.assertEqual(late.events.filter(action=Action.ESCALATE).count(), 1)

    def test_a_second_run_the_same_day_moves_nothing(self):
        self.raise_problem("热水器损坏", -3)
        self.run_command()
        self.assertIn("0", self.run_command())

    def test_it_can_act_as_of_a_later_day(self):
        late = self.raise_problem("热水器损坏", -3)
        self.run_command()
        later = (TODAY() + datetime.timedelta(days=30)).isoformat()
        self.assertIn("1", self.run_command("--today", later))
        late.refresh_from_db()
        self.assertEqual(late.escalation_level, EscalationLevel.CITY)

    def test_a_bad_date_is_refused(self):
        with self.assertRaises(CommandError):
            self.run_command("--today", "next tuesday")

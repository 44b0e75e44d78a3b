"""Cadres' shared meals (干部陪餐): a cadre records a sitting with four ratings and what was
said; a complaint becomes a problem in the same step (both or neither); the site's page
and the list show them; bad input refused; scope (another county → 404) and roles."""

import datetime

from carepair.meals.models import SharedMeal, SiteKind
from carepair.problems.models import Problem, Source
from tests.base import TODAY
from tests.test_meals import MealsTestCase, site

GOOD = {"slot": "lunch", "diners_present": 12, "taste": 4, "hygiene": 5, "portion": 4,
        "service": 5, "cadre_title": "区民政局副局长", "feedback": "老人说菜有点咸。"}  # fmt: skip


class SharedMealTests(MealsTestCase):
    def record(self, user=None, point=None, **changes):
        self.login(user or self.county_a_worker)
        body = {"served_on": str(TODAY()), **GOOD, **changes}
        return self.client.post(
            f"/meals/sites/{(point or self.point_a).pk}/shared-meals/new/", body
        )

    def test_a_cadre_records_a_shared_meal_and_the_site_shows_it(self):
        answer = self.record()
        self.assertRedirects(answer, f"/meals/sites/{self.point_a.pk}/")
        meal = SharedMeal.objects.get()
        self.assertEqual(
            (meal.cadre, meal.taste, meal.diners_present), (self.county_a_worker, 4, 12)
        )
        self.assertIsNone(meal.problem)
        page = self.client.get(f"/meals/sites/{self.point_a.pk}/")
        self.assertContains(page, "老人说菜有点咸。")
        self.assertContains(page, "区民政局副局长")

    def test_a_complaint_becomes_a_problem_in_the_same_step(self):
        answer = self.record(
            taste=2, raise_problem="on", problem_title="饭菜偏咸，请调整",
            problem_category="health", problem_severity=2,
            problem_due_on=str(TODAY() + datetime.timedelta(days=7)),
        )  # fmt: skip
        meal = SharedMeal.objects.get()
        self.assertRedirects(answer, f"/problems/{meal.problem_id}/")
        problem = Problem.objects.get(pk=meal.problem_id)
        self.assertEqual((problem.source, problem.institution), (Source.SHARED_MEAL, self.home_a))
        self.assertIn("老人说菜有点咸。", problem.description)
        listed = self.client.get("/meals/shared-meals/")
        self.assertContains(listed, f"#{problem.pk}")
        self.assertEqual(listed.context["figures"]["complaints"], 1)
        self.assertEqual(listed.context["figures"]["low"], 1)

    def test_a_second_record_of_the_same_sitting_is_refused_and_raises_nothing(self):
        self.record()
        problems = Problem.objects.count()
        again = self.record(
            raise_problem="on", problem_title="再提一次", problem_category="health",
            problem_severity=2, problem_due_on=str(TODAY() + datetime.timedelta(days=7)),
        )  # fmt: skip
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "已经记录")
        self.assertEqual(SharedMeal.objects.count(), 1)
        self.assertEqual(Problem.objects.count(), problems)

    def test_bad_input_is_refused_with_the_field_named(self):
        future = self.record(served_on=str(TODAY() + datetime.timedelta(days=1)))
        self.assertTrue(future.context["form"].errors["served_on"])
        stars = self.record(taste=6, hygiene=0)
        self.assertEqual(set(stars.context["form"].errors), {"taste", "hygiene"})
        untitled = self.record(raise_problem="on", problem_category="health")
        self.assertTrue(untitled.context["form"].errors["problem_title"])
        closed = self.record(point=self.closed)
        self.assertTrue(closed.context["form"].errors)
        kitchen = site("市中区乐养大厨房", self.township_a, self.home_a, SiteKind.KITCHEN)
        self.assertTrue(self.record(point=kitchen).context["form"].errors)
        self.assertFalse(SharedMeal.objects.exists())

    def test_another_countys_site_answers_404_and_its_meals_are_not_listed(self):
        self.record()
        self.login(self.county_b_worker)
        url = f"/meals/sites/{self.point_a.pk}/shared-meals/new/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.record(user=self.county_b_worker).status_code, 404)
        self.assertEqual(self.client.get("/meals/shared-meals/").context["figures"]["n"], 0)

    def test_the_sites_staff_see_the_ratings_but_do_not_record_them(self):
        self.record()
        self.login(self.staff)
        self.assertEqual(self.client.get("/meals/shared-meals/").context["figures"]["n"], 1)
        url = f"/meals/sites/{self.point_a.pk}/shared-meals/new/"
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.liaison)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.get("/meals/shared-meals/").status_code, 403)

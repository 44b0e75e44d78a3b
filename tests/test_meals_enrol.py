"""Enrolling diners (助餐对象登记): at the point, by ID number and name checked against the
registry (a miss says nothing about who is registered); from a person's registry page;
each refused for the wrong person, age or place; scope (another county → 404) and roles."""

from carepair.meals.models import Diner
from tests.people_base import id_for, years_ago
from tests.test_meals import MealsTestCase, registered


class EnrolAtThePointTests(MealsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.newcomer = registered(cls, "吴玉兰", 72, 31)
        cls.child = registered(cls, "吴小明", 9, 32)

    def enrol(self, id_number, name, user=None, point=None):
        self.login(user or self.staff)
        url = f"/meals/sites/{(point or self.point_a).pk}/enrol/"
        return self.client.post(url, {"id_number": id_number, "name": name})

    def test_the_points_staff_enrol_a_registered_person_and_print_the_card(self):
        answer = self.enrol(id_for("511102", years_ago(72, 20), 31).lower(), "吴玉兰")
        diner = Diner.objects.get(person=self.newcomer)
        self.assertRedirects(answer, f"/meals/diners/{diner.pk}/card/")
        self.assertEqual(diner.enrolled_at, self.point_a)
        card = self.client.get(f"/meals/diners/{diner.pk}/card/")
        self.assertContains(card, diner.card_no)
        self.assertContains(card, "<svg")

    def test_a_wrong_name_answers_as_an_unknown_number_does(self):
        wrong_name = self.enrol(id_for("511102", years_ago(72, 20), 31), "吴玉芬")
        unknown = self.enrol(id_for("511102", years_ago(72, 20), 39), "吴玉兰")
        self.assertEqual(
            wrong_name.context["form"].errors["id_number"],
            unknown.context["form"].errors["id_number"],
        )
        self.assertFalse(Diner.objects.filter(person=self.newcomer).exists())

    def test_a_child_a_diner_already_and_a_bad_number_are_refused_clearly(self):
        child = self.enrol(id_for("511102", years_ago(9, 20), 32), "吴小明")
        self.assertContains(child, "60")
        again = self.enrol(id_for("511102", years_ago(85, 20), 12), "钱德福")
        self.assertTrue(again.context["form"].errors["id_number"])
        bad = self.enrol("51110219500101001X", "吴玉兰")
        self.assertTrue(bad.context["form"].errors["id_number"])
        closed = self.enrol(id_for("511102", years_ago(72, 20), 31), "吴玉兰", point=self.closed)
        self.assertContains(closed, "运营中的食堂或助餐点")
        self.assertEqual(Diner.objects.count(), 3)

    def test_another_countys_point_answers_404_and_other_roles_are_refused(self):
        self.login(self.staff_b)
        self.assertEqual(self.client.get(f"/meals/sites/{self.point_a.pk}/enrol/").status_code, 404)
        self.login(self.liaison)
        self.assertEqual(self.client.get(f"/meals/sites/{self.point_a.pk}/enrol/").status_code, 403)


class EnrolFromTheRegistryTests(MealsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.newcomer = registered(cls, "吴玉兰", 72, 31)

    def test_a_person_s_page_offers_the_countys_sites_and_enrols(self):
        self.login(self.county_a_worker)
        page = self.client.get(f"/people/{self.newcomer.pk}/")
        self.assertEqual(
            [s.name for s in page.context["meals"]["sites"]],
            ["凌云社区助餐点", "凌云街道乐养小食堂"],
        )
        answer = self.client.post(
            f"/meals/people/{self.newcomer.pk}/enrol/", {"site": self.point_a2.pk}
        )
        diner = Diner.objects.get(person=self.newcomer)
        self.assertRedirects(answer, f"/meals/diners/{diner.pk}/card/")
        page = self.client.get(f"/people/{self.newcomer.pk}/")
        self.assertContains(page, diner.card_no)

    def test_another_countys_admin_gets_404_for_the_person_and_the_site(self):
        self.login(self.county_b_worker)
        url = f"/meals/people/{self.newcomer.pk}/enrol/"
        self.assertEqual(self.client.post(url, {"site": self.point_b.pk}).status_code, 404)
        self.login(self.county_a_worker)
        self.assertEqual(self.client.post(url, {"site": self.point_b.pk}).status_code, 404)
        self.assertFalse(Diner.objects.filter(person=self.newcomer).exists())

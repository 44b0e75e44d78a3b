"""The registry's pages: masked numbers everywhere, audited reveals, restricted sections,
scope (404 for another county), registration and the door-knocking visit."""

import datetime
import io

from openpyxl import load_workbook

from carepair.lib.vault import vault
from carepair.people.models import ChildArchive, HouseholdVisit, IdReveal, Person, ServicePoint
from carepair.problems.models import Problem, Source
from tests.base import TODAY, photo
from tests.people_base import PeopleTestCase, id_for, years_ago


class PeoplePagesTest(PeopleTestCase):
    def number(self, person) -> str:
        return vault().decrypt(person.id_cipher)

    def pages(self, person):
        return [
            "/people/",
            f"/people/{person.pk}/",
            f"/people/{person.pk}/edit/",
            f"/people/{person.pk}/visit/",
            f"/people/{person.pk}/archive/",
            "/people/due/?all=1",
            "/people/alerts/",
            "/people/?format=xlsx",
        ]

    def test_no_page_shows_a_full_number(self):
        for user in (self.township_worker, self.city_admin, self.supervisor):
            self.login(user)
            for url in self.pages(self.elder) + self.pages(self.child):
                response = self.client.get(url)
                self.assertIn(response.status_code, (200, 403), url)
                body = response.content
                if url.endswith("xlsx"):
                    book = load_workbook(io.BytesIO(body), read_only=True)
                    body = repr([list(r) for r in book.active.iter_rows(values_only=True)]).encode()
                for person in (self.elder, self.child):
                    # Nor the birth date: its digits are the part the mask hides.
                    secrets = (
                        self.number(person),
                        person.birth_date.isoformat(),
                        f"{person.birth_date:%Y%m%d}",
                    )
                    for secret in secrets:
                        with self.subTest(user=user.username, url=url, secret=secret[:4]):
                            self.assertNotIn(secret.encode(), body)
        self.login(self.township_worker)
        self.assertContains(self.client.get(f"/people/{self.elder.pk}/"), self.elder.id_masked)

    def test_a_reveal_shows_the_number_once_and_is_audited(self):
        self.login(self.township_worker)
        url = f"/people/{self.elder.pk}/reveal/"
        refused = self.client.post(url, {"reason": ""})
        self.assertEqual(refused.status_code, 422)
        self.assertFalse(IdReveal.objects.exists())
        shown = self.client.post(url, {"reason": "核对特困供养材料"})
        self.assertContains(shown, self.number(self.elder))
        self.assertEqual(shown["Cache-Control"], "no-store")
        entry = IdReveal.objects.get()
        self.assertEqual(
            (entry.user, entry.reason, entry.address),
            (self.township_worker, "核对特困供养材料", "127.0.0.1"),
        )
        # The next view of the page is masked again.
        self.assertNotContains(
            self.client.get(f"/people/{self.elder.pk}/"), self.number(self.elder)
        )

    def test_a_reveal_without_the_right_is_refused_and_not_offered(self):
        for user in (self.volunteer, self.leader):
            self.login(user)
            page = self.client.get(f"/people/{self.elder.pk}/")
            self.assertNotContains(page, "/reveal/")
            response = self.client.post(f"/people/{self.elder.pk}/reveal/", {"reason": "看看"})
            self.assertEqual(response.status_code, 403)
            self.assertNotContains(response, self.number(self.elder), status_code=403)
        self.assertFalse(IdReveal.objects.exists())

    def test_health_and_referrals_only_for_the_roles_that_need_them(self):
        ServicePoint.objects.create(name="凌云小学正心服务站", kind="school", region=self.village_a)
        for user, health, referrals in (
            (self.township_worker, True, False),
            (self.supervisor, True, True),
            (self.volunteer, False, False),
            (self.leader, False, False),
        ):
            self.login(user)
            page = self.client.get(f"/people/{self.elder.pk}/")
            with self.subTest(user.username):
                self.assertEqual(page.status_code, 200)
                self.assertEqual("高血压" in page.content.decode(), health)
                self.assertEqual("轻度抑郁" in page.content.decode(), health)
                self.assertEqual('data-testid="referrals"' in page.content.decode(), referrals)

    def test_the_child_supervisor_refers_a_child_and_others_cannot(self):
        point = ServicePoint.objects.create(
            name="凌云小学正心服务站", kind="school", region=self.village_a
        )
        data = {"point": point.pk, "referred_on": TODAY().isoformat(), "reason": "情绪低落"}
        self.login(self.township_worker)
        self.assertEqual(
            self.client.post(f"/people/{self.child.pk}/referrals/", data).status_code, 403
        )
        self.login(self.supervisor)
        response = self.client.post(f"/people/{self.child.pk}/referrals/", data)
        self.assertRedirects(response, f"/people/{self.child.pk}/")
        self.assertContains(self.client.get(f"/people/{self.child.pk}/"), "情绪低落")
        self.login(self.township_worker)
        self.assertNotContains(self.client.get(f"/people/{self.child.pk}/"), "情绪低落")

    def test_another_countys_worker_gets_404_on_every_page_of_the_person(self):
        self.login(self.county_b_worker)
        pk = self.elder.pk
        for method, url in (
            ("get", f"/people/{pk}/"),
            ("get", f"/people/{pk}/edit/"),
            ("get", f"/people/{pk}/visit/"),
            ("post", f"/people/{pk}/visit/"),
            ("get", f"/people/{pk}/archive/"),
            ("post", f"/people/{pk}/reveal/"),
            ("post", f"/people/{pk}/status/"),
            ("post", f"/people/{pk}/categories/"),
            ("post", f"/people/{pk}/referrals/"),
        ):
            with self.subTest(url=url, method=method):
                self.assertEqual(
                    getattr(self.client, method)(url, {"reason": "x"}).status_code, 404
                )
        self.assertEqual(self.client.get("/people/999999/").status_code, 404)
        listing = self.client.get("/people/").content.decode()
        self.assertNotIn(self.elder.name, listing)
        self.assertIn(self.elder_b.name, listing)
        self.assertEqual(IdReveal.objects.count(), 0)

    def test_roles_without_the_registry_are_refused(self):
        for user in (self.liaison, self.staff):
            self.login(user)
            with self.subTest(user.username):
                self.assertEqual(self.client.get("/people/").status_code, 403)
                self.assertEqual(self.client.get(f"/people/{self.elder.pk}/").status_code, 403)

    def test_search_by_full_id_number_is_a_post_and_finds_the_person(self):
        self.login(self.township_worker)
        by_number = self.client.post("/people/find/", {"q": self.number(self.child).lower()})
        self.assertRedirects(by_number, f"/people/{self.child.pk}/")
        self.login(self.county_b_worker)
        elsewhere = self.client.post("/people/find/", {"q": self.number(self.child)})
        self.assertEqual(elsewhere.status_code, 200)
        self.assertNotContains(elsewhere, self.child.name)
        self.assertNotContains(elsewhere, self.number(self.child))

    def test_search_by_name(self):
        self.login(self.township_worker)
        by_name_post = self.client.post("/people/find/", {"q": "王秀"})
        self.assertRedirects(by_name_post, "/people/?q=%E7%8E%8B%E7%A7%80")
        by_name = self.client.get("/people/", {"q": "王秀"})
        self.assertContains(by_name, self.elder.name)
        self.assertNotContains(by_name, self.child.name)

    def test_registration_refuses_a_contradicting_birth_date_in_chinese_and_saves_nothing(self):
        self.login(self.township_worker)
        number = id_for("511102", years_ago(71), 9)
        data = {
            "name": "刘长春",
            "id_number": number,
            "birth_date": "1950-01-01",
            "region": self.village_a.pk,
            "living": "alone",
            "categories": ["alone"],
            "categories_from": TODAY().isoformat(),
        }
        response = self.client.post("/people/new/", data)
        self.assertContains(response, "与身份证号不符")
        self.assertFalse(Person.objects.filter(name="刘长春").exists())
        data["birth_date"] = ""
        response = self.client.post("/people/new/", data)
        person = Person.objects.get(name="刘长春")
        self.assertRedirects(response, f"/people/{person.pk}/")
        self.assertEqual(person.visit_every_days, 14)

    def test_a_visit_from_the_phone_form_raises_a_problem_in_one_step(self):
        self.login(self.township_worker)
        response = self.client.post(
            f"/people/{self.elder.pk}/visit/",
            {
                "visited_on": TODAY().isoformat(),
                "seen": "yes",
                "health": "fair",
                "safety": "poor",
                "food": "good",
                "mood": "good",
                "needs": "厨房电线老化，需要更换",
                "photos": [photo()],
                "raise_problem": "on",
                "problem_title": "王秀英家厨房电线老化",
                "problem_category": "safety",
                "problem_severity": "3",
                "problem_due_on": (TODAY() + datetime.timedelta(days=7)).isoformat(),
            },
        )
        problem = Problem.objects.get(title="王秀英家厨房电线老化")
        self.assertRedirects(response, f"/problems/{problem.pk}/")
        self.assertEqual((problem.source, problem.region_id), (Source.VISIT, self.village_a.code))
        visit = HouseholdVisit.objects.get()
        self.assertEqual(visit.photos.count(), 1)
        page = self.client.get(f"/people/{self.elder.pk}/")
        self.assertContains(page, "王秀英家厨房电线老化")
        # ... and the problem's page leads back to the person, for those who may see them.
        back = f'href="/people/{self.elder.pk}/"'
        self.assertContains(self.client.get(f"/problems/{problem.pk}/"), back)
        self.login(self.liaison)
        self.assertNotContains(self.client.get(f"/problems/{problem.pk}/"), back, status_code=404)
        self.login(self.township_worker)
        photo_url = f"/people/visit-photos/{visit.photos.get().pk}/"
        self.assertEqual(self.client.get(photo_url).status_code, 200)
        self.login(self.county_b_worker)
        self.assertEqual(self.client.get(photo_url).status_code, 404)

    def test_a_volunteer_visits_their_person_but_cannot_raise_a_problem(self):
        self.login(self.volunteer)
        form = self.client.get(f"/people/{self.elder.pk}/visit/")
        self.assertNotContains(form, "raise_problem")
        self.assertEqual(self.client.get(f"/people/{self.child.pk}/visit/").status_code, 404)

    def test_the_due_list_puts_the_overdue_first_and_counts_by_township(self):
        Person.objects.filter(pk=self.child.pk).update(
            next_visit_on=TODAY() - datetime.timedelta(days=3)
        )
        self.login(self.township_worker)
        page = self.client.get("/people/due/?all=1&by=township").content.decode()
        self.assertLess(page.index(self.child.name), page.index(self.elder.name))
        self.assertIn("凌云街道", page)

    def test_the_child_file_is_kept(self):
        self.login(self.township_worker)
        response = self.client.post(
            f"/people/{self.child.pk}/archive/",
            {
                "school": "凌云小学",
                "grade": "三年级",
                "schooling": "regular",
                "father_work": "广东东莞",
                "father_home": "yearly",
                "mother_work": "浙江宁波",
                "mother_home": "yearly",
                "risk": "medium",
                "risk_reasons": "父母均外出，祖母年迈",
            },
        )
        self.assertRedirects(response, f"/people/{self.child.pk}/")
        self.assertEqual(ChildArchive.objects.get(person=self.child).school, "凌云小学")
        self.assertEqual(self.client.get(f"/people/{self.elder.pk}/archive/").status_code, 200)


class ContactsHealthVisitorTest(PeopleTestCase):
    def test_contacts_are_added_and_removed_by_the_registry_keepers_only(self):
        data = {"kind": "guardian", "name": "李建国", "relation": "祖父", "phone": "13900002222"}
        self.login(self.volunteer)
        self.assertEqual(
            self.client.post(f"/people/{self.elder.pk}/contacts/", data).status_code, 403
        )
        self.login(self.county_b_worker)
        self.assertEqual(
            self.client.post(f"/people/{self.child.pk}/contacts/", data).status_code, 404
        )
        self.login(self.township_worker)
        response = self.client.post(f"/people/{self.child.pk}/contacts/", data)
        self.assertRedirects(response, f"/people/{self.child.pk}/")
        contact = self.child.contacts.get()
        self.assertContains(self.client.get(f"/people/{self.child.pk}/"), "李建国")
        url = f"/people/{self.child.pk}/contacts/{contact.pk}/remove/"
        self.login(self.county_b_worker)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.login(self.township_worker)
        self.assertRedirects(self.client.post(url), f"/people/{self.child.pk}/")
        self.assertFalse(self.child.contacts.exists())

    def test_health_notes_are_written_only_by_roles_that_may_read_them(self):
        data = {"conditions": "糖尿病", "disability_grade": "2", "mental_health": ""}
        url = f"/people/{self.elder.pk}/health/"
        from carepair.accounts.roles import Role
        from tests.base import make_user

        officer = make_user("officer_a", Role.DATA_OFFICER, region=self.county_a)
        for user in (officer, self.leader, self.volunteer):
            self.login(user)
            with self.subTest(user.username):
                self.assertEqual(self.client.post(url, data).status_code, 403)
        self.login(self.county_b_worker)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.township_worker)
        self.assertRedirects(self.client.post(url, data), f"/people/{self.elder.pk}/")
        self.elder.health.refresh_from_db()
        self.assertEqual(
            (self.elder.health.conditions, self.elder.health.disability_grade), ("糖尿病", 2)
        )

    def test_an_assigned_visitor_must_be_in_reach_and_visit(self):
        from carepair.accounts.roles import Role
        from tests.base import make_user

        stranger = make_user("township_b", Role.TOWNSHIP_WORKER, region=self.township_b)
        self.login(self.township_worker)
        base = {
            "name": self.elder.name,
            "phone": "",
            "address": "",
            "household_address": "",
            "living": "alone",
            "region": self.village_a.pk,
            "visitor_kind": "volunteer",
        }
        response = self.client.post(
            f"/people/{self.elder.pk}/edit/", {**base, "visitor": stranger.pk}
        )
        self.assertEqual(response.status_code, 200)  # the choice is refused on the form
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.visitor, self.volunteer)
        response = self.client.post(
            f"/people/{self.elder.pk}/edit/", {**base, "visitor": self.township_worker.pk}
        )
        self.assertRedirects(response, f"/people/{self.elder.pk}/")
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.visitor, self.township_worker)


class RevealAuditTest(PeopleTestCase):
    def test_the_back_office_lists_the_reveals_of_its_region_only(self):
        from carepair.people.services import id_reveal

        id_reveal(actor=self.township_worker, person=self.elder, reason="核对低保材料")
        id_reveal(actor=self.county_b_worker, person=self.elder_b, reason="核对特困材料")
        self.login(self.city_admin)
        page = self.client.get("/admin/people/idreveal/")
        self.assertContains(page, "核对低保材料")
        self.assertContains(page, "核对特困材料")
        from carepair.accounts.models import User

        User.objects.filter(pk=self.county_b_worker.pk).update(is_staff=True)
        self.login(self.county_b_worker)
        page = self.client.get("/admin/people/idreveal/")
        self.assertContains(page, "核对特困材料")
        self.assertNotContains(page, "核对低保材料")

    def test_volunteers_may_not_export_the_people_they_visit(self):
        self.login(self.volunteer)
        self.assertEqual(self.client.get("/people/?format=xlsx").status_code, 403)
        self.login(self.township_worker)
        self.assertEqual(self.client.get("/people/?format=xlsx").status_code, 200)

    def test_the_list_shows_the_registry_as_it_stands_without_a_filter_on(self):
        from carepair.people.models import Status
        from carepair.people.services import person_set_status

        person_set_status(
            actor=self.township_worker, person=self.child, status=Status.MOVED_AWAY, on=TODAY()
        )
        self.login(self.township_worker)
        page = self.client.get("/people/")
        self.assertNotContains(page, self.child.name)
        self.assertNotContains(page, '<details class="filters card" open')
        every = self.client.get("/people/", {"status": ""})
        self.assertContains(every, self.child.name)

"""The people API: masked ID numbers in every answer, restricted fields absent for roles
without them, audited reveals, scope (county B sees nothing of county A), registrations
that fail per field and write nothing, and visits that raise problems in one step."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from carepair.lib.vault import vault
from carepair.people.models import (
    ChildArchive,
    Contact,
    ContactKind,
    HouseholdVisit,
    IdReveal,
    Person,
    PersonCategory,
    Referral,
    ServicePoint,
)
from carepair.problems.models import Problem, Source
from tests.base import TODAY
from tests.people_base import PeopleTestCase, id_for, years_ago
from tests.test_api_base import ApiTestCase

MISSING = 987654


def days(n: int) -> str:
    return (TODAY() + datetime.timedelta(days=n)).isoformat()


class PeopleApiTestCase(ApiTestCase, PeopleTestCase):
    """The API personas and tokens, with the people of PeopleTestCase: 王秀英 (82, living
    alone, assigned to the volunteer, with health notes) and 李小明 (9, left behind, with
    a file, a guardian and a referral) in county A, 张德福 in county B."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ChildArchive.objects.create(
            person=cls.child,
            school="凌云小学",
            grade="三年级",
            father_work="广东东莞",
            father_home="yearly",
            risk="medium",
            risk_reasons="父母均外出务工",
        )
        Contact.objects.create(
            person=cls.child,
            kind=ContactKind.GUARDIAN,
            name="李大爷",
            relation="祖父",
            age=71,
            health="腿脚不便",
        )
        point = ServicePoint.objects.create(
            name="凌云小学正心服务站", kind=ServicePoint.Kind.SCHOOL, region=cls.village_a
        )
        cls.referral = Referral.objects.create(
            person=cls.child,
            point=point,
            referred_on=TODAY() - datetime.timedelta(days=10),
            reason="情绪低落",
            referred_by=cls.supervisor,
        )

    def number(self, person) -> str:
        return vault().decrypt(person.id_cipher)

    def assertNoFullNumber(self, response, people=None):
        """Neither the number nor its encrypted or hashed forms anywhere in the answer."""
        text = response.content.decode()
        for person in people or Person.objects.all():
            number = self.number(person)
            # The birth date is the part of the number the mask hides.
            born = (person.birth_date.isoformat(), f"{person.birth_date:%Y%m%d}")
            for secret in (number, number.lower(), person.id_cipher, person.id_hash, *born):
                self.assertNotIn(secret, text, response.request["PATH_INFO"])

    def registration(self, **changes) -> dict:
        body = {
            "name": "赵桂兰",
            "id_number": id_for("511102", years_ago(70), 5, male=False),
            "region_code": self.village_a.code,
            "phone": "13800002222",
            "living": "spouse",
            "categories": [{"category": "dibao", "start_on": days(-100), "source": "市中区民政局"}],
        }
        body.update(changes)
        return body

    def item(self, user, person) -> dict:
        items = self.get(user, "/people").json()["items"]
        return next(i for i in items if i["id"] == person.pk)


class MaskingTest(PeopleApiTestCase):
    def test_no_answer_carries_a_full_number_except_the_reveal(self):
        users = [
            self.city_admin,
            self.county_a_worker,
            self.township_worker,
            self.supervisor,
            self.leader,
            self.volunteer,
            self.county_b_worker,
        ]
        paths = ["/people", "/visits/due?within=365"]
        for person in Person.objects.all():
            paths += [f"/people/{person.pk}", f"/people/{person.pk}/visits"]
        self.post(self.township_worker, f"/people/{self.elder.pk}/visits", VISIT)
        for user in users:
            for path in paths:
                with self.subTest(user=user.username, path=path):
                    self.assertNoFullNumber(self.get(user, path))
        registered = self.post(self.township_worker, "/people", self.registration())
        self.assertEqual(registered.status_code, 201, registered.content)
        self.assertNoFullNumber(registered)
        visited = self.post(self.township_worker, f"/people/{self.child.pk}/visits", VISIT)
        self.assertEqual(visited.status_code, 201, visited.content)
        self.assertNoFullNumber(visited)
        revealed = self.post(
            self.township_worker, f"/people/{self.elder.pk}/reveal", {"reason": "核对低保材料"}
        )
        self.assertEqual(revealed.json()["id_number"], self.number(self.elder))

    def test_items_show_the_masked_number_and_the_visit_plan(self):
        item = self.item(self.township_worker, self.elder)
        number = self.number(self.elder)
        self.assertEqual(item["id_number_masked"], number[:6] + "********" + number[-4:])
        self.assertEqual(item["age"], 82)
        self.assertEqual(item["region_code"], "511102001001")
        self.assertEqual(item["visitor_id"], self.volunteer.pk)
        self.assertEqual(
            [(c["category"], c["start_on"]) for c in item["categories"]],
            [("alone", days(-400)), ("over_80", days(-300))],
        )
        # Living alone and over 80: weekly, due today as nobody has visited yet.
        self.assertEqual(
            item["visit_plan"],
            {"every_days": 7, "last_visit_on": None, "next_visit_on": days(0), "overdue": False},
        )
        for key in ("id_cipher", "id_hash", "id_number", "id_masked"):
            self.assertNotIn(key, item)

    def test_a_lookup_by_id_number_finds_the_person_without_echoing_the_number(self):
        number = self.number(self.elder)
        for given in (number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}"):
            with self.subTest(given=given):
                response = self.post(self.township_worker, "/people/lookup", {"id_number": given})
                self.assertEqual({p["id"] for p in response.json()}, {self.elder.pk})
                self.assertNoFullNumber(response)
        mistyped = number[:-1] + ("0" if number[-1] != "0" else "1")
        response = self.post(self.township_worker, "/people/lookup", {"id_number": mistyped})
        self.assertInvalid(response, "id_number")
        self.assertNotIn(mistyped, response.content.decode())
        self.assertNotIn(mistyped[6:14], response.content.decode())


class QueriesTest(PeopleApiTestCase):
    def queries(self, path) -> int:
        if self.supervisor.pk not in self.tokens:
            # Issued, and its first use recorded (once a minute), before counting.
            self.get(self.supervisor, path)
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.get(self.supervisor, path).status_code, 200)
        return len(captured.captured_queries)

    def test_lists_take_the_same_queries_for_two_people_or_ten(self):
        paths = ["/people", "/visits/due?within=365", f"/people/{self.elder.pk}/visits"]
        self.post(self.township_worker, f"/people/{self.elder.pk}/visits", VISIT)
        before = [self.queries(path) for path in paths]
        for seq in range(10, 18):
            self.post(
                self.township_worker,
                "/people",
                self.registration(
                    id_number=id_for("511102", years_ago(85), seq), name=f"老人{seq}"
                ),
            )
            self.post(self.township_worker, f"/people/{self.elder.pk}/visits", VISIT)
        self.assertEqual(self.get(self.supervisor, "/people").json()["count"], 10)
        self.assertEqual([self.queries(path) for path in paths], before)


class RestrictedFieldsTest(PeopleApiTestCase):
    def test_health_keys_are_absent_for_volunteers_and_leaders(self):
        for user in (self.volunteer, self.leader):
            with self.subTest(user=user.username):
                item = self.item(user, self.elder)
                self.assertNotIn("health", item)
                detail = self.get(user, f"/people/{self.elder.pk}").json()
                self.assertNotIn("health", detail)
                self.assertNotIn("高血压", str(detail))
                self.assertNotIn("抑郁", str(detail))
        child = self.get(self.leader, f"/people/{self.child.pk}").json()
        self.assertEqual(child["contacts"][0]["name"], "李大爷")
        self.assertNotIn("health", child["contacts"][0])
        self.assertNotIn("腿脚不便", str(child))

    def test_health_is_there_for_township_workers(self):
        item = self.item(self.township_worker, self.elder)
        self.assertEqual(item["health"]["conditions"], "高血压")
        self.assertEqual(item["health"]["mental_health"], "轻度抑郁")
        self.assertIsNone(self.item(self.township_worker, self.child)["health"])
        child = self.get(self.township_worker, f"/people/{self.child.pk}").json()
        self.assertEqual(child["contacts"][0]["health"], "腿脚不便")

    def test_referrals_only_for_the_child_supervisor(self):
        detail = self.get(self.supervisor, f"/people/{self.child.pk}").json()
        self.assertEqual(
            [(r["id"], r["point_name"], r["reason"]) for r in detail["referrals"]],
            [(self.referral.pk, "凌云小学正心服务站", "情绪低落")],
        )
        for user in (self.township_worker, self.county_a_worker, self.city_admin, self.leader):
            with self.subTest(user=user.username):
                detail = self.get(user, f"/people/{self.child.pk}").json()
                self.assertNotIn("referrals", detail)
                self.assertNotIn("情绪低落", str(detail))

    def test_a_child_comes_with_their_file(self):
        detail = self.get(self.township_worker, f"/people/{self.child.pk}").json()
        self.assertEqual(detail["archive"]["school"], "凌云小学")
        self.assertEqual(detail["archive"]["father_home"], "yearly")
        self.assertEqual(detail["archive"]["risk"], "medium")
        self.assertIsNone(
            self.get(self.township_worker, f"/people/{self.elder.pk}").json()["archive"]
        )

    def test_the_schema_marks_restricted_keys_optional(self):
        parts = self.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
        self.assertNotIn("health", parts["PersonOut"].get("required", []))
        self.assertNotIn("referrals", parts["PersonDetailOut"].get("required", []))
        self.assertIn("id_number_masked", parts["PersonOut"]["required"])
        for name, part in parts.items():
            with self.subTest(schema=name):
                self.assertFalse({"id_cipher", "id_hash"} & set(part.get("properties", {})))


class RevealTest(PeopleApiTestCase):
    def reveal(self, user, body, person=None):
        return self.post(user, f"/people/{(person or self.elder).pk}/reveal", body)

    def test_volunteers_and_county_leaders_are_refused_and_nothing_is_written(self):
        for user in (self.volunteer, self.leader):
            with self.subTest(user=user.username):
                response = self.reveal(user, {"reason": "想看看"})
                self.assertEqual(response.status_code, 403, response.content)
                self.assertNoFullNumber(response)
        self.assertFalse(IdReveal.objects.exists())

    def test_a_reveal_needs_a_reason(self):
        for body in ({}, {"reason": ""}, {"reason": "  "}):
            with self.subTest(body=body):
                response = self.reveal(self.township_worker, body)
                self.assertInvalid(response, "reason")
                self.assertNoFullNumber(response)
        self.assertFalse(IdReveal.objects.exists())

    def test_a_reveal_with_a_reason_is_audited_with_the_address(self):
        response = self.client.post(
            f"/api/v1/people/{self.elder.pk}/reveal",
            '{"reason": "核对低保材料"}',
            content_type="application/json",
            REMOTE_ADDR="127.0.0.2",
            **self.headers(self.township_worker),
        )
        self.assertEqual(response.status_code, 200, response.content)
        entry = IdReveal.objects.get()
        self.assertEqual(
            response.json(),
            {
                "id_number": self.number(self.elder),
                "birth_date": self.elder.birth_date.isoformat(),
                "audit_id": entry.pk,
            },
        )
        self.assertEqual(
            (entry.person, entry.user, entry.reason, entry.address),
            (self.elder, self.township_worker, "核对低保材料", "127.0.0.2"),
        )

    def test_every_reveal_is_a_row_of_its_own(self):
        for reason in ("核对低保材料", "办理医保"):
            self.assertEqual(self.reveal(self.supervisor, {"reason": reason}).status_code, 200)
        self.assertEqual(
            list(IdReveal.objects.order_by("pk").values_list("reason", flat=True)),
            ["核对低保材料", "办理医保"],
        )


VISIT = {
    "visited_on": TODAY().isoformat(),
    "seen": "yes",
    "health": "fair",
    "safety": "poor",
    "food": "good",
    "mood": "good",
    "needs": "厨房电线老化",
}


class ScopeTest(PeopleApiTestCase):
    def test_county_b_gets_404_on_every_county_a_person_endpoint(self):
        for path in (f"/people/{self.elder.pk}", f"/people/{self.elder.pk}/visits"):
            with self.subTest(path=path):
                self.assertNotFound(self.get(self.county_b_worker, path))
                self.assertEqual(self.get(self.county_a_worker, path).status_code, 200)
        writes = [
            (f"/people/{self.elder.pk}/reveal", {"reason": "核对低保材料"}),
            (f"/people/{self.elder.pk}/visits", VISIT),
        ]
        for path, body in writes:
            with self.subTest(path=path):
                self.assertNotFound(self.post(self.county_b_worker, path, body))
        self.assertFalse(IdReveal.objects.exists())
        self.assertFalse(HouseholdVisit.objects.exists())

    def test_the_answer_for_county_a_is_the_answer_for_a_missing_person(self):
        for suffix in ("", "/visits"):
            scoped = self.get(self.county_b_worker, f"/people/{self.elder.pk}{suffix}")
            absent = self.get(self.county_b_worker, f"/people/{MISSING}{suffix}")
            self.assertEqual((scoped.status_code, scoped.content), (404, absent.content))
        for suffix, body in (("/reveal", {"reason": "核对"}), ("/visits", VISIT)):
            scoped = self.post(self.county_b_worker, f"/people/{self.elder.pk}{suffix}", body)
            absent = self.post(self.county_b_worker, f"/people/{MISSING}{suffix}", body)
            self.assertEqual((scoped.status_code, scoped.content), (404, absent.content))

    def test_county_b_lists_hold_nothing_of_county_a(self):
        self.assertEqual(self.ids(self.get(self.county_b_worker, "/people")), {self.elder_b.pk})
        for params in (
            {"region": "511102"},
            {"q": "王秀英"},
        ):
            with self.subTest(params=params):
                response = self.get(self.county_b_worker, "/people", **params)
                self.assertEqual(response.json(), {"items": [], "count": 0})
        found = self.post(
            self.county_b_worker, "/people/lookup", {"id_number": self.number(self.elder)}
        )
        self.assertEqual(found.json(), [])
        due = self.get(self.county_b_worker, "/visits/due", within=365)
        self.assertEqual(self.ids(due), {self.elder_b.pk})
        self.assertEqual(
            self.ids(self.get(self.county_a_worker, "/people")), {self.elder.pk, self.child.pk}
        )

    def test_volunteers_see_only_the_people_assigned_to_them(self):
        self.assertEqual(self.ids(self.get(self.volunteer, "/people")), {self.elder.pk})
        self.assertEqual(self.get(self.volunteer, f"/people/{self.elder.pk}").status_code, 200)
        self.assertNotFound(self.get(self.volunteer, f"/people/{self.child.pk}"))
        self.assertNotFound(self.get(self.volunteer, f"/people/{self.elder_b.pk}"))
        self.assertNotFound(self.post(self.volunteer, f"/people/{self.child.pk}/visits", VISIT))
        mine = self.get(self.volunteer, "/visits/due", within=30, mine="true")
        self.assertEqual(self.ids(mine), {self.elder.pk})

    def test_roles_outside_the_registry_are_refused_the_lists_and_find_no_one(self):
        for user in (self.liaison, self.staff):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user, "/people").status_code, 403)
                self.assertEqual(self.get(user, "/visits/due").status_code, 403)
                self.assertNotFound(self.get(user, f"/people/{self.elder.pk}"))


class FilterTest(PeopleApiTestCase):
    def test_filters_by_category_status_name_and_region(self):
        worker = self.township_worker
        self.assertEqual(
            self.ids(self.get(worker, "/people", category="left_behind_child")), {self.child.pk}
        )
        self.assertEqual(self.ids(self.get(worker, "/people", q="秀英")), {self.elder.pk})
        self.assertEqual(
            self.ids(self.get(self.city_admin, "/people", region="511111")), {self.elder_b.pk}
        )
        Person.objects.filter(pk=self.child.pk).update(status="moved_away")
        self.assertEqual(
            self.ids(self.get(worker, "/people", status="moved_away")), {self.child.pk}
        )
        self.assertInvalid(self.get(worker, "/people", category="rich"), "category")

    def test_a_category_that_ended_no_longer_counts(self):
        PersonCategory.objects.filter(person=self.child).update(end_on=TODAY())
        worker = self.township_worker
        self.assertEqual(self.ids(self.get(worker, "/people", category="left_behind_child")), set())
        self.assertEqual(self.item(worker, self.child)["categories"], [])

    def test_due_within_days_and_overdue(self):
        worker = self.township_worker
        Person.objects.filter(pk=self.elder.pk).update(
            next_visit_on=TODAY() - datetime.timedelta(days=2)
        )
        Person.objects.filter(pk=self.child.pk).update(
            next_visit_on=TODAY() + datetime.timedelta(days=20)
        )
        self.assertEqual(self.ids(self.get(worker, "/people", due="7")), {self.elder.pk})
        self.assertEqual(
            self.ids(self.get(worker, "/people", due="30")), {self.elder.pk, self.child.pk}
        )
        self.assertEqual(self.ids(self.get(worker, "/people", due="overdue")), {self.elder.pk})
        self.assertTrue(self.item(worker, self.elder)["visit_plan"]["overdue"])
        self.assertInvalid(self.get(worker, "/people", due="soon"), "due")
        self.assertInvalid(self.get(worker, "/people", due="-1"), "due")

    def test_the_due_list_puts_the_soonest_first(self):
        Person.objects.filter(pk=self.elder.pk).update(
            next_visit_on=TODAY() + datetime.timedelta(days=3)
        )
        Person.objects.filter(pk=self.child.pk).update(
            next_visit_on=TODAY() - datetime.timedelta(days=1)
        )
        items = self.get(self.township_worker, "/visits/due", within=7).json()["items"]
        self.assertEqual([i["id"] for i in items], [self.child.pk, self.elder.pk])
        items = self.get(self.township_worker, "/visits/due", within=0).json()["items"]
        self.assertEqual([i["id"] for i in items], [self.child.pk])
        self.assertEqual(
            self.get(self.township_worker, "/visits/due", mine="true").json()["count"], 0
        )


class RegistrationTest(PeopleApiTestCase):
    def assertNothingWritten(self, response, *fields):
        before = (Person.objects.count(), Person.history.count(), PersonCategory.objects.count())
        errors = self.assertInvalid(response, *fields)
        after = (Person.objects.count(), Person.history.count(), PersonCategory.objects.count())
        self.assertEqual(before, after)
        return errors

    def test_a_township_worker_registers_a_person(self):
        response = self.post(self.township_worker, "/people", self.registration())
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        person = Person.objects.get(pk=body["id"])
        self.assertEqual((body["sex"], body["age"]), ("F", 70))
        self.assertNotIn("birth_date", body)  # with the masked number it gives the number
        self.assertEqual(body["id_number_masked"], person.id_masked)
        self.assertEqual(body["categories"][0]["category"], "dibao")
        self.assertEqual(body["visit_plan"]["every_days"], 90)
        self.assertIsNone(body["health"])

    def test_bad_registrations_answer_422_per_field_and_write_nothing(self):
        number = id_for("511102", years_ago(70), 5, male=False)
        wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
        cases = [
            ({"id_number": wrong_check}, ["id_number"]),
            ({"id_number": "5111021950023"}, ["id_number"]),
            ({"birth_date": "1950-01-01", "sex": "M"}, ["birth_date", "sex"]),
            ({"name": "  ", "birth_date": "1950-01-01"}, ["name", "birth_date"]),
            ({"id_number": self.number(self.elder)}, ["id_number"]),
            ({"region_code": self.village_b.code}, ["region_code"]),
            ({"region_code": self.township_a.code}, ["region_code"]),
            ({"visitor_id": self.county_b_worker.pk}, ["visitor_id"]),
            (
                {"categories": [{"category": "left_behind_child", "start_on": days(-10)}]},
                ["categories"],
            ),
            (
                {"categories": [{"category": "rich", "start_on": days(-10)}]},
                ["categories.0.category"],
            ),
            ({"name": None, "region_code": None}, ["name", "region_code"]),
        ]
        for changes, fields in cases:
            with self.subTest(changes=changes):
                errors = self.assertNothingWritten(
                    self.post(self.township_worker, "/people", self.registration(**changes)),
                    *fields,
                )
                self.assertEqual(set(errors), set(fields))

    def test_the_visitor_is_someone_in_reach_who_records_visits(self):
        body = self.registration(visitor_id=self.township_worker.pk, visitor_kind="township_worker")
        response = self.post(self.township_worker, "/people", body)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["visitor_id"], self.township_worker.pk)
        for visitor in (self.county_b_worker, self.leader):  # out of reach; no visits
            with self.subTest(visitor=visitor.username):
                body = self.registration(
                    id_number=id_for("511102", years_ago(66), 9), visitor_id=visitor.pk
                )
                self.assertNothingWritten(
                    self.post(self.county_a_worker, "/people", body), "visitor_id"
                )

    def test_a_duplicate_says_so_on_the_id_number(self):
        self.post(self.township_worker, "/people", self.registration())
        errors = self.assertNothingWritten(
            self.post(self.township_worker, "/people", self.registration(name="赵桂兰二")),
            "id_number",
        )
        self.assertIn("已", errors["id_number"][0])

    def test_roles_that_do_not_keep_the_registry_are_refused(self):
        for user in (self.volunteer, self.leader, self.liaison):
            with self.subTest(user=user.username):
                response = self.post(user, "/people", self.registration())
                self.assertEqual(response.status_code, 403, response.content)
        # County B keeps a registry, but not of county A's villages.
        response = self.post(self.county_b_worker, "/people", self.registration())
        self.assertInvalid(response, "region_code")
        self.assertFalse(Person.objects.filter(name="赵桂兰").exists())

    def test_health_notes_are_written_only_by_roles_that_may_read_them(self):
        data_officer = self.make_data_officer()
        body = self.registration(health={"conditions": "糖尿病"})
        response = self.post(data_officer, "/people", body)
        self.assertEqual(response.status_code, 403, response.content)
        self.assertFalse(Person.objects.filter(name="赵桂兰").exists())
        response = self.post(self.township_worker, "/people", body)
        self.assertEqual(response.json()["health"]["conditions"], "糖尿病")

    def make_data_officer(self):
        from carepair.accounts.roles import Role
        from tests.base import make_user

        return make_user("data_a", Role.DATA_OFFICER, region=self.county_a)


class VisitTest(PeopleApiTestCase):
    def visit(self, user, person, **changes):
        return self.post(user, f"/people/{person.pk}/visits", {**VISIT, **changes})

    def test_a_visit_with_a_need_raises_a_problem_in_the_persons_village(self):
        need = {"title": "厨房电线老化需更换", "category": "safety", "due_on": days(14)}
        response = self.visit(self.township_worker, self.elder, need=need)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        problem = Problem.objects.get(source=Source.VISIT)
        self.assertEqual(
            body["problems"],
            [
                {
                    "id": problem.pk,
                    "title": "厨房电线老化需更换",
                    "region_code": "511102001001",
                    "due_on": days(14),
                }
            ],
        )
        self.assertEqual((problem.region_id, problem.source), (self.elder.region_id, Source.VISIT))
        self.assertEqual(body["region_code"], self.elder.region_id)
        listed = self.get(self.township_worker, f"/people/{self.elder.pk}/visits").json()
        self.assertEqual([v["id"] for v in listed["items"]], [body["id"]])
        self.assertEqual(listed["items"][0]["problems"][0]["id"], problem.pk)
        self.elder.refresh_from_db()
        self.assertEqual(self.elder.last_visit_on, TODAY())
        self.assertEqual(self.elder.next_visit_on, TODAY() + datetime.timedelta(days=7))

    def test_a_visit_without_a_need_raises_nothing(self):
        response = self.visit(self.volunteer, self.elder)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["problems"], [])
        self.assertEqual(response.json()["visitor_id"], self.volunteer.pk)
        self.assertFalse(Problem.objects.filter(source=Source.VISIT).exists())

    def test_a_need_that_cannot_be_raised_leaves_no_visit_behind(self):
        past = {"title": "屋顶漏水", "category": "environment", "due_on": days(-1)}
        errors = self.assertInvalid(
            self.visit(self.township_worker, self.elder, need=past), "need.due_on"
        )
        self.assertEqual(set(errors), {"need.due_on"})
        # A volunteer records visits but does not raise problems.
        ok = {**past, "due_on": days(7)}
        response = self.visit(self.volunteer, self.elder, need=ok)
        self.assertEqual(response.status_code, 403, response.content)
        self.assertFalse(HouseholdVisit.objects.exists())
        self.assertFalse(Problem.objects.filter(source=Source.VISIT).exists())

    def test_bad_visits_answer_422_per_field(self):
        cases = [
            ({"visited_on": days(1)}, {"visited_on"}),
            ({"mood": "great", "food": None}, {"mood", "food"}),
            (
                {"need": {"title": "", "category": "weather", "due_on": days(3)}},
                {"need.title", "need.category"},
            ),
        ]
        for changes, fields in cases:
            with self.subTest(changes=changes):
                errors = self.assertInvalid(self.visit(self.township_worker, self.elder, **changes))
                self.assertEqual(set(errors), fields)
        self.assertFalse(HouseholdVisit.objects.exists())

    def test_a_county_leader_may_not_record_visits(self):
        self.assertEqual(self.visit(self.leader, self.elder).status_code, 403)
        self.assertFalse(HouseholdVisit.objects.exists())

"""Every endpoint answers a worker of county B about county A's records exactly as it
answers about records that do not exist; a liaison sees only their paired institution."""

from carepair.ledger.models import Activity
from carepair.pairing.models import Pairing
from carepair.problems.models import Problem, Status
from tests.base import photo
from tests.test_api_base import ApiTestCase

MISSING = 987654


class CountyScopeTest(ApiTestCase):
    def county_a_details(self):
        return [
            f"/organisations/{self.home_a.pk}",
            f"/organisations/{self.county_department_a.pk}",
            f"/institutions/{self.home_a.pk}",
            f"/pairings/{self.pair_a.pk}",
            f"/activities/{self.activity_a.pk}",
            f"/problems/{self.problem_a.pk}",
        ]

    def test_county_b_gets_404_on_every_county_a_record(self):
        for path in self.county_a_details():
            with self.subTest(path=path):
                self.assertNotFound(self.get(self.county_b_worker, path))
                self.assertEqual(self.get(self.county_a_worker, path).status_code, 200)

    def test_the_answer_for_county_a_is_the_answer_for_a_missing_record(self):
        for path in self.county_a_details():
            missing = path.rsplit("/", 1)[0] + f"/{MISSING}"
            with self.subTest(path=path):
                scoped = self.get(self.county_b_worker, path)
                absent = self.get(self.county_b_worker, missing)
                self.assertEqual(scoped.status_code, absent.status_code)
                self.assertEqual(scoped.content, absent.content)

    def test_county_b_lists_leave_out_county_a(self):
        lists = {
            "/organisations": (self.home_a.pk, self.home_b.pk),
            "/institutions": (self.home_a.pk, self.home_b.pk),
            "/pairings": (self.pair_a.pk, self.pair_b.pk),
            "/activities": (self.activity_a.pk, self.activity_b.pk),
            "/problems": (self.problem_a.pk, self.problem_b.pk),
        }
        for path, (in_a, in_b) in lists.items():
            with self.subTest(path=path):
                seen_by_b = self.ids(self.get(self.county_b_worker, path))
                self.assertNotIn(in_a, seen_by_b)
                self.assertIn(in_b, seen_by_b)
                seen_by_a = self.ids(self.get(self.county_a_worker, path))
                self.assertIn(in_a, seen_by_a)
                self.assertNotIn(in_b, seen_by_a)

    def test_asking_for_county_a_by_region_filter_gives_county_b_nothing(self):
        for path in ("/organisations", "/institutions", "/pairings", "/activities", "/problems"):
            with self.subTest(path=path):
                response = self.get(self.county_b_worker, path, region="511102")
                self.assertEqual(response.json(), {"items": [], "count": 0})

    def test_county_b_gets_404_on_every_write_to_county_a(self):
        writes = [
            (f"/pairings/{self.pair_a.pk}/adjust", {"reason": "部门调整"}),
            (f"/pairings/{self.pair_a.pk}/end", {"reason": "部门撤并"}),
            (f"/activities/{self.activity_a.pk}/confirm", {}),
            (f"/problems/{self.problem_a.pk}/assign", {"helper_id": self.other_department.pk}),
            (f"/problems/{self.problem_a.pk}/start", {}),
            (f"/problems/{self.problem_a.pk}/verify", {}),
            (f"/problems/{self.problem_a.pk}/reopen", {"reason": "仍然漏水"}),
        ]
        for path, body in writes:
            with self.subTest(path=path):
                self.assertNotFound(self.post(self.county_b_worker, path, body))
        response = self.post_form(
            self.county_b_worker,
            f"/problems/{self.problem_a.pk}/resolve",
            {"resolution": "已修好", "photos": [photo()]},
        )
        self.assertNotFound(response)
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)
        self.assertEqual(Pairing.objects.count(), 2)
        self.problem_a.refresh_from_db()
        self.assertEqual(self.problem_a.status, Status.RAISED)
        self.assertEqual(self.problem_a.events.count(), 1)
        self.assertIsNone(Activity.objects.get(pk=self.activity_a.pk).confirmed_at)

    def test_county_b_cannot_write_into_county_a_by_naming_its_records(self):
        before = (Activity.objects.count(), Problem.objects.count(), Pairing.objects.count())
        response = self.post(
            self.county_b_worker,
            "/activities",
            {
                "kind": "assistance",
                "category": "festival",
                "title": "越界登记",
                "occurred_on": "2024-01-01",
                "helper_ids": [self.other_department.pk],
                "institution_id": self.home_a.pk,
            },
        )
        self.assertInvalid(response, "institution_id")
        response = self.post(
            self.county_b_worker,
            "/problems",
            {
                "title": "越界上报",
                "category": "other",
                "due_on": "2099-01-01",
                "institution_id": self.home_a.pk,
            },
        )
        self.assertInvalid(response, "institution_id")
        response = self.post(
            self.county_b_worker,
            "/pairings",
            {"tier": 1, "helper_id": self.other_department.pk, "institution_id": self.home_a.pk},
        )
        self.assertInvalid(response, "institution_id")
        after = (Activity.objects.count(), Problem.objects.count(), Pairing.objects.count())
        self.assertEqual(before, after)

    def test_every_problem_carries_its_region_code(self):
        listed = self.get(self.city_admin, "/problems").json()["items"]
        self.assertEqual(
            {p["id"]: p["region_code"] for p in listed},
            {
                self.problem_a.pk: self.village_a.code,
                self.problem_b.pk: self.village_b.code,
            },
        )
        detail = self.get(self.city_admin, f"/problems/{self.problem_a.pk}").json()
        self.assertEqual(detail["region_code"], "511102001001")


class LiaisonScopeTest(ApiTestCase):
    def test_a_liaison_sees_only_their_paired_institution(self):
        self.assertEqual(self.ids(self.get(self.liaison, "/institutions")), {self.home_a.pk})
        self.assertEqual(
            self.ids(self.get(self.liaison, "/organisations")), {self.home_a.pk, self.department.pk}
        )
        self.assertEqual(self.ids(self.get(self.liaison, "/pairings")), {self.pair_a.pk})
        self.assertEqual(self.ids(self.get(self.liaison, "/activities")), {self.activity_a.pk})
        self.assertEqual(self.ids(self.get(self.liaison, "/problems")), {self.problem_a.pk})
        for path in (
            f"/institutions/{self.home_b.pk}",
            f"/pairings/{self.pair_b.pk}",
            f"/activities/{self.activity_b.pk}",
            f"/problems/{self.problem_b.pk}",
        ):
            with self.subTest(path=path):
                self.assertNotFound(self.get(self.liaison, path))

    def test_institution_staff_see_their_own_institution_only(self):
        self.assertEqual(self.ids(self.get(self.staff, "/institutions")), {self.home_a.pk})
        self.assertEqual(self.ids(self.get(self.staff, "/problems")), {self.problem_a.pk})
        self.assertNotFound(self.get(self.staff, f"/problems/{self.problem_b.pk}"))

    def test_the_institution_page_lists_its_pairs(self):
        detail = self.get(self.liaison, f"/institutions/{self.home_a.pk}").json()
        self.assertTrue(detail["paired"])
        self.assertEqual([p["helper_name"] for p in detail["pairings"]], ["市民政局"])

"""The problem loop through the API: legal steps succeed, illegal ones answer 409, steps
the caller's role or organisation may not take answer 403, bad input 422."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from carepair.accounts.roles import Role
from carepair.problems.models import Evidence, Problem, ProblemEvent, Status
from tests.base import TODAY, make_user, photo
from tests.test_api_base import ApiTestCase


class ProblemApiTest(ApiTestCase):
    def step(self, user, action, body=None, problem=None):
        problem = problem or self.problem_a
        return self.post(user, f"/problems/{problem.pk}/{action}", body)

    def resolve(self, user, problem=None, **data):
        problem = problem or self.problem_a
        data = {"resolution": "已重做屋面防水", "photos": [photo()], **data}
        return self.post_form(user, f"/problems/{problem.pk}/resolve", data)

    def status(self, problem=None) -> str:
        return Problem.objects.get(pk=(problem or self.problem_a).pk).status

    def test_the_whole_loop_runs_through_the_api(self):
        response = self.step(self.liaison, "assign", {"helper_id": self.department.pk})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], Status.ASSIGNED)
        self.assertEqual(response.json()["allowed_actions"], ["assign", "start"])
        self.assertEqual(self.step(self.liaison, "start").json()["status"], Status.IN_PROGRESS)

        response = self.resolve(self.liaison)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["status"], Status.RESOLVED)
        self.assertEqual(body["resolution"], "已重做屋面防水")
        self.assertEqual(len(body["evidence"]), 1)
        self.assertEqual(body["evidence"][0]["content_type"], "image/png")

        self.assertEqual(
            self.get(self.staff, f"/problems/{self.problem_a.pk}").json()["allowed_actions"],
            ["verify", "reopen"],
        )
        response = self.step(self.staff, "verify", {"note": "确认已修好"})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["status"], Status.VERIFIED)
        self.assertIsNotNone(body["verified_at"])
        self.assertEqual(
            [
                (e["action"], e["from_status"], e["to_status"], e["actor_id"])
                for e in body["events"]
            ],
            [
                ("raise", None, "raised", self.staff.pk),
                ("assign", "raised", "assigned", self.liaison.pk),
                ("start", "assigned", "in_progress", self.liaison.pk),
                ("resolve", "in_progress", "resolved", self.liaison.pk),
                ("verify", "resolved", "verified", self.staff.pk),
            ],
        )
        self.assertEqual(body["region_code"], self.village_a.code)

    def test_the_raiser_can_send_the_fix_back(self):
        self.step(self.liaison, "assign", {"helper_id": self.department.pk})
        self.step(self.liaison, "start")
        self.resolve(self.liaison)
        self.assertInvalid(self.step(self.staff, "reopen", {"reason": " "}), "reason")
        response = self.step(self.staff, "reopen", {"reason": "下雨仍然漏水"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], Status.REOPENED)
        self.assertEqual(self.step(self.liaison, "start").json()["status"], Status.IN_PROGRESS)

    def test_illegal_transitions_answer_409_and_change_nothing(self):
        events = ProblemEvent.objects.count()
        for action, body in (("start", {}), ("verify", {}), ("reopen", {"reason": "x"})):
            with self.subTest(action=action):
                user = self.staff if action != "start" else self.liaison
                response = self.step(user, action, body)
                self.assertEqual(response.status_code, 409, response.content)
                self.assertIn("detail", response.json())
        response = self.resolve(self.liaison)
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(self.status(), Status.RAISED)
        self.assertEqual(ProblemEvent.objects.count(), events)
        self.assertFalse(Evidence.objects.exists())

    def test_steps_the_caller_may_not_take_answer_403(self):
        # Institution staff may not assign; only the assigned organisation starts work;
        # only the raiser's side verifies.
        response = self.step(self.staff, "assign", {"helper_id": self.home_a.pk})
        self.assertEqual(response.status_code, 403, response.content)
        self.step(self.liaison, "assign", {"helper_id": self.department.pk})
        self.assertEqual(self.step(self.township_worker, "start").status_code, 403)
        self.assertEqual(self.step(self.county_a_worker, "start").status_code, 403)
        self.step(self.liaison, "start")
        self.resolve(self.liaison)
        self.assertEqual(self.step(self.liaison, "verify").status_code, 403)
        self.assertEqual(self.status(), Status.RESOLVED)

    def test_a_liaison_takes_problems_up_only_for_their_own_department(self):
        response = self.step(self.liaison, "assign", {"helper_id": self.home_a.pk})
        self.assertEqual(response.status_code, 403, response.content)
        self.assertEqual(self.status(), Status.RAISED)

    def test_a_county_worker_hands_a_problem_to_the_department_paired_with_the_home(self):
        response = self.step(self.county_a_worker, "assign", {"helper_id": self.department.pk})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["assigned_to_id"], self.department.pk)
        # ... but not to one it can neither see nor find paired with the home.
        other = self.step(self.county_a_worker, "assign", {"helper_id": self.other_department.pk})
        self.assertInvalid(other, "helper_id")

    def test_resolving_needs_evidence_of_the_right_kind(self):
        self.step(self.liaison, "assign", {"helper_id": self.department.pk})
        self.step(self.liaison, "start")
        events = ProblemEvent.objects.count()
        self.assertInvalid(self.resolve(self.liaison, photos=[]), "photos")
        self.assertInvalid(self.resolve(self.liaison, resolution=""), "resolution")
        not_a_photo = SimpleUploadedFile("fix.png", b"%PDF-1.4 not an image", "image/png")
        errors = self.assertInvalid(self.resolve(self.liaison, photos=[not_a_photo]), "photos")
        self.assertEqual(errors["photos"], ["该文件不是照片（JPEG、PNG 或 WebP）。"])
        with self.settings(CAREPAIR_PHOTO_MAX_BYTES=10):
            self.assertInvalid(self.resolve(self.liaison), "photos")
        self.assertEqual(self.status(), Status.IN_PROGRESS)
        self.assertEqual(ProblemEvent.objects.count(), events)
        self.assertFalse(Evidence.objects.exists())

    def test_staff_raise_a_problem_at_their_institution(self):
        response = self.post(
            self.staff,
            "/problems",
            {
                "title": "消防通道堆放杂物",
                "category": "safety",
                "subcategory": "fire_lanes",
                "severity": 3,
                "due_on": (TODAY() + datetime.timedelta(days=5)).isoformat(),
                "institution_id": self.home_a.pk,
                "description": "后院通道被柴火堵住",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["status"], "raised")
        self.assertEqual(body["source"], "institution")
        self.assertEqual(body["region_code"], self.village_a.code)
        self.assertEqual(body["raised_by_id"], self.staff.pk)
        self.assertEqual([e["action"] for e in body["events"]], ["raise"])

    def test_a_township_worker_raises_a_need_in_a_village(self):
        response = self.post(
            self.township_worker,
            "/problems",
            {
                "title": "独居老人屋顶漏雨",
                "category": "livelihood",
                "due_on": (TODAY() + datetime.timedelta(days=5)).isoformat(),
                "region_code": self.village_a.code,
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["region_code"], self.village_a.code)
        self.assertIsNone(response.json()["institution_id"])

    def test_bad_problems_are_refused_per_field_and_nothing_is_written(self):
        before = (Problem.objects.count(), ProblemEvent.objects.count())
        yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()
        cases = [
            ({"category": "weather"}, ["title", "category", "due_on"]),
            (
                {
                    "title": "x",
                    "category": "safety",
                    "subcategory": "waterproofing",
                    "due_on": "2099-01-01",
                    "institution_id": self.home_a.pk,
                },
                ["subcategory"],
            ),
            (
                {
                    "title": "x",
                    "category": "other",
                    "due_on": yesterday,
                    "institution_id": self.home_a.pk,
                },
                ["due_on"],
            ),
            ({"title": "x", "category": "other", "due_on": "2099-01-01"}, ["institution_id"]),
            (
                {
                    "title": "x",
                    "category": "other",
                    "due_on": "2099-01-01",
                    "institution_id": self.department.pk,
                },
                ["institution_id"],
            ),
            (
                {
                    "title": "x",
                    "category": "other",
                    "due_on": "2099-01-01",
                    "severity": 9,
                    "institution_id": self.home_a.pk,
                },
                ["severity"],
            ),
        ]
        for body, fields in cases:
            with self.subTest(body=body):
                self.assertInvalid(self.post(self.staff, "/problems", body), *fields)
        self.assertEqual((Problem.objects.count(), ProblemEvent.objects.count()), before)

    def test_a_role_that_may_not_raise_problems_gets_403(self):
        city_leader = make_user("city_leader", Role.CITY_LEADER, region=self.city)
        response = self.post(
            city_leader,
            "/problems",
            {
                "title": "x",
                "category": "other",
                "due_on": "2099-01-01",
                "institution_id": self.home_a.pk,
            },
        )
        self.assertEqual(response.status_code, 403, response.content)

    def test_it_filters_problems(self):
        admin = self.city_admin
        self.assertEqual(
            self.ids(self.get(admin, "/problems")), {self.problem_a.pk, self.problem_b.pk}
        )
        self.assertEqual(
            self.ids(self.get(admin, "/problems", category="safety")), {self.problem_b.pk}
        )
        self.assertEqual(
            self.ids(self.get(admin, "/problems", region="511102")), {self.problem_a.pk}
        )
        self.assertEqual(self.ids(self.get(admin, "/problems", overdue="true")), set())
        Problem.objects.filter(pk=self.problem_b.pk).update(
            due_on=TODAY() - datetime.timedelta(days=1)
        )
        self.assertEqual(
            self.ids(self.get(admin, "/problems", overdue="true")), {self.problem_b.pk}
        )
        self.assertEqual(
            self.ids(self.get(admin, "/problems", overdue="false")), {self.problem_a.pk}
        )
        self.assertTrue(self.get(admin, f"/problems/{self.problem_b.pk}").json()["overdue"])
        self.step(self.liaison, "assign", {"helper_id": self.department.pk})
        self.assertEqual(
            self.ids(self.get(admin, "/problems", status="assigned")), {self.problem_a.pk}
        )

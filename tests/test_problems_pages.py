"""The problem pages: list, export, detail, photos, raising, and every step of the loop
through HTTP — legal steps succeed, illegal ones answer 409 and steps a user may not take
answer 403, both changing nothing; county B sees nothing of county A."""

import atexit
import datetime
import io
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from carepair.accounts.roles import Role
from carepair.problems import services
from carepair.problems.models import (
    Action,
    Category,
    EscalationLevel,
    Evidence,
    Problem,
    Severity,
    Source,
    Status,
)
from tests.base import TODAY, PersonaTestCase, make_user, photo

MEDIA = tempfile.mkdtemp(prefix="carepair-test-media-")
atexit.register(shutil.rmtree, MEDIA, True)


def not_a_photo(name="leak.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 not an image", "image/png")


def due(days=14) -> datetime.date:
    return TODAY() + datetime.timedelta(days=days)


@override_settings(MEDIA_ROOT=MEDIA)
class ProblemTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.leak = services.problem_raise(
            actor=cls.staff,
            title="卫生间屋顶漏水",
            category=Category.ENVIRONMENT,
            subcategory="waterproofing",
            severity=Severity.HIGH,
            due_on=due(),
            institution=cls.home_a,
            photos=[photo()],
        )
        cls.wiring_b = services.problem_raise(
            actor=cls.staff_b,
            title="葫芦镇敬老院电线老化",
            category=Category.SAFETY,
            subcategory="wiring",
            due_on=due(),
            institution=cls.home_b,
            photos=[photo()],
        )
        cls.evidence_a = cls.leak.evidence.get()

    def get(self, user, name, *args, **query):
        self.login(user)
        return self.client.get(reverse(name, args=args), query)

    def step(self, user, problem, action, **data):
        self.login(user)
        url = reverse("problem_step", args=[problem.pk, action])
        return self.client.post(url, {f"{action}-{k}": v for k, v in data.items()})

    def walk_to(self, status: str) -> Problem:
        """A fresh leak at home A, raised by its staff and worked by the liaison."""
        problem = services.problem_raise(
            actor=self.fresh(self.staff),
            title="走廊墙体开裂",
            category=Category.SAFETY,
            subcategory="walls",
            due_on=due(),
            institution=self.home_a,
        )
        liaison = self.fresh(self.liaison)
        order = [Status.RAISED, Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED]
        if status == Status.REOPENED:
            order.append(Status.REOPENED)
        elif status == Status.VERIFIED:
            order.append(Status.VERIFIED)
        for reached in order[1 : order.index(status) + 1]:
            if reached == Status.ASSIGNED:
                services.problem_assign(actor=liaison, problem=problem, helper=self.department)
            elif reached == Status.IN_PROGRESS:
                services.problem_start(actor=liaison, problem=problem)
            elif reached == Status.RESOLVED:
                services.problem_resolve(
                    actor=liaison, problem=problem, resolution="已修补", photos=[photo()]
                )
            elif reached == Status.VERIFIED:
                services.problem_verify(actor=self.fresh(self.staff), problem=problem)
            elif reached == Status.REOPENED:
                services.problem_reopen(actor=self.fresh(self.staff), problem=problem, reason="x")
        problem.refresh_from_db()
        self.assertEqual(problem.status, status)
        return problem

    def snapshot(self, problem):
        problem.refresh_from_db()
        return (
            problem.status,
            problem.assigned_to_id,
            problem.events.count(),
            problem.evidence.count(),
        )


class ProblemScopeTest(ProblemTestCase):
    allowed = ("city_admin", "county_a_worker", "liaison", "staff", "township_worker")

    def users(self):
        return [getattr(self, name) for name in self.allowed]

    def test_allowed_users_see_county_a_problems_in_the_list(self):
        for user in self.users():
            with self.subTest(user=user.username):
                response = self.get(user, "problem_list")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, self.leak.title)

    def test_the_list_does_not_leak_other_regions_rows(self):
        response = self.get(self.county_b_worker, "problem_list")
        self.assertContains(response, self.wiring_b.title)
        self.assertNotContains(response, self.leak.title)
        for user in (self.county_a_worker, self.liaison, self.staff, self.township_worker):
            with self.subTest(user=user.username):
                self.assertNotContains(self.get(user, "problem_list"), self.wiring_b.title)

    def test_county_b_gets_404_on_a_county_a_problem(self):
        self.assertEqual(
            self.get(self.county_b_worker, "problem_detail", self.leak.pk).status_code, 404
        )
        self.assertEqual(self.get(self.staff_b, "problem_detail", self.leak.pk).status_code, 404)
        for user in self.users():
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user, "problem_detail", self.leak.pk).status_code, 200)

    def test_an_out_of_scope_problem_answers_like_a_missing_one(self):
        hidden = self.get(self.county_b_worker, "problem_detail", self.leak.pk)
        missing = self.get(self.county_b_worker, "problem_detail", 999999)
        self.assertEqual((hidden.status_code, hidden.content), (404, missing.content))

    def test_county_b_gets_404_on_a_county_a_evidence_photo(self):
        self.assertEqual(
            self.get(self.county_b_worker, "problem_photo", self.evidence_a.pk).status_code, 404
        )
        for user in self.users():
            with self.subTest(user=user.username):
                response = self.get(user, "problem_photo", self.evidence_a.pk)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "image/png")

    def test_county_b_gets_404_on_every_step_of_a_county_a_problem(self):
        for action in ("assign", "start", "resolve", "verify", "reopen"):
            with self.subTest(action=action):
                response = self.step(self.county_b_worker, self.leak, action, note="x")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.snapshot(self.leak)[:3], (Status.RAISED, None, 1))

    def test_the_export_holds_only_rows_in_scope(self):
        titles = [r[1] for r in self.export(self.county_a_worker)[1:]]
        self.assertEqual(titles, [self.leak.title])
        rows = self.export(self.county_b_worker)
        self.assertEqual([r[1] for r in rows[1:]], [self.wiring_b.title])
        self.assertEqual(rows[1][8], self.home_b.region_id)

    def export(self, user, **query):
        response = self.get(user, "problem_list", format="xlsx", **query)
        self.assertEqual(response.status_code, 200)
        return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    def test_every_page_asks_for_a_login(self):
        for url in (
            reverse("problem_list"),
            reverse("problem_create"),
            reverse("problem_detail", args=[self.leak.pk]),
            reverse("problem_photo", args=[self.evidence_a.pk]),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])


class ProblemListTest(ProblemTestCase):
    def titles(self, user=None, **query):
        response = self.get(user or self.city_admin, "problem_list", **query)
        self.assertEqual(response.status_code, 200)
        return [p.title for p in response.context["page"].object_list]

    def test_it_filters_by_status_category_severity_county_and_institution(self):
        a, b = self.leak.title, self.wiring_b.title
        self.assertEqual(self.titles(category=Category.SAFETY), [b])
        self.assertEqual(self.titles(severity=Severity.HIGH), [a])
        self.assertEqual(self.titles(county=self.county_b.code), [b])
        self.assertEqual(self.titles(institution=self.home_a.pk), [a])
        self.assertEqual(self.titles(status=Status.VERIFIED), [])
        self.assertCountEqual(self.titles(status=Status.RAISED), [a, b])

    def test_overdue_and_escalated_problems_are_marked_and_filtered(self):
        Problem.objects.filter(pk=self.leak.pk).update(due_on=TODAY() - datetime.timedelta(days=2))
        self.assertEqual(self.titles(overdue="on"), [self.leak.title])
        self.assertEqual(self.titles(escalated="on"), [])
        services.problems_escalate_overdue()
        self.assertEqual(self.titles(escalated="on"), [self.leak.title])
        response = self.get(self.city_admin, "problem_list")
        self.assertContains(response, "badge bad", count=2)
        self.assertContains(response, EscalationLevel.COUNTY.label)

    def test_mine_means_raised_by_me_or_assigned_to_my_organisation(self):
        self.assertEqual(self.titles(self.staff, mine="raised"), [self.leak.title])
        self.assertEqual(self.titles(self.liaison, mine="raised"), [])
        self.assertEqual(self.titles(self.liaison, mine="assigned"), [])
        services.problem_assign(
            actor=self.fresh(self.liaison), problem=self.leak, helper=self.department
        )
        self.assertEqual(self.titles(self.liaison, mine="assigned"), [self.leak.title])
        self.assertEqual(self.titles(self.county_a_worker, mine="assigned"), [])

    def test_the_list_query_count_does_not_grow_with_rows(self):
        self.login(self.city_admin)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("problem_list"))
        for n in range(5):
            p = services.problem_raise(
                actor=self.fresh(self.staff),
                title=f"问题 {n}",
                category=Category.OTHER,
                due_on=due(),
                institution=self.home_a,
            )
            services.problem_assign(
                actor=self.fresh(self.liaison), problem=p, helper=self.department
            )
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(reverse("problem_list"))
        self.assertEqual(len(response.context["page"].object_list), 7)
        self.assertEqual(len(many), len(few))


class RaiseProblemTest(ProblemTestCase):
    def data(self, **extra):
        values = {
            "title": "食堂燃气管老化",
            "category": Category.SAFETY,
            "subcategory": "food",
            "severity": "3",
            "due_on": due(10).isoformat(),
            "institution": self.home_a.pk,
            "description": "厨房燃气管有裂纹",
        }
        values.update(extra)
        return {k: v for k, v in values.items() if v is not None}

    def post(self, user, data, photos=()):
        self.login(user)
        if photos:
            data = {**data, "photos": list(photos)}
        return self.client.post(reverse("problem_create"), data)

    def raised(self):
        return Problem.objects.filter(title="食堂燃气管老化")

    def test_institution_staff_raise_a_problem_of_their_own_institution(self):
        form = self.get(self.staff, "problem_create").context["form"]
        self.assertTrue(form.fields["institution"].disabled)
        self.assertNotIn("region", form.fields)
        # A posted institution is ignored: staff raise for their own home only.
        response = self.post(self.staff, self.data(institution=self.home_b.pk), photos=[photo()])
        problem = self.raised().get()
        self.assertRedirects(response, reverse("problem_detail", args=[problem.pk]))
        self.assertEqual(
            (problem.institution, problem.source, problem.raised_by_org),
            (self.home_a, Source.INSTITUTION, self.home_a),
        )
        self.assertEqual(problem.evidence.count(), 1)

    def test_a_liaison_raises_at_a_paired_institution_only(self):
        response = self.post(self.liaison, self.data(institution=self.home_b.pk))
        self.assertIn("institution", response.context["form"].errors)
        self.assertFalse(self.raised().exists())
        self.post(self.liaison, self.data())
        self.assertEqual(self.raised().get().source, Source.VISIT)

    def test_a_township_worker_raises_a_need_in_a_village_of_the_township(self):
        response = self.post(
            self.township_worker, self.data(institution="", region=self.village_b.code)
        )
        self.assertIn("region", response.context["form"].errors)
        self.assertFalse(self.raised().exists())
        self.post(self.township_worker, self.data(institution="", region=self.village_a.code))
        problem = self.raised().get()
        self.assertEqual(
            (problem.region_id, problem.institution, problem.source),
            (self.village_a.code, None, Source.TOWNSHIP),
        )

    def test_bad_input_gets_a_message_on_each_field(self):
        response = self.post(
            self.city_admin,
            self.data(
                title="",
                subcategory="wiring",
                category=Category.HEALTH,
                due_on=(TODAY() - datetime.timedelta(days=1)).isoformat(),
            ),
        )
        errors = response.context["form"].errors
        self.assertIn("title", errors)
        self.assertIn("subcategory", errors)
        self.assertContains(response, "这个字段是必填项")
        response = self.post(self.city_admin, self.data(due_on="2020-13-45"))
        self.assertIn("due_on", response.context["form"].errors)
        past = (TODAY() - datetime.timedelta(days=1)).isoformat()
        response = self.post(self.city_admin, self.data(due_on=past))
        self.assertIn("due_on", response.context["form"].errors)
        response = self.post(self.city_admin, self.data(institution=""))
        self.assertIn("institution", response.context["form"].errors)
        response = self.post(self.city_admin, self.data(region=self.village_a.code))
        self.assertIn("region", response.context["form"].errors)
        self.assertFalse(self.raised().exists())

    def test_a_bad_photo_leaves_no_problem(self):
        counts = (Problem.objects.count(), Evidence.objects.count())
        response = self.post(self.staff, self.data(), photos=[photo(), not_a_photo()])
        self.assertIn("photos", response.context["form"].errors)
        self.assertContains(response, "leak.png")
        self.assertEqual((Problem.objects.count(), Evidence.objects.count()), counts)

    def test_the_service_writes_nothing_when_a_photo_is_bad(self):
        from django.core.exceptions import ValidationError

        counts = (Problem.objects.count(), Evidence.objects.count())
        with self.assertRaises(ValidationError):
            services.problem_raise(
                actor=self.fresh(self.staff),
                title="x",
                category=Category.OTHER,
                due_on=due(),
                institution=self.home_a,
                photos=[photo(), not_a_photo()],
            )
        self.assertEqual((Problem.objects.count(), Evidence.objects.count()), counts)

    def test_roles_without_the_right_may_not_raise(self):
        for user in (
            make_user("leader", Role.CITY_LEADER, region=self.city),
            make_user("volunteer", Role.VOLUNTEER, organisation=self.social_org),
        ):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user, "problem_create").status_code, 403)
                self.assertEqual(self.post(user, self.data()).status_code, 403)
        self.assertFalse(self.raised().exists())


class ProblemStepTest(ProblemTestCase):
    """Every step through HTTP: the journey of DESIGN.md §2 (1), and every refusal."""

    def test_the_whole_loop_through_the_pages(self):
        problem = self.leak
        response = self.step(self.liaison, problem, "assign", helper=self.department.pk)
        self.assertRedirects(response, reverse("problem_detail", args=[problem.pk]))
        self.assertEqual(self.snapshot(problem)[:2], (Status.ASSIGNED, self.department.pk))
        self.step(self.liaison, problem, "start", note="已安排施工队")
        self.assertEqual(self.snapshot(problem)[0], Status.IN_PROGRESS)
        self.login(self.liaison)
        response = self.client.post(
            reverse("problem_step", args=[problem.pk, "resolve"]),
            {"resolve-resolution": "屋顶重做防水层", "resolve-photos": [photo(), photo("2.png")]},
        )
        self.assertEqual(self.snapshot(problem), (Status.RESOLVED, self.department.pk, 4, 3))
        self.step(self.staff, problem, "reopen", reason="下雨仍有渗水")
        self.assertEqual(self.snapshot(problem)[0], Status.REOPENED)
        self.step(self.liaison, problem, "start")
        self.login(self.liaison)
        self.client.post(
            reverse("problem_step", args=[problem.pk, "resolve"]),
            {"resolve-resolution": "补做一遍", "resolve-photos": [photo()]},
        )
        response = self.step(self.staff, problem, "verify", note="确认修好")
        self.assertEqual(self.snapshot(problem)[0], Status.VERIFIED)
        self.assertEqual(
            list(problem.events.values_list("action", flat=True)),
            [
                Action.RAISE,
                Action.ASSIGN,
                Action.START,
                Action.RESOLVE,
                Action.REOPEN,
                Action.START,
                Action.RESOLVE,
                Action.VERIFY,
            ],
        )
        page = self.get(self.staff, "problem_detail", problem.pk)
        self.assertContains(page, "下雨仍有渗水")
        self.assertContains(page, "屋顶重做防水层")
        self.assertEqual(page.context["steps"], [])

    def test_the_home_verifies_the_fix_of_a_problem_a_liaison_found_on_a_visit(self):
        liaison = self.fresh(self.liaison)
        problem = services.problem_raise(
            actor=liaison,
            title="屋顶漏水",
            category=Category.ENVIRONMENT,
            due_on=due(),
            institution=self.home_a,
        )
        services.problem_assign(actor=liaison, problem=problem, helper=self.department)
        services.problem_start(actor=liaison, problem=problem)
        services.problem_resolve(
            actor=liaison, problem=problem, resolution="修好", photos=[photo()]
        )
        page = self.get(self.staff, "problem_detail", problem.pk)
        self.assertEqual([a for a, _ in page.context["steps"]], ["verify", "reopen"])
        self.step(self.staff, problem, "verify", note="确认修好")
        self.assertEqual(self.snapshot(problem)[0], Status.VERIFIED)
        self.assertEqual(problem.events.last().actor, self.staff)

    def test_an_administrator_assigns_to_a_helper_of_their_choice(self):
        response = self.step(
            self.city_admin, self.leak, "assign", helper=self.other_department.pk, note="请落实"
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.snapshot(self.leak)[:2], (Status.ASSIGNED, self.other_department.pk))

    def test_a_liaison_takes_a_problem_up_only_for_their_own_department(self):
        response = self.step(self.liaison, self.leak, "assign", helper=self.other_department.pk)
        self.assertEqual(response.status_code, 200)
        self.assertIn("helper", response.context["steps"][0][1].errors)
        self.assertEqual(self.snapshot(self.leak)[:3], (Status.RAISED, None, 1))

    def test_resolving_without_a_photo_or_a_description_changes_nothing(self):
        problem = self.walk_to(Status.IN_PROGRESS)
        before = self.snapshot(problem)
        response = self.step(self.liaison, problem, "resolve", resolution="修好了")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "这个字段是必填项")
        self.login(self.liaison)
        self.client.post(
            reverse("problem_step", args=[problem.pk, "resolve"]),
            {"resolve-resolution": "", "resolve-photos": [photo()]},
        )
        self.login(self.liaison)
        self.client.post(
            reverse("problem_step", args=[problem.pk, "resolve"]),
            {"resolve-resolution": "修好了", "resolve-photos": [not_a_photo()]},
        )
        self.assertEqual(self.snapshot(problem), before)

    def test_reopening_needs_a_reason(self):
        problem = self.walk_to(Status.RESOLVED)
        before = self.snapshot(problem)
        response = self.step(self.staff, problem, "reopen", reason="  ")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.snapshot(problem), before)

    def test_every_illegal_step_answers_409_and_changes_nothing(self):
        # Each step by someone who could take it in the right state.
        actors = {
            "assign": (self.liaison, {"helper": self.department.pk}),
            "start": (self.liaison, {}),
            "resolve": (self.liaison, {"resolution": "x"}),
            "verify": (self.staff, {}),
            "reopen": (self.staff, {"reason": "x"}),
        }
        legal = {
            Status.RAISED: {"assign"},
            Status.ASSIGNED: {"assign", "start"},
            Status.IN_PROGRESS: {"resolve"},
            Status.RESOLVED: {"verify", "reopen"},
            Status.VERIFIED: set(),
            Status.REOPENED: {"assign", "start"},
        }
        for status, allowed in legal.items():
            problem = self.walk_to(status)
            for action, (user, data) in actors.items():
                if action in allowed:
                    continue
                with self.subTest(status=status, action=action):
                    before = self.snapshot(problem)
                    response = self.step(user, problem, action, **data)
                    self.assertEqual(response.status_code, 409)
                    self.assertContains(response, "不能", status_code=409)
                    self.assertEqual(self.snapshot(problem), before)

    def test_a_step_this_user_may_not_take_answers_403_and_changes_nothing(self):
        leader = make_user("leader", Role.CITY_LEADER, region=self.city)
        cases = [
            (Status.RAISED, self.staff, "assign", {"helper": self.home_a.pk}),
            (Status.RAISED, leader, "assign", {"helper": self.department.pk}),
            (Status.ASSIGNED, self.township_worker, "start", {}),
            (Status.ASSIGNED, self.staff, "start", {}),
            (Status.IN_PROGRESS, self.city_admin, "resolve", {"resolution": "x"}),
            (Status.RESOLVED, self.liaison, "verify", {}),
            (Status.RESOLVED, self.township_worker, "reopen", {"reason": "x"}),
        ]
        for status, user, action, data in cases:
            with self.subTest(status=status, user=user.username, action=action):
                problem = self.walk_to(status)
                before = self.snapshot(problem)
                response = self.step(user, problem, action, **data)
                self.assertEqual(response.status_code, 403)
                self.assertEqual(self.snapshot(problem), before)

    def test_the_page_offers_exactly_the_allowed_steps(self):
        cases = [
            (Status.RAISED, self.liaison, ["assign"]),
            (Status.RAISED, self.staff, []),
            (Status.RAISED, self.city_admin, ["assign"]),
            (Status.ASSIGNED, self.liaison, ["assign", "start"]),
            (Status.IN_PROGRESS, self.liaison, ["resolve"]),
            (Status.IN_PROGRESS, self.staff, []),
            (Status.RESOLVED, self.staff, ["verify", "reopen"]),
            (Status.RESOLVED, self.liaison, []),
        ]
        for status, user, expected in cases:
            with self.subTest(status=status, user=user.username):
                problem = self.walk_to(status)
                page = self.get(user, "problem_detail", problem.pk)
                self.assertEqual([a for a, _ in page.context["steps"]], expected)
                for action in ("assign", "start", "resolve", "verify", "reopen"):
                    url = reverse("problem_step", args=[problem.pk, action])
                    if action in expected:
                        self.assertContains(page, url)
                    else:
                        self.assertNotContains(page, url)

    def test_an_unknown_step_is_404_and_a_get_is_405(self):
        self.assertEqual(self.step(self.liaison, self.leak, "close").status_code, 404)
        self.login(self.liaison)
        url = reverse("problem_step", args=[self.leak.pk, "assign"])
        self.assertEqual(self.client.get(url).status_code, 405)

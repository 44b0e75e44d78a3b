"""The ledger pages: list, export, detail, photos, recording and confirmation — each one
scoped (county B sees nothing of county A), each write checked, nothing half-written."""

import atexit
import datetime
import io
import shutil
import tempfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from carepair.accounts.roles import Role
from carepair.ledger import services
from carepair.ledger.models import Activity, Category, Kind, Material, Photo
from carepair.lib.errors import ValidationError
from carepair.problems.models import Problem, Source
from tests.base import TODAY, PersonaTestCase, make_user, photo

# Uploaded photos go to a throw-away directory, not the developer's data/media.
MEDIA = tempfile.mkdtemp(prefix="carepair-test-media-")
atexit.register(shutil.rmtree, MEDIA, True)


def not_a_photo(name="roof.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"this is a text file, not a picture", "image/jpeg")


def gif(name="roof.gif") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/gif")


def record(actor, institution, helpers, title, **extra):
    values = {
        "kind": Kind.ASSISTANCE,
        "category": Category.DONATION,
        "occurred_on": TODAY() - datetime.timedelta(days=3),
        "participants": 6,
        "beneficiaries": 42,
    }
    values.update(extra)
    return services.activity_record(
        actor=actor, title=title, institution=institution, helpers=helpers, **values
    )


@override_settings(MEDIA_ROOT=MEDIA)
class LedgerTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.visit_a = record(
            cls.liaison,
            cls.home_a,
            [cls.department],
            "春节慰问凌云敬老院",
            materials=[
                services.MaterialLine("大米", Decimal("20"), "袋", 200000),
                services.MaterialLine("食用油", Decimal("10"), "桶", 129950),
            ],
            photos=[photo()],
        )
        cls.visit_b = record(
            cls.city_admin,
            cls.home_b,
            [cls.other_department],
            "葫芦镇敬老院排污设施改造",
            category=Category.ENVIRONMENT,
            materials=[services.MaterialLine("排污管", Decimal("30"), "米", 45000)],
            photos=[photo()],
        )
        cls.photo_a = cls.visit_a.photos.get()
        cls.photo_b = cls.visit_b.photos.get()

    def get(self, user, name, *args, **query):
        self.login(user)
        return self.client.get(reverse(name, args=args), query)


class LedgerScopeTest(LedgerTestCase):
    def test_allowed_users_see_county_a_entries_in_the_list(self):
        for user in (self.city_admin, self.county_a_worker, self.liaison, self.staff):
            with self.subTest(user=user.username):
                response = self.get(user, "activity_list")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, self.visit_a.title)

    def test_the_list_does_not_leak_other_regions_rows(self):
        response = self.get(self.county_b_worker, "activity_list")
        self.assertContains(response, self.visit_b.title)
        self.assertNotContains(response, self.visit_a.title)
        for user in (self.county_a_worker, self.liaison, self.staff):
            with self.subTest(user=user.username):
                self.assertNotContains(self.get(user, "activity_list"), self.visit_b.title)

    def test_county_b_gets_404_on_a_county_a_activity(self):
        self.assertEqual(
            self.get(self.county_b_worker, "activity_detail", self.visit_a.pk).status_code, 404
        )
        for user in (self.city_admin, self.county_a_worker, self.liaison, self.staff):
            with self.subTest(user=user.username):
                response = self.get(user, "activity_detail", self.visit_a.pk)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "3,299.50")

    def test_an_out_of_scope_activity_answers_like_a_missing_one(self):
        hidden = self.get(self.county_b_worker, "activity_detail", self.visit_a.pk)
        missing = self.get(self.county_b_worker, "activity_detail", 999999)
        self.assertEqual(hidden.status_code, missing.status_code)
        self.assertEqual(hidden.content, missing.content)

    def test_county_b_gets_404_on_a_county_a_photo(self):
        self.assertEqual(
            self.get(self.county_b_worker, "activity_photo", self.photo_a.pk).status_code, 404
        )
        self.assertEqual(self.get(self.staff_b, "activity_photo", self.photo_a.pk).status_code, 404)
        for user in (self.city_admin, self.county_a_worker, self.liaison, self.staff):
            with self.subTest(user=user.username):
                response = self.get(user, "activity_photo", self.photo_a.pk)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "image/png")
                self.assertTrue(b"".join(response.streaming_content).startswith(b"\x89PNG"))

    def test_the_export_holds_only_rows_in_scope_with_value_in_yuan(self):
        rows = self.export(self.county_a_worker)
        self.assertEqual([r[3] for r in rows[1:]], [self.visit_a.title])
        self.assertEqual(Decimal(str(rows[1][9])), Decimal("3299.50"))
        rows = self.export(self.county_b_worker)
        self.assertEqual([r[3] for r in rows[1:]], [self.visit_b.title])

    def test_the_export_follows_the_filters(self):
        rows = self.export(self.city_admin, category=Category.ENVIRONMENT)
        self.assertEqual([r[3] for r in rows[1:]], [self.visit_b.title])

    def export(self, user, **query):
        response = self.get(user, "activity_list", format="xlsx", **query)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        return list(sheet.iter_rows(values_only=True))

    def test_every_page_asks_for_a_login(self):
        urls = [
            reverse("activity_list"),
            reverse("activity_create"),
            reverse("activity_detail", args=[self.visit_a.pk]),
            reverse("activity_photo", args=[self.photo_a.pk]),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])


class LedgerListTest(LedgerTestCase):
    def titles(self, **query):
        response = self.get(self.city_admin, "activity_list", **query)
        self.assertEqual(response.status_code, 200)
        return [a.title for a in response.context["page"].object_list]

    def test_it_filters_by_kind_category_county_institution_and_confirmation(self):
        a, b = self.visit_a.title, self.visit_b.title
        self.assertEqual(self.titles(category=Category.ENVIRONMENT), [b])
        self.assertEqual(self.titles(kind=Kind.RESEARCH_VISIT), [])
        self.assertEqual(self.titles(county=self.county_a.code), [a])
        self.assertEqual(self.titles(institution=self.home_b.pk), [b])
        self.assertEqual(self.titles(confirmed="yes"), [])
        self.assertCountEqual(self.titles(confirmed="no"), [a, b])

    def test_it_filters_by_date_range(self):
        Activity.objects.filter(pk=self.visit_b.pk).update(
            occurred_on=TODAY() - datetime.timedelta(days=40)
        )
        since = (TODAY() - datetime.timedelta(days=10)).isoformat()
        until = (TODAY() - datetime.timedelta(days=20)).isoformat()
        self.assertEqual(self.titles(date_from=since), [self.visit_a.title])
        self.assertEqual(self.titles(date_to=until), [self.visit_b.title])

    def test_a_county_out_of_scope_is_not_a_filter_choice(self):
        response = self.get(self.county_b_worker, "activity_list", county=self.county_a.code)
        self.assertIn("county", response.context["form"].errors)
        self.assertNotContains(response, self.visit_a.title)

    def test_the_list_query_count_does_not_grow_with_rows(self):
        self.login(self.city_admin)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("activity_list"))
        for n in range(5):
            record(self.city_admin, self.home_a, [self.department, self.other_department], f"{n}")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(reverse("activity_list"))
        self.assertEqual(len(response.context["page"].object_list), 7)
        self.assertEqual(len(many), len(few))

    def test_it_paginates(self):
        for n in range(30):
            record(self.city_admin, self.home_a, [self.department], f"走访 {n}")
        first = self.get(self.city_admin, "activity_list")
        self.assertEqual(len(first.context["page"].object_list), 25)
        second = self.get(self.city_admin, "activity_list", page=2)
        self.assertEqual(len(second.context["page"].object_list), 7)


class RecordActivityTest(LedgerTestCase):
    def form_data(self, **extra):
        data = {
            "kind": Kind.ASSISTANCE,
            "category": Category.FESTIVAL,
            "title": "中秋节慰问",
            "occurred_on": TODAY().isoformat(),
            "helpers": [self.department.pk],
            "institution": self.home_a.pk,
            "area": "",
            "participants": "8",
            "beneficiaries": "40",
            "notes": "卫生间屋顶漏水",
            "materials-TOTAL_FORMS": "3",
            "materials-INITIAL_FORMS": "0",
            "materials-MIN_NUM_FORMS": "0",
            "materials-MAX_NUM_FORMS": "100",
            "materials-0-item": "月饼",
            "materials-0-quantity": "50",
            "materials-0-unit": "盒",
            "materials-0-value_yuan": "1234.56",
            "materials-1-item": "牛奶",
            "materials-1-quantity": "2.5",
            "materials-1-unit": "箱",
            "materials-1-value_yuan": "0.10",
        }
        data.update(extra)
        return data

    def post(self, user, data, photos=()):
        self.login(user)
        if photos:
            data = {**data, "photos": list(photos)}
        return self.client.post(reverse("activity_create"), data)

    def test_a_liaison_records_a_visit_with_materials_in_exact_fen(self):
        response = self.post(self.liaison, self.form_data(), photos=[photo(), photo("b.png")])
        activity = Activity.objects.get(title="中秋节慰问")
        self.assertRedirects(response, reverse("activity_detail", args=[activity.pk]))
        self.assertEqual(
            list(activity.materials.values_list("item", "quantity", "unit", "value_fen")),
            [("月饼", Decimal("50"), "盒", 123456), ("牛奶", Decimal("2.5"), "箱", 10)],
        )
        self.assertEqual(activity.material_value_fen, 123466)
        self.assertEqual(list(activity.helpers.all()), [self.department])
        self.assertEqual(activity.region_id, self.home_a.region_id)
        self.assertEqual(activity.photos.count(), 2)
        self.assertEqual((activity.participants, activity.beneficiaries), (8, 40))
        self.assertEqual(activity.recorded_by, self.liaison)

    def test_the_form_offers_only_what_the_user_can_see(self):
        response = self.get(self.liaison, "activity_create")
        form = response.context["form"]
        self.assertEqual(list(form.fields["institution"].queryset), [self.home_a])
        self.assertEqual(list(form.fields["helpers"].queryset), [self.department])
        self.assertEqual(form.fields["helpers"].initial, [self.department.pk])
        self.assertNotContains(response, self.home_b.name)

    def test_an_institution_out_of_scope_is_refused_on_its_field(self):
        before = Activity.objects.count()
        response = self.post(self.liaison, self.form_data(institution=self.home_b.pk))
        self.assertEqual(response.status_code, 200)
        self.assertIn("institution", response.context["form"].errors)
        self.assertEqual(Activity.objects.count(), before)

    def test_a_bad_photo_in_an_otherwise_valid_activity_leaves_no_activity(self):
        counts = (Activity.objects.count(), Material.objects.count(), Photo.objects.count())
        response = self.post(self.liaison, self.form_data(), photos=[photo(), not_a_photo()])
        self.assertEqual(response.status_code, 200)
        self.assertIn("photos", response.context["form"].errors)
        self.assertContains(response, "roof.jpg")
        self.assertContains(response, "不是照片")
        self.assertEqual(
            (Activity.objects.count(), Material.objects.count(), Photo.objects.count()), counts
        )

    def test_a_photo_of_the_wrong_type_is_refused(self):
        before = Activity.objects.count()
        response = self.post(self.liaison, self.form_data(), photos=[gif()])
        self.assertIn("photos", response.context["form"].errors)
        self.assertContains(response, "roof.gif")
        self.assertEqual(Activity.objects.count(), before)

    @override_settings(CAREPAIR_PHOTO_MAX_BYTES=200)
    def test_a_photo_too_large_is_refused(self):
        before = Activity.objects.count()
        response = self.post(self.liaison, self.form_data(), photos=[photo(size=(400, 400))])
        self.assertIn("photos", response.context["form"].errors)
        self.assertEqual(Activity.objects.count(), before)

    def test_the_service_writes_nothing_when_one_photo_is_bad(self):
        counts = (Activity.objects.count(), Material.objects.count(), Photo.objects.count())
        with self.assertRaises(ValidationError) as caught:
            record(
                self.fresh(self.liaison),
                self.home_a,
                [self.department],
                "有坏照片的走访",
                materials=[services.MaterialLine("大米", Decimal("1"), "袋", 100)],
                photos=[photo(), not_a_photo()],
            )
        self.assertIn("photos", caught.exception.error_dict)
        self.assertEqual(
            (Activity.objects.count(), Material.objects.count(), Photo.objects.count()), counts
        )

    def test_money_with_more_than_two_decimals_or_below_zero_is_refused(self):
        before = Activity.objects.count()
        for value in ("12.345", "-1", "十元"):
            with self.subTest(value=value):
                response = self.post(
                    self.liaison, self.form_data(**{"materials-0-value_yuan": value})
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("value_yuan", response.context["formset"].forms[0].errors)
        self.assertEqual(Activity.objects.count(), before)

    def test_a_half_filled_material_line_names_what_is_missing(self):
        response = self.post(self.liaison, self.form_data(**{"materials-1-unit": ""}))
        self.assertIn("unit", response.context["formset"].forms[1].errors)
        self.assertContains(response, "这个字段是必填项")

    def test_a_future_date_is_refused_on_its_field(self):
        tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
        response = self.post(self.liaison, self.form_data(occurred_on=tomorrow))
        self.assertIn("occurred_on", response.context["form"].errors)
        self.assertFalse(Activity.objects.filter(title="中秋节慰问").exists())

    def test_it_wants_an_institution_or_an_area_but_not_both(self):
        response = self.post(self.liaison, self.form_data(institution=""))
        self.assertIn("institution", response.context["form"].errors)
        response = self.post(
            self.township_worker,
            self.form_data(
                helpers=[self.township_org_a.pk], area=self.village_a.pk, institution=self.home_a.pk
            ),
        )
        self.assertIn("area", response.context["form"].errors)
        self.assertFalse(Activity.objects.filter(title="中秋节慰问").exists())

    def test_a_township_worker_records_an_activity_in_a_village(self):
        response = self.post(
            self.township_worker,
            self.form_data(
                helpers=[self.township_org_a.pk], area=self.village_a.pk, institution=""
            ),
        )
        activity = Activity.objects.get(title="中秋节慰问")
        self.assertRedirects(response, reverse("activity_detail", args=[activity.pk]))
        self.assertEqual(activity.region_id, self.village_a.code)

    def test_roles_without_the_right_may_not_record(self):
        for user in (self.staff, make_user("leader", Role.CITY_LEADER, region=self.city)):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user, "activity_create").status_code, 403)
                response = self.post(user, self.form_data())
                self.assertEqual(response.status_code, 403)
        self.assertFalse(Activity.objects.filter(title="中秋节慰问").exists())


class ConfirmActivityTest(LedgerTestCase):
    def confirm(self, user, activity=None, note="已收到"):
        self.login(user)
        url = reverse("activity_confirm", args=[(activity or self.visit_a).pk])
        return self.client.post(url, {"note": note})

    def test_the_institution_confirms_what_it_received(self):
        page = self.get(self.staff, "activity_detail", self.visit_a.pk)
        self.assertContains(page, reverse("activity_confirm", args=[self.visit_a.pk]))
        response = self.confirm(self.staff)
        self.assertRedirects(response, reverse("activity_detail", args=[self.visit_a.pk]))
        self.visit_a.refresh_from_db()
        self.assertEqual(self.visit_a.confirmed_by, self.staff)
        self.assertEqual(self.visit_a.confirmation_note, "已收到")

    def test_only_the_institution_may_confirm(self):
        for user in (self.liaison, self.county_a_worker, self.city_admin):
            with self.subTest(user=user.username):
                page = self.get(user, "activity_detail", self.visit_a.pk)
                self.assertNotContains(page, reverse("activity_confirm", args=[self.visit_a.pk]))
                self.assertEqual(self.confirm(user).status_code, 403)
        for user in (self.staff_b, self.county_b_worker):
            with self.subTest(user=user.username):
                self.assertEqual(self.confirm(user).status_code, 404)
        self.visit_a.refresh_from_db()
        self.assertIsNone(self.visit_a.confirmed_at)

    def test_a_second_confirmation_is_refused(self):
        self.confirm(self.staff)
        self.visit_a.refresh_from_db()
        first = self.visit_a.confirmed_at
        response = self.confirm(self.staff, note="又确认一次")
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "已确认", status_code=409)
        self.visit_a.refresh_from_db()
        self.assertEqual(
            (self.visit_a.confirmed_at, self.visit_a.confirmation_note), (first, "已收到")
        )

    def test_confirming_takes_a_post(self):
        self.assertEqual(self.get(self.staff, "activity_confirm", self.visit_a.pk).status_code, 405)


class RaiseFromVisitTest(LedgerTestCase):
    def test_a_liaison_raises_a_problem_found_on_a_visit(self):
        page = self.get(self.liaison, "activity_detail", self.visit_a.pk)
        url = reverse("problem_create") + f"?activity={self.visit_a.pk}"
        self.assertContains(page, url)
        form = self.get(self.liaison, "problem_create", activity=self.visit_a.pk).context["form"]
        self.assertEqual(form["institution"].value(), self.home_a.pk)
        response = self.client.post(
            url,
            {
                "activity": self.visit_a.pk,
                "title": "卫生间屋顶漏水",
                "category": "environment",
                "subcategory": "waterproofing",
                "severity": "3",
                "due_on": (TODAY() + datetime.timedelta(days=14)).isoformat(),
                "institution": self.home_a.pk,
                "description": "走访时发现",
            },
        )
        problem = Problem.objects.get(title="卫生间屋顶漏水")
        self.assertRedirects(response, reverse("problem_detail", args=[problem.pk]))
        self.assertEqual(
            (problem.source, problem.activity, problem.institution),
            (Source.VISIT, self.visit_a, self.home_a),
        )
        page = self.get(self.liaison, "activity_detail", self.visit_a.pk)
        self.assertContains(page, reverse("problem_detail", args=[problem.pk]))

    def test_county_b_cannot_raise_from_a_county_a_visit(self):
        response = self.get(self.county_b_worker, "problem_create", activity=self.visit_a.pk)
        self.assertEqual(response.status_code, 404)

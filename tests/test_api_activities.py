"""The ledger through the API: money in fen or as a decimal string, never a float."""

import datetime
import json

from carepair.ledger.models import Activity, Material
from tests.base import TODAY
from tests.test_api_base import ApiTestCase


def visit(**extra) -> dict:
    body = {
        "kind": "research_visit",
        "category": "hardship",
        "title": "走访凌云敬老院",
        "occurred_on": (TODAY() - datetime.timedelta(days=2)).isoformat(),
        "participants": 4,
        "beneficiaries": 42,
        "materials": [
            {"item": "棉被", "quantity": "20", "unit": "床", "value_yuan": "3600.50"},
            {"item": "食用油", "quantity": 10, "unit": "桶", "value_fen": 129900},
        ],
    }
    return {**body, **extra}


class ActivityApiTest(ApiTestCase):
    def test_a_liaison_records_a_visit_with_materials(self):
        response = self.post(self.liaison, "/activities", visit(institution_id=self.home_a.pk))
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual([h["id"] for h in body["helpers"]], [self.department.pk])
        self.assertEqual(body["region_code"], self.village_a.code)
        self.assertEqual(
            [
                (m["item"], m["quantity"], m["value_fen"], m["value_yuan"])
                for m in body["materials"]
            ],
            [("棉被", "20.00", 360050, "3600.50"), ("食用油", "10.00", 129900, "1299.00")],
        )
        self.assertEqual(body["material_value_fen"], 489950)
        self.assertEqual(body["material_value_yuan"], "4899.50")
        activity = Activity.objects.get(pk=body["id"])
        self.assertEqual(activity.recorded_by, self.liaison)
        self.assertEqual(sum(m.value_fen for m in activity.materials.all()), 489950)

    def test_the_detail_shows_materials_in_fen_and_yuan(self):
        body = self.get(self.county_a_worker, f"/activities/{self.activity_a.pk}").json()
        self.assertEqual(body["materials"][0]["value_fen"], 125050)
        self.assertEqual(body["materials"][0]["value_yuan"], "1250.50")
        self.assertIsInstance(body["materials"][0]["value_fen"], int)

    def test_it_refuses_money_as_a_float_and_writes_nothing(self):
        before = (Activity.objects.count(), Material.objects.count())
        for material in (
            {"item": "米", "quantity": 1, "unit": "袋", "value_yuan": 12.5},
            {"item": "米", "quantity": 1, "unit": "袋", "value_fen": 1250.0},
            {"item": "米", "quantity": 1, "unit": "袋", "value_fen": "1250"},
            {"item": "米", "quantity": 1, "unit": "袋", "value_yuan": "12.505"},
            {"item": "米", "quantity": 1, "unit": "袋", "value_yuan": "-3"},
            {"item": "米", "quantity": 1, "unit": "袋"},
            {"item": "米", "quantity": 1, "unit": "袋", "value_yuan": "1", "value_fen": 100},
        ):
            with self.subTest(material=material):
                response = self.post(
                    self.liaison,
                    "/activities",
                    visit(institution_id=self.home_a.pk, materials=[material]),
                )
                errors = self.assertInvalid(response)
                self.assertTrue(any(k.startswith("materials.0") for k in errors), errors)
        self.assertEqual((Activity.objects.count(), Material.objects.count()), before)

    def test_bad_input_gets_a_chinese_message_per_field_and_nothing_is_written(self):
        before = Activity.objects.count()
        response = self.post(
            self.liaison,
            "/activities",
            visit(title="", kind="party", occurred_on="昨天", participants=-1),
        )
        errors = self.assertInvalid(response, "title", "kind", "occurred_on", "participants")
        self.assertEqual(errors["title"], ["此字段不能为空。"])
        self.assertEqual(errors["occurred_on"], ["请输入有效日期（YYYY-MM-DD）。"])
        self.assertEqual(errors["participants"], ["请输入不小于 0 的值。"])
        self.assertEqual(response.json()["detail"], "请求有误，请查看各字段的说明。")
        self.assertEqual(Activity.objects.count(), before)

    def test_the_services_rules_come_back_on_the_api_field(self):
        future = (TODAY() + datetime.timedelta(days=3)).isoformat()
        response = self.post(
            self.liaison, "/activities", visit(institution_id=self.home_a.pk, occurred_on=future)
        )
        self.assertInvalid(response, "occurred_on")
        response = self.post(self.liaison, "/activities", visit())
        self.assertInvalid(response, "institution_id")
        response = self.post(
            self.liaison, "/activities", visit(institution_id=self.home_a.pk, helper_ids=[])
        )
        self.assertInvalid(response, "helper_ids")

    def test_a_body_that_is_not_json_is_refused(self):
        response = self.client.post(
            "/api/v1/activities",
            "{not json",
            content_type="application/json",
            **self.headers(self.liaison),
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": "请求内容不是有效的 JSON。"})

    def test_a_role_without_the_ledger_may_not_record(self):
        before = Activity.objects.count()
        response = self.post(self.staff, "/activities", visit(institution_id=self.home_a.pk))
        self.assertEqual(response.status_code, 403, response.content)
        self.assertEqual(Activity.objects.count(), before)

    def test_the_institution_confirms_what_it_received(self):
        response = self.post(self.liaison, f"/activities/{self.activity_a.pk}/confirm")
        self.assertEqual(response.status_code, 403)
        response = self.post(
            self.staff, f"/activities/{self.activity_a.pk}/confirm", {"note": "已收到大米20袋"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(response.json()["confirmed"])
        self.assertEqual(response.json()["confirmation_note"], "已收到大米20袋")
        again = self.post(self.staff, f"/activities/{self.activity_a.pk}/confirm")
        self.assertEqual(again.status_code, 409)

    def test_it_filters_the_ledger(self):
        older = self.record_visit(
            self.liaison,
            self.home_a,
            "重阳节慰问",
            "88.00",
            days_ago=40,
            kind="research_visit",
            category="culture",
        )
        admin = self.city_admin
        everything = {self.activity_a.pk, self.activity_b.pk, older.pk}
        self.assertEqual(self.ids(self.get(admin, "/activities")), everything)
        self.assertEqual(
            self.ids(self.get(admin, "/activities", kind="research_visit")), {older.pk}
        )
        self.assertEqual(self.ids(self.get(admin, "/activities", category="culture")), {older.pk})
        since = (TODAY() - datetime.timedelta(days=10)).isoformat()
        self.assertEqual(
            self.ids(self.get(admin, "/activities", **{"from": since})),
            {self.activity_a.pk, self.activity_b.pk},
        )
        self.assertEqual(self.ids(self.get(admin, "/activities", to=since)), {older.pk})
        self.assertEqual(
            self.ids(self.get(admin, "/activities", region="511102")),
            {self.activity_a.pk, older.pk},
        )
        self.assertEqual(
            self.ids(self.get(admin, "/activities", institution=self.home_b.pk)),
            {self.activity_b.pk},
        )
        self.assertInvalid(self.get(admin, "/activities", category="party"), "category")
        self.assertInvalid(
            self.get(admin, "/activities", **{"from": "2024-05-02", "to": "2024-05-01"}), "to"
        )

    def test_lists_are_paginated(self):
        response = self.get(self.city_admin, "/activities", limit=1, offset=1)
        body = response.json()
        self.assertEqual(body["count"], 2)
        self.assertEqual(len(body["items"]), 1)
        self.assertInvalid(self.get(self.city_admin, "/activities", limit=0), "limit")
        self.assertEqual(json.loads(response.content)["items"][0]["id"], self.activity_b.pk)

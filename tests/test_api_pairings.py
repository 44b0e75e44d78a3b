"""Pairings through the API: list with filters, pair, adjust with a reason, end."""

import datetime

from carepair.accounts.roles import Role
from carepair.orgs.models import InstitutionType, Kind, Organisation
from carepair.pairing.models import Pairing, Tier
from tests.base import TODAY, make_user
from tests.test_api_base import ApiTestCase


class PairingApiTest(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.home_a2 = Organisation.objects.create(
            name="凌云福利院",
            kind=Kind.INSTITUTION,
            region=cls.village_a,
            institution_type=InstitutionType.WELFARE_HOME,
        )
        cls.county_leader_a = make_user("leader_a", Role.COUNTY_LEADER, region=cls.county_a)

    def test_it_lists_pairings_with_their_filters(self):
        ended = Pairing.objects.create(
            tier=Tier.COUNTY_DEPARTMENT,
            helper=self.county_department_a,
            institution=self.home_a2,
            region=self.village_a,
            started_on=TODAY() - datetime.timedelta(days=100),
            ended_on=TODAY() - datetime.timedelta(days=10),
            end_reason="机构改革",
        )
        admin = self.city_admin
        self.assertEqual(
            self.ids(self.get(admin, "/pairings")), {self.pair_a.pk, self.pair_b.pk, ended.pk}
        )
        self.assertEqual(self.ids(self.get(admin, "/pairings", tier=3)), {ended.pk})
        self.assertEqual(self.ids(self.get(admin, "/pairings", active="false")), {ended.pk})
        self.assertEqual(
            self.ids(self.get(admin, "/pairings", active="true")), {self.pair_a.pk, self.pair_b.pk}
        )
        self.assertEqual(self.ids(self.get(admin, "/pairings", region="511111")), {self.pair_b.pk})
        item = self.get(admin, f"/pairings/{ended.pk}").json()
        self.assertEqual(item["end_reason"], "机构改革")
        self.assertFalse(item["active"])
        self.assertEqual(item["region_code"], self.village_a.code)

    def test_a_county_admin_pairs_a_county_department_with_an_institution(self):
        response = self.post(
            self.county_a_worker,
            "/pairings",
            {
                "tier": 3,
                "helper_id": self.county_department_a.pk,
                "institution_id": self.home_a2.pk,
                "note": "一对一结对",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        pairing = Pairing.objects.get(pk=body["id"])
        self.assertEqual(pairing.created_by, self.county_a_worker)
        self.assertEqual(body["started_on"], TODAY().isoformat())
        self.assertEqual(body["region_code"], self.village_a.code)
        self.assertEqual(pairing.history.count(), 1)

    def test_a_county_admin_assigns_a_county_leader_to_an_area(self):
        response = self.post(
            self.county_a_worker,
            "/pairings",
            {"tier": 2, "leader_id": self.county_leader_a.pk, "area_code": self.township_a.code},
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["leader_id"], self.county_leader_a.pk)

    def test_adjusting_ends_the_pair_and_starts_its_successor_with_the_reason(self):
        response = self.post(
            self.city_admin,
            f"/pairings/{self.pair_a.pk}/adjust",
            {"reason": "市民政局职能调整", "helper_id": self.other_department.pk},
        )
        self.assertEqual(response.status_code, 201, response.content)
        successor = response.json()
        self.assertEqual(successor["previous_id"], self.pair_a.pk)
        self.assertEqual(successor["helper_id"], self.other_department.pk)
        self.assertEqual(successor["institution_id"], self.home_a.pk)
        self.pair_a.refresh_from_db()
        self.assertEqual(self.pair_a.ended_on, TODAY())
        self.assertEqual(self.pair_a.end_reason, "市民政局职能调整")
        # The home is still paired: the coverage gap is closed the same day.
        unpaired = self.ids(self.get(self.city_admin, "/institutions", unpaired="true"))
        self.assertNotIn(self.home_a.pk, unpaired)

    def test_ending_a_pair_needs_a_reason_and_leaves_the_institution_unpaired(self):
        response = self.post(self.city_admin, f"/pairings/{self.pair_a.pk}/end", {"reason": " "})
        self.assertInvalid(response, "reason")
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)

        response = self.post(
            self.city_admin, f"/pairings/{self.pair_a.pk}/end", {"reason": "部门撤并"}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertFalse(response.json()["active"])
        unpaired = self.ids(self.get(self.city_admin, "/institutions", unpaired="true"))
        self.assertIn(self.home_a.pk, unpaired)

    def test_a_liaison_may_not_manage_pairings(self):
        response = self.post(
            self.liaison,
            "/pairings",
            {"tier": 1, "helper_id": self.department.pk, "institution_id": self.home_a.pk},
        )
        self.assertEqual(response.status_code, 403, response.content)
        response = self.post(
            self.liaison, f"/pairings/{self.pair_a.pk}/end", {"reason": "不想帮了"}
        )
        self.assertEqual(response.status_code, 403)
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)
        self.assertEqual(Pairing.objects.count(), 2)

    def test_bad_input_is_refused_per_field_and_nothing_is_written(self):
        cases = [
            ({}, ["tier"]),
            ({"tier": 7}, ["tier"]),
            ({"tier": 1, "started_on": "2024-13-01"}, ["started_on"]),
            # A township office cannot take a tier-1 pair, and a department is no institution.
            (
                {
                    "tier": 1,
                    "helper_id": self.township_org_a.pk,
                    "institution_id": self.department.pk,
                },
                ["institution_id"],
            ),
            (
                {"tier": 1, "helper_id": self.township_org_a.pk, "institution_id": self.home_a2.pk},
                ["helper_id"],
            ),
            (
                {"tier": 2, "leader_id": self.county_a_worker.pk, "area_code": "511102001000"},
                ["leader_id"],
            ),
        ]
        for body, fields in cases:
            with self.subTest(body=body):
                self.assertInvalid(self.post(self.city_admin, "/pairings", body), *fields)
        self.assertEqual(Pairing.objects.count(), 2)

    def test_messages_follow_the_callers_language(self):
        chinese = self.post(self.city_admin, "/pairings", {})
        self.assertEqual(chinese.json()["errors"]["tier"], ["这个字段是必填项。"])
        english = self.post(self.city_admin, "/pairings", {}, language="en")
        self.assertEqual(english.json()["errors"]["tier"], ["This field is required."])

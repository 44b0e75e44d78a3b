"""The pairing pages: list, export, detail with its chain and history, pair, adjust, end."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carepair.pairing import services
from carepair.pairing.models import Pairing, Tier
from tests.base import TODAY
from tests.test_orgs_pages import xlsx_rows
from tests.test_pairing_services import PairingServicesBase


class PairingListTest(PairingServicesBase):
    url = reverse("pairing_list")

    def test_a_county_worker_sees_only_their_countys_pairs(self):
        self.login(self.county_b_worker)
        response = self.client.get(self.url)
        self.assertEqual(list(response.context["page"].object_list), [self.pair_b])
        self.assertNotContains(response, self.home_a.name)

    def test_the_export_holds_the_same_rows_as_the_page(self):
        self.login(self.county_b_worker)
        response = self.client.get(f"{self.url}?format=xlsx")
        rows = xlsx_rows(response)
        self.assertEqual(rows[0][:4], ("编号", "层级", "帮扶方", "结对对象"))
        self.assertEqual([r[0] for r in rows[1:]], [self.pair_b.pk])
        self.assertEqual(rows[1][3], self.home_b.name)

    def test_it_filters_by_tier_status_county_and_search(self):
        services.pairing_end(
            actor=self.fresh(self.city_admin), pairing=self.pair_b, ended_on=TODAY(), reason="撤并"
        )
        township = services.pairing_create(
            actor=self.fresh(self.city_admin),
            tier=Tier.TOWNSHIP,
            helper=self.township_org_a,
            area=self.village_a,
            started_on=TODAY(),
        )
        self.login(self.city_admin)
        cases = {
            "tier=4": {township},
            "status=active": {self.pair_a, township},
            "status=ended": {self.pair_b},
            "county=511111000000": {self.pair_b},
            "q=财政": {self.pair_b},
            "q=撤并": {self.pair_b},
            "tier=1&status=active&q=凌云": {self.pair_a},
        }
        for query, wanted in cases.items():
            with self.subTest(query=query):
                page = self.client.get(f"{self.url}?{query}").context["page"]
                self.assertEqual(set(page.object_list), wanted)

    def test_its_query_count_does_not_grow_with_the_rows(self):
        self.login(self.city_admin)
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        long_ago = TODAY() - datetime.timedelta(days=400)
        Pairing.objects.bulk_create(
            Pairing(
                tier=Tier.COUNTY_LEADER,
                leader=self.leader_a,
                area=self.township_a,
                region=self.township_a,
                started_on=long_ago,
                ended_on=TODAY() - datetime.timedelta(days=i),
            )
            for i in range(8)
        )
        Pairing.objects.bulk_create(
            Pairing(
                tier=Tier.CITY_DEPARTMENT,
                helper=self.social_org,
                institution=self.home_a2,
                region=self.village_a,
                started_on=long_ago,
                ended_on=TODAY() - datetime.timedelta(days=i),
            )
            for i in range(8)
        )
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"].object_list), 18)
        self.assertEqual(len(many), len(few))


class PairingDetailTest(PairingServicesBase):
    def test_another_countys_pair_answers_404_like_a_missing_one(self):
        self.login(self.county_b_worker)
        for name in ("pairing_detail", "pairing_adjust", "pairing_end"):
            with self.subTest(page=name):
                self.assertEqual(
                    self.client.get(reverse(name, args=[self.pair_a.pk])).status_code, 404
                )
                self.assertEqual(self.client.get(reverse(name, args=[999999])).status_code, 404)
        response = self.client.post(
            reverse("pairing_end", args=[self.pair_a.pk]), {"ended_on": TODAY(), "reason": "x"}
        )
        self.assertEqual(response.status_code, 404)
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)

    def test_the_people_of_the_pair_see_it(self):
        for user in (self.city_admin, self.county_a_worker, self.liaison, self.staff):
            with self.subTest(user=user):
                self.login(user)
                response = self.client.get(reverse("pairing_detail", args=[self.pair_a.pk]))
                self.assertEqual(response.status_code, 200)

    def test_it_shows_the_whole_chain_and_the_history(self):
        admin = self.fresh(self.city_admin)
        second = services.pairing_adjust(
            actor=admin,
            pairing=self.pair_a,
            reason="机构改革",
            on=TODAY() - datetime.timedelta(days=10),
            helper=self.social_org,
        )
        third = services.pairing_adjust(
            actor=admin, pairing=second, reason="再次调整", helper=self.other_department
        )
        self.login(self.county_a_worker)
        response = self.client.get(reverse("pairing_detail", args=[second.pk]))
        self.assertEqual(response.context["before"], [self.pair_a])
        self.assertEqual(response.context["after"], [third])
        self.assertContains(response, "机构改革")
        history = response.context["history"]
        self.assertEqual([h.history_type for h in history], ["~", "+"])
        self.assertEqual(history[0].history_user, self.city_admin)
        self.assertContains(response, "再次调整")  # the end reason, in the change list

    def test_a_liaison_may_look_but_not_end_or_adjust(self):
        self.login(self.liaison)
        for name in ("pairing_adjust", "pairing_end"):
            with self.subTest(page=name):
                self.assertEqual(
                    self.client.get(reverse(name, args=[self.pair_a.pk])).status_code, 403
                )
        response = self.client.get(reverse("pairing_detail", args=[self.pair_a.pk]))
        self.assertNotContains(response, reverse("pairing_end", args=[self.pair_a.pk]))


class PairingFormsTest(PairingServicesBase):
    create_url = reverse("pairing_create")

    def test_the_tier_chooser_offers_the_four_tiers(self):
        self.login(self.city_admin)
        response = self.client.get(self.create_url)
        for tier in Tier:
            self.assertContains(response, f"?tier={tier.value}")

    def test_it_pairs_a_county_department_with_a_home_of_its_county(self):
        self.login(self.county_a_worker)
        response = self.client.post(
            self.create_url,
            {
                "tier": "3",
                "helper": self.county_department_a.pk,
                "institution": self.home_a.pk,
                "started_on": TODAY().isoformat(),
                "note": "一对一结对",
            },
        )
        pairing = Pairing.objects.get(tier=Tier.COUNTY_DEPARTMENT)
        self.assertRedirects(response, reverse("pairing_detail", args=[pairing.pk]))
        self.assertEqual(pairing.created_by, self.county_a_worker)

    def test_it_offers_only_what_the_user_can_see(self):
        self.login(self.county_b_worker)
        form = self.client.get(f"{self.create_url}?tier=3").context["form"]
        self.assertEqual(list(form.fields["institution"].queryset), [self.home_b])
        self.assertEqual(list(form.fields["helper"].queryset), [self.county_department_b])
        form = self.client.get(f"{self.create_url}?tier=2").context["form"]
        self.assertEqual(list(form.fields["leader"].queryset), [])
        self.assertEqual(list(form.fields["area"].queryset), [self.township_b])

    def test_the_city_tier_is_paired_by_the_city_alone(self):
        self.login(self.county_b_worker)
        self.assertEqual(self.client.get(f"{self.create_url}?tier=1").status_code, 403)
        self.assertNotContains(self.client.get(self.create_url), "?tier=1")
        self.login(self.city_admin)
        self.assertEqual(self.client.get(f"{self.create_url}?tier=1").status_code, 200)

    def test_it_refuses_a_party_out_of_sight_as_an_invalid_choice(self):
        self.login(self.county_b_worker)
        response = self.client.post(
            self.create_url,
            {
                "tier": "3",
                "helper": self.county_department_a.pk,
                "institution": self.home_a.pk,
                "started_on": TODAY(),
            },
        )
        errors = response.context["form"].errors
        self.assertIn("helper", errors)
        self.assertIn("institution", errors)
        self.assertIn("选择一个有效的选项", errors["helper"][0])
        self.assertFalse(Pairing.objects.filter(tier=Tier.COUNTY_DEPARTMENT).exists())

    def test_it_explains_the_one_to_one_rule_on_the_field(self):
        self.county_pair()
        self.login(self.county_a_worker)
        response = self.client.post(
            self.create_url,
            {
                "tier": "3",
                "helper": self.county_department_a.pk,
                "institution": self.home_a2.pk,
                "started_on": TODAY(),
            },
        )
        self.assertEqual(response.context["form"].errors["helper"], ["该县级部门已有一对一结对。"])

    def test_it_names_missing_fields_in_chinese(self):
        self.login(self.city_admin)
        response = self.client.post(self.create_url, {"tier": "4", "started_on": "not a date"})
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"helper", "area", "started_on"})
        self.assertEqual(errors["started_on"], ["输入一个有效的日期。"])

    def test_adjusting_hands_the_home_to_another_helper_with_a_reason(self):
        self.login(self.city_admin)
        url = reverse("pairing_adjust", args=[self.pair_a.pk])
        form = self.client.get(url).context["form"]
        self.assertEqual(form.initial["helper"], self.department.pk)
        response = self.client.post(
            url,
            {
                "helper": self.social_org.pk,
                "institution": self.home_a.pk,
                "ended_on": TODAY().isoformat(),
                "reason": "市民政局机构改革",
            },
        )
        successor = Pairing.objects.get(previous=self.pair_a)
        self.assertRedirects(response, reverse("pairing_detail", args=[successor.pk]))
        self.assertEqual(successor.helper, self.social_org)

    def test_adjusting_without_a_reason_or_a_change_writes_nothing(self):
        self.login(self.city_admin)
        url = reverse("pairing_adjust", args=[self.pair_a.pk])
        base = {"helper": self.department.pk, "institution": self.home_a.pk, "ended_on": TODAY()}
        errors = (
            self.client.post(url, {**base, "helper": self.social_org.pk}).context["form"].errors
        )
        self.assertEqual(errors["reason"], ["这个字段是必填项。"])
        response = self.client.post(url, {**base, "reason": "没有变化"})
        self.assertEqual(
            response.context["form"].non_field_errors(), ["请更换帮扶方或结对对象后再调整。"]
        )
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)
        self.assertEqual(Pairing.objects.count(), 2)

    def test_ending_a_pair_needs_a_reason(self):
        self.login(self.city_admin)
        url = reverse("pairing_end", args=[self.pair_a.pk])
        errors = self.client.post(url, {"ended_on": TODAY(), "reason": ""}).context["form"].errors
        self.assertIn("reason", errors)
        future = TODAY() + datetime.timedelta(days=3)
        errors = (
            self.client.post(url, {"ended_on": future, "reason": "撤并"}).context["form"].errors
        )
        self.assertEqual(errors["ended_on"], ["结束日期不能晚于今天。"])
        response = self.client.post(url, {"ended_on": TODAY(), "reason": "部门撤并"})
        self.assertRedirects(response, reverse("pairing_detail", args=[self.pair_a.pk]))
        self.pair_a.refresh_from_db()
        self.assertEqual(self.pair_a.end_reason, "部门撤并")
        # An ended pair offers no more writes.
        response = self.client.get(reverse("pairing_detail", args=[self.pair_a.pk]))
        self.assertNotContains(response, url)
        for name in ("pairing_end", "pairing_adjust"):
            response = self.client.get(reverse(name, args=[self.pair_a.pk]), follow=True)
            self.assertRedirects(response, reverse("pairing_detail", args=[self.pair_a.pk]))
            self.assertContains(response, "该结对已经结束。")

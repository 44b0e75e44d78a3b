"""Meal assistance pages: a point's staff record meals by card, ID number and QR code; a
second claim is refused on the page; a diner's card carries a QR code that redeems;
settlement and its Excel statement; another county's sites answer 404."""

import io

from openpyxl import load_workbook

from carepair.lib.vault import vault
from carepair.meals.models import Meal, Settlement
from tests.test_meals import LAST_MONTH, MealsTestCase


class PointPageTests(MealsTestCase):
    def record(self, code, slot="lunch", site=None):
        return self.client.post(
            f"/meals/sites/{(site or self.point_a).pk}/", {"code": code, "slot": slot}
        )

    def test_staff_record_meals_by_card_id_number_and_qr_code(self):
        self.login(self.staff)
        page = self.record(self.old.diner.card_no.lower())
        self.assertContains(page, "钱*福")
        self.assertContains(page, "3.00 元")  # what the diner pays: 12 - 9
        number = vault().decrypt(self.young.id_cipher)
        self.assertContains(self.record(number), "孙*珍")
        self.assertContains(self.record(f"carepair-meal:{self.hardship.diner.qr_token}"), "赵*兰")
        methods = sorted(Meal.objects.values_list("method", flat=True))
        self.assertEqual(methods, ["card", "id", "qr"])

    def test_a_second_claim_is_refused_with_where_it_was_had(self):
        self.login(self.staff)
        self.record(self.old.diner.card_no)
        page = self.record(self.old.diner.card_no, site=self.point_a2)
        self.assertContains(page, "凌云社区助餐点")
        self.assertContains(page, 'role="alert"')
        self.assertEqual(Meal.objects.count(), 1)

    def test_an_unknown_card_is_refused_clearly(self):
        self.login(self.staff)
        self.assertContains(self.record("LS0000000001"), "没有找到")

    def test_the_network_lists_the_sites_in_reach(self):
        self.redeem(self.old)
        self.login(self.county_a_worker)
        page = self.client.get("/meals/")
        counts = {s.name: (s.diner_count, s.meals_today) for s in page.context["page"]}
        self.assertEqual(counts["凌云社区助餐点"], (3, 1))
        self.assertEqual(counts["凌云街道乐养小食堂"], (0, 0))
        self.assertContains(page, "凌云社区助餐点")
        self.assertNotContains(page, "葫芦村助餐点")

    def test_another_countys_site_and_diner_card_answer_404(self):
        self.login(self.county_b_worker)
        self.assertEqual(self.client.get(f"/meals/sites/{self.point_a.pk}/").status_code, 404)
        card = f"/meals/diners/{self.old.diner.pk}/card/"
        self.assertEqual(self.client.get(card).status_code, 404)
        self.login(self.staff_b)
        self.assertEqual(self.record(self.old.diner.card_no).status_code, 404)

    def test_a_diners_card_shows_the_qr_code_to_print(self):
        self.login(self.county_a_worker)
        site = self.client.get(f"/meals/sites/{self.point_a.pk}/")
        self.assertContains(site, f"/meals/diners/{self.old.diner.pk}/card/")
        page = self.client.get(f"/meals/diners/{self.old.diner.pk}/card/")
        self.assertContains(page, "<svg")
        self.assertContains(page, self.old.diner.card_no)

    def test_a_role_without_meals_is_refused(self):
        self.login(self.liaison)
        self.assertEqual(self.client.get("/meals/").status_code, 403)


class SettlementPageTests(MealsTestCase):
    def test_a_month_is_settled_locked_and_its_statement_adds_up(self):
        for person in (self.old, self.young):
            self.redeem(person, served_on=str(LAST_MONTH))
        self.login(self.county_a_worker)
        page = self.client.post(
            "/meals/settlements/settle/",
            {"operator": self.home_a.pk, "month": f"{LAST_MONTH:%Y-%m}", "lock": "1"},
        )
        self.assertRedirects(page, "/meals/settlements/")
        settlement = Settlement.objects.get()
        self.assertTrue(settlement.locked)
        self.assertContains(self.client.get("/meals/settlements/"), "16.00 元")
        statement = self.client.get(f"/meals/settlements/{settlement.pk}/statement.xlsx")
        rows = list(load_workbook(io.BytesIO(statement.content)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "用餐日期")
        self.assertEqual(len(rows), 1 + 2 + 1)  # header, two meals, totals
        self.assertEqual(float(rows[-1][6]), 16.0)  # 9 + 7 yuan of subsidy
        again = self.client.post(
            "/meals/settlements/settle/",
            {"operator": self.home_a.pk, "month": f"{LAST_MONTH:%Y-%m}", "lock": "1"},
        )
        self.assertEqual(again.status_code, 400)

    def test_another_county_cannot_settle_or_download_ours(self):
        self.redeem(self.old, served_on=str(LAST_MONTH))
        self.login(self.county_a_worker)
        self.client.post(
            "/meals/settlements/settle/",
            {"operator": self.home_a.pk, "month": f"{LAST_MONTH:%Y-%m}", "lock": "1"},
        )
        settlement = Settlement.objects.get()
        self.login(self.county_b_worker)
        url = f"/meals/settlements/{settlement.pk}/statement.xlsx"
        self.assertEqual(self.client.get(url).status_code, 404)
        page = self.client.post(
            "/meals/settlements/settle/", {"operator": self.home_a.pk, "month": "2026-01"}
        )
        self.assertEqual(page.status_code, 404)

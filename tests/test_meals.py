"""Meal assistance (老年助餐): the subsidy of each category and age band, caps and rule
versions by date; one subsidised meal per diner, slot and day across the city, also when
two points submit at once; offline uploads; settled months locked; scope."""

import datetime
import threading

from django.db import connection
from django.test import TransactionTestCase, override_settings

from carepair.api.meals import ClaimedOut, RedemptionOut
from carepair.lib.vault import vault
from carepair.meals import rules, services
from carepair.meals.models import (
    Adjustment,
    Meal,
    MealSite,
    SiteKind,
    SiteStatus,
    SubsidyRule,
    site_at_till,
)
from carepair.people.models import Category
from carepair.people.services import CategoryLine, person_register
from tests.base import TODAY, build_personas
from tests.people_base import id_for, years_ago
from tests.test_api_base import ApiTestCase

LAST_MONTH = (TODAY().replace(day=1) - datetime.timedelta(days=1)).replace(day=10)


def site(name, region, operator, kind=SiteKind.POINT, status=SiteStatus.OPEN) -> MealSite:
    return MealSite.objects.create(
        name=name, kind=kind, region=region, operator=operator, status=status
    )


def registered(world, name, age, seq, categories=(), region=None, actor=None):
    region = region or world.village_a
    return person_register(
        actor=actor or world.township_worker,
        name=name,
        id_number=id_for(region.code[:6], years_ago(age, 20), seq),
        region=region,
        categories=[CategoryLine(c, TODAY() - datetime.timedelta(days=400)) for c in categories],
    )


def make_world(world):
    rules.load(SubsidyRule)  # a transactional test's flush removes the migration's rules
    world.point_a = site("凌云社区助餐点", world.village_a, world.home_a)
    world.point_a2 = site("凌云街道乐养小食堂", world.township_a, world.home_a, SiteKind.CANTEEN)
    world.point_b = site("葫芦村助餐点", world.village_b, world.home_b)
    world.closed = site("已关闭助餐点", world.village_a, world.home_a, status=SiteStatus.CLOSED)
    world.hardship = registered(world, "赵桂兰", 70, 11, [Category.EXTREME_HARDSHIP])
    world.old = registered(world, "钱德福", 85, 12, [Category.OVER_80])
    world.young = registered(world, "孙秀珍", 65, 13)
    for person in (world.hardship, world.old, world.young):
        services.diner_enroll(actor=world.county_a_worker, person=person, site=world.point_a)


class MealsTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_world(cls)

    def redeem(self, diner_person, site=None, slot="lunch", user=None, **extra):
        body = {"site_id": (site or self.point_a).pk, "slot": slot, **extra}
        if "card_no" not in extra and "id_number" not in extra and "qr" not in extra:
            body["card_no"] = diner_person.diner.card_no
        answer = self.post(user or self.staff, "/meals/redemptions", body)
        # The endpoint answers with what it built: every answer keeps to its schema.
        if answer.status_code in (200, 201):
            RedemptionOut.model_validate(answer.json())
        elif answer.status_code == 409 and "meal" in answer.json():
            ClaimedOut.model_validate(answer.json())
        return answer


class SubsidyTests(MealsTestCase):
    def test_each_category_and_age_band_gets_its_subsidy(self):
        for person, subsidy in ((self.hardship, 1100), (self.old, 900), (self.young, 700)):
            answer = self.redeem(person)
            self.assertEqual(answer.status_code, 201, answer.json())
            body = answer.json()
            self.assertEqual((body["subsidy_fen"], body["diner_fen"]), (subsidy, 1200 - subsidy))
            paid = body["paid_by"]
            self.assertEqual(sum(paid.values()), subsidy)
            self.assertEqual(paid["city_fen"], subsidy // 2)

    def test_a_new_rule_applies_from_its_date_and_the_old_one_before(self):
        old = SubsidyRule.objects.get(name="60至79岁老人助餐补贴")
        old.effective_to = TODAY() - datetime.timedelta(days=1)
        old.save()
        SubsidyRule.objects.create(
            name="60至79岁老人助餐补贴（新）", min_age=60, max_age=79, price_fen=1200,
            subsidy_fen=800, slots=["lunch", "dinner"], effective_from=TODAY(),
        )  # fmt: skip
        before = self.redeem(self.young, served_on=str(TODAY() - datetime.timedelta(days=2)))
        today = self.redeem(self.young)
        self.assertEqual((before.json()["subsidy_fen"], today.json()["subsidy_fen"]), (700, 800))

    def test_past_the_monthly_cap_a_meal_is_at_full_price(self):
        SubsidyRule.objects.filter(name="60至79岁老人助餐补贴").update(monthly_cap=2)
        day, next_day = str(LAST_MONTH), str(LAST_MONTH + datetime.timedelta(days=1))
        fen = [
            self.redeem(self.young, slot=slot, served_on=on).json()["subsidy_fen"]
            for slot, on in (
                ("breakfast", day),
                ("lunch", day),
                ("dinner", day),
                ("lunch", next_day),
            )
        ]
        # No rule covers breakfast; lunch and dinner are the two within the cap; then none.
        self.assertEqual(fen, [0, 700, 700, 0])
        self.assertEqual(Meal.objects.get(served_on=next_day, slot="lunch").diner_fen, 1200)

    def test_the_diner_is_found_by_id_number_and_by_qr_code(self):
        number = vault().decrypt(self.old.id_cipher)
        by_id = self.redeem(self.old, id_number=number.lower())
        self.assertEqual((by_id.status_code, by_id.json()["method"]), (201, "id"))
        self.assertEqual(by_id.json()["diner_name"], "钱*福")
        by_qr = self.redeem(self.old, slot="dinner", qr=f"carepair-meal:{self.old.diner.qr_token}")
        self.assertEqual((by_qr.status_code, by_qr.json()["method"]), (201, "qr"))


class ClaimTests(MealsTestCase):
    def test_a_second_claim_is_refused_at_any_point_of_the_city(self):
        self.assertEqual(self.redeem(self.old).status_code, 201)
        again = self.redeem(self.old, site=self.point_a2)
        self.assertEqual(again.status_code, 409)
        self.assertIn("凌云社区助餐点", again.json()["detail"])
        # As the rest of the API answers: Chinese as itself, not as \u escapes.
        self.assertIn("凌云社区助餐点", again.content.decode())
        self.assertEqual(again.json()["meal"]["site_id"], self.point_a.pk)
        self.assertEqual(Meal.objects.filter(diner__person=self.old).count(), 1)

    def test_bad_redemptions_are_refused_with_a_reason(self):
        unknown = self.redeem(self.old, card_no="LS0000000000")
        self.assertEqual(unknown.status_code, 422)
        self.assertIn("diner", unknown.json()["errors"])
        closed = self.redeem(self.old, site=self.closed)
        self.assertEqual(closed.status_code, 422)
        future = self.redeem(self.old, served_on=str(TODAY() + datetime.timedelta(days=1)))
        self.assertEqual(future.status_code, 422)
        self.assertIn("served_on", future.json()["errors"])
        self.assertFalse(Meal.objects.exists())

    def test_another_countys_point_answers_404_and_its_staff_cannot_use_ours(self):
        self.assertEqual(self.redeem(self.old, site=self.point_b).status_code, 404)
        self.assertEqual(self.redeem(self.old, user=self.staff_b).status_code, 404)
        self.assertEqual(self.redeem(self.old, user=self.county_b_worker).status_code, 404)

    def test_an_offline_upload_keeps_each_record_once_and_reports_conflicts(self):
        self.redeem(self.young)  # recorded online at lunch
        body = {"redemptions": [
            {"site_id": self.point_a.pk, "slot": "lunch", "card_no": self.old.diner.card_no,
             "client_ref": "p1-001"},
            {"site_id": self.point_a.pk, "slot": "lunch", "card_no": self.young.diner.card_no,
             "client_ref": "p1-002"},
            {"site_id": self.point_a.pk, "slot": "lunch", "card_no": "nobody",
             "client_ref": "p1-003"},
        ]}  # fmt: skip
        first = self.post(self.staff, "/meals/redemptions/batch", body).json()
        self.assertEqual(
            [r["status"] for r in first["results"]], ["created", "conflict", "refused"]
        )
        again = self.post(self.staff, "/meals/redemptions/batch", body).json()
        self.assertEqual(again["results"][0]["status"], "duplicate")
        self.assertEqual(Meal.objects.filter(diner__person=self.old).count(), 1)
        self.assertTrue(Meal.objects.get(client_ref="p1-001").late)


class RedemptionCostTests(MealsTestCase):
    def test_a_redemption_reads_and_writes_what_it_needs_and_no_more(self):
        # The token's last use, and the row of the county's day this diner's meals go to,
        # are recorded first.
        self.redeem(self.old, slot="breakfast")
        # The token, the site in scope, the diner with their categories, the rules; in
        # the write (a savepoint inside the test's transaction): the diner's row lock
        # where the database has row locks, the site's state with the month's lock and
        # the diner's meals in one, the meal, the county's day.
        expected = 9 + connection.features.has_select_for_update
        with self.assertNumQueries(expected):
            response = self.redeem(self.old)
        self.assertEqual(response.status_code, 201)
        # The second claim: instead of the meal and the county's day, the first meal (to
        # name it) and the rollback of the write.
        with self.assertNumQueries(expected):
            again = self.redeem(self.old)
        self.assertEqual(again.status_code, 409)


class TillScopeTests(MealsTestCase):
    def test_the_tills_site_lookup_sees_exactly_what_visible_to_sees(self):
        users = [self.city_admin, self.county_a_worker, self.county_b_worker, self.staff,
                 self.staff_b, self.township_worker, self.liaison]  # fmt: skip
        for user in users:
            for site in MealSite.objects.all():
                expected = MealSite.objects.visible_to(user).filter(pk=site.pk).exists()
                for _twice in range(2):  # built once, then reused from the cache
                    found = site_at_till(user, site.pk)
                    self.assertEqual(found is not None, expected, (user.username, site.name))
                    if found is not None:
                        self.assertEqual((found.name, found.status), (site.name, site.status))


class SettlementTests(MealsTestCase):
    def test_a_settled_month_equals_its_meals_and_stays_locked(self):
        for person in (self.hardship, self.old, self.young):
            self.redeem(person, served_on=str(LAST_MONTH))
        settlement = services.settle(
            actor=self.county_a_worker, operator=self.home_a, month=LAST_MONTH
        )
        meals = Meal.objects.filter(served_on=LAST_MONTH)
        self.assertEqual(settlement.meals, 3)
        self.assertEqual(settlement.subsidy_fen, 1100 + 900 + 700)
        self.assertEqual(
            settlement.city_fen + settlement.county_fen + settlement.township_fen,
            settlement.subsidy_fen,
        )
        self.assertEqual(settlement.diner_fen, sum(m.diner_fen for m in meals))
        late = self.redeem(self.old, slot="dinner", served_on=str(LAST_MONTH))
        self.assertEqual(late.status_code, 409)
        with self.assertRaises(services.IllegalTransition):
            services.settle(actor=self.county_a_worker, operator=self.home_a, month=LAST_MONTH)

    def test_a_correction_of_a_locked_month_is_an_adjustment_in_an_open_one(self):
        self.redeem(self.old, served_on=str(LAST_MONTH))
        services.settle(actor=self.county_a_worker, operator=self.home_a, month=LAST_MONTH)
        meal = Meal.objects.get()
        adjustment = services.adjust(
            actor=self.county_a_worker, meal=meal, subsidy_fen=-900, reason="当日未实际就餐"
        )
        self.assertEqual(adjustment.month, TODAY().replace(day=1))
        meal.refresh_from_db()
        self.assertEqual(meal.subsidy_fen, 900)  # the locked month's meal is as it was
        current = services.settle(
            actor=self.county_a_worker, operator=self.home_a, month=TODAY(), lock=False
        )
        self.assertEqual(current.adjustments_fen, -900)
        self.assertEqual(Adjustment.objects.count(), 1)

    def test_a_month_not_over_cannot_be_locked(self):
        with self.assertRaises(services.ValidationError):
            services.settle(actor=self.county_a_worker, operator=self.home_a, month=TODAY())

    def test_another_county_cannot_settle_our_operator(self):
        with self.assertRaises(services.NotAllowed):
            services.settle(actor=self.county_b_worker, operator=self.home_a, month=LAST_MONTH)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class KeptRulesTests(TransactionTestCase):
    """A server process keeps the subsidy rules between meals (outside a transaction);
    a change committed anywhere applies from the next meal."""

    def test_a_rule_changed_and_committed_applies_to_the_next_meal(self):
        build_personas(self)
        make_world(self)

        def subsidy(slot: str) -> int:
            meal, _created = services.redeem(
                actor=self.staff,
                site_id=self.point_a.pk,
                slot=slot,
                method="card",
                card_no=self.young.diner.card_no,
            )
            return meal.subsidy_fen

        self.assertEqual(subsidy("lunch"), 700)
        rule = SubsidyRule.objects.get(name="60至79岁老人助餐补贴")
        rule.subsidy_fen = 800
        rule.save()
        self.assertEqual(subsidy("dinner"), 800)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ConcurrentClaimTests(TransactionTestCase):
    """Two points submit the same diner's lunch at the same moment: one meal, one 409."""

    def test_two_points_at_once_make_one_meal(self):
        build_personas(self)
        make_world(self)
        card = self.old.diner.card_no
        barrier = threading.Barrier(2)
        outcomes = []

        def claim(point):
            try:
                barrier.wait()
                services.redeem(
                    actor=self.staff, site_id=point.pk, slot="lunch", method="card", card_no=card
                )
                outcomes.append("meal")
            except services.AlreadyClaimed:
                outcomes.append("409")
            finally:
                connection.close()

        threads = [threading.Thread(target=claim, args=(p,)) for p in (self.point_a, self.point_a2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(outcomes), ["409", "meal"])
        self.assertEqual(Meal.objects.filter(diner__person=self.old).count(), 1)


class SummaryTests(MealsTestCase):
    def test_the_summary_counts_meal_points_meals_and_subsidy_in_reach(self):
        from carepair.reports import rollup
        from carepair.reports.selectors import Period, programme_summary

        for person in (self.hardship, self.old, self.young):
            self.redeem(person)
        self.redeem(self.old, served_on=str(LAST_MONTH))
        services.adjust(
            actor=self.county_a_worker,
            meal=Meal.objects.get(served_on=LAST_MONTH),
            subsidy_fen=-900,
            reason="更正",
        )
        self.assertEqual(rollup.differences(), [])
        city = programme_summary(user=self.city_admin)
        self.assertEqual((city["meal_points"], city["meals_served"]), (2, 4))  # open points
        self.assertEqual(city["meal_subsidy_fen"], 1100 + 900 + 700 + 900 - 900)
        today = programme_summary(user=self.city_admin, period=Period(TODAY(), TODAY()))
        self.assertEqual(today["meals_served"], 3)
        # A township worker counts from the meals themselves; the same figures.
        mine = programme_summary(user=self.township_worker, period=Period(TODAY(), TODAY()))
        self.assertEqual((mine["meals_served"], mine["meal_subsidy_fen"]), (3, 2700 - 900))
        self.assertEqual(programme_summary(user=self.county_b_worker)["meals_served"], 0)
        self.assertEqual(programme_summary(user=self.liaison)["meals_served"], 0)
        rollup.rebuild()
        self.assertEqual(programme_summary(user=self.city_admin)["meals_served"], 4)

"""The coverage page: who is not paired, and which pairs have gone quiet."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carepair.ledger.models import Activity, Category
from carepair.ledger.models import Kind as ActivityKind
from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation
from carepair.pairing import selectors, services
from carepair.pairing.models import Tier
from tests.base import TODAY, make_region
from tests.test_orgs_pages import xlsx_rows
from tests.test_pairing_services import PairingServicesBase


def days_ago(n: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=n)


class CoverageTest(PairingServicesBase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.village_a2 = make_region("511102001002", "篦子街社区", cls.township_a)

    def activity(self, *, helpers=(), institution=None, area=None, on, by=None) -> Activity:
        activity = Activity.objects.create(
            kind=ActivityKind.ASSISTANCE,
            category=Category.FESTIVAL,
            title="重阳节慰问",
            occurred_on=on,
            institution=institution,
            area=area,
            region=institution.region if institution else area,
            recorded_by=by or self.city_admin,
        )
        activity.helpers.set(helpers)
        return activity

    def pair(self, **kwargs):
        kwargs.setdefault("started_on", days_ago(200))
        return services.pairing_create(actor=self.fresh(self.city_admin), **kwargs)

    # Institutions without a pair

    def test_an_institution_without_a_pair_in_force_is_listed_until_paired(self):
        admin = self.fresh(self.city_admin)
        self.assertEqual(list(selectors.institutions_unpaired(admin)), [self.home_a2])
        self.pair(
            tier=Tier.COUNTY_DEPARTMENT, helper=self.county_department_a, institution=self.home_a2
        )
        self.assertEqual(list(selectors.institutions_unpaired(admin)), [])
        services.pairing_end(actor=admin, pairing=self.pair_a, ended_on=TODAY(), reason="撤并")
        self.assertEqual(list(selectors.institutions_unpaired(admin)), [self.home_a])

    def test_inactive_institutions_are_not_gaps(self):
        Organisation.objects.filter(pk=self.home_a2.pk).update(is_active=False)
        self.assertEqual(list(selectors.institutions_unpaired(self.fresh(self.city_admin))), [])

    # Areas

    def test_a_township_without_a_county_leader_is_listed(self):
        admin = self.fresh(self.city_admin)
        self.assertEqual(
            set(selectors.townships_without_liaison(admin)), {self.township_a, self.township_b}
        )
        self.pair(tier=Tier.COUNTY_LEADER, leader=self.leader_a, area=self.township_a)
        self.assertEqual(list(selectors.townships_without_liaison(admin)), [self.township_b])

    def test_a_village_without_a_township_pair_is_listed(self):
        admin = self.fresh(self.city_admin)
        self.pair(tier=Tier.TOWNSHIP, helper=self.township_org_a, area=self.village_a)
        self.assertEqual(
            set(selectors.villages_without_township_pair(admin)), {self.village_a2, self.village_b}
        )

    # Quiet pairs

    def test_a_pair_with_no_recent_activity_of_its_helper_is_quiet(self):
        admin = self.fresh(self.city_admin)
        self.assertEqual(set(selectors.quiet_pairings(admin)), {self.pair_a, self.pair_b})
        # Another organisation's visit does not count for the pair.
        self.activity(helpers=[self.social_org], institution=self.home_a, on=days_ago(5))
        # A visit of the helper elsewhere does not either.
        self.activity(helpers=[self.department], institution=self.home_b, on=days_ago(5))
        self.assertIn(self.pair_a, selectors.quiet_pairings(admin))
        self.activity(helpers=[self.department], institution=self.home_a, on=days_ago(90))
        self.assertEqual(list(selectors.quiet_pairings(admin)), [self.pair_b])

    def test_an_old_activity_leaves_the_pair_quiet_and_dates_it(self):
        self.activity(helpers=[self.department], institution=self.home_a, on=days_ago(91))
        self.activity(helpers=[self.department], institution=self.home_a, on=days_ago(300))
        quiet = {p.pk: p for p in selectors.quiet_pairings(self.fresh(self.city_admin))}
        self.assertEqual(quiet[self.pair_a.pk].last_activity, days_ago(91))
        self.assertIsNone(quiet[self.pair_b.pk].last_activity)

    def test_area_pairs_count_activities_within_their_area(self):
        admin = self.fresh(self.city_admin)
        township = self.pair(tier=Tier.TOWNSHIP, helper=self.township_org_a, area=self.village_a)
        leader = self.pair(tier=Tier.COUNTY_LEADER, leader=self.leader_a, area=self.township_a)
        quiet = set(selectors.quiet_pairings(admin))
        self.assertTrue({township, leader} <= quiet)
        # The township's household visit in the village; the leader's visit to a home in
        # another village of the township.
        self.activity(helpers=[self.township_org_a], area=self.village_a, on=days_ago(3))
        self.activity(
            helpers=[self.department], institution=self.home_a, on=days_ago(3), by=self.leader_a
        )
        quiet = set(selectors.quiet_pairings(admin))
        self.assertNotIn(township, quiet)
        self.assertNotIn(leader, quiet)
        self.assertNotIn(self.pair_a, quiet)

    def test_a_village_activity_counts_only_for_its_own_village(self):
        township = self.pair(tier=Tier.TOWNSHIP, helper=self.township_org_a, area=self.village_a2)
        self.activity(helpers=[self.township_org_a], area=self.village_a, on=days_ago(3))
        self.assertIn(township, selectors.quiet_pairings(self.fresh(self.city_admin)))

    def test_a_young_pair_has_not_had_time_to_go_quiet(self):
        young = self.pair(
            tier=Tier.COUNTY_DEPARTMENT,
            helper=self.county_department_a,
            institution=self.home_a2,
            started_on=days_ago(30),
        )
        self.assertNotIn(young, selectors.quiet_pairings(self.fresh(self.city_admin)))

    # The page

    def test_each_list_keeps_to_the_users_county(self):
        self.login(self.county_b_worker)
        url = reverse("coverage")
        cases = {
            "institutions": [],
            "townships": [self.township_b],
            "villages": [self.village_b],
            "quiet": [self.pair_b],
        }
        for show, wanted in cases.items():
            with self.subTest(show=show):
                response = self.client.get(f"{url}?show={show}")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["page"].object_list), wanted)
                self.assertNotContains(response, "凌云")

    def test_each_list_exports_to_excel_within_scope(self):
        self.login(self.county_a_worker)
        url = reverse("coverage")
        expected = {
            "institutions": [self.home_a2.name],
            "townships": [self.township_a.name],
            "villages": [self.village_a.name, self.village_a2.name],
            "quiet": [self.department.name],
        }
        for show, names in expected.items():
            with self.subTest(show=show):
                rows = xlsx_rows(self.client.get(f"{url}?show={show}&format=xlsx"))
                self.assertEqual(
                    sorted(r[0] if show != "quiet" else r[1] for r in rows[1:]), sorted(names)
                )

    def test_its_query_count_does_not_grow_with_the_rows(self):
        self.login(self.city_admin)
        url = reverse("coverage")
        for offset, show in ((10, "institutions"), (30, "villages"), (50, "quiet")):
            with self.subTest(show=show):
                self.client.get(f"{url}?show={show}")
                with CaptureQueriesContext(connection) as few:
                    self.client.get(f"{url}?show={show}")
                for i in range(10):
                    region = make_region(
                        f"511111101{offset + i:03}", f"新村{show}{i}", self.township_b
                    )
                    home = Organisation.objects.create(
                        name=f"新建养老院{show}{i}",
                        kind=Kind.INSTITUTION,
                        region=region,
                        institution_type=InstitutionType.ELDERLY_HOME,
                        operator=Operator.PRIVATE,
                    )
                    if show == "quiet":
                        self.pair(
                            tier=Tier.CITY_DEPARTMENT, helper=self.social_org, institution=home
                        )
                with CaptureQueriesContext(connection) as many:
                    response = self.client.get(f"{url}?show={show}")
                self.assertGreaterEqual(len(response.context["page"].object_list), 10)
                self.assertEqual(len(many), len(few))

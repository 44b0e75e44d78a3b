"""Pair, adjust, end: the rules of each tier, the one-to-one rule, the history chain,
and nothing half-written when a step is refused."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from carepair.accounts.roles import Role
from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation
from carepair.pairing import services
from carepair.pairing.models import Pairing, Tier
from tests.base import TODAY, make_user
from tests.test_orgs_pages import RegistryTestCase


class PairingServicesBase(RegistryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.leader_a = make_user("leader_a", Role.COUNTY_LEADER, region=cls.county_a)
        cls.county_department_a2 = Organisation.objects.create(
            name="市中区教育局", kind=Kind.COUNTY_DEPARTMENT, region=cls.county_a
        )
        cls.county_department_b = Organisation.objects.create(
            name="沙湾区民政局", kind=Kind.COUNTY_DEPARTMENT, region=cls.county_b
        )
        cls.home_a2 = Organisation.objects.create(
            name="凌云社区养老院",
            kind=Kind.INSTITUTION,
            region=cls.village_a,
            institution_type=InstitutionType.ELDERLY_HOME,
            operator=Operator.PRIVATE,
        )

    def admin(self):
        return self.fresh(self.city_admin)

    def county_pair(self, helper=None, institution=None, **extra) -> Pairing:
        return services.pairing_create(
            actor=extra.pop("actor", None) or self.admin(),
            tier=Tier.COUNTY_DEPARTMENT,
            helper=helper or self.county_department_a,
            institution=institution or self.home_a,
            started_on=extra.pop("started_on", TODAY() - datetime.timedelta(days=30)),
            **extra,
        )


class PairingCreateTest(PairingServicesBase):
    def test_it_pairs_each_of_the_four_tiers(self):
        start = TODAY()
        made = [
            services.pairing_create(
                actor=self.admin(),
                tier=Tier.CITY_DEPARTMENT,
                helper=self.social_org,
                institution=self.home_a2,
                started_on=start,
            ),
            services.pairing_create(
                actor=self.admin(),
                tier=Tier.COUNTY_LEADER,
                leader=self.leader_a,
                area=self.township_a,
                started_on=start,
            ),
            self.county_pair(started_on=start),
            services.pairing_create(
                actor=self.admin(),
                tier=Tier.TOWNSHIP,
                helper=self.township_org_a,
                area=self.village_a,
                started_on=start,
            ),
        ]
        self.assertEqual([p.tier for p in made], [1, 2, 3, 4])
        self.assertEqual(
            [p.region_id for p in made],
            [self.village_a.code, self.township_a.code, self.village_a.code, self.village_a.code],
        )
        for pairing in made:
            record = pairing.history.get()
            self.assertEqual((record.history_type, record.history_user), ("+", self.city_admin))

    def test_it_refuses_parties_that_do_not_fit_the_tier(self):
        cases = [
            (
                {
                    "tier": Tier.CITY_DEPARTMENT,
                    "helper": self.township_org_a,
                    "institution": self.home_a,
                },
                "helper",
            ),
            (
                {
                    "tier": Tier.CITY_DEPARTMENT,
                    "helper": self.department,
                    "institution": self.department,
                },
                "institution",
            ),
            (
                {
                    "tier": Tier.COUNTY_LEADER,
                    "leader": self.county_a_worker,
                    "area": self.township_a,
                },
                "leader",
            ),
            ({"tier": Tier.COUNTY_LEADER, "leader": self.leader_a, "area": self.village_a}, "area"),
            (
                {"tier": Tier.COUNTY_LEADER, "leader": self.leader_a, "area": self.township_b},
                "area",
            ),
            (
                {"tier": Tier.TOWNSHIP, "helper": self.township_org_a, "area": self.village_b},
                "area",
            ),
            (
                {
                    "tier": Tier.COUNTY_DEPARTMENT,
                    "helper": self.county_department_b,
                    "institution": self.home_a2,
                },
                "institution",
            ),
        ]
        for kwargs, field in cases:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(ValidationError) as caught:
                    services.pairing_create(actor=self.admin(), started_on=TODAY(), **kwargs)
                self.assertIn(field, caught.exception.error_dict)
        self.assertEqual(Pairing.objects.count(), 2)

    def test_a_county_department_pairs_one_to_one(self):
        self.county_pair()
        with self.assertRaises(ValidationError) as caught:
            self.county_pair(institution=self.home_a2)
        self.assertIn("helper", caught.exception.error_dict)
        with self.assertRaises(ValidationError) as caught:
            self.county_pair(helper=self.county_department_a2)
        self.assertIn("institution", caught.exception.error_dict)
        self.assertEqual(Pairing.objects.filter(tier=Tier.COUNTY_DEPARTMENT).count(), 1)

    def test_a_city_department_pair_in_force_is_not_made_twice(self):
        with self.assertRaises(ValidationError):
            services.pairing_create(
                actor=self.admin(),
                tier=Tier.CITY_DEPARTMENT,
                helper=self.department,
                institution=self.home_a,
                started_on=TODAY(),
            )

    def test_a_county_administrator_cannot_pair_in_another_county(self):
        with self.assertRaises(PermissionDenied):
            services.pairing_create(
                actor=self.fresh(self.county_a_worker),
                tier=Tier.COUNTY_DEPARTMENT,
                helper=self.county_department_b,
                institution=self.home_b,
                started_on=TODAY(),
            )
        self.assertFalse(Pairing.objects.filter(helper=self.county_department_b).exists())

    def test_roles_without_the_pairing_permission_are_refused(self):
        for user in (self.liaison, self.staff, self.township_worker):
            with self.subTest(user=user), self.assertRaises(PermissionDenied):
                self.county_pair(actor=self.fresh(user))


class PairingEndTest(PairingServicesBase):
    def test_it_ends_a_pair_with_its_reason(self):
        pairing = services.pairing_end(
            actor=self.admin(), pairing=self.pair_a, ended_on=TODAY(), reason="  部门机构改革  "
        )
        self.assertEqual((pairing.ended_on, pairing.end_reason), (TODAY(), "部门机构改革"))
        self.assertFalse(pairing.is_active())
        latest = pairing.history.first()
        self.assertEqual((latest.history_type, latest.history_user), ("~", self.city_admin))

    def test_it_wants_a_reason_and_a_sensible_date(self):
        cases = [
            ({"reason": "  ", "ended_on": TODAY()}, "reason"),
            (
                {"reason": "撤并", "ended_on": self.pair_a.started_on - datetime.timedelta(days=1)},
                "ended_on",
            ),
            ({"reason": "撤并", "ended_on": TODAY() + datetime.timedelta(days=1)}, "ended_on"),
        ]
        for kwargs, field in cases:
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                services.pairing_end(actor=self.admin(), pairing=self.pair_a, **kwargs)
            self.assertIn(field, caught.exception.error_dict)
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)

    def test_a_pair_ends_once(self):
        services.pairing_end(
            actor=self.admin(), pairing=self.pair_a, ended_on=TODAY(), reason="撤并"
        )
        with self.assertRaises(ValidationError):
            services.pairing_end(
                actor=self.admin(), pairing=self.pair_a, ended_on=TODAY(), reason="再次"
            )

    def test_a_pair_out_of_scope_cannot_be_ended(self):
        with self.assertRaises(PermissionDenied):
            services.pairing_end(
                actor=self.fresh(self.county_b_worker),
                pairing=self.pair_a,
                ended_on=TODAY(),
                reason="x",
            )
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)


class PairingAdjustTest(PairingServicesBase):
    def test_it_ends_the_pair_and_starts_its_successor_linked_to_it(self):
        successor = services.pairing_adjust(
            actor=self.admin(),
            pairing=self.pair_a,
            reason="市民政局机构改革",
            helper=self.social_org,
        )
        self.pair_a.refresh_from_db()
        self.assertEqual(self.pair_a.ended_on, TODAY())
        self.assertEqual(self.pair_a.end_reason, "市民政局机构改革")
        self.assertEqual(successor.previous, self.pair_a)
        self.assertEqual(self.pair_a.successor, successor)
        self.assertEqual((successor.helper, successor.institution), (self.social_org, self.home_a))
        self.assertEqual(successor.started_on, TODAY())
        self.assertTrue(successor.is_active())
        self.assertFalse(self.pair_a.is_active())
        active = Pairing.objects.active().filter(institution=self.home_a)
        self.assertEqual(list(active), [successor])

    def test_the_chain_grows_with_each_adjustment(self):
        first = self.county_pair(started_on=TODAY() - datetime.timedelta(days=100))
        second = services.pairing_adjust(
            actor=self.admin(),
            pairing=first,
            reason="换院",
            on=TODAY() - datetime.timedelta(days=50),
            institution=self.home_a2,
        )
        third = services.pairing_adjust(
            actor=self.admin(), pairing=second, reason="换部门", helper=self.county_department_a2
        )
        self.assertEqual(third.previous.previous, first)
        self.assertEqual(
            (third.helper, third.institution), (self.county_department_a2, self.home_a2)
        )
        self.assertEqual(
            Pairing.objects.filter(tier=Tier.COUNTY_DEPARTMENT, ended_on=None).get(), third
        )

    def test_it_wants_a_reason_and_writes_nothing_without_one(self):
        with self.assertRaises(ValidationError) as caught:
            services.pairing_adjust(
                actor=self.admin(), pairing=self.pair_a, reason=" ", helper=self.social_org
            )
        self.assertIn("reason", caught.exception.error_dict)
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)
        self.assertEqual(Pairing.objects.count(), 2)

    def test_it_wants_a_change(self):
        with self.assertRaises(ValidationError):
            services.pairing_adjust(actor=self.admin(), pairing=self.pair_a, reason="无变化")
        self.pair_a.refresh_from_db()
        self.assertIsNone(self.pair_a.ended_on)

    def test_a_refused_successor_leaves_the_old_pair_in_force(self):
        first = self.county_pair()
        other = self.county_pair(helper=self.county_department_a2, institution=self.home_a2)
        with self.assertRaises(ValidationError):
            # The new department is already paired one to one.
            services.pairing_adjust(
                actor=self.admin(), pairing=first, reason="换部门", helper=self.county_department_a2
            )
        first.refresh_from_db()
        self.assertIsNone(first.ended_on)
        self.assertFalse(Pairing.objects.filter(previous=first).exists())
        self.assertEqual(first.history.count(), 1)
        self.assertIsNone(Pairing.objects.get(pk=other.pk).ended_on)

    def test_a_county_department_pair_is_handed_on_one_to_one(self):
        first = self.county_pair()
        successor = services.pairing_adjust(
            actor=self.admin(), pairing=first, reason="部门调整", helper=self.county_department_a2
        )
        self.assertEqual(successor.helper, self.county_department_a2)
        # The first department is free again from the day of the adjustment.
        self.county_pair(institution=self.home_a2, started_on=TODAY())

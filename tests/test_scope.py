"""Scope: a region prefix plus the institutions an organisation is paired with or is."""

import datetime

from carepair.accounts.scope import scope_of
from carepair.ledger.models import Activity, Category, Kind
from carepair.orgs.models import Organisation
from carepair.pairing.models import Pairing
from carepair.problems.models import Problem
from carepair.regions.models import Level, Region, full_code, level_of, prefix_of
from tests.base import TODAY, PersonaTestCase


class RegionCodeTest(PersonaTestCase):
    def test_prefixes_follow_the_levels_of_the_code(self):
        self.assertEqual(prefix_of("511100000000"), "5111")
        self.assertEqual(prefix_of("511102000000"), "511102")
        self.assertEqual(prefix_of("511102001000"), "511102001")
        self.assertEqual(prefix_of("511102001001"), "511102001001")
        self.assertEqual(level_of("511102001000"), Level.TOWNSHIP)
        self.assertEqual(full_code("511111"), "511111000000")

    def test_leshan_has_its_twelve_real_county_level_divisions(self):
        counties = Region.objects.filter(level=Level.COUNTY)
        self.assertEqual(counties.count(), 12)
        self.assertEqual(counties.get(code="511181000000").name, "峨眉山市")
        self.assertTrue(all(c.parent_id == "511100000000" for c in counties))


class ScopeTest(PersonaTestCase):
    def visible(self, model, user):
        return set(model.objects.visible_to(self.fresh(user)).values_list("pk", flat=True))

    def test_a_county_worker_sees_their_county_and_nothing_of_another(self):
        self.assertEqual(scope_of(self.fresh(self.county_a_worker)).prefix, "511102")
        orgs = self.visible(Organisation, self.county_a_worker)
        self.assertIn(self.home_a.pk, orgs)
        self.assertNotIn(self.home_b.pk, orgs)
        self.assertNotIn(self.home_a.pk, self.visible(Organisation, self.county_b_worker))

    def test_a_liaison_sees_the_institutions_their_department_is_paired_with(self):
        scope = scope_of(self.fresh(self.liaison))
        self.assertIsNone(scope.prefix)
        self.assertEqual(scope.institution_ids, frozenset({self.home_a.pk}))
        self.assertEqual(self.visible(Pairing, self.liaison), {self.pair_a.pk})

    def test_an_ended_pairing_no_longer_opens_the_institution(self):
        Pairing.objects.filter(pk=self.pair_a.pk).update(ended_on=TODAY())
        self.assertEqual(scope_of(self.fresh(self.liaison)).institution_ids, frozenset())

    def test_institution_staff_see_only_their_own_institution(self):
        orgs = self.visible(Organisation, self.staff)
        self.assertIn(self.home_a.pk, orgs)
        self.assertNotIn(self.home_b.pk, orgs)
        institutions = Organisation.objects.visible_to(self.fresh(self.staff)).institutions()
        self.assertEqual(set(institutions.values_list("pk", flat=True)), {self.home_a.pk})

    def test_institution_staff_see_who_helps_them(self):
        self.assertIn(self.department.pk, self.visible(Organisation, self.staff))

    def test_a_county_sees_the_city_departments_that_work_in_it_and_no_others(self):
        orgs = self.visible(Organisation, self.county_a_worker)
        self.assertIn(self.department.pk, orgs)
        self.assertNotIn(self.other_department.pk, orgs)
        orgs = self.visible(Organisation, self.county_b_worker)
        self.assertIn(self.other_department.pk, orgs)
        self.assertNotIn(self.department.pk, orgs)
        self.assertNotIn(self.county_department_a.pk, orgs)

    def test_the_city_administrator_sees_every_county(self):
        orgs = self.visible(Organisation, self.city_admin)
        self.assertTrue({self.home_a.pk, self.home_b.pk, self.department.pk} <= orgs)

    def test_records_follow_the_scope_of_their_place(self):
        activity = Activity.objects.create(
            kind=Kind.ASSISTANCE,
            category=Category.FESTIVAL,
            title="重阳节走访慰问",
            occurred_on=TODAY(),
            institution=self.home_a,
            region=self.home_a.region,
            recorded_by=self.liaison,
        )
        activity.helpers.add(self.department)
        problem = Problem.objects.create(
            title="屋顶漏水",
            category="environment",
            due_on=TODAY() + datetime.timedelta(days=7),
            source="institution",
            institution=self.home_a,
            region=self.home_a.region,
            raised_by=self.staff,
            raised_by_org=self.home_a,
        )
        for user, sees in (
            (self.city_admin, True),
            (self.county_a_worker, True),
            (self.liaison, True),
            (self.staff, True),
            (self.county_b_worker, False),
            (self.staff_b, False),
        ):
            with self.subTest(user=user.username):
                self.assertEqual(activity.pk in self.visible(Activity, user), sees)
                self.assertEqual(problem.pk in self.visible(Problem, user), sees)

    def test_an_inactive_or_anonymous_user_sees_nothing(self):
        from django.contrib.auth.models import AnonymousUser

        self.assertEqual(Organisation.objects.visible_to(AnonymousUser()).count(), 0)
        user = self.fresh(self.city_admin)
        user.is_active = False
        self.assertEqual(Organisation.objects.visible_to(user).count(), 0)


class PrefixLookupTest(PersonaTestCase):
    def test_prefix_matches_exactly_the_codes_below_a_region(self):
        from carepair.regions.lookups import upper_bound

        self.assertEqual(upper_bound("511102"), "511103")
        self.assertEqual(upper_bound("511109"), "511110")
        self.assertIsNone(upper_bound("99"))
        codes = set(Region.objects.filter(code__prefix="511102").values_list("code", flat=True))
        self.assertEqual(codes, {"511102000000", "511102001000", "511102001001"})
        # Through a foreign key, without a join.
        query = str(Organisation.objects.filter(region__code__prefix="511102").query)
        self.assertNotIn("JOIN", query)
        self.assertEqual(
            set(
                Organisation.objects.filter(region__code__prefix="511111").values_list(
                    "pk", flat=True
                )
            ),
            {self.home_b.pk},
        )

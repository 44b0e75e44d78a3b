"""Cached figures: served from the cache until the next write, and never across scopes."""

import datetime
from decimal import Decimal

from django.core.cache import cache
from django.test import override_settings

from carepair.ledger.services import MaterialLine, activity_record
from carepair.reports.selectors import cached_dashboard, cached_summary
from tests.base import TODAY, PersonaTestCase

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@override_settings(CACHES=LOCMEM)
class FiguresCacheTest(PersonaTestCase):
    def setUp(self):
        cache.clear()

    def record(self, fen: int):
        return activity_record(
            actor=self.fresh(self.liaison),
            kind="assistance",
            category="festival",
            title="中秋节慰问",
            occurred_on=TODAY() - datetime.timedelta(days=1),
            helpers=[self.department],
            institution=self.home_a,
            beneficiaries=10,
            materials=[MaterialLine("月饼", Decimal("40"), "盒", fen)],
        )

    def test_a_second_look_is_served_from_the_cache(self):
        self.record(12_000)
        admin = self.fresh(self.city_admin)
        first = cached_dashboard(user=admin)
        admin = self.fresh(self.city_admin)
        with self.assertNumQueries(0):
            again = cached_dashboard(user=admin)
        self.assertEqual(again.summary.material_value_fen, first.summary.material_value_fen)

    def test_a_write_through_a_service_makes_the_figures_fresh(self):
        self.record(12_000)
        self.assertEqual(cached_summary(user=self.fresh(self.city_admin))["activities"], 1)
        self.record(30_000)
        summary = cached_summary(user=self.fresh(self.city_admin))
        self.assertEqual(summary["activities"], 2)
        self.assertEqual(summary["material_value_fen"], 42_000)

    def test_one_scope_never_sees_another_scopes_cached_figures(self):
        self.record(12_000)
        self.assertEqual(cached_summary(user=self.fresh(self.county_a_worker))["activities"], 1)
        self.assertEqual(cached_summary(user=self.fresh(self.county_b_worker))["activities"], 0)
        self.assertEqual(
            cached_dashboard(user=self.fresh(self.county_b_worker)).summary.activities, 0
        )

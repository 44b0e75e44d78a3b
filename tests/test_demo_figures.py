"""SLOW (about 45 s on two cores): `carepair demo` on an empty database seeds Leshan at
scale 1, and the programme summary meets the article's figures without overshooting;
the registry of people in need is a city of 3.2 million's.

Run alone with `pytest -m slow`; skip with `pytest -m "not slow"`.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase, override_settings

from carepair.accounts.models import User
from carepair.demo import catalog
from carepair.demo.seed.state import ARTICLE
from carepair.ledger.models import Activity
from carepair.ledger.models import Category as ActivityCategory
from carepair.lib.vault import vault
from carepair.orgs.models import InstitutionType, Kind, Organisation
from carepair.people import idnumber
from carepair.people.models import Person
from carepair.people.services import plan_refresh
from carepair.problems.models import SUBCATEGORIES, Problem, ProblemEvent, Status
from carepair.problems.models import Category as ProblemCategory
from carepair.reports.selectors import programme_summary
from tests.test_demo_seed import MEDIA

# How far above the article's ledger figures the demo may land.
MOST = 1.10


@pytest.mark.slow
@override_settings(MEDIA_ROOT=MEDIA)
class ArticleFiguresTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = io.StringIO()
        call_command("demo", no_serve=True, stdout=cls.output)
        cls.summary = programme_summary(user=User(is_superuser=True, is_active=True))

    def test_demo_seeds_an_empty_database_and_says_so(self):
        text = self.output.getvalue()
        self.assertIn("数据库是空的，正在生成乐山演示数据", text)
        self.assertIn("liaison", text)

    def test_the_summary_meets_the_articles_figures(self):
        for key, figure in ARTICLE.items():
            with self.subTest(key):
                value = self.summary[key]
                self.assertGreaterEqual(value, figure)
                self.assertLessEqual(value, figure * MOST)

    def test_the_registries_are_the_articles_exactly(self):
        for key in ("departments", "institutions", "social_organisations", "pairs_adjusted"):
            self.assertEqual(self.summary[key], ARTICLE[key], key)

    def test_cultural_and_health_events_meet_the_article_too(self):
        by_category = self.summary["activities_by_category"]
        self.assertGreaterEqual(by_category[ActivityCategory.CULTURE], 638)
        self.assertGreaterEqual(by_category[ActivityCategory.HEALTH], 765)
        self.assertTrue(all(by_category.values()))

    def test_every_kind_of_institution_and_problem_is_there(self):
        types = set(
            Organisation.objects.filter(kind=Kind.INSTITUTION).values_list(
                "institution_type", flat=True
            )
        )
        self.assertEqual(types, set(InstitutionType.values))
        self.assertEqual(Organisation.objects.filter(kind=Kind.ENTERPRISE).count(), 16)
        categories = set(Problem.objects.values_list("category", flat=True))
        self.assertEqual(categories, set(ProblemCategory.values))
        for category, subcategories in SUBCATEGORIES.items():
            found = set(
                Problem.objects.filter(category=category).values_list("subcategory", flat=True)
            )
            self.assertEqual(found, set(subcategories), category)
        statuses = set(Problem.objects.values_list("status", flat=True))
        self.assertEqual(statuses, set(Status.values))
        self.assertTrue(Problem.objects.overdue().filter(escalation_level=2).exists())
        self.assertTrue(ProblemEvent.objects.filter(action="reopen", problem__status="verified"))

    def test_the_registry_is_that_of_a_leshan_sized_city(self):
        # About 60,000 people in need, of them some 8,000-10,000 left-behind children.
        self.assertTrue(56_000 <= self.summary["people_registered"] <= 62_000)
        self.assertTrue(7_000 <= self.summary["left_behind_children"] <= 10_000)
        self.assertTrue(58_000 <= Person.objects.count() <= 64_000)

    def test_every_id_number_is_valid_and_every_plan_is_plan_refreshs(self):
        keys = vault()
        for cipher, born, sex in Person.objects.values_list("id_cipher", "birth_date", "sex"):
            parsed = idnumber.parse(keys.decrypt(cipher))
            self.assertEqual((parsed.birth_date, parsed.sex), (born, sex))
        self.assertEqual(plan_refresh(), 0)

    def test_festival_visits_cluster_around_the_festivals(self):
        festival_days = set()
        for year in range(2020, datetime.date.today().year + 2):
            for day in catalog.festival_dates(year).values():
                festival_days |= {day - datetime.timedelta(days=n) for n in range(21)}
        days = Activity.objects.filter(category=ActivityCategory.FESTIVAL).values_list(
            "occurred_on", flat=True
        )
        near = sum(1 for day in days if day in festival_days)
        self.assertGreater(near / len(days), 0.95)

    def test_most_institutions_confirm_what_they_received(self):
        at_institutions = Activity.objects.filter(institution__isnull=False)
        confirmed = at_institutions.filter(confirmed_at__isnull=False).count()
        self.assertGreater(confirmed / at_institutions.count(), 0.85)
        unconfirmed = (
            at_institutions.filter(confirmed_at__isnull=True)
            .values("institution")
            .annotate(n=Count("pk"))
        )
        self.assertTrue(unconfirmed.exists())

"""What the API tests share: a token per persona, a request helper, and a record of each
kind in county A (at 凌云敬老院) and in county B (at 葫芦镇敬老院)."""

import datetime
import json
from decimal import Decimal

from django.test import override_settings

from carepair.accounts.models import ApiToken
from carepair.ledger import services as ledger
from carepair.ledger.models import Category as ActivityCategory
from carepair.ledger.models import Kind as ActivityKind
from carepair.problems import services as problems
from carepair.problems.models import Category as ProblemCategory
from tests.base import TODAY, PersonaTestCase

API = "/api/v1"


# The personas' passwords are never typed here; hashing them the slow, safe way would
# spend seconds per test class.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ApiTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tokens = {}
        cls.activity_a = cls.record_visit(cls.liaison, cls.home_a, "春节慰问凌云敬老院", "1250.50")
        cls.activity_b = ledger.activity_record(
            actor=cls.county_b_worker,
            kind=ActivityKind.ASSISTANCE,
            category=ActivityCategory.FESTIVAL,
            title="端午慰问葫芦镇敬老院",
            occurred_on=TODAY() - datetime.timedelta(days=3),
            helpers=[cls.other_department],
            institution=cls.home_b,
            beneficiaries=30,
            materials=[ledger.MaterialLine("粽子", Decimal(200), "个", 80000)],
        )
        cls.problem_a = problems.problem_raise(
            actor=cls.staff,
            title="卫生间屋顶漏水",
            category=ProblemCategory.ENVIRONMENT,
            subcategory="waterproofing",
            due_on=TODAY() + datetime.timedelta(days=14),
            institution=cls.home_a,
        )
        cls.problem_b = problems.problem_raise(
            actor=cls.staff_b,
            title="厨房电线老化",
            category=ProblemCategory.SAFETY,
            subcategory="wiring",
            due_on=TODAY() + datetime.timedelta(days=7),
            institution=cls.home_b,
        )

    @classmethod
    def record_visit(cls, actor, home, title, value_yuan, days_ago=1, **extra):
        return ledger.activity_record(
            actor=actor,
            kind=extra.pop("kind", ActivityKind.ASSISTANCE),
            category=extra.pop("category", ActivityCategory.FESTIVAL),
            title=title,
            occurred_on=TODAY() - datetime.timedelta(days=days_ago),
            helpers=extra.pop("helpers", [actor.organisation or cls.department]),
            institution=home,
            participants=extra.pop("participants", 6),
            beneficiaries=extra.pop("beneficiaries", 42),
            materials=[
                ledger.MaterialLine("大米", Decimal(20), "袋", ledger.yuan_to_fen(value_yuan))
            ],
            **extra,
        )

    def token(self, user) -> str:
        if user.pk not in self.tokens:
            self.tokens[user.pk] = ApiToken.issue(user)
        return self.tokens[user.pk]

    def headers(self, user, language="zh-hans") -> dict:
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token(user)}"
        return headers

    def get(self, user, path, language="zh-hans", **params):
        return self.client.get(API + path, params, **self.headers(user, language))

    def post(self, user, path, body=None, language="zh-hans"):
        return self.client.post(
            API + path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self.headers(user, language),
        )

    def post_form(self, user, path, data, language="zh-hans"):
        return self.client.post(API + path, data, **self.headers(user, language))

    def ids(self, response) -> set:
        self.assertEqual(response.status_code, 200, response.content)
        return {item["id"] for item in response.json()["items"]}

    def assertNotFound(self, response):
        self.assertEqual(response.status_code, 404, response.content)
        self.assertEqual(response.json(), {"detail": "未找到。"})

    def assertInvalid(self, response, *fields):
        self.assertEqual(response.status_code, 422, response.content)
        errors = response.json()["errors"]
        for field in fields:
            self.assertIn(field, errors)
            self.assertTrue(all(isinstance(m, str) and m for m in errors[field]))
        return errors

"""Bearer tokens, the `carepair token` command, the OpenAPI schema and the offline docs."""

import datetime
import io
import json
import re
from html.parser import HTMLParser

from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.test import Client

from carepair.accounts.models import ApiToken
from carepair.ledger.models import Activity
from tests.test_api_base import API, ApiTestCase

ENDPOINTS = {
    ("get", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{id}"),
    ("get", "/api/v1/institutions"),
    ("get", "/api/v1/institutions/{id}"),
    ("get", "/api/v1/pairings"),
    ("post", "/api/v1/pairings"),
    ("get", "/api/v1/pairings/{id}"),
    ("post", "/api/v1/pairings/{id}/adjust"),
    ("post", "/api/v1/pairings/{id}/end"),
    ("get", "/api/v1/activities"),
    ("post", "/api/v1/activities"),
    ("get", "/api/v1/activities/{id}"),
    ("post", "/api/v1/activities/{id}/confirm"),
    ("get", "/api/v1/problems"),
    ("post", "/api/v1/problems"),
    ("get", "/api/v1/problems/{id}"),
    ("post", "/api/v1/problems/{id}/assign"),
    ("post", "/api/v1/problems/{id}/start"),
    ("post", "/api/v1/problems/{id}/resolve"),
    ("post", "/api/v1/problems/{id}/verify"),
    ("post", "/api/v1/problems/{id}/reopen"),
    ("get", "/api/v1/people"),
    ("post", "/api/v1/people"),
    ("post", "/api/v1/people/lookup"),
    ("post", "/api/v1/meals/redemptions"),
    ("post", "/api/v1/meals/redemptions/batch"),
    ("get", "/api/v1/people/{id}"),
    ("post", "/api/v1/people/{id}/reveal"),
    ("get", "/api/v1/people/{id}/visits"),
    ("post", "/api/v1/people/{id}/visits"),
    ("get", "/api/v1/visits/due"),
    ("get", "/api/v1/summary"),
}


class TokenAuthTest(ApiTestCase):
    def test_it_refuses_a_request_without_a_token(self):
        response = self.client.get(f"{API}/problems")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], "Bearer")
        self.assertIn("Bearer", response.json()["detail"])

    def test_it_refuses_bad_tokens(self):
        self.token(self.county_a_worker)
        for header in (
            "Bearer cp_not-a-token",
            "Bearer ",
            f"Basic {self.token(self.county_a_worker)}",
            self.token(self.county_a_worker),
        ):
            with self.subTest(header=header):
                response = self.client.get(f"{API}/problems", HTTP_AUTHORIZATION=header)
                self.assertEqual(response.status_code, 401)

    def test_it_refuses_the_token_of_an_inactive_user(self):
        headers = self.headers(self.county_a_worker)
        self.county_a_worker.is_active = False
        self.county_a_worker.save()
        self.assertEqual(self.client.get(f"{API}/problems", **headers).status_code, 401)

    def test_it_refuses_bad_tokens_on_writes_and_writes_nothing(self):
        before = Activity.objects.count()
        response = self.client.post(
            f"{API}/activities",
            "{}",
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer cp_wrong",
        )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(Activity.objects.count(), before)

    def test_a_token_client_needs_no_session_and_no_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            f"{API}/problems/{self.problem_a.pk}/assign",
            json.dumps({"helper_id": self.department.pk}),
            content_type="application/json",
            **self.headers(self.liaison),
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertNotIn("sessionid", response.cookies)

    def test_it_records_when_a_token_was_last_used(self):
        self.get(self.county_a_worker, "/problems")
        token = ApiToken.objects.get(user=self.county_a_worker)
        self.assertIsNotNone(token.last_used_at)

    def test_it_records_a_tokens_use_to_the_minute_without_a_write_per_request(self):
        self.get(self.county_a_worker, "/problems")
        token = ApiToken.objects.get(user=self.county_a_worker)
        earlier = token.last_used_at - datetime.timedelta(minutes=2)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
        self.get(self.county_a_worker, "/problems")
        token.refresh_from_db()
        self.assertGreater(token.last_used_at, earlier)
        recorded = token.last_used_at
        self.get(self.county_a_worker, "/problems")
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, recorded)


class TokenCommandTest(ApiTestCase):
    def test_it_prints_only_a_new_key_that_works(self):
        out = io.StringIO()
        call_command("token", "county_a", stdout=out)
        key = out.getvalue()
        self.assertRegex(key, r"^cp_[A-Za-z0-9_-]{40,}\n$")
        response = self.client.get(
            f"{API}/problems/{self.problem_a.pk}", HTTP_AUTHORIZATION=f"Bearer {key.strip()}"
        )
        self.assertEqual(response.status_code, 200)
        # Only the digest is stored.
        self.assertFalse(ApiToken.objects.filter(digest=key.strip()).exists())

    def test_each_call_issues_another_token(self):
        first, second = io.StringIO(), io.StringIO()
        call_command("token", "liaison", stdout=first)
        call_command("token", "liaison", stdout=second)
        self.assertNotEqual(first.getvalue(), second.getvalue())
        self.assertEqual(ApiToken.objects.filter(user=self.liaison).count(), 2)

    def test_it_fails_clearly_for_an_unknown_user(self):
        with self.assertRaisesMessage(CommandError, "No user is called 'nobody'"):
            call_command("token", "nobody", stdout=io.StringIO())
        self.assertFalse(ApiToken.objects.exists())


class SchemaAndDocsTest(ApiTestCase):
    def test_the_schema_is_valid_json_listing_every_endpoint(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        schema = json.loads(response.content)
        self.assertTrue(schema["openapi"].startswith("3."))
        listed = {(method, path) for path, item in schema["paths"].items() for method in item}
        self.assertEqual(listed, ENDPOINTS)
        self.assertEqual(
            schema["components"]["securitySchemes"]["ApiTokenAuth"],
            {"type": "http", "scheme": "bearer"},
        )

    def test_the_schema_documents_money_and_region_codes(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        parts = schema["components"]["schemas"]
        self.assertEqual(parts["MaterialOut"]["properties"]["value_fen"]["type"], "integer")
        self.assertEqual(parts["MaterialOut"]["properties"]["value_yuan"]["type"], "string")
        self.assertEqual(parts["SummaryOut"]["properties"]["material_value_yuan"]["type"], "number")
        self.assertIn("region_code", parts["ProblemOut"]["required"])

    def test_the_docs_page_loads_nothing_from_elsewhere(self):
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()

        class Links(HTMLParser):
            urls: list

            def handle_starttag(self, tag, attrs):
                for name, value in attrs:
                    if name in ("src", "href") and value:
                        self.urls.append(value)

        parser = Links()
        parser.urls = []
        parser.feed(html)
        self.assertTrue(any(u.endswith("swagger-ui-bundle.js") for u in parser.urls))
        self.assertTrue(any(u.endswith("swagger-ui.css") for u in parser.urls))
        for url in parser.urls:
            with self.subTest(url=url):
                self.assertTrue(url.startswith("/static/"), url)
                self.assertIsNotNone(finders.find(url.removeprefix("/static/")), url)
        self.assertIsNone(re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html, re.I))
        # Swagger UI's validator badge would call validator.swagger.io.
        settings = json.loads(
            re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1)
        )
        self.assertIsNone(settings["validatorUrl"])
        self.assertEqual(settings["url"], "/api/v1/openapi.json")

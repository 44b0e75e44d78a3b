"""`carepair demo-accounts`: one account per role and region, each able to log in and
seeing its own part of the synthetic Leshan; and `carepair demo` on a seeded database."""

import io
import json

from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from carepair.accounts.models import User
from carepair.accounts.roles import REGION_ROLES, Role
from carepair.demo.accounts import DEMO_PASSWORD
from carepair.ledger.models import Activity
from carepair.orgs.models import Organisation
from carepair.pairing.models import Pairing
from carepair.problems.models import OPEN_STATUSES, Problem, Status
from carepair.regions.models import prefix_of
from tests.test_demo_seed import MEDIA, seed

REQUIRED_ROLES = set(Role.values)  # every role has its demo account


def accounts_json() -> list[dict]:
    out = io.StringIO()
    call_command("demo_accounts", json=True, stdout=out)
    return json.loads(out.getvalue())


@override_settings(MEDIA_ROOT=MEDIA)
class DemoAccountsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed()
        cls.accounts = accounts_json()

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def test_json_lists_one_account_per_role_and_region(self):
        for account in self.accounts:
            self.assertLessEqual({"username", "password", "role", "region_code"}, set(account))
            self.assertRegex(account["region_code"], r"^\d{12}$")
        self.assertEqual({a["role"] for a in self.accounts}, REQUIRED_ROLES)
        pairs = [(a["role"], a["region_code"]) for a in self.accounts]
        self.assertEqual(len(pairs), len(set(pairs)))
        for county in ("511102000000", "511111000000"):
            self.assertIn((Role.COUNTY_ADMIN, county), pairs)
            self.assertIn((Role.COUNTY_LEADER, county), pairs)

    def test_region_code_is_the_users_or_their_organisations(self):
        for account in self.accounts:
            user = self.user(account["username"])
            expected = user.region_id if user.role in REGION_ROLES else user.organisation.region_id
            self.assertEqual(account["region_code"], expected)

    def test_the_demo_password_passes_the_password_rules(self):
        for account in self.accounts:
            self.assertEqual(account["password"], DEMO_PASSWORD)
            validate_password(DEMO_PASSWORD, user=self.user(account["username"]))

    def test_every_account_logs_in(self):
        for account in self.accounts:
            request = RequestFactory().post("/accounts/login/")
            logged_in = self.client.login(
                request=request, username=account["username"], password=account["password"]
            )
            self.assertTrue(logged_in, account["username"])
            self.client.logout()

    def test_the_login_page_lets_the_liaison_in(self):
        response = self.client.post(
            "/accounts/login/", {"username": "liaison", "password": DEMO_PASSWORD}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.user("liaison").pk)

    def test_region_accounts_see_their_region_and_nothing_else(self):
        for account in self.accounts:
            user = self.user(account["username"])
            if user.role not in REGION_ROLES:
                continue
            prefix = prefix_of(account["region_code"])
            with self.subTest(account["username"]):
                pairings = Pairing.objects.visible_to(user)
                self.assertTrue(pairings.exists())
                for code in Problem.objects.visible_to(user).values_list("region_id", flat=True):
                    self.assertTrue(code.startswith(prefix), code)
                for code in Activity.objects.visible_to(user).values_list("region_id", flat=True):
                    self.assertTrue(code.startswith(prefix), code)
                self.assertTrue(
                    Organisation.objects.visible_to(user).filter(kind="institution").exists()
                )

    def test_county_a_sees_nothing_of_county_b(self):
        shizhong, shawan = self.user("shizhong_admin"), self.user("shawan_admin")
        self.assertFalse(Problem.objects.visible_to(shizhong).filter(region__code__prefix="511111"))
        self.assertFalse(Problem.objects.visible_to(shawan).filter(region__code__prefix="511102"))
        self.assertTrue(Problem.objects.visible_to(shawan).exists())

    def test_the_liaisons_institution_has_open_problems_and_recent_activities(self):
        liaison = self.user("liaison")
        home = Organisation.objects.get(name="凌云敬老院")
        self.assertEqual(set(Organisation.objects.visible_to(liaison).institutions()), {home})
        problems = Problem.objects.visible_to(liaison).filter(institution=home)
        self.assertTrue(problems.filter(status=Status.RAISED).exists())
        self.assertTrue(
            problems.filter(status=Status.IN_PROGRESS, assigned_to=liaison.organisation)
        )
        self.assertTrue(problems.overdue().filter(escalation_level__gt=0).exists())
        recent = timezone.localdate() - timezone.timedelta(days=14)
        activities = Activity.objects.visible_to(liaison).filter(
            institution=home, occurred_on__gte=recent
        )
        self.assertTrue(activities.filter(confirmed_at__isnull=True, materials__isnull=False))

    def test_institution_staff_see_their_own_institution(self):
        staff = self.user("institution_staff")
        self.assertEqual(
            set(Problem.objects.visible_to(staff).values_list("institution_id", flat=True)),
            {staff.organisation_id},
        )
        waiting = Problem.objects.visible_to(staff).filter(status=Status.RESOLVED, raised_by=staff)
        self.assertTrue(waiting.exists(), "a fix awaits the staff's confirmation")

    def test_the_township_worker_has_work_in_their_villages(self):
        worker = self.user("township_worker")
        problems = Problem.objects.visible_to(worker).filter(status__in=OPEN_STATUSES)
        self.assertTrue(problems.filter(region__code__prefix=prefix_of(worker.region_id)))

    def test_the_volunteer_sees_their_organisation_and_its_institution(self):
        volunteer = self.user("volunteer")
        visible = Organisation.objects.visible_to(volunteer)
        self.assertIn(volunteer.organisation, visible)
        self.assertTrue(visible.filter(name="凌云敬老院").exists())
        self.assertTrue(Activity.objects.visible_to(volunteer).exists())

    def test_the_table_shows_usernames_and_the_password(self):
        out = io.StringIO()
        call_command("demo_accounts", stdout=out)
        self.assertIn("shawan_admin", out.getvalue())
        self.assertIn(DEMO_PASSWORD, out.getvalue())

    def test_demo_on_a_seeded_database_does_not_seed_again(self):
        out = io.StringIO()
        call_command("demo", no_serve=True, stdout=out)
        text = out.getvalue()
        self.assertIn("不再生成演示数据", text)
        self.assertIn("city_admin", text)
        self.assertIn("http://127.0.0.1:8000/", text)


class NoDemoAccountsTest(TestCase):
    def test_it_says_to_seed_first(self):
        with self.assertRaisesMessage(CommandError, "seed-demo"):
            accounts_json()

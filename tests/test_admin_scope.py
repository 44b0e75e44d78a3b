"""The back office is scoped like the pages: county B's staff see no row of county A, and
county A's change pages answer them 404, as a missing object does."""

from django.contrib import admin
from django.urls import reverse

from carepair.accounts.models import ApiToken, User
from carepair.accounts.roles import Role
from carepair.ledger.models import Activity, Material, Photo
from carepair.meals.models import MealSite, SiteKind, SubsidyRule
from carepair.orgs.models import Organisation
from carepair.pairing.models import Pairing
from carepair.problems import services as problems
from carepair.problems.models import Evidence, Problem, ProblemEvent
from carepair.regions.models import Region
from tests.base import PASSWORD, make_user, photo
from tests.test_api_base import ApiTestCase

MISSING = "987654"


class AdminScopeTest(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        User.objects.filter(pk__in=[cls.county_a_worker.pk, cls.county_b_worker.pk]).update(
            is_staff=True
        )
        cls.county_a_worker.refresh_from_db()
        cls.county_b_worker.refresh_from_db()
        problem = problems.problem_assign(
            actor=cls.liaison, problem=cls.problem_a, helper=cls.department
        )
        problem = problems.problem_start(actor=cls.liaison, problem=problem)
        problems.problem_resolve(
            actor=cls.liaison, problem=problem, resolution="已修好", photos=[photo()]
        )
        upload = photo("visit.png")
        cls.photo_a = Photo.objects.create(
            activity=cls.activity_a,
            image=upload,
            content_type="image/png",
            size=upload.size,
            uploaded_by=cls.liaison,
        )
        ApiToken.issue(cls.county_a_worker)
        cls.user_b = make_user("township_b", Role.TOWNSHIP_WORKER, region=cls.township_b)
        cls.site_a = MealSite.objects.create(
            name="凌云社区助餐点", kind=SiteKind.POINT, region=cls.village_a, operator=cls.home_a
        )

    def county_a_objects(self) -> dict:
        return {
            Region: self.township_a,
            User: self.county_a_worker,
            ApiToken: ApiToken.objects.get(user=self.county_a_worker),
            Organisation: self.home_a,
            MealSite: self.site_a,
            Pairing: self.pair_a,
            Activity: self.activity_a,
            Material: self.activity_a.materials.first(),
            Photo: self.photo_a,
            Problem: self.problem_a,
            ProblemEvent: self.problem_a.events.first(),
            Evidence: self.problem_a.evidence.first(),
        }

    def url(self, model, view, *args):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)

    def changelist_pks(self, model) -> set:
        response = self.client.get(self.url(model, "changelist"))
        self.assertEqual(response.status_code, 200, model)
        return {obj.pk for obj in response.context["cl"].queryset}

    def test_every_model_of_the_programme_has_a_scoped_admin(self):
        for model in self.county_a_objects():
            with self.subTest(model=model):
                self.assertIn(model, admin.site._registry)

    def test_county_b_staff_see_no_county_a_rows(self):
        self.login(self.county_b_worker)
        for model, obj in self.county_a_objects().items():
            with self.subTest(model=model.__name__):
                self.assertNotIn(obj.pk, self.changelist_pks(model))
        # ... while the rows of their own county are there.
        self.assertIn(self.home_b.pk, self.changelist_pks(Organisation))
        self.assertIn(self.problem_b.pk, self.changelist_pks(Problem))
        self.assertIn(self.activity_b.pk, self.changelist_pks(Activity))

    def test_county_b_staff_get_404_on_county_a_change_pages_as_on_missing_ones(self):
        self.login(self.county_b_worker)
        for model, obj in self.county_a_objects().items():
            with self.subTest(model=model.__name__):
                response = self.client.get(self.url(model, "change", obj.pk))
                self.assertEqual(response.status_code, 404)
                missing = self.client.get(self.url(model, "change", MISSING))
                self.assertEqual(missing.status_code, 404)
                self.assertEqual(
                    self.client.get(self.url(model, "delete", obj.pk)).status_code, 404
                )
                self.assertEqual(
                    self.client.get(self.url(model, "history", obj.pk)).status_code, 404
                )

    def test_simple_history_pages_of_county_a_answer_404(self):
        self.login(self.county_b_worker)
        record = self.home_a.history.first()
        url = reverse(
            "admin:orgs_organisation_simple_history", args=(self.home_a.pk, record.history_id)
        )
        self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.post(url, {"name": "被改名的敬老院", "_change_history": "1"})
        self.assertEqual(response.status_code, 404)
        self.home_a.refresh_from_db()
        self.assertEqual(self.home_a.name, "凌云敬老院")

    def test_county_a_staff_see_their_own_rows(self):
        self.login(self.county_a_worker)
        for model, obj in self.county_a_objects().items():
            if model is ApiToken:
                continue  # one's own tokens only; checked below
            with self.subTest(model=model.__name__):
                self.assertIn(obj.pk, self.changelist_pks(model))
                self.assertEqual(
                    self.client.get(self.url(model, "change", obj.pk)).status_code, 200
                )
        self.assertEqual(
            self.changelist_pks(ApiToken), {ApiToken.objects.get(user=self.county_a_worker).pk}
        )

    def test_foreign_key_choices_are_limited_to_the_users_scope(self):
        self.login(self.county_b_worker)
        form = self.client.get(self.url(Organisation, "add")).context["adminform"].form
        regions = set(form.fields["region"].queryset.values_list("code", flat=True))
        self.assertIn(self.village_b.code, regions)
        self.assertFalse(any(code.startswith("511102") for code in regions))
        form = self.client.get(self.url(User, "add")).context["adminform"].form
        self.assertNotIn(self.department, form.fields["organisation"].queryset)
        self.assertNotIn(self.home_a, form.fields["organisation"].queryset)
        self.assertIn(self.home_b, form.fields["organisation"].queryset)

    def test_pairings_are_only_read_in_the_back_office(self):
        self.login(self.county_b_worker)
        self.assertEqual(self.client.get(self.url(Pairing, "add")).status_code, 403)
        pair = Pairing.objects.filter(institution=self.home_b).first()
        response = self.client.get(self.url(Pairing, "change", pair.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])

    def test_nothing_is_deleted_in_the_back_office_but_by_a_superuser(self):
        self.login(self.county_b_worker)
        for model, obj in ((Organisation, self.home_b), (User, self.user_b)):
            with self.subTest(model=model.__name__):
                response = self.client.get(self.url(model, "delete", obj.pk))
                self.assertEqual(response.status_code, 403)

    def test_a_save_that_would_leave_the_scope_is_refused_and_rolled_back(self):
        self.login(self.county_b_worker)
        response = self.client.post(
            self.url(User, "change", self.user_b.pk),
            {
                "username": "township_b",
                "full_name": "葫芦镇工作人员",
                "role": Role.TOWNSHIP_WORKER,
                "region": "",
                "organisation": "",
                "is_active": "on",
                "api_tokens-TOTAL_FORMS": "0",
                "api_tokens-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 403)
        self.user_b.refresh_from_db()
        self.assertEqual(self.user_b.region_id, self.township_b.code)
        self.assertEqual(self.user_b.full_name, "township_b")

    def test_only_a_superuser_makes_superusers(self):
        self.login(self.county_b_worker)
        response = self.client.post(
            self.url(User, "change", self.user_b.pk),
            {
                "username": "township_b",
                "full_name": "葫芦镇工作人员",
                "role": Role.TOWNSHIP_WORKER,
                "region": self.township_b.code,
                "is_active": "on",
                "is_superuser": "on",
                "api_tokens-TOTAL_FORMS": "0",
                "api_tokens-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.user_b.refresh_from_db()
        self.assertEqual(self.user_b.full_name, "葫芦镇工作人员")
        self.assertFalse(self.user_b.is_superuser)

    def test_staff_without_the_back_office_permission_see_nothing(self):
        User.objects.filter(pk=self.liaison.pk).update(is_staff=True)
        self.login(self.liaison)
        self.assertEqual(self.client.get(self.url(Problem, "changelist")).status_code, 403)
        index = self.client.get(reverse("admin:index"))
        self.assertEqual(index.status_code, 200)
        self.assertEqual(index.context["app_list"], [])

    def test_staff_with_the_back_office_permission_log_in(self):
        response = self.client.post(
            reverse("admin:login"),
            {"username": "county_b", "password": PASSWORD, "next": "/admin/"},
        )
        self.assertRedirects(response, "/admin/")
        index = self.client.get("/admin/")
        self.assertTrue(index.context["app_list"])

    def test_problems_are_not_raised_or_moved_along_in_the_back_office(self):
        self.login(self.county_a_worker)
        self.assertEqual(self.client.get(self.url(Problem, "add")).status_code, 403)
        response = self.client.get(self.url(Problem, "change", self.problem_a.pk))
        form = response.context["adminform"].form
        self.assertNotIn("status", form.fields)
        self.assertIn("title", form.fields)

    def test_every_admin_page_renders_for_the_city(self):
        self.login(self.city_admin)
        for model, obj in self.county_a_objects().items():
            if model is ApiToken:
                ApiToken.issue(self.city_admin)
                obj = ApiToken.objects.get(user=self.city_admin)
            with self.subTest(model=model.__name__):
                listing = self.client.get(self.url(model, "changelist"), {"q": "凌云"})
                self.assertEqual(listing.status_code, 200)
                if obj is not None:
                    self.assertEqual(
                        self.client.get(self.url(model, "change", obj.pk)).status_code, 200
                    )
                    self.assertEqual(
                        self.client.get(self.url(model, "history", obj.pk)).status_code, 200
                    )
                added_elsewhere = (Problem, ProblemEvent, Evidence, Photo, ApiToken, Pairing)
                expected = 403 if model in added_elsewhere else 200
                self.assertEqual(self.client.get(self.url(model, "add")).status_code, expected)


class CitySettingsAdminTest(ApiTestCase):
    """The city's settings (subsidy standards, visit rules) are the city's back office's."""

    def test_subsidy_rules_are_kept_by_the_city_alone(self):
        url = reverse("admin:meals_subsidyrule_changelist")
        User.objects.filter(pk__in=[self.county_a_worker.pk, self.city_admin.pk]).update(
            is_staff=True
        )
        self.login(self.city_admin)
        listed = self.client.get(url)
        self.assertEqual(listed.status_code, 200)
        self.assertEqual(listed.context["cl"].result_count, SubsidyRule.objects.count())
        self.login(self.county_a_worker)
        self.assertEqual(self.client.get(url).status_code, 403)

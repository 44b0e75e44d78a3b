"""The registry pages: list, detail, export, register and edit — scoped, checked, whole."""

import io

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation
from tests.base import PersonaTestCase


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class RegistryTestCase(PersonaTestCase):
    """The personas, with a fast password hasher: each class hashes seven passwords, and
    PBKDF2 at production strength costs more than a second apiece on a small machine."""


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def institution_post(region, **extra) -> dict:
    data = {
        "name": "凌云社区养老院",
        "kind": Kind.INSTITUTION,
        "region": region.code,
        "address": "凌云路 8 号",
        "contact_person": "王芳",
        "phone": "0833-2100000",
        "is_active": "on",
        "institution_type": InstitutionType.ELDERLY_HOME,
        "operator": Operator.PRIVATE,
        "beds": "80",
        "elderly_residents": "55",
        "child_residents": "0",
        "latitude": "29.552100",
        "longitude": "103.765600",
        "sector": "",
    }
    data.update(extra)
    return data


class OrgListTest(RegistryTestCase):
    url = reverse("org_list")

    def test_it_asks_for_a_login(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_it_shows_a_county_worker_only_their_county(self):
        self.login(self.county_b_worker)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.home_b.name)
        self.assertNotContains(response, self.home_a.name)
        self.assertNotContains(response, self.county_department_a.name)
        self.assertNotContains(response, self.department.name)

    def test_it_shows_the_city_administrator_everything(self):
        self.login(self.city_admin)
        response = self.client.get(self.url)
        for org in (self.home_a, self.home_b, self.department, self.township_org_a):
            self.assertContains(response, org.name)

    def test_it_shows_a_liaison_their_department_and_the_home_it_is_paired_with(self):
        self.login(self.liaison)
        response = self.client.get(self.url)
        self.assertContains(response, self.home_a.name)
        self.assertContains(response, self.department.name)
        self.assertNotContains(response, self.home_b.name)
        self.assertNotContains(response, self.other_department.name)

    def test_it_filters_by_kind_type_operator_county_and_name(self):
        self.login(self.city_admin)
        cases = {
            "kind=institution": {self.home_a, self.home_b},
            "kind=city_department": {self.department, self.other_department},
            "institution_type=rural_home&county=511111000000": {self.home_b},
            "operator=public&q=凌云": {self.home_a},
            "q=财政": {self.other_department},
        }
        everyone = set(Organisation.objects.all())
        for query, wanted in cases.items():
            with self.subTest(query=query):
                response = self.client.get(f"{self.url}?{query}")
                shown = set(response.context["page"].object_list)
                self.assertEqual(shown, wanted)
                for org in everyone - wanted:
                    self.assertNotContains(response, f">{org.name}<")

    def test_it_ignores_a_filter_value_that_is_not_on_offer(self):
        self.login(self.county_b_worker)
        response = self.client.get(f"{self.url}?kind=spaceship&county={self.county_a.code}")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.home_a.name)

    def test_it_exports_the_filtered_list_to_excel_within_scope(self):
        self.login(self.county_b_worker)
        response = self.client.get(f"{self.url}?format=xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])
        names = [row[0] for row in xlsx_rows(response)[1:]]
        self.assertIn(self.home_b.name, names)
        self.assertNotIn(self.home_a.name, names)

        self.login(self.city_admin)
        rows = xlsx_rows(self.client.get(f"{self.url}?format=xlsx&kind=institution"))
        self.assertEqual(rows[0][0], "名称")
        self.assertEqual(
            sorted(r[0] for r in rows[1:]), sorted([self.home_a.name, self.home_b.name])
        )

    def test_it_pages_long_lists(self):
        Organisation.objects.bulk_create(
            Organisation(
                name=f"沙湾区社会组织{i:03}", kind=Kind.SOCIAL_ORGANISATION, region=self.county_b
            )
            for i in range(60)
        )
        self.login(self.county_b_worker)
        response = self.client.get(self.url)
        self.assertEqual(len(response.context["page"].object_list), 50)
        response = self.client.get(f"{self.url}?page=2")
        # The 60, 沙湾区's own units, and 市财政局, the city department paired there.
        self.assertEqual(len(response.context["page"].object_list), 12)

    def test_its_query_count_does_not_grow_with_the_rows(self):
        self.login(self.city_admin)
        self.client.get(self.url)  # warm the session
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        Organisation.objects.bulk_create(
            Organisation(
                name=f"测试敬老院{i}",
                kind=Kind.INSTITUTION,
                region=self.village_b,
                institution_type=InstitutionType.RURAL_HOME,
                operator=Operator.PUBLIC,
            )
            for i in range(30)
        )
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(self.url)
        self.assertGreater(len(response.context["page"].object_list), 30)
        self.assertEqual(len(many), len(few))
        self.assertLessEqual(len(many), 12)


class OrgDetailTest(RegistryTestCase):
    def test_it_answers_another_countys_record_as_if_it_did_not_exist(self):
        self.login(self.county_b_worker)
        missing = self.client.get(reverse("org_detail", args=[999999]))
        hidden = self.client.get(reverse("org_detail", args=[self.home_a.pk]))
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(hidden.status_code, 404)
        self.assertNotContains(hidden, self.home_a.name, status_code=404)

    def test_it_shows_an_institution_its_data_and_its_pairings(self):
        self.login(self.county_a_worker)
        response = self.client.get(reverse("org_detail", args=[self.home_a.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "敬老院")  # the type, in Chinese
        self.assertContains(response, "公办")
        self.assertContains(response, ">60<")  # beds
        self.assertContains(response, self.department.name)
        self.assertEqual(response.context["active_pairings"], [self.pair_a])

    def test_it_lists_past_pairings_apart_from_those_in_force(self):
        from carepair.pairing import services
        from tests.base import TODAY

        services.pairing_end(
            actor=self.fresh(self.city_admin),
            pairing=self.pair_a,
            ended_on=TODAY(),
            reason="部门撤并",
        )
        self.login(self.city_admin)
        response = self.client.get(reverse("org_detail", args=[self.home_a.pk]))
        self.assertEqual(response.context["active_pairings"], [])
        self.assertEqual(response.context["past_pairings"], [self.pair_a])
        self.assertContains(response, "未结对")

    def test_institution_staff_see_their_own_home_only(self):
        self.login(self.staff)
        self.assertEqual(
            self.client.get(reverse("org_detail", args=[self.home_a.pk])).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("org_detail", args=[self.home_b.pk])).status_code, 404
        )


class OrgFormTest(RegistryTestCase):
    create_url = reverse("org_create")

    def test_a_county_administrator_registers_an_institution_in_their_county(self):
        self.login(self.county_a_worker)
        response = self.client.post(self.create_url, institution_post(self.village_a))
        org = Organisation.objects.get(name="凌云社区养老院")
        self.assertRedirects(response, reverse("org_detail", args=[org.pk]))
        self.assertEqual(org.beds, 80)
        self.assertEqual(str(org.latitude), "29.552100")
        record = org.history.get()
        self.assertEqual(record.history_user, self.county_a_worker)

    def test_it_offers_only_regions_and_kinds_the_user_can_reach(self):
        self.login(self.county_a_worker)
        form = self.client.get(self.create_url).context["form"]
        codes = {r.code for r in form.fields["region"].queryset}
        self.assertIn(self.village_a.code, codes)
        self.assertNotIn(self.village_b.code, codes)
        self.assertNotIn(self.city.code, codes)
        kinds = {value for value, _ in form.fields["kind"].choices}
        self.assertNotIn(Kind.CITY_DEPARTMENT, kinds)
        self.assertIn(Kind.COUNTY_DEPARTMENT, kinds)

    def test_it_refuses_a_region_of_another_county_and_writes_nothing(self):
        self.login(self.county_a_worker)
        response = self.client.post(self.create_url, institution_post(self.village_b))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["region"])
        self.assertFalse(Organisation.objects.filter(name="凌云社区养老院").exists())

    def test_it_names_each_bad_field_in_chinese(self):
        self.login(self.city_admin)
        bad = institution_post(
            self.village_a,
            name=" ",
            institution_type="",
            operator="",
            beds="-3",
            latitude="95",
            longitude="",
        )
        response = self.client.post(self.create_url, bad)
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        # Every problem at once: the fields that do not parse, and the whole-object rules.
        self.assertEqual(set(errors), {"name", "beds", "latitude", "institution_type", "operator"})
        self.assertIn("这个字段是必填项。", errors["name"])
        self.assertFalse(Organisation.objects.filter(region=self.village_a, beds=-3).exists())

        # The whole-object rules, by field, in Chinese.
        bad = institution_post(self.village_a, institution_type="", operator="", longitude="")
        errors = self.client.post(self.create_url, bad).context["form"].errors
        self.assertEqual(errors["institution_type"], ["请选择机构类型。"])
        self.assertEqual(errors["operator"], ["请说明机构是公办还是民办。"])
        self.assertEqual(errors["longitude"], ["经度和纬度请同时填写，或都不填。"])
        self.assertFalse(Organisation.objects.filter(name="凌云社区养老院").exists())

    def test_it_refuses_institution_fields_on_a_department(self):
        self.login(self.city_admin)
        data = institution_post(
            self.city, name="市教育局", kind=Kind.CITY_DEPARTMENT, institution_type="", operator=""
        )
        errors = self.client.post(self.create_url, data).context["form"].errors
        self.assertIn("beds", errors)
        self.assertIn("latitude", errors)
        self.assertFalse(Organisation.objects.filter(name="市教育局").exists())

    def test_it_places_a_department_at_its_own_level(self):
        self.login(self.city_admin)
        data = {
            "name": "市中区卫健局",
            "kind": Kind.COUNTY_DEPARTMENT,
            "region": self.village_a.code,
        }
        errors = self.client.post(self.create_url, data).context["form"].errors
        self.assertEqual(errors["region"], ["县级部门应属于县（市、区）。"])

    def test_it_refuses_a_duplicate_name_of_the_same_kind(self):
        self.login(self.city_admin)
        data = institution_post(self.village_b, name=self.home_a.name)
        errors = self.client.post(self.create_url, data).context["form"].errors
        self.assertIn("name", errors)

    def test_it_edits_and_keeps_who_changed_what(self):
        self.login(self.county_a_worker)
        url = reverse("org_edit", args=[self.home_a.pk])
        form = self.client.get(url).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(beds="66", is_active="on", region=self.village_a.code)
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("org_detail", args=[self.home_a.pk]))
        self.home_a.refresh_from_db()
        self.assertEqual(self.home_a.beds, 66)
        detail = self.client.get(reverse("org_detail", args=[self.home_a.pk]))
        self.assertContains(detail, "60 → 66")

    def test_it_refuses_to_deactivate_an_organisation_with_pairs_in_force(self):
        self.login(self.city_admin)
        url = reverse("org_edit", args=[self.home_a.pk])
        data = {
            k: v for k, v in self.client.get(url).context["form"].initial.items() if v is not None
        }
        data.pop("is_active")
        errors = self.client.post(url, data).context["form"].errors
        self.assertIn("is_active", errors)
        self.home_a.refresh_from_db()
        self.assertTrue(self.home_a.is_active)

    def test_another_countys_record_cannot_be_edited_or_even_found(self):
        self.login(self.county_b_worker)
        url = reverse("org_edit", args=[self.home_a.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, institution_post(self.village_b)).status_code, 404)

    def test_roles_without_the_registry_permission_get_403(self):
        self.login(self.staff)
        self.assertEqual(
            self.client.get(reverse("org_edit", args=[self.home_a.pk])).status_code, 403
        )
        self.assertEqual(self.client.get(self.create_url).status_code, 403)
        self.login(self.liaison)
        self.assertEqual(
            self.client.post(self.create_url, institution_post(self.village_a)).status_code, 403
        )
        self.assertFalse(Organisation.objects.filter(name="凌云社区养老院").exists())

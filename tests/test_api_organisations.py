"""The registry through the API: organisations and institutions with their filters."""

from carepair.orgs.models import InstitutionType, Kind, Organisation
from carepair.pairing.models import Pairing
from tests.base import TODAY
from tests.test_api_base import ApiTestCase


class OrganisationApiTest(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.children_home = Organisation.objects.create(
            name="乐山市儿童福利院",
            kind=Kind.INSTITUTION,
            region=cls.township_a,
            institution_type=InstitutionType.CHILDREN_HOME,
            beds=80,
            latitude="29.552115",
            longitude="103.765568",
        )

    def test_it_filters_organisations_by_kind_region_and_name(self):
        admin = self.city_admin
        self.assertEqual(
            self.ids(self.get(admin, "/organisations", kind="city_department")),
            {self.department.pk, self.other_department.pk},
        )
        in_a = self.ids(self.get(admin, "/organisations", region="511102"))
        self.assertEqual(
            in_a,
            {
                self.county_department_a.pk,
                self.township_org_a.pk,
                self.home_a.pk,
                self.children_home.pk,
            },
        )
        self.assertEqual(
            self.ids(self.get(admin, "/organisations", q="财政")), {self.other_department.pk}
        )
        self.assertInvalid(self.get(admin, "/organisations", kind="bank"), "kind")
        self.assertInvalid(self.get(admin, "/organisations", region="51a"), "region")

    def test_it_filters_institutions_by_type_region_and_pairing(self):
        admin = self.city_admin
        self.assertEqual(
            self.ids(self.get(admin, "/institutions")),
            {self.home_a.pk, self.home_b.pk, self.children_home.pk},
        )
        self.assertEqual(
            self.ids(self.get(admin, "/institutions", type="children_home")),
            {self.children_home.pk},
        )
        self.assertEqual(
            self.ids(self.get(admin, "/institutions", unpaired="true")), {self.children_home.pk}
        )
        self.assertEqual(
            self.ids(self.get(admin, "/institutions", unpaired="false", region="511111")),
            {self.home_b.pk},
        )
        Pairing.objects.filter(pk=self.pair_b.pk).update(ended_on=TODAY())
        self.assertIn(self.home_b.pk, self.ids(self.get(admin, "/institutions", unpaired="true")))

    def test_an_institution_shows_its_registry_record(self):
        response = self.get(self.county_a_worker, f"/institutions/{self.children_home.pk}")
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("乐山市儿童福利院", response.content.decode())
        body = response.json()
        self.assertEqual(body["institution_type"], "children_home")
        self.assertEqual(body["region_code"], self.township_a.code)
        self.assertEqual(body["latitude"], "29.552115")
        self.assertEqual(body["beds"], 80)
        self.assertFalse(body["paired"])
        self.assertEqual(body["pairings"], [])
        organisation = self.get(
            self.county_a_worker, f"/organisations/{self.county_department_a.pk}"
        )
        self.assertEqual(organisation.json()["kind"], "county_department")

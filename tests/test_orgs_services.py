"""Registry writes: all or nothing, inside the writer's scope, with history."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from carepair.orgs import services
from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation
from carepair.pairing.models import Pairing
from tests.test_orgs_pages import RegistryTestCase


class OrganisationServicesTest(RegistryTestCase):
    def fields(self, **extra):
        data = {
            "name": "新民镇敬老院",
            "kind": Kind.INSTITUTION,
            "region": self.village_a,
            "institution_type": InstitutionType.RURAL_HOME,
            "operator": Operator.PUBLIC,
            "beds": 40,
        }
        data.update(extra)
        return data

    def test_it_rolls_back_a_record_the_writer_could_not_see_afterwards(self):
        with self.assertRaises(ValidationError) as caught:
            services.organisation_create(
                actor=self.fresh(self.county_a_worker), fields=self.fields(region=self.village_b)
            )
        self.assertIn("region", caught.exception.error_dict)
        self.assertFalse(Organisation.objects.filter(name="新民镇敬老院").exists())
        self.assertFalse(Organisation.history.filter(name="新民镇敬老院").exists())

    def test_it_refuses_a_move_out_of_the_writers_county(self):
        with self.assertRaises(ValidationError):
            services.organisation_update(
                actor=self.fresh(self.county_a_worker),
                organisation=self.home_a,
                fields={"region": self.village_b},
            )
        self.home_a.refresh_from_db()
        self.assertEqual(self.home_a.region, self.village_a)

    def test_an_institution_that_moves_takes_its_pairings_region_along(self):
        services.organisation_update(
            actor=self.fresh(self.city_admin),
            organisation=self.home_a,
            fields={"region": self.township_a},
        )
        self.pair_a.refresh_from_db()
        self.assertEqual(self.pair_a.region, self.township_a)
        self.assertEqual(self.pair_a.history.first().history_user, self.city_admin)

    def test_it_needs_the_registry_permission(self):
        with self.assertRaises(PermissionDenied):
            services.organisation_create(actor=self.fresh(self.liaison), fields=self.fields())

    def test_kind_cannot_change_once_there_are_pairings(self):
        with self.assertRaises(ValidationError) as caught:
            services.organisation_update(
                actor=self.fresh(self.city_admin),
                organisation=self.home_a,
                fields={"kind": Kind.SOCIAL_ORGANISATION, "institution_type": "", "operator": ""},
            )
        self.assertIn("kind", caught.exception.error_dict)

    def test_an_organisation_whose_pairs_have_ended_may_be_marked_inactive(self):
        Pairing.objects.filter(pk=self.pair_a.pk).update(
            ended_on=self.pair_a.started_on + datetime.timedelta(days=1), end_reason="撤并"
        )
        org = services.organisation_update(
            actor=self.fresh(self.city_admin), organisation=self.home_a, fields={"is_active": False}
        )
        self.assertFalse(org.is_active)

"""Each entry keeps the total of its materials, and a refresh rewrites it from them."""

from decimal import Decimal

from carepair.ledger.models import Activity, Material
from carepair.ledger.services import MaterialLine, activity_record, activity_totals_refresh
from tests.base import TODAY, PersonaTestCase


class MaterialTotalTest(PersonaTestCase):
    def test_the_total_is_written_with_the_materials_and_refreshed_from_them(self):
        activity = activity_record(
            actor=self.fresh(self.liaison),
            kind="assistance",
            category="donation",
            title="捐赠生活电器",
            occurred_on=TODAY(),
            helpers=[self.department],
            institution=self.home_a,
            materials=[
                MaterialLine("冰箱", Decimal("2"), "台", 499_900),
                MaterialLine("消毒柜", Decimal("1"), "台", 129_950),
            ],
        )
        self.assertEqual(activity.material_value_fen, 629_850)
        Material.objects.filter(activity=activity, item="消毒柜").delete()
        Activity.objects.filter(pk=activity.pk).update(material_value_fen=1)
        self.assertEqual(activity_totals_refresh(), 1)
        activity.refresh_from_db()
        self.assertEqual(activity.material_value_fen, 499_900)

    def test_an_entry_without_materials_totals_zero(self):
        activity = activity_record(
            actor=self.fresh(self.liaison),
            kind="research_visit",
            category="hardship",
            title="调研走访",
            occurred_on=TODAY(),
            helpers=[self.department],
            institution=self.home_a,
        )
        activity_totals_refresh()
        activity.refresh_from_db()
        self.assertEqual(activity.material_value_fen, 0)

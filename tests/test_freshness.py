"""The records' version (数据版本) that cached figures are keyed on: every write gives a
new one, at once and again when its transaction commits."""

from django.db import transaction
from django.test import TransactionTestCase

from carepair.lib.freshness import records_changed, records_version


class RecordsVersionTests(TransactionTestCase):
    def test_every_write_gives_a_new_version_even_two_in_a_row(self):
        seen = {records_version()}
        for _ in range(50):
            records_changed()
            seen.add(records_version())
        self.assertEqual(len(seen), 51)

    def test_a_write_in_a_transaction_changes_the_version_again_when_it_commits(self):
        with transaction.atomic():
            records_changed()
            during = records_version()
        self.assertNotEqual(records_version(), during)

    def test_a_reading_without_writes_keeps_the_version(self):
        records_changed()
        self.assertEqual(records_version(), records_version())

"""History tables (carepair.lib.history): who and when, without a constraint or an index
that no page reads, and still who once the user is gone."""

from django.apps import apps
from django.db import connection
from django.test import TestCase
from simple_history.models import HistoricalChanges

from carepair.accounts.roles import Role
from carepair.orgs.services import organisation_update
from tests.base import PersonaTestCase, make_user


def history_models():
    return [m for m in apps.get_models() if issubclass(m, HistoricalChanges)]


class SchemaTests(TestCase):
    def test_every_history_table_has_no_user_constraint_nor_date_or_user_index(self):
        models = history_models()
        self.assertGreaterEqual(len(models), 14)
        with connection.cursor() as cursor:
            for model in models:
                table = model._meta.db_table
                constraints = connection.introspection.get_constraints(cursor, table)
                with self.subTest(table=table):
                    for name, c in constraints.items():
                        if c["foreign_key"]:
                            self.fail(f"{name}: a constraint on {c['columns']}")
                        if c["index"] and not c["primary_key"]:
                            self.assertNotIn("history_user_id", c["columns"], name)
                            self.assertNotIn("history_date", c["columns"], name)
                    # What the pages read by: the record's key.
                    self.assertTrue(
                        any(c["index"] and c["columns"] == ["id"] for c in constraints.values()),
                        f"{table}: no index on the record's key",
                    )


class DeletedUserTests(PersonaTestCase):
    def test_a_deleted_users_changes_stay_in_history_as_nobodys(self):
        editor = make_user("editor_gone", Role.CITY_ADMIN, region=self.city)
        organisation_update(actor=editor, organisation=self.home_a, fields={"beds": 61})
        record = self.home_a.history.first()
        self.assertEqual(record.history_user, editor)
        editor.delete()
        record.refresh_from_db()
        self.assertIsNone(record.history_user_id)
        self.assertEqual(record.beds, 61)

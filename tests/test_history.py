"""Who did it, kept as a stamp: history tables (carepair.lib.history) carry who and when
without a constraint or an index that no page reads, and a person who registered a
person (Person.created_by) without a constraint; either becomes nobody, not an error,
once the user is gone."""

from django.apps import apps
from django.db import connection
from django.test import TestCase
from simple_history.models import HistoricalChanges

from carepair.accounts.roles import Role
from carepair.orgs.services import organisation_update
from carepair.people.services import person_register
from tests.base import PersonaTestCase, make_user
from tests.people_base import id_for, years_ago


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

    def test_who_registered_a_person_is_not_a_constraint(self):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "people_person")
        keys = {tuple(c["columns"]) for c in constraints.values() if c["foreign_key"]}
        self.assertIn(("region_id",), keys)
        self.assertNotIn(("created_by_id",), keys)


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

    def test_a_deleted_users_registrations_stay_registered_by_nobody(self):
        worker = make_user("worker_gone", Role.TOWNSHIP_WORKER, region=self.township_a)
        person = person_register(
            actor=worker,
            name="赵桂兰",
            id_number=id_for("511102", years_ago(70), 5, male=False),
            region=self.village_a,
        )
        self.assertEqual(person.created_by, worker)
        worker.delete()
        person.refresh_from_db()
        self.assertIsNone(person.created_by_id)
        self.assertIsNone(person.history.get().history_user_id)

"""Model instances from rows read with written-out SQL, on the few paths where building
the query through the ORM costs more than the database takes to answer it (a till
recording meal after meal: benchmarks/redemption)."""

from django.db import connection


def loaded(model, **values):
    """An instance with only these fields loaded, as `.only()` would give it; the rest
    load when first read. Values are as the database adapter returns them, which for
    text, numbers, dates and (on SQLite too) booleans is what the ORM would give."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[n] for n in names])

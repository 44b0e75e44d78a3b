"""Quick unsaved instances for bulk_create, and a faster path still for the largest tables.

Django's Model.__init__ walks every field and descriptor for each row; for the hundreds
of thousands of rows of a large scale it was the seed's largest single cost. These
factories fill an instance's fields directly instead (no signals are sent: none of the
seeded models listens to pre_init or post_init), and the rows then go through the
ordinary bulk_create.
"""

import contextlib

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.db.models.base import ModelState


class Rows:
    """`Rows(Activity)(kind=..., recorded_by_id=..., institution=org)` makes an unsaved
    Activity. Foreign keys take an id (`x_id=`) or an object (`x=`); an object without a
    primary key yet is resolved by bulk_create once it has one."""

    def __init__(self, model):
        self.model = model
        self.defaults = {}
        self.relations = {}
        for field in model._meta.concrete_fields:
            self.defaults[field.attname] = None if field.primary_key else field.get_default()
            if field.is_relation:
                self.relations[field.name] = field

    def __call__(self, **values):
        obj = self.model.__new__(self.model)
        state = ModelState()
        data = dict(self.defaults)
        for name, value in values.items():
            field = self.relations.get(name)
            if field is None:
                data[name] = value
            else:
                data[field.attname] = value.pk if value is not None else None
                if value is not None:
                    state.fields_cache[name] = value
        obj.__dict__.update(data)
        obj._state = state
        return obj


DEFER_INDEXES_FROM = 50_000


class Table:
    """Many rows of one model written at once, past the ORM's per-object work, for the
    largest tables (the registry's tens of thousands of people and visits per scale):
    one INSERT executed over all the rows on SQLite (whose 999-parameter limit would cut
    bulk_create into batches of a few dozen), COPY on PostgreSQL.

    Rows are tuples in the order of `fields` (attnames, the primary key first), and carry
    their primary keys, handed out from `next_pk()`; so rows of other tables can point at
    them before they are written. `reset_sequences()` afterwards lets the database hand
    out the keys after them (PostgreSQL; SQLite follows the largest key by itself).
    """

    def __init__(self, model, fields: list[str]):
        self.model = model
        self.fields = fields
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        columns = [by_attname[name] for name in fields]
        quote = connection.ops.quote_name
        self.names = ", ".join(quote(f.column) for f in columns)
        self.table = quote(meta.db_table)
        self.vendor = connection.vendor
        self.adapters = []
        if self.vendor != "postgresql":
            ops = connection.ops
            for f in columns:
                kind = f.get_internal_type()
                if kind == "DateTimeField":
                    self.adapters.append(ops.adapt_datetimefield_value)
                elif kind == "DateField":
                    self.adapters.append(ops.adapt_datefield_value)
                else:
                    self.adapters.append(None)

    def next_pk(self) -> int:
        return (self.model.objects.aggregate(n=Max("pk"))["n"] or 0) + 1

    def write(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                sql = f"COPY {self.table} ({self.names}) FROM STDIN"
                with self._indexes_deferred(cursor, len(rows)), cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                adapt = [(i, a) for i, a in enumerate(self.adapters) if a is not None]
                if adapt:
                    rows = [list(row) for row in rows]
                    for row in rows:
                        for i, a in adapt:
                            if row[i] is not None:
                                row[i] = a(row[i])
                marks = ", ".join(["%s"] * len(self.fields))
                sql = f"INSERT INTO {self.table} ({self.names}) VALUES ({marks})"
                with self._indexes_deferred(cursor, len(rows)):
                    for start in range(0, len(rows), 20_000):
                        cursor.executemany(sql, rows[start : start + 20_000])
        return len(rows)

    @contextlib.contextmanager
    def _indexes_deferred(self, cursor, n: int):
        """For a large load, the table's secondary indexes are dropped and built again
        afterwards: one sort each instead of hundreds of thousands of inserts at random
        places (at scale 10 the people's eight indexes no longer fit SQLite's page cache;
        PostgreSQL's COPY of them took 30 s). Those that back a constraint (the primary
        key, a unique column) stay. Inside the seed's transaction, like everything else."""
        if n < DEFER_INDEXES_FROM:
            yield
            return
        table = self.model._meta.db_table
        if self.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        if self.vendor == "postgresql":
            # The rows' deferred foreign-key checks are run now: PostgreSQL builds no
            # index on a table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, sql in indexes:
            cursor.execute(sql)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

"""Writing the checked rows (入库): chunk by chunk in the caller's one transaction, with
the people already registered merged or reported, in bulk (multi-row INSERT on SQLite,
COPY on PostgreSQL), history rows alongside, visit plans made as registration makes
them."""

import datetime
import functools
import itertools
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.scope import scope_of
from carepair.lib.dates import age_on
from carepair.lib.freshness import records_changed
from carepair.people.imports.checking import Problem, Row, chunks
from carepair.people.imports.template import BY_KEY
from carepair.people.models import (
    ADULT_AGE,
    Contact,
    ContactKind,
    Living,
    Person,
    PersonCategory,
    VisitRule,
)
from carepair.people.services import (
    CategoryLine,
    every_days_for,
    plan_refresh,
)
from carepair.reports import rollup

MERGE, REPORT = "merge", "report"
BATCH = 2000  # rows per INSERT statement, at most


def _history_user(actor):
    return actor if getattr(actor, "_meta", None) is not None else None


@dataclass
class Batch:
    """A chunk of checked rows built into what the database is sent: the people's,
    categories' and contacts' rows (COPY text on PostgreSQL, INSERT statements on
    SQLite) under keys taken beforehand, and the people registered already."""

    done: int  # rows checked so far
    problems: list[Problem]
    statements: list[tuple[str, object]] = field(default_factory=list)
    person_keys: list[int] = field(default_factory=list)
    old: list[Row] = field(default_factory=list)
    villages: set[str] = field(default_factory=set)


class Writer:
    """Writes checked rows inside the caller's one transaction: `take_keys()` asks who
    is registered already and takes the new people's keys; `build()` turns a chunk of
    rows into a Batch without using the database, so that it runs in the checking
    thread; `write()` sends a batch (the history rows are copied by the database from
    the rows just written); `finish()` merges or reports the people registered already,
    refreshes the figures and marks them changed.

    Who is registered already is asked inside the transaction, so nobody is doubled by
    a registration made while the file is checked; one made after it is refused by the
    unique keyed hash (IntegrityError)."""

    def __init__(self, *, actor, mode: str, outcome, today: datetime.date):
        self.postgres = connection.vendor == "postgresql"
        if not self.postgres:
            # A bigger page cache for this connection: the indexes of a large file's
            # rows are written in random order (the keyed hash); the default 2 MB thrashes.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -131072")
        self.actor, self.mode, self.outcome, self.today = actor, mode, outcome, today
        self.now = timezone.now()
        self.user = _history_user(actor)
        self.stamp = {
            "history_date": self.now,
            "history_change_reason": "import",
            "history_type": "+",
            "history_user_id": getattr(self.user, "pk", None),
        }
        rules = list(VisitRule.objects.filter(active=True))

        @functools.cache
        def interval(categories: frozenset, age: int) -> int | None:
            return every_days_for(rules, set(categories), age)

        self.interval = interval
        person_columns, self.person_tail = _columns(
            Person,
            PERSON_COLUMNS,
            {"created_at": self.now, "created_by_id": self.stamp["history_user_id"]},
        )
        self.day = _day_text()
        # The statements' heads, made here: build() runs where there is no connection.
        self.heads = {
            Person: _head(Person, ("id", *person_columns), self.postgres),
            PersonCategory: _head(PersonCategory, CATEGORY_COLUMNS, self.postgres),
            Contact: _head(Contact, CONTACT_COLUMNS, self.postgres),
        }
        self.existing: dict[str, int] = {}
        self.keys: Iterator[int] = iter(())

    def take_keys(self, digests: list[str]) -> None:
        """Who of the people with these (distinct) keyed hashes is registered already;
        keys for the others."""
        self.existing = _registered(digests)
        new = len(digests) - len(self.existing)
        self.keys = iter(_take_keys(Person, new) if new else ())

    def build(self, rows: list[Row], problems: list[Problem], done: int) -> Batch:
        batch = Batch(done, problems)
        if not rows:
            return batch
        existing, day, today = self.existing, self.day, self.today
        due, tail = day(today), self.person_tail
        people, categories, contacts = [], [], []
        for r in rows:
            batch.villages.add(r.village)
            if r.digest in existing:
                batch.old.append(r)
                continue
            pk = next(self.keys)
            batch.person_keys.append(pk)
            # The plan plan_refresh() would make for someone never visited: due today.
            every = self.interval(
                frozenset(c.category for c in r.categories), age_on(r.birth_date, today)
            )
            people.append(
                (
                    pk,
                    r.name,
                    r.cipher,
                    r.digest,
                    r.masked,
                    r.sex,
                    day(r.birth_date),
                    r.phone,
                    r.household_address,
                    r.address,
                    r.village,
                    r.living or Living.OTHER,
                    every,
                    due if every else None,
                    *tail,
                )
            )
            categories += _category_rows(pk, r.categories, day)
            if r.contact:
                contacts.append(_contact_row(pk, r.contact, r.birth_date, today))
        for model, built in ((Person, people), (PersonCategory, categories), (Contact, contacts)):
            if built:
                batch.statements += _statements(self.heads[model], built, self.postgres)
        return batch

    def write(self, batch: Batch) -> None:
        if not batch.person_keys:
            return
        _send(batch.statements, self.postgres)
        keys = batch.person_keys
        _history_from(Person, "id", keys, self.stamp)
        _history_from(PersonCategory, "person_id", keys, self.stamp)
        _history_from(Contact, "person_id", keys, self.stamp)
        self.outcome.created += len(keys)

    def finish(self, old: list[Row], villages: set[str]) -> None:
        categories, contacts = [], []
        merged = _merge(
            self.actor,
            old,
            self.existing,
            self.mode,
            self.outcome,
            categories,
            contacts,
            self.user,
            self.now,
            self.day,
        )
        _insert_with_history(PersonCategory, CATEGORY_COLUMNS, categories, self.stamp)
        _insert_with_history(Contact, CONTACT_COLUMNS, contacts, self.stamp)
        for chunk in chunks(merged, 2000):
            plan_refresh(Person.objects.filter(pk__in=chunk), today=self.today)
        rollup.refresh_registry(villages)
        records_changed()


def _head(model, columns: tuple[str, ...], postgres: bool) -> tuple:
    """COPY's statement (PostgreSQL), or the head of an INSERT and the placeholders of
    one row (SQLite), for these columns of the model's table."""
    ops = connection.ops
    names = {f.attname: f.column for f in model._meta.concrete_fields}
    target = ", ".join(ops.quote_name(names[c]) for c in columns)
    table = ops.quote_name(model._meta.db_table)
    if postgres:
        return (f"COPY {table} ({target}) FROM STDIN",)
    # Django's SQLite cursor turns each %s into ? with a regular expression, which on
    # statements of thousands of parameters costs more than the insert: ? written here.
    return (f"INSERT INTO {table} ({target}) VALUES ", "(" + ", ".join(["?"] * len(columns)) + ")")


def _statements(head: tuple, rows: list[tuple], postgres: bool) -> list[tuple[str, object]]:
    if postgres:
        return [(head[0], _copy_lines(rows))]
    sql, one = head
    # Within SQLite's 32,766 parameters per statement.
    per_statement = max(1, min(BATCH, 30000 // len(rows[0])))
    return [
        (sql + ", ".join([one] * len(chunk)), list(itertools.chain.from_iterable(chunk)))
        for chunk in chunks(rows, per_statement)
    ]


def _take_keys(model, n: int) -> list[int]:
    """n keys for new rows of the model: on PostgreSQL from its sequence, as INSERT
    would take them (read back as one array); on SQLite the ones after the highest ever
    given (the transaction holds the write lock from its start: transaction_mode
    IMMEDIATE), which SQLite then records as given."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                [_sequence(table, pk), n],
            )
            return cursor.fetchone()[0]
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({connection.ops.quote_name(pk)}) "
            f"FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + n))


# The columns the rows are built with, in this order; every other column takes its
# default (the same for every row).
PERSON_COLUMNS = (
    "name",
    "id_cipher",
    "id_hash",
    "id_masked",
    "sex",
    "birth_date",
    "phone",
    "household_address",
    "address",
    "region_id",
    "living",
    "visit_every_days",
    "next_visit_on",
)
CATEGORY_COLUMNS = ("person_id", "category", "start_on", "end_on", "source")
CONTACT_COLUMNS = ("person_id", "kind", "name", "relation", "phone", "age", "health")


def _registered(digests: list[str]) -> dict[str, int]:
    """{keyed hash: person key} of the people already registered, in any region (one of
    another region is reported, not changed). One query with the hashes as one array:
    chunks of ten thousand through the ORM took 2.4 s per 100,000 on PostgreSQL."""
    if not digests:
        return {}
    table = connection.ops.quote_name(Person._meta.db_table)
    if connection.vendor == "postgresql":
        # Keyed hashes are hexadecimal: nothing in them needs quoting in an array.
        which, param = "= ANY(%s::varchar[])", "{" + ",".join(digests) + "}"
    else:
        which, param = "IN (SELECT value FROM json_each(%s))", json.dumps(digests)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_hash, id FROM {table} WHERE id_hash {which}", [param])
        return dict(cursor.fetchall())


def _columns(model, given: tuple[str, ...], values: dict) -> tuple[tuple[str, ...], tuple]:
    """The given columns followed by all the others but the key, and the values those
    others take in every row: from `values`, else the field's default."""
    rest = [
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key and f.attname not in given
    ]
    fields = {f.attname: f for f in model._meta.concrete_fields}
    tail = [values[a] if a in values else fields[a].get_default() for a in rest]
    for i, value in enumerate(tail):
        if isinstance(value, datetime.datetime):
            tail[i] = (
                value.isoformat()
                if connection.vendor == "postgresql"
                else connection.ops.adapt_datetimefield_value(value)
            )
        elif isinstance(value, datetime.date):
            tail[i] = value.isoformat()
    return (*given, *rest), tuple(tail)


def _day_text():
    """A date as the text both databases take (ISO 8601), each distinct date written
    once: a file has few distinct dates."""
    known: dict[datetime.date, str] = {}

    def day(value: datetime.date | None) -> str | None:
        if value is None:
            return None
        text = known.get(value)
        if text is None:
            text = known[value] = value.isoformat()
        return text

    return day


def _insert_with_history(model, columns: tuple[str, ...], rows: list[tuple], stamp: dict):
    """Insert the rows (tuples in the order of `columns`) and their history rows (who,
    when: this import) as `Writer` does, for the few rows written after the chunks."""
    if not rows:
        return
    postgres = connection.vendor == "postgresql"
    keys = _take_keys(model, len(rows))
    head = _head(model, ("id", *columns), postgres)
    rows = [(pk, *row) for pk, row in zip(keys, rows, strict=True)]
    _send(_statements(head, rows, postgres), postgres)
    _history_from(model, model._meta.pk.column, keys, stamp)


def _send(statements: list[tuple[str, object]], postgres: bool) -> None:
    """Run the statements: COPY on PostgreSQL, the SQLite module's own execute() on
    SQLite (not Django's cursor: see _head()); errors as Django's (IntegrityError)."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if postgres:
            with connection.connection.cursor() as cursor:
                for sql, text in statements:
                    with cursor.copy(sql) as copy:
                        copy.write(text)
        else:
            execute = connection.connection.execute
            for sql, params in statements:
                execute(sql, params)


def _history_from(model, column: str, keys: list[int], stamp: dict) -> None:
    """INSERT INTO the history table SELECT the rows whose `column` is one of these
    keys (the rows' own, or their person's), with the stamp. The keys go in as a range
    when they follow one another, else as one array (on SQLite a JSON one, read with
    json_each)."""
    ops = connection.ops
    history = model.history.model._meta
    fields = [f for f in history.concrete_fields if not isinstance(f, models.AutoField)]
    copied = [ops.quote_name(f.column) for f in fields if f.attname not in stamp]
    stamped = [f for f in fields if f.attname in stamp]
    values = [
        ops.adapt_datetimefield_value(stamp[f.attname])
        if isinstance(f, models.DateTimeField)
        else stamp[f.attname]
        for f in stamped
    ]
    columns = ", ".join([*copied, *(ops.quote_name(f.column) for f in stamped)])
    chosen = ", ".join([*copied, *(["%s"] * len(stamped))])
    column = ops.quote_name(column)
    if keys[-1] - keys[0] == len(keys) - 1 and keys == list(range(keys[0], keys[-1] + 1)):
        # The usual case (keys taken at once): a range, not a list.
        which, keys_param = f"{column} BETWEEN %s AND %s", None
    elif connection.vendor == "postgresql":
        # As an array's text: psycopg adapting a list of a hundred thousand numbers
        # takes longer than the query.
        which, keys_param = f"{column} = ANY(%s::bigint[])", "{" + ",".join(map(str, keys)) + "}"
    else:
        which, keys_param = f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(history.db_table)} ({columns}) "
            f"SELECT {chosen} FROM {ops.quote_name(model._meta.db_table)} WHERE {which}",
            [*values, *((keys[0], keys[-1]) if keys_param is None else (keys_param,))],
        )


@functools.cache
def _sequence(table: str, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        return cursor.fetchone()[0]


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def _copy_lines(rows: list[tuple]) -> str:
    """The rows in COPY's text format, written here: psycopg's write_row() adapts each
    value on its own, which cost more than the COPY itself. Text is escaped only in a
    run of rows where some text holds a character that COPY escapes (rare: a backslash,
    tab, newline or carriage return)."""
    lines = []
    for chunk in chunks(rows, 5000):
        texts = "".join([v for row in chunk for v in row if type(v) is str])
        if any(c in texts for c in "\\\t\n\r"):
            lines += ["\t".join(map(_copy_text, row)) for row in chunk]
        else:
            lines += [
                "\t".join([v if type(v) is str else _copy_text(v) for v in row]) for row in chunk
            ]
    lines.append("")
    return "\n".join(lines)


def _category_rows(person_pk: int, lines: list[CategoryLine], day) -> list[tuple]:
    return [(person_pk, c.category, day(c.start_on), day(c.end_on), c.source) for c in lines]


def _contact_row(person_pk: int, contact, born: datetime.date, today) -> tuple:
    name, relation, phone = contact
    child = age_on(born, today) < ADULT_AGE
    kind = ContactKind.GUARDIAN if child else ContactKind.EMERGENCY
    return (person_pk, kind, name, relation, phone, None, "")


MERGED_FIELDS = ("name", "phone", "household_address", "address", "region_id", "living")


def _merge(actor, old, existing, mode, outcome, categories, contacts, user, now, day) -> list[int]:
    """People already registered: list them (report), or update their details and add
    the categories and contact they lack (merge). Returns the merged people's keys."""
    id_header = BY_KEY["id_number"].header
    if mode == REPORT:
        for r in old:
            outcome.duplicates.append(
                Problem(r.row, id_header, _("Already registered: not imported."), r.name, r.masked)
            )
        return []
    scope = scope_of(actor)
    pks = [existing[r.digest] for r in old]
    people: dict[int, Person] = {}
    held: dict[int, set[str]] = defaultdict(set)
    known: dict[int, set[str]] = defaultdict(set)
    for chunk in chunks(pks, 500):
        people.update(Person.objects.in_bulk(chunk))
        for pk, category in (
            PersonCategory.objects.current().filter(person_id__in=chunk)
        ).values_list("person_id", "category"):
            held[pk].add(category)
        for pk, name in Contact.objects.filter(person_id__in=chunk).values_list(
            "person_id", "name"
        ):
            known[pk].add(name)
    changed, merged = [], []
    today = timezone.localdate()
    for r in old:
        person = people[existing[r.digest]]
        if not scope.owns(person.region_id):
            outcome.duplicates.append(
                Problem(
                    r.row,
                    id_header,
                    _("Registered in a village outside your region: not changed."),
                    r.name,
                    r.masked,
                )
            )
            continue
        dirty = False
        for name, value in zip(
            MERGED_FIELDS,
            (r.name, r.phone, r.household_address, r.address, r.village, r.living),
            strict=True,
        ):
            if value and getattr(person, name) != value:
                setattr(person, name, value)
                dirty = True
        if dirty:
            changed.append(person)
        lacking = [c for c in r.categories if c.category not in held[person.pk]]
        categories += _category_rows(person.pk, lacking, day)
        if r.contact and r.contact[0] not in known[person.pk]:
            contacts.append(_contact_row(person.pk, r.contact, person.birth_date, today))
        merged.append(person.pk)
    if changed:
        Person.objects.bulk_update(changed, [f for f in MERGED_FIELDS], batch_size=500)
        Person.history.bulk_history_create(
            changed,
            update=True,
            default_user=user,
            default_date=now,
            default_change_reason="import",
        )
    outcome.merged = len(merged)
    return merged

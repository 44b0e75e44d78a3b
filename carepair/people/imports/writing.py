"""Writing the checked rows (入库): in one transaction, with the people already
registered merged or reported, in bulk (multi-row INSERT on SQLite, COPY on PostgreSQL),
history rows alongside, visit plans made as registration makes them."""

import datetime
import functools
import itertools
import json
from collections import defaultdict

from django.db import connection, models, transaction
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


@transaction.atomic
def _write(*, actor, rows: list[Row], mode: str, outcome, today) -> None:
    """Write the checked rows in one transaction. Who is registered already is asked
    inside it, so nobody is doubled by a registration made while the file was checked
    (and the unique keyed hash refuses a concurrent import of the same person)."""
    existing = _registered([r.digest for r in rows])
    new = [r for r in rows if r.digest not in existing]
    old = [r for r in rows if r.digest in existing]
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection: the indexes of a large file's rows
        # are written in random order (the keyed hash), and the default 2 MB thrashes.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")
    now = timezone.now()
    user = _history_user(actor)
    stamp = {
        "history_date": now,
        "history_change_reason": "import",
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    rules = list(VisitRule.objects.filter(active=True))

    @functools.cache
    def interval(categories: frozenset, age: int) -> int | None:
        return every_days_for(rules, set(categories), age)

    person_columns, person_tail = _columns(
        Person,
        PERSON_COLUMNS,
        {"created_at": now, "created_by_id": stamp["history_user_id"]},
    )
    day = _day_text()
    due = day(today)
    people = []
    for r in new:
        # The plan plan_refresh() would make for someone never visited: due today.
        every = interval(frozenset(c.category for c in r.categories), age_on(r.birth_date, today))
        people.append(
            (
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
                *person_tail,
            )
        )
    keys = _insert_with_history(Person, person_columns, people, stamp)
    categories, contacts = [], []
    for pk, r in zip(keys, new, strict=True):
        categories += _category_rows(pk, r.categories, day)
        if r.contact:
            contacts.append(_contact_row(pk, r.contact, r.birth_date, today))
    outcome.created = len(people)
    merged_pks = _merge(actor, old, existing, mode, outcome, categories, contacts, user, now, day)
    _insert_with_history(PersonCategory, CATEGORY_COLUMNS, categories, stamp)
    _insert_with_history(Contact, CONTACT_COLUMNS, contacts, stamp)
    for chunk in chunks(merged_pks, 2000):
        plan_refresh(Person.objects.filter(pk__in=chunk), today=today)
    rollup.refresh_registry({r.village for r in rows})
    records_changed()


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
    when: this import); return the rows' keys, in order. Django's bulk_create spends two
    thirds of an import's time building model instances and compiling SQL for each;
    these are plain multi-row INSERT statements on SQLite and COPY on PostgreSQL (its
    bulk-loading path). The history rows are copied by the database itself from the
    rows just written."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        keys = _next_keys(model, len(rows))
        _copy(model, ("id", *columns), [(pk, *row) for pk, row in zip(keys, rows, strict=True)])
    else:
        keys = _insert(model, columns, rows)
    _history_from(model, keys, stamp)
    return keys


def _history_from(model, keys: list[int], stamp: dict) -> None:
    """INSERT INTO the history table SELECT the rows of these keys, with the stamp (the
    keys go in as a range when they follow one another, else as one array: on SQLite a
    JSON one, read with json_each)."""
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
    pk = ops.quote_name(model._meta.pk.column)
    if keys == list(range(keys[0], keys[0] + len(keys))):
        # The usual case (one import taking keys at a time): a range, not a list.
        which, keys_param = f"{pk} BETWEEN %s AND %s", None
    elif connection.vendor == "postgresql":
        # As an array's text: psycopg adapting a list of a hundred thousand numbers
        # takes longer than the query.
        which, keys_param = f"{pk} = ANY(%s::bigint[])", "{" + ",".join(map(str, keys)) + "}"
    else:
        which, keys_param = f"{pk} IN (SELECT value FROM json_each(%s))", json.dumps(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(history.db_table)} ({columns}) "
            f"SELECT {chosen} FROM {ops.quote_name(model._meta.db_table)} WHERE {which}",
            [*values, *((keys[0], keys[-1]) if keys_param is None else (keys_param,))],
        )


def _next_keys(model, n: int) -> list[int]:
    """n primary keys taken from the table's sequence, as INSERT would take them (the
    sequence named once, not once per key; the keys read back as one array)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
            [sequence, n],
        )
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


def _copy(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY the rows in, in COPY's text format written here: psycopg's write_row()
    adapts each value on its own, which cost more than the COPY itself. Text is escaped
    only in a batch of rows where some text holds a character that COPY escapes (rare:
    a backslash, tab, newline or carriage return)."""
    ops = connection.ops
    names = {f.attname: f.column for f in model._meta.concrete_fields}
    target = ", ".join(ops.quote_name(names[c]) for c in columns)
    sql = f"COPY {ops.quote_name(model._meta.db_table)} ({target}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for chunk in chunks(rows, 5000):
            texts = "".join([v for row in chunk for v in row if type(v) is str])
            if any(c in texts for c in "\\\t\n\r"):
                lines = ["\t".join(map(_copy_text, row)) for row in chunk]
            else:
                lines = [
                    "\t".join([v if type(v) is str else _copy_text(v) for v in row])
                    for row in chunk
                ]
            lines.append("")
            copy.write("\n".join(lines))


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """Multi-row INSERTs on SQLite; the rows' keys back, in order."""
    ops = connection.ops
    meta = model._meta
    names = {f.attname: f.column for f in meta.concrete_fields}
    # Django's SQLite cursor turns each %s into ? with a regular expression, which on
    # statements of thousands of parameters costs more than the insert: write ? here.
    one = "(" + ", ".join(["?"] * len(columns)) + ")"
    target = ", ".join(ops.quote_name(names[c]) for c in columns)
    head = f"INSERT INTO {ops.quote_name(meta.db_table)} ({target}) VALUES "
    tail = f" RETURNING {ops.quote_name(meta.pk.column)}"
    # Within SQLite's 32,766 parameters per statement.
    per_statement = max(1, min(BATCH, 30000 // len(columns)))
    keys = []
    connection.ensure_connection()
    execute = connection.connection.execute
    for chunk in chunks(rows, per_statement):
        params = list(itertools.chain.from_iterable(chunk))
        done = execute(head + ", ".join([one] * len(chunk)) + tail, params)
        keys += [r[0] for r in done.fetchall()]
    return keys


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

"""Writing the checked rows (入库): in one transaction, with the people already
registered merged or reported, in bulk (multi-row INSERT on SQLite, COPY on PostgreSQL),
history rows alongside, visit plans made as registration makes them."""

import datetime
import functools
import json
import operator
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
    existing: dict[str, int] = {}
    for chunk in chunks([r.digest for r in rows], 10000):
        existing.update(
            (digest, pk)
            for digest, pk in Person.objects.filter(id_hash__in=chunk).values_list("id_hash", "pk")
        )
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

    blank = _defaults(Person)
    people = []
    for r in new:
        # The plan plan_refresh() would make for someone never visited: due today.
        every = interval(frozenset(c.category for c in r.categories), age_on(r.birth_date, today))
        people.append(
            {
                **blank,
                "name": r.name,
                "id_cipher": r.cipher,
                "id_hash": r.digest,
                "id_masked": r.masked,
                "sex": r.sex,
                "birth_date": r.birth_date,
                "phone": r.phone,
                "household_address": r.household_address,
                "address": r.address,
                "region_id": r.village,
                "living": r.living or Living.OTHER,
                "visit_every_days": every,
                "next_visit_on": today if every else None,
                "created_at": now,
                "created_by_id": stamp["history_user_id"],
            }
        )
    _insert_with_history(Person, people, stamp)
    categories, contacts = [], []
    for person, r in zip(people, new, strict=True):
        categories += _category_rows(person["id"], r.categories)
        if r.contact:
            contacts.append(_contact_row(person["id"], r.contact, r.birth_date, today))
    outcome.created = len(people)
    merged_pks = _merge(actor, old, existing, mode, outcome, categories, contacts, user, now)
    _insert_with_history(PersonCategory, categories, stamp)
    _insert_with_history(Contact, contacts, stamp)
    for chunk in chunks(merged_pks, 2000):
        plan_refresh(Person.objects.filter(pk__in=chunk), today=today)
    rollup.refresh_registry({r.village for r in rows})
    records_changed()


def _defaults(model) -> dict:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def _insert_with_history(model, rows: list[dict], stamp: dict) -> None:
    """Insert the rows, setting each row's "id", and their history rows (who, when: this
    import). Django's bulk_create spends two thirds of an import's time building model
    instances and compiling SQL for each; these are plain multi-row INSERT statements on
    SQLite and COPY on PostgreSQL (its bulk-loading path), the values adapted as Django
    would. On SQLite the history rows are copied by the database from the rows just
    written; on PostgreSQL a second COPY is faster still."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        for row, pk in zip(rows, _next_keys(model, len(rows)), strict=True):
            row["id"] = pk
        _copy(model, rows)
        _copy(model.history.model, [{**row, **stamp} for row in rows])
        return
    keys = _insert(model, rows, returning=True)
    for row, pk in zip(rows, keys, strict=True):
        row["id"] = pk
    _history_from(model, keys, stamp)


def _history_from(model, keys: list[int], stamp: dict) -> None:
    """INSERT INTO the history table SELECT the rows of these keys, with the stamp (the
    keys go in as one JSON array, which SQLite reads with json_each)."""
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
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ops.quote_name(history.db_table)} ({columns}) "
            f"SELECT {chosen} FROM {ops.quote_name(model._meta.db_table)} "
            f"WHERE {ops.quote_name(model._meta.pk.column)} IN (SELECT value FROM json_each(%s))",
            [*values, json.dumps(keys)],
        )


def _next_keys(model, n: int) -> list[int]:
    """n primary keys taken from the table's sequence, as INSERT would take them."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, n],
        )
        return [r[0] for r in cursor.fetchall()]


def _copy(model, rows: list[dict]) -> None:
    ops = connection.ops
    meta = model._meta
    # The key goes in (taken from the sequence beforehand), except an automatic one
    # nobody needs back: the history rows' history_id.
    fields = [
        f
        for f in meta.concrete_fields
        if not (isinstance(f, models.AutoField) and f.attname not in rows[0])
    ]
    pick = operator.itemgetter(*(f.attname for f in fields))
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(pick(row))


def _insert(model, rows: list[dict], returning: bool = False) -> list:
    ops = connection.ops
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not isinstance(f, models.AutoField)]
    pick = operator.itemgetter(*(f.attname for f in fields))
    adapt_at = [
        (
            i,
            ops.adapt_datetimefield_value
            if isinstance(f, models.DateTimeField)
            else ops.adapt_datefield_value,
        )
        for i, f in enumerate(fields)
        if isinstance(f, models.DateField)
    ]
    adapted: dict = {}  # a file has few distinct dates: adapt each once
    sqlite = connection.vendor == "sqlite"
    # Django's SQLite cursor turns each %s into ? with a regular expression, which on
    # statements of thousands of parameters costs more than the insert: write ? here.
    mark = "?" if sqlite else "%s"
    one = "(" + ", ".join([mark] * len(fields)) + ")"
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    head = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {ops.quote_name(meta.pk.column)}" if returning else ""
    # Within SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
    per_statement = max(1, min(BATCH, 30000 // len(fields)))
    keys = []
    connection.ensure_connection()
    with connection.cursor() as cursor:
        execute = connection.connection.execute if sqlite else cursor.execute
        for chunk in chunks(rows, per_statement):
            params = []
            for row in chunk:
                values = list(pick(row))
                for i, adapt in adapt_at:
                    value = values[i]
                    if value is not None:
                        if value not in adapted:
                            adapted[value] = adapt(value)
                        values[i] = adapted[value]
                params += values
            done = execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                keys += [r[0] for r in (done if sqlite else cursor).fetchall()]
    return keys


def _category_rows(person_pk: int, lines: list[CategoryLine]) -> list[dict]:
    return [
        {
            "person_id": person_pk,
            "category": c.category,
            "start_on": c.start_on,
            "end_on": None,
            "source": c.source,
        }
        for c in lines
    ]


def _contact_row(person_pk: int, contact, born: datetime.date, today) -> dict:
    name, relation, phone = contact
    child = age_on(born, today) < ADULT_AGE
    return {
        "person_id": person_pk,
        "kind": ContactKind.GUARDIAN if child else ContactKind.EMERGENCY,
        "name": name,
        "relation": relation,
        "phone": phone,
        "age": None,
        "health": "",
    }


MERGED_FIELDS = ("name", "phone", "household_address", "address", "region_id", "living")


def _merge(actor, old, existing, mode, outcome, categories, contacts, user, now) -> list[int]:
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
        categories += _category_rows(person.pk, lacking)
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

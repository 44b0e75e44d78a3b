"""Scenarios (比对场景): named comparisons of departmental lists, each with its own rule,
run on the linkage engine. Plain Python, no Django: the application, a job or a script
calls `run(key, lists, registry=..., today=...)` and gets the findings as dicts.

A list is an Arrow table with the engine's columns (record_id, name, id_number, birth_date,
sex, phone, address) and, by its kind, a few more (`EXTRA`): a death list's death_date, a
benefit roll's benefit and paid_from, a school roll's parents' ID numbers. `region_code`
(the village or township the record belongs to) lets a finding reach the township that can
check it. The registry (people in need) is a list too, its record_id the person's key.

Each finding names its subject (the record a township worker goes to check), the evidence
(score, rule, which fields agreed) and a `identity` that stays the same from one run to
the next, so that a finding dismissed once is not raised again.
"""

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from .io import COLUMNS
from .link import link as _link
from .normalise import Unreadable, parse_date

# The columns each kind of list may bring besides the engine's, all optional.
EXTRA = {
    "deaths": ("region_code", "death_date"),
    "benefit_roll": ("region_code", "benefit", "paid_from"),
    "household_register": ("region_code", "lives_alone"),
    "disability": ("region_code", "grade"),
    "orphans": ("region_code",),
    "school_roll": ("region_code", "school", "father_id_number", "mother_id_number"),
    "migrant_workers": ("region_code", "workplace"),
    "vehicles": ("region_code", "plate"),
    "businesses": ("region_code", "business"),
    "hospital_stays": ("region_code", "admitted_on", "discharged_on"),
}
KINDS = tuple(EXTRA)
# A scenario names the lists it takes by role; a role is a kind, but for these.
ROLE_KIND = {"benefit_roll_other": "benefit_roll"}
LINKED = ("match", "review")
_YES = {"1", "是", "y", "yes", "true", "独居", "单人户"}
_GRADE = re.compile(r"[一二12]")


@dataclass(frozen=True)
class Scenario:
    key: str
    needs: tuple[str, ...]  # list kinds, each required...
    run: Callable
    registry: bool = False  # ...and whether it compares against the registry
    either: tuple[str, ...] = ()  # one list of one of these kinds is needed as well
    options: tuple[str, ...] = field(default=())  # list kinds that may be given too


SCENARIOS: dict[str, Scenario] = {}


def scenario(key, needs=(), *, registry=False, either=(), options=()):
    def register(fn):
        SCENARIOS[key] = Scenario(key, tuple(needs), fn, registry, tuple(either), tuple(options))
        return fn

    return register


def run(
    key: str,
    lists: dict[str, pa.Table],
    *,
    registry: pa.Table | None = None,
    today: datetime.date | None = None,
    engine: str = "duckdb",
    progress=None,
) -> list[dict]:
    """The findings of one scenario on the given lists (by kind); `progress` is told
    each step of each comparison the scenario makes."""
    chosen = SCENARIOS[key]
    missing = [k for k in chosen.needs if k not in lists]
    if chosen.either and not any(k in lists for k in chosen.either):
        missing.append(" or ".join(chosen.either))
    if missing:
        raise ValueError(f"{key} needs a list of: {', '.join(missing)}")
    if chosen.registry and registry is None:
        raise ValueError(f"{key} compares against the registry")
    context = _Context(today or datetime.date.today(), engine, progress)
    found = chosen.run(context, lists, registry)
    unique = {}
    for finding in found:
        unique.setdefault(finding["identity"], finding)
    return list(unique.values())


@dataclass
class _Context:
    today: datetime.date
    engine: str
    progress: Callable | None = None

    def link(self, left: pa.Table, right: pa.Table) -> list[dict]:
        """The linked pairs (match or review), each as a dict with the right record's
        columns as right_* and the left's extra columns as left_*."""
        if not left.num_rows or not right.num_rows:
            return []
        if self.progress:
            self.progress("start")  # then the engine's own steps
        pairs = _link(
            _standard(left), _standard(right), engine=self.engine, progress=self.progress
        ).pairs
        return [p for p in pairs.to_pylist() if p["decision"] in LINKED]


# --- helpers ---------------------------------------------------------------------------


def _standard(table: pa.Table) -> pa.Table:
    """The engine's columns all there, as text (a list may lack any but record_id)."""
    for column in COLUMNS:
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
        elif table.schema.field(column).type != pa.string():
            i = table.column_names.index(column)
            table = table.set_column(i, column, table.column(column).cast(pa.string()))
    return table


def _rows(table: pa.Table) -> list[dict]:
    return table.to_pylist()


def _date(raw) -> datetime.date | None:
    try:
        return parse_date(raw)
    except Unreadable:
        return None


def born(record: dict) -> datetime.date | None:
    """The birth date written down, else the one an 18-character ID number holds."""
    found = _date(record.get("birth_date"))
    number = (record.get("id_number") or "").strip()
    if found is None and len(number) == 18:
        found = _date(number[6:14])
    return found


def age(record: dict, today: datetime.date) -> int | None:
    day = born(record)
    if day is None:
        return None
    return today.year - day.year - ((today.month, today.day) < (day.month, day.day))


def identity(record: dict) -> str:
    """What stays the same for a person from one run to the next: the ID number when
    there is one, else the name and birth date."""
    number = re.sub(r"\s", "", record.get("id_number") or "").upper()
    if number:
        return "id:" + number
    return f"name:{(record.get('name') or '').strip()}|{born(record) or ''}"


def _finding(key, role, record, *, facts, pair=None, other=None, other_record=None) -> dict:
    """A finding on `record` of the list playing `role`; `facts` are what the scenario
    saw, as data (the application words them in the reader's language); `other_record`
    is the record it was linked to, whose name and address are shown beside its own."""
    if other_record is not None:
        facts = {
            **facts,
            "other": {
                "name": other_record.get("name") or "",
                "address": other_record.get("address") or "",
            },
        }
    return {
        "scenario": key,
        "role": role,
        "address": record.get("address") or "",
        "identity": f"{key}:{identity(record)}",
        "record_id": record.get("record_id"),
        "name": record.get("name") or "",
        "id_number": record.get("id_number") or "",
        "birth_date": born(record),
        "region_code": record.get("region_code") or "",
        "score": pair["score"] if pair else None,
        "decision": pair["decision"] if pair else "",
        "rule": pair["rule"] if pair else "",
        "evidence": pair["evidence"] if pair else "",
        "other_record_id": other,
        "facts": facts,
    }


def _right_record(pair: dict, table_by_id: dict) -> dict:
    return table_by_id[pair["right_id"]]


def _by_id(table: pa.Table) -> dict:
    return {r["record_id"]: r for r in _rows(table)}


def _filter(table: pa.Table, keep: list[bool]) -> pa.Table:
    return table.filter(pa.array(keep, pa.bool_()))


def _unlinked(context, left: pa.Table, right: pa.Table) -> tuple[list[dict], dict]:
    """The right records no left record links to, and the linked pairs by right id."""
    pairs = {p["right_id"]: p for p in context.link(left, right)}
    return [r for r in _rows(right) if r["record_id"] not in pairs], pairs


# --- the scenarios ---------------------------------------------------------------------


@scenario("deceased_still_paid", ("deaths", "benefit_roll"))
def deceased_still_paid(context, lists, registry):
    """Benefit roll ∩ deaths before the paid period (死亡仍领取)."""
    roll = lists["benefit_roll"]
    records, deaths = _by_id(roll), _by_id(lists["deaths"])
    found = []
    for pair in context.link(lists["deaths"], roll):
        record = records[pair["right_id"]]
        died = _date(pair.get("left_death_date"))
        paid = _date(record.get("paid_from")) or context.today
        if died is not None and died < paid:
            found.append(
                _finding(
                    "deceased_still_paid",
                    "benefit_roll",
                    record,
                    pair=pair,
                    other=pair["left_id"],
                    other_record=deaths[pair["left_id"]],
                    facts={
                        "died": died.isoformat(),
                        "paid_from": paid.isoformat(),
                        "benefit": record.get("benefit") or "",
                    },
                )
            )
    return found


def _county(record: dict) -> str:
    return (record.get("region_code") or "")[:6]


@scenario("paid_twice", ("benefit_roll",), options=("benefit_roll_other",))
def paid_twice(context, lists, registry):
    """Paid twice (重复领取): on two rolls that exclude each other, or on the same roll
    in two counties."""
    roll = lists["benefit_roll"]
    records = _by_id(roll)
    found = []
    other = lists.get("benefit_roll_other")
    if other is not None:
        others = _by_id(other)
        for pair in context.link(other, roll):
            record = records[pair["right_id"]]
            found.append(
                _finding(
                    "paid_twice",
                    "benefit_roll",
                    record,
                    pair=pair,
                    other=pair["left_id"],
                    other_record=others[pair["left_id"]],
                    facts={"other_roll": True},
                )
            )
        return found
    counties = [_county(r) for r in _rows(roll)]
    for county in sorted(set(counties) - {""}):
        here = [c == county for c in counties]
        elsewhere = [c not in ("", county) for c in counties]
        if not any(elsewhere):
            continue
        for pair in context.link(_filter(roll, elsewhere), _filter(roll, here)):
            record = records[pair["right_id"]]
            twin = records[pair["left_id"]]
            found.append(
                _finding(
                    "paid_twice",
                    "benefit_roll",
                    record,
                    pair=pair,
                    other=pair["left_id"],
                    other_record=twin,
                    facts={"also_in_county": _county(twin)},
                )
            )
    return found


def _eligible(kind: str, record: dict, today) -> dict | None:
    """Why a record of this kind of list is eligible for the registry, or None."""
    if kind == "household_register":
        years = age(record, today)
        alone = str(record.get("lives_alone") or "").strip().lower() in _YES
        if years is not None and years >= 80 and alone:
            return {"age": years, "alone": True}
        return None
    if kind == "disability":
        grade = str(record.get("grade") or "")
        return {"grade": grade} if _GRADE.search(grade) else None
    if kind == "orphans":
        return {"orphan": True}
    return None


@scenario(
    "eligible_not_registered",
    registry=True,
    either=("household_register", "disability", "orphans"),
)
def eligible_not_registered(context, lists, registry):
    """Eligible but not in the registry (应纳未纳): over 80 and living alone in the
    household register, disability grade 1–2, orphans."""
    found = []
    for kind in ("household_register", "disability", "orphans"):
        if kind not in lists:
            continue
        table = lists[kind]
        reasons = [_eligible(kind, r, context.today) for r in _rows(table)]
        eligible = _filter(table, [bool(w) for w in reasons])
        why = {r["record_id"]: w for r, w in zip(_rows(table), reasons, strict=True) if w}
        missing, _pairs = _unlinked(context, registry, eligible)
        for record in missing:
            found.append(
                _finding(
                    "eligible_not_registered",
                    kind,
                    record,
                    facts=why[record["record_id"]],
                )
            )
    return found


def _plain_id(raw) -> str:
    return unicodedata.normalize("NFKC", str(raw or "")).replace(" ", "").upper()


@scenario("left_behind_missing", ("school_roll", "migrant_workers"), registry=True)
def left_behind_missing(context, lists, registry):
    """Likely left-behind children (疑似留守儿童): school-roll children whose father and
    mother are both on the migrant-worker list, missing from the archive."""
    school = lists["school_roll"]
    # The parents' numbers as the school wrote them down: theirs, not a relative's, so
    # an exact match of the number is the rule here (there is no name to confirm it).
    away = {_plain_id(r.get("id_number")) for r in _rows(lists["migrant_workers"])} - {""}
    both = [
        _plain_id(r.get("father_id_number")) in away
        and _plain_id(r.get("mother_id_number")) in away
        for r in _rows(school)
    ]
    candidates = _filter(school, both)
    if not candidates.num_rows:
        return []
    archived = _filter(
        registry,
        ["left_behind_child" in (c or "") for c in registry.column("categories").to_pylist()],
    )
    missing, _pairs = _unlinked(context, archived, candidates)
    return [
        _finding(
            "left_behind_missing",
            "school_roll",
            record,
            facts={"school": record.get("school") or ""},
        )
        for record in missing
    ]


@scenario("disabled_children_out_of_school", ("disability", "school_roll"))
def disabled_children_out_of_school(context, lists, registry):
    """Disabled children of school age (6–15) on no school roll (残疾儿童未入学)."""
    disabled = lists["disability"]
    ages = [age(r, context.today) for r in _rows(disabled)]
    of_age = _filter(disabled, [a is not None and 6 <= a <= 15 for a in ages])
    missing, _pairs = _unlinked(context, lists["school_roll"], of_age)
    return [
        _finding(
            "disabled_children_out_of_school",
            "disability",
            record,
            facts={"age": age(record, context.today)},
        )
        for record in missing
    ]


@scenario("benefit_with_assets", ("benefit_roll",), either=("vehicles", "businesses"))
def benefit_with_assets(context, lists, registry):
    """Benefit recipients owning a vehicle or a business (领取低保特困者名下有车辆或企业)."""
    roll = lists["benefit_roll"]
    records = _by_id(roll)
    found = []
    for kind, column in (("vehicles", "plate"), ("businesses", "business")):
        if kind not in lists:
            continue
        owners = _by_id(lists[kind])
        for pair in context.link(lists[kind], roll):
            record = records[pair["right_id"]]
            what = pair.get(f"left_{column}") or ""
            found.append(
                _finding(
                    "benefit_with_assets",
                    "benefit_roll",
                    record,
                    pair=pair,
                    other=pair["left_id"],
                    other_record=owners[pair["left_id"]],
                    facts={column: what},
                )
            )
    return found

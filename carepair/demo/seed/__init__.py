"""The synthetic Leshan (DESIGN.md §6): regions, organisations, people, pairings, and a
three-year ledger and problem loop, written in bulk and seeded so that the programme
summary meets the article's figures at scale 1.

    build(scale=1, seed=2021, log=print)

Steps run in order inside one transaction; each keeps what later steps need in the
State, so nothing is read back from the database. Bulk writes skip simple-history (the
seeded past has no editor to record); ProblemEvent rows carry each problem's history.
"""

import contextlib
import datetime
import gc
import time

from django.db import connection, transaction
from django.utils import timezone

from carepair.demo.seed import (
    comparison,
    ledger,
    meals,
    orgs,
    pairings,
    people,
    places,
    problems,
    registry,
)
from carepair.demo.seed.state import LOCAL, State
from carepair.lib.freshness import records_changed
from carepair.reports import rollup

STEPS = [
    ("regions", "区划", places.build),
    ("organisations", "单位", orgs.build),
    ("users", "用户", people.build),
    ("pairings", "结对", pairings.build),
    ("ledger", "台账", ledger.build),
    ("problems", "问题", problems.build),
    ("registry", "困难群众", registry.build),
    ("lists", "比对名单", comparison.build),
    ("meals", "老年助餐", meals.build),
]


@contextlib.contextmanager
def recorded_times():
    """Let bulk writes keep the past moments the builder gives to auto_now(_add) fields
    (when an activity was recorded, a photo uploaded, a child's file last updated),
    instead of stamping them now."""
    from carepair.ledger.models import Activity, Photo
    from carepair.orgs.models import Organisation
    from carepair.pairing.models import Pairing
    from carepair.people.models import ChildArchive
    from carepair.problems.models import Evidence

    fields = [
        Organisation._meta.get_field("created_at"),
        Pairing._meta.get_field("created_at"),
        Activity._meta.get_field("recorded_at"),
        Photo._meta.get_field("uploaded_at"),
        Evidence._meta.get_field("uploaded_at"),
        ChildArchive._meta.get_field("updated_at"),
    ]
    saved = [(f.auto_now_add, f.auto_now) for f in fields]
    for f in fields:
        f.auto_now_add = f.auto_now = False
    try:
        yield
    finally:
        for f, (add, now) in zip(fields, saved, strict=True):
            f.auto_now_add, f.auto_now = add, now


@contextlib.contextmanager
def no_cycle_collection():
    """The builder holds millions of small objects at large scales, none of them garbage;
    Python's cycle collector would walk them all again and again (at scale 10 it made
    the registry's planning three times slower). Reference counting frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(
    *, scale: float = 1.0, seed: int = 2021, until: datetime.date | None = None, log=print
) -> dict[str, int]:
    """Build the synthetic Leshan into the default database; return what was made."""
    today = timezone.localdate()
    until = until or today
    if until >= today:
        now = timezone.now()
    else:
        # A past end date: the ledger stops that evening, and the result does not depend
        # on when the command runs.
        now = datetime.datetime.combine(until, datetime.time(20, 0), LOCAL)
    state = State(scale=scale, seed=seed, until=until, now=now, log=log)
    began = time.perf_counter()
    if connection.vendor == "sqlite":
        # One long write transaction: a page cache large enough for the indexes being
        # filled keeps it from spilling to disk midway (this connection only).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    with transaction.atomic(), recorded_times(), no_cycle_collection():
        for key, label, step in STEPS:
            log(f"正在生成… {label} ({key})")
            t0 = time.perf_counter()
            step(state)
            log(f"  {_counts(state, key)}（{time.perf_counter() - t0:.1f} 秒）")
        # Written past the services, so do here what they would: count the monthly totals
        # and mark cached figures stale.
        t0 = time.perf_counter()
        cells = rollup.rebuild()
        log(f"正在汇总… 月度汇总 {sum(cells.values()):,} 格（{time.perf_counter() - t0:.1f} 秒）")
        records_changed()
    if connection.vendor == "postgresql":
        # Hundreds of thousands of new rows and no statistics yet: until autovacuum comes
        # round, the planner would take the registry's tables for empty (a city summary
        # took 1.2 s instead of 45 ms at scale 1).
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"正在更新统计信息…（{time.perf_counter() - t0:.1f} 秒）")
    state.counts["seconds"] = round(time.perf_counter() - began, 1)
    return state.counts


COUNT_LABELS = {
    "regions": [("townships", "乡镇街道"), ("villages", "村社区")],
    "organisations": [
        ("city_departments", "市级部门"),
        ("enterprises", "企业"),
        ("county_departments", "县级部门"),
        ("townships_offices", "乡镇街道办"),
        ("institutions", "养老、儿童机构"),
        ("social_organisations", "社会组织"),
    ],
    "users": [("users", "用户")],
    "pairings": [("pairings", "结对"), ("pairs_adjusted", "调整")],
    "ledger": [("activities", "调研走访和帮扶活动"), ("materials", "物资明细")],
    "problems": [("problems", "问题"), ("problem_events", "流转记录")],
    "lists": [("department_lists", "部门名单"), ("planted_findings", "预置比对发现")],
    "meals": [
        ("meal_points", "助餐点"),
        ("diners", "助餐对象"),
        ("meals", "用餐记录"),
        ("shared_meals", "干部陪餐"),
        ("shared_meal_problems", "陪餐投诉转问题"),
    ],
    "registry": [
        ("people", "困难群众"),
        ("people_active", "在册"),
        ("left_behind", "留守儿童"),
        ("child_archives", "儿童档案"),
        ("referrals", "心理转介"),
        ("household_visits", "入户走访"),
        ("visit_problems", "走访发现问题"),
        ("visitor_users", "村干部和党员走访人员"),
    ],
}


def _counts(state: State, key: str) -> str:
    return "，".join(f"{label} {state.counts.get(name, 0):,}" for name, label in COUNT_LABELS[key])

"""Keeping the monthly totals (月度汇总) and the registry's counts in step with the records.

A cell is one county in one month. Whenever a write service changes an entry or a problem,
it hands the cells the record lay in before and after to `refresh_activities` or
`refresh_problems`, which count those cells again from the records, inside the same
transaction. Counting again instead of adding and subtracting makes a refresh idempotent:
a cell is always what its records say, however it was reached. After a bulk load
(`seed-demo`) or a repair, `rebuild()` counts every cell; `differences()` says where the
stored totals and the records disagree (`carepair report rollup --check`).

One code path serves all three: `_activity_totals`, `_problem_totals` and `_visit_totals`
count the records matching a filter, grouped by cell.

The registry's counts (people on it, left-behind children) are not monthly: they hold for
a day, as ages and category dates move at midnight. `registry_counts()` reads them and, on
the first read of a day, counts every county again; the people services count again the
counties they change (`refresh_registry`).
"""

import datetime
import zlib
from collections.abc import Iterable

from django.apps import apps as global_apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Left, TruncMonth
from django.utils import timezone

from carepair.lib.dates import years_before
from carepair.people.models import ADULT_AGE, Category
from carepair.reports.months import LocalMonth, first_day, local_month, next_month

COUNTY_DIGITS = 6

Cell = tuple[str, datetime.date]  # (county's six digits, first day of the month)


def activity_cells(activity) -> set[Cell]:
    """The cell an entry is counted in."""
    return {(activity.region_id[:COUNTY_DIGITS], activity.occurred_on.replace(day=1))}


def problem_cells(problem) -> set[Cell]:
    """The cells a problem is counted in: where it was raised, and where it was solved."""
    county = problem.region_id[:COUNTY_DIGITS]
    cells = {(county, local_month(problem.raised_at))}
    if problem.verified_at is not None:
        cells.add((county, local_month(problem.verified_at)))
    return cells


def visit_cells(visit) -> set[Cell]:
    """The cell a household visit is counted in."""
    return {(visit.region_id[:COUNTY_DIGITS], visit.visited_on.replace(day=1))}


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _in_cells(cells: Iterable[Cell], field: str, moments: bool) -> Q:
    """Records in any of these cells by `field` (a date, or a moment in local days)."""
    bound = _midnight if moments else (lambda day: day)
    q = Q(pk__in=[])
    for county, month in cells:
        q |= Q(
            region__code__prefix=county,
            **{f"{field}__gte": bound(month), f"{field}__lt": bound(next_month(month))},
        )
    return q


def _lock(cells: Iterable[Cell], table: str) -> None:
    """Two transactions counting the same cell again take turns (PostgreSQL; SQLite has a
    single writer anyway), so the second one counts what the first has committed."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({zlib.crc32(f"{table}:{c}:{m.isoformat()}".encode()) for c, m in cells})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# --- counting --------------------------------------------------------------------------


def _activity_totals(apps, where: Q | None) -> dict[tuple, dict]:
    """{(county, month, kind, category): totals} of the entries matching `where`."""
    Activity = apps.get_model("ledger", "Activity")
    entries = Activity.objects.all() if where is None else Activity.objects.filter(where)
    rows = (
        entries.annotate(county=Left("region_id", COUNTY_DIGITS), month=TruncMonth("occurred_on"))
        .values("county", "month", "kind", "category")
        .annotate(
            entries=Count("pk"),
            beneficiaries=Sum("beneficiaries"),
            participants=Sum("participants"),
            confirmed=Count("confirmed_at"),
            material_value_fen=Sum("material_value_fen"),
        )
        .order_by()
    )
    out = {}
    for row in rows:
        key = (row.pop("county"), first_day(row.pop("month")), row.pop("kind"), row.pop("category"))
        out[key] = {k: v or 0 for k, v in row.items()}
    return out


def _problem_totals(apps, raised: Q | None, solved: Q | None) -> dict[tuple, dict]:
    """{(county, month, category): {"raised", "solved"}} of the problems raised matching
    `raised` and those verified matching `solved` (None: all of them)."""
    Problem = apps.get_model("problems", "Problem")
    out: dict[tuple, dict] = {}
    for measure, where, field in (
        ("raised", raised, "raised_at"),
        ("solved", solved, "verified_at"),
    ):
        problems = Problem.objects.all() if where is None else Problem.objects.filter(where)
        if measure == "solved":
            problems = problems.filter(status="verified")
        rows = (
            problems.annotate(county=Left("region_id", COUNTY_DIGITS), month=LocalMonth(field))
            .values_list("county", "month", "category")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for county, month, category, n in rows:
            cell = out.setdefault((county, first_day(month), category), {"raised": 0, "solved": 0})
            cell[measure] = n
    return out


def _visit_totals(apps, where: Q | None) -> dict[tuple, dict]:
    """{(county, month): {"visits"}} of the household visits matching `where`."""
    HouseholdVisit = apps.get_model("people", "HouseholdVisit")
    visits = HouseholdVisit.objects.all() if where is None else HouseholdVisit.objects.filter(where)
    rows = (
        visits.annotate(county=Left("region_id", COUNTY_DIGITS), month=TruncMonth("visited_on"))
        .values_list("county", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(county, first_day(month)): {"visits": n} for county, month, n in rows}


def _write(model, fields: tuple[str, ...], totals: dict[tuple, dict]) -> None:
    model.objects.bulk_create(
        [model(**dict(zip(fields, key, strict=True)), **values) for key, values in totals.items()],
        batch_size=2000,
    )


ACTIVITY_KEY = ("county", "month", "kind", "category")
PROBLEM_KEY = ("county", "month", "category")
VISIT_KEY = ("county", "month")


def _cells_filter(cells: set[Cell]) -> Q:
    q = Q(pk__in=[])
    for county, month in cells:
        q |= Q(county=county, month=month)
    return q


def refresh_activities(cells: Iterable[Cell], apps=global_apps) -> None:
    """Count these cells' entries again."""
    cells = set(cells)
    if not cells:
        return
    _lock(cells, "activity")
    ActivityMonth = apps.get_model("reports", "ActivityMonth")
    ActivityMonth.objects.filter(_cells_filter(cells)).delete()
    _write(
        ActivityMonth, ACTIVITY_KEY, _activity_totals(apps, _in_cells(cells, "occurred_on", False))
    )


def refresh_problems(cells: Iterable[Cell], apps=global_apps) -> None:
    """Count these cells' problems again (raised and solved)."""
    cells = set(cells)
    if not cells:
        return
    _lock(cells, "problem")
    ProblemMonth = apps.get_model("reports", "ProblemMonth")
    ProblemMonth.objects.filter(_cells_filter(cells)).delete()
    totals = _problem_totals(
        apps, _in_cells(cells, "raised_at", True), _in_cells(cells, "verified_at", True)
    )
    _write(ProblemMonth, PROBLEM_KEY, totals)


def refresh_visits(cells: Iterable[Cell], apps=global_apps) -> None:
    """Count these cells' household visits again."""
    cells = set(cells)
    if not cells:
        return
    _lock(cells, "visit")
    VisitMonth = apps.get_model("reports", "VisitMonth")
    VisitMonth.objects.filter(_cells_filter(cells)).delete()
    _write(VisitMonth, VISIT_KEY, _visit_totals(apps, _in_cells(cells, "visited_on", False)))


def rebuild_ledger(apps=global_apps) -> dict[str, int]:
    """Count every activity and problem cell again."""
    ActivityMonth = apps.get_model("reports", "ActivityMonth")
    ProblemMonth = apps.get_model("reports", "ProblemMonth")
    ActivityMonth.objects.all().delete()
    ProblemMonth.objects.all().delete()
    activities = _activity_totals(apps, None)
    problems = _problem_totals(apps, None, None)
    _write(ActivityMonth, ACTIVITY_KEY, activities)
    _write(ProblemMonth, PROBLEM_KEY, problems)
    return {"activity_cells": len(activities), "problem_cells": len(problems)}


def rebuild_registry(apps=global_apps) -> dict[str, int]:
    """Count every visit cell and every county's registry again."""
    VisitMonth = apps.get_model("reports", "VisitMonth")
    VisitMonth.objects.all().delete()
    visits = _visit_totals(apps, None)
    _write(VisitMonth, VISIT_KEY, visits)
    return {"visit_cells": len(visits), "registry_counties": refresh_registry(None, apps=apps)}


def rebuild(apps=global_apps) -> dict[str, int]:
    """Count everything again from the records; returns how many cells there are."""
    return {**rebuild_ledger(apps), **rebuild_registry(apps), **rebuild_meals(apps)}


# --- meals, by county and day -----------------------------------------------------------
# Meals come a few hundred a second at lunchtime: each is added to its cell as it is
# written (in the same transaction) rather than counted again; rebuild_meals() and
# differences() keep that honest.

MEAL_KEY = ("county", "day")
MEAL_PARTS = 16  # rows a county's day is split over (reports.models.MealDay)


def count_meal(
    region_code: str, day: datetime.date, *, meals: int, subsidy_fen: int, diner_id: int
) -> None:
    """Add a meal (or a subsidy adjustment: meals=0) to its county's day, in the row of
    that day the diner's meals go to."""
    from carepair.reports.models import MealDay

    county, part = region_code[:COUNTY_DIGITS], diner_id % MEAL_PARTS

    def add() -> int:
        # Written out: every meal a till records passes here (benchmarks/redemption).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE reports_mealday SET meals = meals + %s, subsidy_fen = subsidy_fen + %s"
                " WHERE county = %s AND day = %s AND part = %s",
                [meals, subsidy_fen, county, connection.ops.adapt_datefield_value(day), part],
            )
            return cursor.rowcount

    if add():
        return
    try:
        with transaction.atomic():
            MealDay.objects.create(
                county=county, day=day, part=part, meals=meals, subsidy_fen=subsidy_fen
            )
    except IntegrityError:  # another transaction made the cell first
        add()


def _meal_totals(apps) -> dict[tuple, dict]:
    """{(county, day): {"meals", "subsidy_fen"}} from the meals and the adjustments."""
    Meal = apps.get_model("meals", "Meal")
    Adjustment = apps.get_model("meals", "Adjustment")
    totals: dict[tuple, dict] = {}
    rows = (
        Meal.objects.annotate(county=Left("site__region_id", COUNTY_DIGITS))
        .values_list("county", "served_on")
        .annotate(n=Count("pk"), fen=Sum("subsidy_fen"))
        .order_by()
    )
    for county, day, n, fen in rows:
        totals[(county, day)] = {"meals": n, "subsidy_fen": fen or 0}
    rows = (
        Adjustment.objects.annotate(county=Left("meal__site__region_id", COUNTY_DIGITS))
        .values_list("county", "booked_on")
        .annotate(fen=Sum("subsidy_fen"))
        .order_by()
    )
    for county, day, fen in rows:
        cell = totals.setdefault((county, day), {"meals": 0, "subsidy_fen": 0})
        cell["subsidy_fen"] += fen or 0
    return totals


def rebuild_meals(apps=global_apps) -> dict[str, int]:
    MealDay = apps.get_model("reports", "MealDay")
    MealDay.objects.all().delete()
    totals = _meal_totals(apps)
    _write(MealDay, MEAL_KEY, totals)
    return {"meal_cells": len(totals)}


def _stored(model, key: tuple[str, ...], measures: tuple[str, ...]) -> dict[tuple, dict]:
    """The stored totals by cell (a cell kept in several rows, as meals are, summed)."""
    rows = model.objects.values(*key).annotate(**{m: Sum(m) for m in measures}).order_by()
    return {tuple(row[k] for k in key): {m: row[m] for m in measures} for row in rows}


def differences(apps=global_apps) -> list[str]:
    """Where the stored totals differ from the records, one line per cell (none: in step)."""
    ActivityMonth = apps.get_model("reports", "ActivityMonth")
    ProblemMonth = apps.get_model("reports", "ProblemMonth")
    out = []
    VisitMonth = apps.get_model("reports", "VisitMonth")
    for name, model, key, counted in (
        ("activities", ActivityMonth, ACTIVITY_KEY, _activity_totals(apps, None)),
        ("problems", ProblemMonth, PROBLEM_KEY, _problem_totals(apps, None, None)),
        ("visits", VisitMonth, VISIT_KEY, _visit_totals(apps, None)),
        ("meals", apps.get_model("reports", "MealDay"), MEAL_KEY, _meal_totals(apps)),
    ):
        measures = tuple(next(iter(counted.values()), {}).keys()) or tuple(
            f.name for f in model._meta.fields if f.name not in (*key, "id", "part")
        )
        stored = _stored(model, key, measures)
        for cell in sorted(set(stored) | set(counted), key=str):
            if stored.get(cell) != counted.get(cell):
                out.append(f"{name} {cell}: stored {stored.get(cell)}, counted {counted.get(cell)}")
    return out


# --- the registry's counts, good for a day ----------------------------------------------

FEW_COUNTIES = 3


def _registry_totals(apps, counties: set[str] | None, today: datetime.date) -> dict[str, dict]:
    """{county: {"people", "left_behind"}} as of today, for these counties (None: all)."""
    Person = apps.get_model("people", "Person")
    PersonCategory = apps.get_model("people", "PersonCategory")
    people = Person.objects.filter(status="active")
    held = PersonCategory.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gt=today),
        start_on__lte=today,
        category=Category.LEFT_BEHIND_CHILD,
        person__status="active",
        person__birth_date__gt=years_before(today, ADULT_AGE),
    )
    if counties is not None:
        in_people, in_held = Q(pk__in=[]), Q(pk__in=[])
        for county in counties:
            in_people |= Q(region__code__prefix=county)
            in_held |= Q(person__region__code__prefix=county)
        people, held = people.filter(in_people), held.filter(in_held)
    out = {c: {"people": 0, "left_behind": 0} for c in counties or ()}
    for county, n in (
        people.annotate(county=Left("region_id", COUNTY_DIGITS))
        .values_list("county")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        out.setdefault(county, {"people": 0, "left_behind": 0})["people"] = n
    for county, n in (
        held.annotate(county=Left("person__region_id", COUNTY_DIGITS))
        .values_list("county")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    ):
        out.setdefault(county, {"people": 0, "left_behind": 0})["left_behind"] = n
    return out


def refresh_registry(
    counties: Iterable[str] | None, apps=global_apps, today: datetime.date | None = None
) -> int:
    """Count these counties' registry again, as of today (None: every county, and the
    counts of counties with nobody left go). Returns how many counties were counted."""
    today = today or timezone.localdate()
    RegistryCount = apps.get_model("reports", "RegistryCount")
    wanted = None if counties is None else {c[:COUNTY_DIGITS] for c in counties}
    if wanted == set():
        return 0
    if wanted is not None and len(wanted) > FEW_COUNTIES:
        wanted = None  # one pass over everybody beats a range per county
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(b"registry")])
    totals = _registry_totals(apps, wanted, today)
    stale = (
        RegistryCount.objects.all()
        if wanted is None
        else RegistryCount.objects.filter(county__in=wanted)
    )
    stale.delete()
    RegistryCount.objects.bulk_create(
        RegistryCount(county=c, as_of=today, people=t["people"], left_behind=t["left_behind"])
        for c, t in totals.items()
    )
    return len(totals)


def registry_counts(prefix: str, today: datetime.date | None = None) -> dict[str, dict]:
    """{county: {"people", "left_behind"}} of the counties under `prefix` ('' for all), as
    of today; counted again first if the stored counts are of an earlier day."""
    from carepair.reports.models import RegistryCount

    today = today or timezone.localdate()
    if RegistryCount.objects.exclude(as_of=today).exists() or not RegistryCount.objects.exists():
        with transaction.atomic():
            refresh_registry(None, today=today)
    rows = RegistryCount.objects.all()
    if prefix:
        rows = rows.filter(county__prefix=prefix)
    return {r.county: {"people": r.people, "left_behind": r.left_behind} for r in rows}

"""The programme's figures (工作成效), computed from the records for a period and a scope.

Every figure starts from the models' `visible_to(user)`, so a county worker's summary is
their county's, and a liaison's is that of the institutions their department is paired with.

The figures come from a handful of grouped aggregates whose number does not depend on how
much data there is: each model is read once, grouped by the raw `region_id` (or
`institution_id`), and the rows are rolled up to counties in Python. Grouping on the raw
column lets SQLite walk the region-leading indexes in order instead of sorting every row;
PostgreSQL hashes either way. The summary of the whole scope is the sum of the same rows,
so the dashboard's cards and its per-county table cannot disagree.

The registry's figures (people on it, left-behind children, household visits) start from
`Person.objects.visible_to(user)`, which is empty for a role without VIEW_PEOPLE (a
liaison, an institution's staff): for them these figures are zero, which is what they
can see of the registry, and the dashboard leaves their cards out. People are counted as
they are today; household visits as those made in the period. Nobody lives at an
institution in the registry's sense, so an institution's figures have none of them.

Where the question is about a whole county or the city (as the city's and the counties'
dashboards are), the activity and problem counts of whole months come from the monthly
totals (reports.models, kept by reports.rollup) and only the days of a period's partial
first and last months are counted from the records.
"""

import datetime
import hashlib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Count, F, Q, Sum
from django.db.models.functions import Left
from django.utils import timezone

from carepair.accounts.roles import Perm
from carepair.accounts.scope import Scope, scope_of
from carepair.ledger.models import Activity, Category, Kind
from carepair.lib.dates import years_before
from carepair.lib.freshness import records_version
from carepair.lib.money import fen_to_yuan
from carepair.orgs.models import Kind as OrgKind
from carepair.orgs.models import Organisation
from carepair.pairing.models import Pairing
from carepair.people.models import ADULT_AGE, HouseholdVisit, Person, PersonCategory
from carepair.people.models import Category as PersonCategoryKind
from carepair.people.models import Status as PersonStatus
from carepair.problems.models import OPEN_STATUSES, Problem, Status
from carepair.problems.models import Category as ProblemCategory
from carepair.regions.models import Level, Region, full_code, in_region, prefix_of
from carepair.reports import rollup
from carepair.reports.models import ActivityMonth, ProblemMonth, VisitMonth
from carepair.reports.months import LocalMonth, Unindexed, month_text, months_between, next_month

SUMMARY_KEYS = (
    "research_visits",
    "activities",
    "material_value_yuan",
    "beneficiaries",
    "problems_raised",
    "problems_solved",
    "problems_solved_environment",
    "problems_solved_safety",
    "departments",
    "institutions",
    "social_organisations",
    "pairs_adjusted",
    "household_visits",
    "people_registered",
    "left_behind_children",
    "meal_points",
    "meals_served",
    "meal_subsidy_yuan",
)
# The figures of the registry of people in need: zero for a role that may not see it.
PEOPLE_KEYS = ("people_registered", "left_behind_children", "household_visits")
# The figures of meal assistance: zero for a role that may not see it.
MEAL_KEYS = ("meal_points", "meals_served", "meal_subsidy_yuan")

COUNTY_DIGITS = 6


@dataclass(frozen=True)
class Period:
    """A period of whole days, both ends included; an open end is unbounded."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    PRESETS = ("all", "this_year", "last_year", "this_month")

    @classmethod
    def preset(cls, name: str, today: datetime.date | None = None) -> "Period":
        """A named period as the dashboard offers it: all, this_year, last_year, this_month."""
        today = today or timezone.localdate()
        if name == "this_year":
            return cls(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
        if name == "last_year":
            return cls(datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
        if name == "this_month":
            first = today.replace(day=1)
            last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(1)
            return cls(first, last)
        if name == "all":
            return cls()
        raise ValueError(f"unknown period {name!r}")

    def dates(self, field: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field}__lte": self.end})
        return q

    def moments(self, field: str) -> Q:
        """The same period for a datetime field, in local (Asia/Shanghai) days."""
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": _midnight(self.start)})
        if self.end:
            q &= Q(**{f"{field}__lt": _midnight(self.end + datetime.timedelta(days=1))})
        return q


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class SystemViewer:
    """The whole programme as the command line sees it: a superuser-equivalent reader that
    is no account, for `carepair report summary` and scheduled reports."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_anonymous = False
    pk = id = None
    role = ""
    region_id = None
    organisation_id = None
    _carepair_scope = Scope(everything=True)

    def can(self, perm: str) -> bool:
        return True

    def __str__(self):
        return "system"


SYSTEM = SystemViewer()


# --- the scoped querysets every figure starts from -------------------------------------


def _at(queryset, institution_id: int | None, field: str = "institution_id"):
    return queryset if institution_id is None else queryset.filter(**{field: institution_id})


def activities_in(
    user, period: Period, region_code: str | None = None, institution_id: int | None = None
):
    activities = in_region(Activity.objects.visible_to(user), region_code)
    return _at(activities, institution_id).filter(period.dates("occurred_on"))


def problems_in(user, region_code: str | None = None, institution_id: int | None = None):
    return _at(in_region(Problem.objects.visible_to(user), region_code), institution_id)


def organisations_in(user, region_code: str | None = None, institution_id: int | None = None):
    """Active organisations; for one institution, itself and the helpers paired with it."""
    orgs = in_region(Organisation.objects.visible_to(user), region_code).filter(is_active=True)
    if institution_id is not None:
        helpers = Pairing.objects.active().filter(institution_id=institution_id)
        orgs = orgs.filter(Q(pk=institution_id) | Q(pk__in=helpers.values("helper_id")))
    return orgs


def pairings_in(user, region_code: str | None = None, institution_id: int | None = None):
    return _at(in_region(Pairing.objects.visible_to(user), region_code), institution_id)


def people_in(user, region_code: str | None = None):
    """The registry's people in reach (困难群众), living or not."""
    return in_region(Person.objects.visible_to(user), region_code)


def household_visits_in(user, period: Period, region_code: str | None = None):
    """Door-knocking visits (入户走访) made in the period, in the region where they were made."""
    visits = in_region(HouseholdVisit.objects.visible_to(user), region_code)
    return visits.filter(period.dates("visited_on"))


# --- figures ---------------------------------------------------------------------------


@dataclass
class Figures:
    """The programme's figures for one part of it: all of a scope, a county or an
    institution. `key` names the part (a county's 6-digit prefix, an institution's id)."""

    key: Hashable = None
    research_visits: int = 0
    activities: int = 0
    beneficiaries: int = 0
    participants: int = 0
    activities_confirmed: int = 0
    material_value_fen: int = 0
    problems_raised: int = 0
    problems_solved: int = 0
    problems_solved_environment: int = 0
    problems_solved_safety: int = 0
    problems_open: int = 0
    problems_overdue: int = 0
    departments: int = 0
    county_departments: int = 0
    institutions: int = 0
    social_organisations: int = 0
    enterprises: int = 0
    pairs_active: int = 0
    pairs_adjusted: int = 0
    household_visits: int = 0
    people_registered: int = 0
    left_behind_children: int = 0
    meal_points: int = 0
    meals_served: int = 0
    meal_subsidy_fen: int = 0
    activities_by_category: dict = field(default_factory=lambda: dict.fromkeys(Category.values, 0))
    overdue_by_category: dict = field(
        default_factory=lambda: dict.fromkeys(ProblemCategory.values, 0)
    )

    @property
    def material_value_yuan(self) -> Decimal:
        return fen_to_yuan(self.material_value_fen)

    @property
    def meal_subsidy_yuan(self) -> Decimal:
        return fen_to_yuan(self.meal_subsidy_fen)

    def add(self, other: "Figures") -> None:
        for f in fields(self):
            if f.name == "key":
                continue
            mine = getattr(self, f.name)
            if isinstance(mine, dict):
                for k, v in getattr(other, f.name).items():
                    mine[k] = mine.get(k, 0) + v
            else:
                setattr(self, f.name, mine + getattr(other, f.name))


def county_of(region_code: str) -> str:
    """The 6-digit prefix of the county a region lies in (the city's own is '511100')."""
    return region_code[:COUNTY_DIGITS]


def split_months(period: Period) -> tuple[tuple, list[Period]]:
    """The period's whole months, as (first month's first day, first day after the last
    month; None: unbounded), and the parts of months at either end: (None, [period]) when
    it holds no whole month."""
    lo, hi = period.start, period.end
    first = None if lo is None else (lo if lo.day == 1 else next_month(lo.replace(day=1)))
    stop = None
    if hi is not None:
        ends_month = (hi + datetime.timedelta(days=1)).day == 1
        stop = next_month(hi.replace(day=1)) if ends_month else hi.replace(day=1)
    if first is not None and stop is not None and first >= stop:
        return None, [period]
    partial = []
    if lo is not None and lo != first:
        partial.append(Period(lo, first - datetime.timedelta(days=1)))
    if hi is not None and hi >= stop:
        partial.append(Period(stop, hi))
    return (first, stop), partial


def _monthly_prefix(user, region_code: str | None, institution_id: int | None, by) -> str | None:
    """The region prefix ('' for all) whose monthly totals answer a tally, or None when
    the records must be counted: for an institution, a township or a village, a grouping
    finer than counties, or a user whose view is not simply a county or the city."""
    if institution_id is not None or by not in (None, "county"):
        return None
    prefix = _whole_region(user, region_code)
    if prefix is None or len(prefix) > COUNTY_DIGITS:
        return None
    return prefix


def _whole_region(user, region_code: str | None) -> str | None:
    """The region prefix ('' for all) of which the user sees every record and which holds
    all they ask about, so that its records may be counted by region alone; None when the
    user's view is not simply that region (a view that may reach past it)."""
    scope = scope_of(user)
    prefix = prefix_of(full_code(region_code)) if region_code else ""
    if scope.everything:
        return prefix
    if not prefix and scope.citywide:
        # Every region lies in the city, so the city's view reaches no further through
        # pairings (or the people one visits) than its own region.
        return scope.prefix
    # Inside the user's own region everything is in reach; without a region, a county's
    # view may reach past it through pairings (or the people its workers visit).
    if prefix and scope.prefix and prefix.startswith(scope.prefix):
        return prefix
    return None


def _months(model, prefix: str, whole: tuple | None):
    if whole is None:
        return model.objects.none()
    first, stop = whole
    rows = model.objects.all()
    if prefix:
        rows = rows.filter(county__prefix=prefix)
    if first is not None:
        rows = rows.filter(month__gte=first)
    if stop is not None:
        rows = rows.filter(month__lt=stop)
    return rows


def _activity_rows(user, period, region_code, institution_id, county, grouping) -> list[dict]:
    activities = activities_in(user, period, region_code, institution_id)
    return list(
        activities.annotate(**county)
        .values(*grouping, "kind", "category")
        .annotate(
            n=Count("pk"),
            beneficiaries_sum=Sum("beneficiaries"),
            participants_sum=Sum("participants"),
            confirmed=Count("confirmed_at"),
            value_fen=Sum("material_value_fen"),
        )
        .order_by()
    )


def _activity_month_rows(prefix: str, whole: tuple | None, grouping) -> list[dict]:
    return list(
        _months(ActivityMonth, prefix, whole)
        .values(*grouping, "kind", "category")
        .annotate(
            n=Sum("entries"),
            beneficiaries_sum=Sum("beneficiaries"),
            participants_sum=Sum("participants"),
            confirmed=Sum("confirmed"),
            value_fen=Sum("material_value_fen"),
        )
        .order_by()
    )


def _problem_rows(
    user, period, region_code, institution_id, county, grouping, today=None, still_open=True
) -> list[dict]:
    """Problems raised and solved in the period and, unless not asked, open and overdue
    now (by `today`)."""
    open_ = Q(status__in=OPEN_STATUSES)
    solved = Q(status=Status.VERIFIED) & period.moments("verified_at")
    counts = {
        "raised": Count("pk", filter=period.moments("raised_at")),
        "solved": Count("pk", filter=solved),
    }
    if still_open:
        counts["open"] = Count("pk", filter=open_)
        counts["overdue"] = Count("pk", filter=open_ & Q(due_on__lt=today))
    problems = problems_in(user, region_code, institution_id)
    if not still_open:
        problems = problems.filter(period.moments("raised_at") | solved)
    rows = problems.annotate(**county).values(*grouping, "category").annotate(**counts)
    return [{"open": 0, "overdue": 0, **row} for row in rows.order_by()]


def _problem_month_rows(prefix: str, whole: tuple | None, grouping) -> list[dict]:
    rows = (
        _months(ProblemMonth, prefix, whole)
        .values(*grouping, "category")
        .annotate(raised=Sum("raised"), solved=Sum("solved"))
        .order_by()
    )
    return [{**row, "open": 0, "overdue": 0} for row in rows]


def _open_problem_rows(user, region_code, county, grouping, today) -> list[dict]:
    """The problems open now, and of them those overdue: a few among many solved."""
    open_ = Q(status__in=OPEN_STATUSES)
    rows = (
        problems_in(user, region_code)
        .filter(open_)
        .annotate(**county)
        .values(*grouping, "category")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    )
    return [{**row, "raised": 0, "solved": 0} for row in rows]


def tally(
    *,
    user,
    period: Period = Period(),
    region_code: str | None = None,
    institution_id: int | None = None,
    by: str | None = "region",
    key: Callable[[object], Hashable] = lambda _: None,
    today: datetime.date | None = None,
) -> dict[Hashable, Figures]:
    """The figures, grouped in the database by `by` ("region": the record's region code;
    "county": its first six digits; "institution": its institution's id; None: not at
    all, for the whole) and rolled up in Python by `key` of that value.

    A handful of grouped queries, however many records, regions and institutions: by
    county or for the whole of a county or the city, from the monthly totals."""
    today = today or timezone.localdate()
    column = {"region": "region_id", "county": "county", "institution": "institution_id"}.get(by)
    grouping = [column] if column else []
    # By county, the database groups on the code's first six digits: a dozen groups to hand
    # back instead of one per village.
    county = {"county": Left("region_id", COUNTY_DIGITS)} if by == "county" else {}
    groups: dict[Hashable, Figures] = {}

    def at(value) -> Figures:
        k = key(value) if column else None
        if k not in groups:
            groups[k] = Figures(key=k)
        return groups[k]

    months = _monthly_prefix(user, region_code, institution_id, by)
    if months is None:
        activity_rows = _activity_rows(user, period, region_code, institution_id, county, grouping)
        problem_rows = _problem_rows(
            user, period, region_code, institution_id, county, grouping, today=today
        )
    else:
        whole, partial = split_months(period)
        activity_rows = _activity_month_rows(months, whole, grouping)
        problem_rows = _problem_month_rows(months, whole, grouping)
        for part in partial:
            activity_rows += _activity_rows(user, part, region_code, None, county, grouping)
            problem_rows += _problem_rows(
                user, part, region_code, None, county, grouping, still_open=False
            )
        problem_rows += _open_problem_rows(user, region_code, county, grouping, today)

    for row in activity_rows:
        f = at(row.get(column))
        if row["kind"] == Kind.RESEARCH_VISIT:
            f.research_visits += row["n"]
        else:
            f.activities += row["n"]
            f.activities_by_category[row["category"]] = (
                f.activities_by_category.get(row["category"], 0) + row["n"]
            )
        f.beneficiaries += row["beneficiaries_sum"] or 0
        f.participants += row["participants_sum"] or 0
        f.activities_confirmed += row["confirmed"]
        f.material_value_fen += row["value_fen"] or 0

    for row in problem_rows:
        f = at(row.get(column))
        f.problems_raised += row["raised"]
        f.problems_solved += row["solved"]
        if row["category"] == ProblemCategory.ENVIRONMENT:
            f.problems_solved_environment += row["solved"]
        elif row["category"] == ProblemCategory.SAFETY:
            f.problems_solved_safety += row["solved"]
        f.problems_open += row["open"]
        f.problems_overdue += row["overdue"]
        f.overdue_by_category[row["category"]] = (
            f.overdue_by_category.get(row["category"], 0) + row["overdue"]
        )

    pairs = pairings_in(user, region_code, institution_id)
    active = Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    adjusted = Q(previous__isnull=False) & period.dates("started_on")
    counts = {"active": Count("pk", filter=active), "adjusted": Count("pk", filter=adjusted)}
    if column:
        rows = pairs.annotate(**county).values(column).annotate(**counts).order_by()
    else:
        rows = [pairs.aggregate(**counts)]
    for row in rows:
        if column and row[column] is None:
            continue  # area pairings have no institution
        f = at(row.get(column))
        f.pairs_active += row["active"]
        f.pairs_adjusted += row["adjusted"]

    if by != "institution":
        kinds = {
            OrgKind.CITY_DEPARTMENT: "departments",
            OrgKind.COUNTY_DEPARTMENT: "county_departments",
            OrgKind.INSTITUTION: "institutions",
            OrgKind.SOCIAL_ORGANISATION: "social_organisations",
            OrgKind.ENTERPRISE: "enterprises",
        }
        orgs = organisations_in(user, region_code, institution_id)
        rows = orgs.annotate(**county).values(*grouping, "kind").annotate(n=Count("pk"))
        for row in rows.order_by():
            if row["kind"] in kinds:
                f = at(row.get(column))
                setattr(f, kinds[row["kind"]], getattr(f, kinds[row["kind"]]) + row["n"])

    if by != "institution" and institution_id is None and _sees_registry(user):
        for row in _registry_rows(user, period, region_code, column, today):
            f = at(row.get(column))
            f.people_registered += row.get("people") or 0
            f.left_behind_children += row.get("left_behind") or 0
            f.household_visits += row.get("visits") or 0

    if by != "institution" and institution_id is None and _sees_meals(user):
        for row in _meal_rows(user, period, region_code, column):
            f = at(row.get(column))
            f.meal_points += row.get("points") or 0
            f.meals_served += row.get("meals") or 0
            f.meal_subsidy_fen += row.get("subsidy") or 0
    return groups


def _sees_meals(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.can(Perm.VIEW_MEALS)


def _meal_rows(user, period, region_code, column) -> list[dict]:
    """Open meal points today; the meals of the period and their subsidy (net of the
    adjustments booked in it). For the whole of a county or the city, from the daily
    totals; otherwise from the meals the user may see."""
    from carepair.meals.models import Adjustment, Meal, MealSite, SiteKind, SiteStatus
    from carepair.reports.models import MealDay

    grouping = [column] if column else []
    sites = in_region(MealSite.objects.visible_to(user), region_code).filter(
        kind=SiteKind.POINT, status=SiteStatus.OPEN
    )
    rows = _grouped(_by_column(sites, column, "region_id"), grouping, points=Count("pk"))
    prefix = _whole_region(user, region_code)
    if prefix is not None and len(prefix) <= COUNTY_DIGITS and column != "region_id":
        days = MealDay.objects.filter(period.dates("day"))
        if prefix:
            days = days.filter(county__startswith=prefix)
        rows += _grouped(days, grouping, meals=Sum("meals"), subsidy=Sum("subsidy_fen"))
    else:
        meals = in_region(Meal.objects.visible_to(user), region_code, "site__region__code")
        meals = meals.filter(period.dates("served_on"))
        rows += _grouped(
            _by_column(meals, column, "site__region_id"),
            grouping,
            meals=Count("pk"),
            subsidy=Sum("subsidy_fen"),
        )
        adjusted = Adjustment.objects.filter(
            period.dates("booked_on"), meal__in=Meal.objects.visible_to(user)
        )
        adjusted = in_region(adjusted, region_code, "meal__site__region__code")
        rows += _grouped(
            _by_column(adjusted, column, "meal__site__region_id"),
            grouping,
            subsidy=Sum("subsidy_fen"),
        )
    return rows


def _sees_registry(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.can(Perm.VIEW_PEOPLE)


def _grouped(queryset, grouping: list, **counts) -> list[dict]:
    if not grouping:
        return [queryset.aggregate(**counts)]
    return list(queryset.values(*grouping).annotate(**counts).order_by())


def _registry_rows(user, period, region_code, column, today) -> list[dict]:
    """Active people and, of them, the children (under 18) holding 留守儿童 today; the
    household visits of the period where they were made. Grouped by `column` as tally()
    groups ("region_id", "county" or none).

    When the user sees every person of the region asked about (the city's dashboard, a
    county's seen from the city or by itself), the registry's region indexes answer: the
    same rows as through Person.visible_to, without its "or the people I visit", which
    has the database read every person (the city at scale 10 on SQLite: half a second
    instead of six and a half)."""
    lbc = PersonCategoryKind.LEFT_BEHIND_CHILD
    prefix = _whole_region(user, region_code)
    if (
        prefix is not None
        and len(prefix) <= COUNTY_DIGITS
        and column != "region_id"
        and today == timezone.localdate()
    ):
        return _registry_total_rows(user, period, region_code, prefix, column)
    if prefix is None:
        people = people_in(user, region_code)
        held = in_region(
            PersonCategory.objects.visible_to(user), region_code, "person__region__code"
        )
        visits = household_visits_in(user, period, region_code)
    else:
        code = prefix or None
        people = in_region(Person.objects.all(), code)
        held = in_region(PersonCategory.objects.all(), code, "person__region__code")
        visits = in_region(HouseholdVisit.objects.all(), code).filter(period.dates("visited_on"))
    held = held.current(today).filter(
        category=lbc,
        person__status=PersonStatus.ACTIVE,
        person__birth_date__gt=years_before(today, ADULT_AGE),
    )
    # Counting a county's people or visits, SQLite walks the region index in order when
    # grouping on the raw code (rolled up to counties here); PostgreSQL hashes either way
    # and hands back fewer rows when it groups by county itself.
    raw = column == "county" and prefix is not None and connection.vendor == "sqlite"
    by = "region_id" if raw else column
    grouping = [by] if by else []
    # People are grouped by status rather than filtered on it, and the living kept here:
    # so the database reads them through the region (and visitor) indexes, not through
    # the status index, which would have it visit every living person.
    rows = [
        r
        for r in _grouped(
            _by_column(people, by, "region_id"), [*grouping, "status"], people=Count("pk")
        )
        if r["status"] == PersonStatus.ACTIVE
    ]
    rows += _grouped(
        _by_column(held, by, "person__region_id"),
        grouping,
        left_behind=Count("person_id", distinct=True),
    )
    rows += _grouped(_by_column(visits, by, "region_id"), grouping, visits=Count("pk"))
    if raw:
        for r in rows:
            r["county"] = county_of(r.pop("region_id"))
    return rows


def _registry_total_rows(user, period, region_code, prefix: str, column) -> list[dict]:
    """The same rows from the stored totals: the registry's counts of today per county,
    the visits of whole months from the monthly totals, the days of partial months at the
    period's ends from the visits themselves."""
    grouping = [column] if column else []
    rows = [
        {"county": county, "people": c["people"], "left_behind": c["left_behind"]}
        for county, c in rollup.registry_counts(prefix).items()
    ]
    whole, partial = split_months(period)
    rows += list(
        _months(VisitMonth, prefix, whole)
        .values(*grouping)
        .annotate(visits=Sum("visits"))
        .order_by()
    )
    for part in partial:
        visits = household_visits_in(user, part, region_code)
        rows += _grouped(_by_column(visits, column, "region_id"), grouping, visits=Count("pk"))
    return rows


def _by_column(queryset, column: str | None, region_field: str):
    """The queryset with the grouping column of tally() ("region_id" or "county")."""
    if column == "county":
        return queryset.annotate(county=Left(region_field, COUNTY_DIGITS))
    if column == "region_id" and region_field != "region_id":
        return queryset.annotate(region_id=F(region_field))
    return queryset


def total(groups: Iterable[Figures]) -> Figures:
    whole = Figures()
    for f in groups:
        whole.add(f)
    return whole


def summary_dict(
    figures: Figures, period: Period, region_code: str | None, institution_id: int | None = None
) -> dict:
    """The figures as the summary contract spells them (SUMMARY_KEYS and more)."""
    out = {
        "period_from": period.start.isoformat() if period.start else None,
        "period_to": period.end.isoformat() if period.end else None,
        "region_code": region_code,
    }
    if institution_id is not None:
        out["institution_id"] = institution_id
    out.update(
        research_visits=figures.research_visits,
        activities=figures.activities,
        activities_by_category=dict(figures.activities_by_category),
        material_value_fen=figures.material_value_fen,
        material_value_yuan=figures.material_value_yuan,
        beneficiaries=figures.beneficiaries,
        participants=figures.participants,
        activities_confirmed=figures.activities_confirmed,
        problems_raised=figures.problems_raised,
        problems_solved=figures.problems_solved,
        problems_solved_environment=figures.problems_solved_environment,
        problems_solved_safety=figures.problems_solved_safety,
        problems_open=figures.problems_open,
        problems_overdue=figures.problems_overdue,
        departments=figures.departments,
        county_departments=figures.county_departments,
        institutions=figures.institutions,
        social_organisations=figures.social_organisations,
        enterprises=figures.enterprises,
        pairs_active=figures.pairs_active,
        pairs_adjusted=figures.pairs_adjusted,
        household_visits=figures.household_visits,
        people_registered=figures.people_registered,
        left_behind_children=figures.left_behind_children,
        meal_points=figures.meal_points,
        meals_served=figures.meals_served,
        meal_subsidy_fen=figures.meal_subsidy_fen,
        meal_subsidy_yuan=figures.meal_subsidy_yuan,
    )
    return out


def programme_summary(
    *,
    user,
    period: Period = Period(),
    region_code: str | None = None,
    institution_id: int | None = None,
) -> dict:
    """The summary figures, with at least the keys of SUMMARY_KEYS."""
    figures = total(
        tally(
            user=user,
            period=period,
            region_code=region_code,
            institution_id=institution_id,
            by=None,
        ).values()
    )
    return summary_dict(figures, period, region_code, institution_id)


# --- the dashboard: the same figures broken down ---------------------------------------


def _by_month(rows) -> dict[str, int]:
    return {month_text(month): n for month, n in rows}


def _raised_by_month(problems, period: Period) -> dict[str, int]:
    return _by_month(
        problems.filter(period.moments("raised_at"))
        .annotate(month=LocalMonth("raised_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _solved_by_month(problems, period: Period) -> dict[str, int]:
    return _by_month(
        # Nearly every problem is verified: SQLite would read them all through the status
        # index, row by row; unindexed, it scans the covering dashboard index instead.
        problems.alias(state=Unindexed("status", output_field=CharField()))
        .filter(period.moments("verified_at"), state=Status.VERIFIED)
        .annotate(month=LocalMonth("verified_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by()
    )


def problems_by_month(
    *,
    user,
    period: Period = Period(),
    region_code: str | None = None,
    institution_id: int | None = None,
) -> list[tuple[str, int, int]]:
    """(month, problems raised, problems solved) for every month of the period that has
    any, and the months between them. From the monthly totals where they answer it."""
    raised: dict[str, int] = {}
    solved: dict[str, int] = {}
    prefix = _monthly_prefix(user, region_code, institution_id, None)
    whole, partial = (None, [period]) if prefix is None else split_months(period)
    for row in (
        _months(ProblemMonth, prefix, whole)
        .values("month")
        .annotate(r=Sum("raised"), s=Sum("solved"))
        .order_by()
    ):
        month = row["month"].strftime("%Y-%m")
        raised[month], solved[month] = row["r"], row["s"]
    problems = problems_in(user, region_code, institution_id)
    for part in partial:
        for month, n in _raised_by_month(problems, part).items():
            raised[month] = raised.get(month, 0) + n
        for month, n in _solved_by_month(problems, part).items():
            solved[month] = solved.get(month, 0) + n
    raised = {m: n for m, n in raised.items() if n}
    solved = {m: n for m, n in solved.items() if n}
    months = sorted(set(raised) | set(solved))
    if not months:
        return []
    if period.start:
        months.append(period.start.strftime("%Y-%m"))
    if period.end:
        months.append(min(period.end, timezone.localdate()).strftime("%Y-%m"))
    every = months_between(min(months), max(months))
    return [(m, raised.get(m, 0), solved.get(m, 0)) for m in every]


@dataclass
class Dashboard:
    """What the dashboard shows for one choice of period and place."""

    period: Period
    region: Region | None
    institution: Organisation | None
    summary: Figures
    counties: list[tuple[Region | None, Figures]]
    institutions: list[tuple[Organisation, Figures]] | None
    months: list[tuple[str, int, int]]


def _focus_prefix(user, region: Region | None, institution: Organisation | None) -> str | None:
    """The region the dashboard looks at: the chosen one, else the user's own."""
    if institution is not None:
        return institution.region_id
    if region is not None:
        return region.prefix
    scope = scope_of(user)
    return None if scope.everything else scope.prefix


def institution_figures(
    *,
    user,
    period: Period = Period(),
    region_code: str | None = None,
    today: datetime.date | None = None,
) -> list[tuple[Organisation, Figures]]:
    """Each visible institution of the region with its figures, the one with the most
    overdue problems first (then the most open ones, then by name)."""
    groups = tally(
        user=user,
        period=period,
        region_code=region_code,
        by="institution",
        key=lambda pk: pk,
        today=today,
    )
    institutions = (
        in_region(Organisation.objects.visible_to(user), region_code)
        .institutions()
        .select_related("region")
        .only("pk", "name", "region__name", "region__code", "institution_type", "is_active")
    )
    rows = [(org, groups.get(org.pk) or Figures(key=org.pk)) for org in institutions]
    rows.sort(key=lambda r: (-r[1].problems_overdue, -r[1].problems_open, r[0].name))
    return rows


def dashboard(
    *,
    user,
    period: Period = Period(),
    region: Region | None = None,
    institution: Organisation | None = None,
    with_institutions: bool | None = None,
    today: datetime.date | None = None,
) -> Dashboard:
    """The summary, the per-county rows (the city's own records as the city-level row),
    the per-institution rows when the view is of one county or less (or when asked), and
    the problems by month. A constant number of queries."""
    region_code = region.code if region is not None else None
    institution_id = institution.pk if institution is not None else None
    groups = tally(
        user=user,
        period=period,
        region_code=region_code,
        institution_id=institution_id,
        by="county",
        key=county_of,
        today=today,
    )
    summary = total(groups.values())
    names = {
        r.code[:COUNTY_DIGITS]: r
        for r in Region.objects.filter(code__in=[full_code(k) for k in groups if k])
    }
    counties = sorted(
        ((names.get(k), f) for k, f in groups.items()),
        key=lambda r: (r[0].level if r[0] else 9, r[1].key or ""),
    )
    focus = _focus_prefix(user, region, institution)
    if with_institutions is None:
        scoped_to_institutions = focus is None and not scope_of(user).everything
        with_institutions = institution is None and (
            scoped_to_institutions or (focus is not None and len(focus) >= COUNTY_DIGITS)
        )
    institutions = None
    if with_institutions:
        institutions = institution_figures(
            user=user, period=period, region_code=region_code, today=today
        )
    months = problems_by_month(
        user=user, period=period, region_code=region_code, institution_id=institution_id
    )
    return Dashboard(
        period=period,
        region=region,
        institution=institution,
        summary=summary,
        counties=counties,
        institutions=institutions,
        months=months,
    )


def _figures_key(name: str, user, *parts) -> str:
    """A cache key for figures: what is asked, whose scope, as of which write and which day
    (overdue counts and pairs in force change at midnight)."""
    scope = scope_of(user)
    who = (
        "everything"
        if scope.everything
        else (scope.prefix, scope.organisation_id, sorted(scope.institution_ids))
    )
    raw = repr((name, who, records_version(), timezone.localdate().isoformat(), *parts))
    return "carepair:figures:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_dashboard(
    *,
    user,
    period: Period = Period(),
    region: Region | None = None,
    institution: Organisation | None = None,
    with_institutions: bool | None = None,
) -> Dashboard:
    """dashboard(), kept until the next write (or CAREPAIR_FIGURES_CACHE_SECONDS): the
    dashboard is read far more often than the ledger is written."""
    key = _figures_key(
        "dashboard",
        user,
        period,
        region.code if region is not None else None,
        institution.pk if institution is not None else None,
        with_institutions,
    )
    board = cache.get(key)
    if board is None:
        board = dashboard(
            user=user,
            period=period,
            region=region,
            institution=institution,
            with_institutions=with_institutions,
        )
        cache.set(key, board, settings.CAREPAIR_FIGURES_CACHE_SECONDS)
    return board


def cached_summary(
    *,
    user,
    period: Period = Period(),
    region_code: str | None = None,
    institution_id: int | None = None,
) -> dict:
    """programme_summary(), kept until the next write, for the API's summary endpoint."""
    key = _figures_key("summary", user, period, region_code, institution_id)
    summary = cache.get(key)
    if summary is None:
        summary = programme_summary(
            user=user, period=period, region_code=region_code, institution_id=institution_id
        )
        cache.set(key, summary, settings.CAREPAIR_FIGURES_CACHE_SECONDS)
    return summary


def region_choices(user, region: Region | None = None) -> list[Region]:
    """The regions the dashboard's filter offers: the city and counties in reach, and the
    townships of the county in view (all of them would make a list of hundreds)."""
    scope = scope_of(user)
    focus = region.prefix if region is not None else scope.prefix
    q = Q(level__lte=Level.COUNTY)
    if focus and len(focus) >= COUNTY_DIGITS:
        q |= Q(level=Level.TOWNSHIP, code__prefix=focus[:COUNTY_DIGITS])
    return list(Region.objects.visible_to(user).filter(q).only("code", "name", "level"))

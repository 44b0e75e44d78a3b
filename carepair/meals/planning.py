"""Where to open new meal points (助餐点选址), from what the database holds: the planner
(carepair.meals.planner, no Django inside) run on a county's or the city's villages.

Demand: each village or community with a known position, weighted by the registered
older people (60 and over, active) living there, priority groups (特困, 独居, 失能, 半失能,
高龄 or 80 and over) counted twice; urban where it is a community (社区) or under a street
(街道), else rural. Sites: the open canteens, meal points and mutual-aid canteens
(existing, they stay) and every village centre without one (candidates). Everything is
read through the user's `visible_to` scoping.
"""

import datetime
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone

from carepair.lib.dates import years_before
from carepair.meals import planner
from carepair.meals.models import MealSite, SiteKind, SiteStatus
from carepair.meals.planner.geometry import haversine_m, nearest
from carepair.meals.planner.inputs import RURAL, URBAN
from carepair.people.models import Category, Person, PersonCategory
from carepair.regions.models import Level, Region, full_code
from carepair.regions.models import prefix_of as region_prefix

PRIORITY = (
    Category.EXTREME_HARDSHIP,
    Category.ALONE,
    Category.DISABLED,
    Category.PARTLY_DISABLED,
    Category.OVER_80,
)
SERVING = (SiteKind.CANTEEN, SiteKind.POINT, SiteKind.MUTUAL)
TIME_LIMIT_S = 10.0
SHOWN_UNCOVERED = 50


@dataclass
class Village:
    code: str
    name: str
    township: str  # the township's code
    lat: float
    lon: float
    elderly: int
    priority: int
    urban: bool

    @property
    def weight(self) -> int:
        return self.elderly + self.priority


@dataclass
class Site:
    id: str  # "site-<pk>" for an existing site, the village code for a candidate
    name: str
    township: str
    lat: float
    lon: float
    existing: bool
    covers: int = 0  # the weight within its reach
    township_name: str = ""


@dataclass
class Plan:
    """A plan for one region, with what the page and the CSV show."""

    region: Region
    p: int
    urban_radius: float
    rural_radius: float
    detour: float
    villages: list[Village]
    sites: list[Site]
    summary: dict
    chosen: list[Site]  # the new points, most weight within reach first
    before: np.ndarray  # bool per village: within reach of an existing site
    after: np.ndarray  # bool per village: within reach with the plan
    distance_m: np.ndarray  # per village: to the nearest open site, with the plan
    townships: list[dict] = field(default_factory=list)
    uncovered: list[dict] = field(default_factory=list)

    @property
    def weight_before(self) -> int:
        return int(sum(v.weight for v, b in zip(self.villages, self.before, strict=True) if b))

    @property
    def total_weight(self) -> int:
        return sum(v.weight for v in self.villages)


def villages_of(user, region: Region, day: datetime.date | None = None) -> list[Village]:
    """The region's villages and communities that have a position, with their registered
    older people (through Person.visible_to: only those the user may see are counted)."""
    day = day or timezone.localdate()
    sixty = years_before(day, 60)
    eighty = years_before(day, 80)
    prefix = region_prefix(region.code)
    people = (
        Person.objects.visible_to(user)
        .active()
        .filter(region__code__startswith=prefix, birth_date__lte=sixty)
    )
    in_priority = Q(birth_date__lte=eighty) | Q(
        pk__in=PersonCategory.objects.current(day).filter(category__in=PRIORITY).values("person_id")
    )
    counts = {
        region: (n, priority)
        for region, n, priority in people.values_list("region_id")
        .annotate(n=Count("pk"), priority=Count("pk", filter=in_priority))
        .order_by()
    }
    rows = (
        Region.objects.visible_to(user)
        .filter(
            code__startswith=prefix,
            level=Level.VILLAGE,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .select_related("parent")
        .order_by("code")
    )
    return [
        Village(
            code=r.code,
            name=r.name,
            township=r.parent_id,
            lat=float(r.latitude),
            lon=float(r.longitude),
            elderly=counts.get(r.code, (0, 0))[0],
            priority=counts.get(r.code, (0, 0))[1],
            urban=r.name.endswith("社区") or r.parent.name.endswith("街道"),
        )
        for r in rows
    ]


def sites_of(user, region: Region, villages: list[Village]) -> list[Site]:
    """Open serving sites of the region with a position (existing), then every village
    centre that has none of them (candidates)."""
    prefix = region_prefix(region.code)
    open_sites = (
        MealSite.objects.visible_to(user)
        .filter(
            region__code__startswith=prefix,
            kind__in=SERVING,
            status=SiteStatus.OPEN,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .order_by("pk")
    )
    sites = [
        Site(
            id=f"site-{s.pk}",
            name=s.name,
            township=full_code(s.region_id[:9]),
            lat=float(s.latitude),
            lon=float(s.longitude),
            existing=True,
        )
        for s in open_sites
    ]
    served = {s.region_id for s in open_sites}
    sites += [
        Site(id=v.code, name=v.name, township=v.township, lat=v.lat, lon=v.lon, existing=False)
        for v in villages
        if v.code not in served
    ]
    return sites


def make_plan(
    user,
    region: Region,
    p: int,
    *,
    urban_radius: float = planner.URBAN_RADIUS_M,
    rural_radius: float = planner.RURAL_RADIUS_M,
    detour: float = 1.0,
) -> Plan:
    """Run the planner on the region; planner.InputError for settings it refuses."""
    every_village = villages_of(user, region)
    # Demand is where older people live; any village centre may take a new point.
    villages = [v for v in every_village if v.weight > 0]
    sites = sites_of(user, region, every_village)
    demand = planner.Demand(
        ids=[v.code for v in villages],
        lat=np.array([v.lat for v in villages], dtype=float),
        lon=np.array([v.lon for v in villages], dtype=float),
        weight=np.array([v.weight for v in villages], dtype=float),
        area=np.array([URBAN if v.urban else RURAL for v in villages], dtype=np.int8),
    )
    candidates = planner.Sites(
        ids=[s.id for s in sites],
        lat=np.array([s.lat for s in sites], dtype=float),
        lon=np.array([s.lon for s in sites], dtype=float),
        existing=np.array([s.existing for s in sites], dtype=bool),
        capacity=None,
    )
    solution = planner.plan(
        demand,
        candidates,
        p,
        urban_radius=urban_radius,
        rural_radius=rural_radius,
        detour=detour,
        time_limit=TIME_LIMIT_S,
    )
    settings = {"urban_radius": urban_radius, "rural_radius": rural_radius, "detour": detour}
    summary = planner.summary(demand, candidates, solution, settings)

    cover = solution.stats["cover"]
    before = cover[:, candidates.existing].getnnz(axis=1) > 0
    after = solution.stats["covered_mask"]
    within = cover.T @ demand.weight
    for s, w in zip(sites, within, strict=True):
        s.covers = int(w)
    chosen = [s for s, c in zip(sites, solution.chosen, strict=True) if c and not s.existing]
    chosen.sort(key=lambda s: -s.covers)

    open_lat = candidates.lat[solution.chosen]
    open_lon = candidates.lon[solution.chosen]
    distance = np.full(len(villages), np.nan)
    if open_lat.size:
        index = nearest(demand.lat, demand.lon, open_lat, open_lon)
        distance = haversine_m(demand.lat, demand.lon, open_lat[index], open_lon[index])
    plan = Plan(
        region=region,
        p=p,
        urban_radius=urban_radius,
        rural_radius=rural_radius,
        detour=detour,
        villages=villages,
        sites=sites,
        summary=summary,
        chosen=chosen,
        before=before,
        after=after,
        distance_m=distance,
    )
    names = dict(
        Region.objects.filter(
            code__in={v.township for v in villages} | {s.township for s in chosen}
        ).values_list("code", "name")
    )
    for s in chosen:
        s.township_name = names.get(s.township, "")
    plan.townships = _by_township(plan, names)
    plan.uncovered = _uncovered(plan, names)
    return plan


def _by_township(plan: Plan, names: dict[str, str]) -> list[dict]:
    """Coverage per township: villages, weight, share within reach now and with the plan,
    and the new points the plan puts there."""
    rows: dict[str, dict] = {}
    for v, b, a in zip(plan.villages, plan.before, plan.after, strict=True):
        row = rows.setdefault(
            v.township,
            {"code": v.township, "name": names.get(v.township, v.township), "villages": 0,
             "weight": 0, "before": 0, "after": 0, "new_points": 0, "uncovered": 0},
        )  # fmt: skip
        row["villages"] += 1
        row["weight"] += v.weight
        row["before"] += v.weight if b else 0
        row["after"] += v.weight if a else 0
        row["uncovered"] += 0 if a else 1
    for s in plan.chosen:
        if s.township in rows:
            rows[s.township]["new_points"] += 1
    # The townships with the most weight left out first: where the next points are needed.
    return sorted(rows.values(), key=lambda r: (-(r["weight"] - r["after"]), r["code"]))


def _uncovered(plan: Plan, names: dict[str, str]) -> list[dict]:
    left = [
        {
            "code": v.code,
            "name": v.name,
            "township": names.get(v.township, ""),
            "elderly": v.elderly,
            "priority": v.priority,
            "weight": v.weight,
            "distance_km": None if np.isnan(d) else round(float(d) / 1000, 1),
        }
        for v, a, d in zip(plan.villages, plan.after, plan.distance_m, strict=True)
        if not a
    ]
    left.sort(key=lambda r: (-r["weight"], r["code"]))
    return left


def map_data(plan: Plan) -> dict:
    """What the page's map draws: villages by their state, the existing points and the
    chosen ones."""
    villages = []
    for v, b, a in zip(plan.villages, plan.before, plan.after, strict=True):
        state = "before" if b else "new" if a else "none"
        villages.append([round(v.lon, 5), round(v.lat, 5), v.weight, v.name, state])
    return {
        "villages": villages,
        "existing": [[round(s.lon, 5), round(s.lat, 5), s.name] for s in plan.sites if s.existing],
        "chosen": [[round(s.lon, 5), round(s.lat, 5), s.name, s.covers] for s in plan.chosen],
    }

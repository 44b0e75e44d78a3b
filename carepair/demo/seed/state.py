"""What the builder knows while it builds: the random source, the calendar, and the
objects made so far (kept in memory, so later steps never query back)."""

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from carepair.lib.dates import years_before

LOCAL = ZoneInfo(settings.TIME_ZONE)

# The article's figures (section 1 of DESIGN.md), which scale 1 must reach.
ARTICLE = {
    "research_visits": 769,
    "activities": 8600,
    "material_value_yuan": 30_000_000,
    "beneficiaries": 40_000,
    "problems_solved": 9000,
    "problems_solved_environment": 700,
    "problems_solved_safety": 50,
    "departments": 114,
    "institutions": 104,
    "social_organisations": 108,
    "pairs_adjusted": 36,
    "household_visits": 60_000,
}
# The ledger lands this far above the article's figures: "at or above, not wildly".
MARGIN = 1.05

BATCH = 2000


@dataclass(eq=False)
class Township:
    """A township or street (乡镇街道) with what hangs off it."""

    region: object
    county: str  # six-digit county prefix
    base: str  # the name without 镇/乡/街道
    kind: str  # street, town or xiang
    lat: float
    lng: float
    villages: list = field(default_factory=list)
    office: object = None
    workers: list = field(default_factory=list)
    institutions: int = 0


@dataclass(eq=False)
class Institution:
    """A care institution with its place, staff and helpers over time."""

    org: object
    county: str
    township: Township
    staff: list = field(default_factory=list)
    # (helper organisation, started_on, ended_on or None), for tiers 1 and 3.
    helpers: list = field(default_factory=list)
    # (date, activity pk) of what happened there, for problems found on a visit.
    visits: list = field(default_factory=list)

    def helpers_on(self, day: datetime.date) -> list:
        return [h for h, start, end in self.helpers if start <= day and (end is None or end > day)]


class State:
    def __init__(self, *, scale: float, seed: int, until: datetime.date, now, log):
        self.rng = random.Random(seed)
        # Positions on the map come from a stream of their own (demo.seed.places).
        self.geo_rng = random.Random(f"geo-{seed}")
        self.scale = scale
        self.seed = seed
        self.today = until
        self.start = years_before(until, 3)
        self.now = now
        self.log = log

        self.city = None
        self.counties: dict[str, object] = {}
        self.townships: list[Township] = []
        self.townships_by_county: dict[str, list[Township]] = {}

        self.city_departments: list = []
        self.enterprises: list = []
        self.county_departments: dict[str, list] = {}
        self.social_organisations: list = []
        self.institutions: list[Institution] = []
        self.institution_by_name: dict[str, Institution] = {}
        self.org_by_name: dict[str, object] = {}

        self.members: dict[int, list] = {}  # organisation pk -> its users
        self.city_admins: list = []
        self.county_admins: dict[str, list] = {}
        self.county_leaders: dict[str, list] = {}
        self.child_supervisors: dict[str, object] = {}  # 儿童督导员, one per county
        self.leader_areas: dict[int, list[Township]] = {}  # leader pk -> townships
        self.demo: dict[str, object] = {}
        self.password = ""  # the demo password's hash, made once (hashing is slow)
        # (problem, raiser) of the problems townships raised in villages: each was found
        # at a door, and the registry step gives it its household visit.
        self.village_problems: list[tuple] = []
        self.visit_problem_ids: list[int] = []
        self.counts: dict[str, int] = {}
        self.people: list = []  # the registry's people as planned (registry step)
        self.planted: dict[str, int] = {}  # findings planted in the department lists

    def scaled(self, n: float, minimum: int = 1) -> int:
        return max(minimum, round(n * self.scale))

    def at(self, day: datetime.date, start_hour: int = 8, end_hour: int = 18) -> datetime.datetime:
        """A moment in office hours of a day, never after now."""
        minutes = self.rng.randint(start_hour * 60, end_hour * 60 - 1)
        moment = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60), LOCAL)
        return min(moment, self.now)

    def later(self, moment: datetime.datetime, min_days: float, max_days: float):
        """A moment in office hours some days after another, never after now."""
        days = datetime.timedelta(days=self.rng.uniform(min_days, max_days))
        return min(office(clock(moment) + days), self.now)

    def day_between(self, first: datetime.date, last: datetime.date, weekdays=0.8) -> datetime.date:
        """A day in [first, last]; most weekend days move to the nearest weekday."""
        if last <= first:
            return first
        day = first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))
        if day.weekday() >= 5 and self.rng.random() < weekdays:
            shift = -1 if day.weekday() == 5 else 1
            moved = day + datetime.timedelta(days=shift)
            if first <= moved <= last:
                day = moved
        return day


# Steps of work happen in office hours, 08:00-20:00. A "clock" moment runs over the whole
# day; office() squeezes its day into office hours, keeping the order of moments.
OPENS, HOURS = 8, 12


def office(moment: datetime.datetime) -> datetime.datetime:
    local = moment.astimezone(LOCAL)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = (local - midnight).total_seconds()
    return midnight + datetime.timedelta(hours=OPENS, seconds=seconds * HOURS / 24)


def clock(moment: datetime.datetime) -> datetime.datetime:
    """The inverse of office() (moments outside office hours go to the day's ends)."""
    local = moment.astimezone(LOCAL)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = ((local - midnight).total_seconds() - OPENS * 3600) * 24 / HOURS
    return midnight + datetime.timedelta(seconds=min(max(seconds, 0), 86399))

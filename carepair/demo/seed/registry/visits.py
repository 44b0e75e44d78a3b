"""Who visits whom, and the door-knocking visits (敲门行动) of the three years.

Everyone has an assigned visitor: one of the township's two workers (乡镇工作人员) for the
hardest cases, else the village's cadre (村干部), a party member who reports to the
community (双报到党员), or a volunteer of a social organisation of the county.

The visits: the article counts 60,000+ household visits over three years, about one for
each person on today's registry, while the visit rules ask for one every week to every
quarter. So the rhythm is the recent one: each person's last visit falls where their plan
puts it (most within their interval, some late, a few long overdue, the newly registered
not yet visited), and the three years hold, besides, the visits at which the townships'
village problems were found (each such problem raised from a visit, in one step), the
last visits of those who have since died or moved away, and as many earlier visits as
bring the total to the article's figure (the door knocking that found them, 摸排, and
visits an interval or two before the last)."""

import datetime
import math

from django.contrib.auth.hashers import make_password

from carepair.accounts.models import User
from carepair.accounts.roles import Role
from carepair.demo import names
from carepair.demo.accounts import DEMO_PASSWORD
from carepair.demo.seed.registry import words
from carepair.demo.seed.registry.persons import Someone, Village, age_on
from carepair.demo.seed.state import ARTICLE, LOCAL, MARGIN, State
from carepair.people.models import Category as C
from carepair.people.models import Condition, Risk, Seen, Status, VisitorKind
from carepair.people.services import every_days_for

# Who is the assigned visitor: (township worker, village cadre, party member, volunteer).
HARD_CASES = (0.45, 0.40, 0.10, 0.05)
OTHERS = (0.12, 0.58, 0.17, 0.13)
PARTY_MEMBERS_PER_VILLAGES = 4  # one party member visitor for every four villages
# Of those visited, where the last visit falls: within the interval, up to a month late;
# the rest long overdue. Those never visited are the newly registered.
ON_PLAN, LATE = 0.83, 0.11
NEVER_VISITED = 0.06
# A visit is made by the assigned visitor, else by a township worker.
BY_VISITOR = 0.88
INACTIVE_VISITED = 0.8
WITH_NEEDS = 0.12
# (good below, fair below) of health at a visit: others, the frail and very old, the
# unable (失能) or disabled.
HEALTH_ODDS = ((0.68, 0.96), (0.35, 0.85), (0.1, 0.5))
DEMO_VOLUNTEER_PEOPLE = 30


class Visitors:
    """The visitor accounts: the township workers there are, and new users for the
    village cadres and party members (their password is the demo's)."""

    def __init__(self, s: State, villages: list[Village]):
        rng = s.rng
        self.s = s
        self.rows: list[User] = []
        used = set(User.objects.values_list("username", flat=True))
        password = s.password or make_password(DEMO_PASSWORD)
        joined = s.at(s.start - datetime.timedelta(days=20))

        def user(role, county, **extra) -> User:
            full_name, pinyin = names.person_name(rng, county)
            username, n = pinyin, 1
            while username in used:
                n += 1
                username = f"{pinyin}{n}"
            used.add(username)
            u = User(
                username=username,
                password=password,
                full_name=full_name,
                role=role,
                phone=names.mobile(rng),
                date_joined=joined,
                **extra,
            )
            self.rows.append(u)
            return u

        # A village cadre (村干部) sees and visits the people of their village.
        self.cadre = {
            v.region.code: user(
                Role.TOWNSHIP_WORKER,
                v.county,
                region_id=v.region.code,
                organisation=v.township.office,
            )
            for v in villages
        }
        # A party member (党员志愿者) sees only the people they are the visitor of.
        self.party: dict[str, list[User]] = {}
        for t in s.townships:
            n = max(1, round(len(t.villages) / PARTY_MEMBERS_PER_VILLAGES))
            self.party[t.region.code] = [
                user(Role.VOLUNTEER, t.county, region_id=rng.choice(t.villages).code)
                for _ in range(n)
            ]
        # Volunteers of the social organisations, by county (the city's serve everywhere).
        self.volunteers: dict[str, list[User]] = {}
        for org in s.social_organisations:
            self.volunteers.setdefault(org.region_id[:6], []).extend(s.members.get(org.pk, []))
        self.city_volunteers = self.volunteers.get(s.city.code[:6], [])

    def assign(self, p: Someone) -> None:
        rng = self.rng
        hard = (
            p.holds(C.DISABLED)
            or p.holds(C.ORPHAN)
            or p.holds(C.UNSUPPORTED_CHILD)
            or (p.archive is not None and p.archive["risk"] == Risk.HIGH)
        )
        worker, cadre, party, _ = HARD_CASES if hard else OTHERS
        r = rng.random()
        t = p.township
        if r < worker:
            p.visitor, p.visitor_kind = rng.choice(t.workers), VisitorKind.TOWNSHIP_WORKER
        elif r < worker + cadre:
            p.visitor, p.visitor_kind = self.cadre[p.village.region.code], VisitorKind.VILLAGE_CADRE
        elif r < worker + cadre + party:
            p.visitor = rng.choice(self.party[t.region.code])
            p.visitor_kind = VisitorKind.PARTY_MEMBER
        else:
            pool = self.volunteers.get(p.county) or self.city_volunteers
            if pool:
                p.visitor, p.visitor_kind = rng.choice(pool), VisitorKind.VOLUNTEER
            else:
                p.visitor = self.cadre[p.village.region.code]
                p.visitor_kind = VisitorKind.VILLAGE_CADRE

    @property
    def rng(self):
        return self.s.rng


def assign_visitors(s: State, visitors: Visitors, people: list[Someone]) -> None:
    """Everyone gets a visitor; in the demo township, the demo worker has the oldest who
    live alone among theirs (journey 2) and the demo volunteer a few dozen people."""
    for p in people:
        visitors.assign(p)
    demo_worker = s.demo["township_worker"]
    township = s.demo["institution"].township
    volunteer = s.members[s.demo["social_organisation"].pk][0]
    here = [p for p in people if p.township is township and p.status == Status.ACTIVE]
    alone_80 = [p for p in here if p.holds(C.ALONE) and age_on(p.born, s.today) >= 80]
    for p in alone_80[:3]:
        p.visitor, p.visitor_kind = demo_worker, VisitorKind.TOWNSHIP_WORKER
    others = [p for p in here if p.visitor_kind != VisitorKind.TOWNSHIP_WORKER]
    for p in others[:DEMO_VOLUNTEER_PEOPLE]:
        p.visitor, p.visitor_kind = volunteer, VisitorKind.VOLUNTEER


# --- visits ------------------------------------------------------------------------------


class Visit:
    __slots__ = ("day", "person", "problem", "recorded_at", "visitor")

    def __init__(self, person, day, visitor, problem=None, recorded_at=None):
        self.person, self.day, self.visitor = person, day, visitor
        self.problem, self.recorded_at = problem, recorded_at


# What a village problem's title says about the person it concerns.
TITLE_CATEGORIES = (
    ("残疾儿童", {C.DISABLED_CHILD}),
    ("留守儿童", {C.LEFT_BEHIND_CHILD}),
    ("儿童", {C.LEFT_BEHIND_CHILD, C.CHILD_IN_DIFFICULTY, C.ORPHAN, C.UNSUPPORTED_CHILD}),
    ("高龄独居", {C.OVER_80}),
    ("独居", {C.ALONE}),
    ("失能", {C.DISABLED, C.PARTLY_DISABLED}),
    ("残疾老人", {C.DISABLED, C.PARTLY_DISABLED}),
    ("特困", {C.EXTREME_HARDSHIP}),
    ("低保", {C.NEAR_DIBAO, C.DIBAO}),
)


def _wanted(title: str) -> tuple[bool, set]:
    for word, categories in TITLE_CATEGORIES:
        if word in title:
            return "儿童" in word, categories
    return False, set()


def plan_visits(s: State, rules, people: list[Someone]) -> list[Visit]:
    rng, today = s.rng, s.today
    visits: list[Visit] = []
    active = [p for p in people if p.status == Status.ACTIVE]
    for p in active:
        p.every = every_days_for(rules, p.current(), age_on(p.born, today))
        if rng.random() < NEVER_VISITED:
            # Registered in the last weeks, not visited yet: due now.
            p.never = True
            latest_start = max(c[1] for c in p.cats)
            p.registered = max(today - datetime.timedelta(days=rng.randint(1, 45)), latest_start)

    visits += _problem_visits(s, people)

    for p in active:
        if p.never or p.every is None:
            continue
        every = p.every
        r = rng.random()
        if r < ON_PLAN:
            back = rng.randint(0, every - 1)
        elif r < ON_PLAN + LATE:
            back = every + rng.randint(1, min(every, 30))
        else:
            back = every + rng.randint(31, 400)
        day = max(today - datetime.timedelta(days=back), p.registered)
        visits.append(_by(s, p, day))

    for p in people:
        if p.status != Status.ACTIVE and rng.random() < INACTIVE_VISITED:
            span = (p.status_on - p.registered).days
            if span > 0:
                day = p.registered + datetime.timedelta(days=rng.randint(0, span - 1))
                visits.append(_by(s, p, day))

    _earlier_visits(s, people, visits)
    for v in visits:
        v.person.visits.append(v)
    return visits


def _by(s: State, p: Someone, day: datetime.date) -> Visit:
    rng = s.rng
    visitor = p.visitor if rng.random() < BY_VISITOR else rng.choice(p.township.workers)
    return Visit(p, day, visitor)


def _problem_visits(s: State, people: list[Someone]) -> list[Visit]:
    """The village problems the townships raised were found at a door: each becomes a
    visit to someone of that village whom it concerns, alive and registered then."""
    rng = s.rng
    by_village: dict[str, list[tuple]] = {}
    for p in people:
        if not p.never:
            first = min(c[1] for c in p.cats)
            by_village.setdefault(p.village.region.code, []).append((p, first))
    visits = []
    linked = []
    for problem, raiser in s.village_problems:
        raised_at = problem.raised_at
        day = raised_at.astimezone(LOCAL).date()
        child, categories = _wanted(problem.title)
        year_before = day - datetime.timedelta(days=365)
        here = [
            p
            for p, first in by_village.get(problem.region_id, ())
            if first < day and p.born < year_before and (p.status_on is None or p.status_on > day)
        ]
        if not here:
            continue
        fits = [
            p
            for p in here
            if (p.group != "elder") == child
            and (not categories or any(c[0] in categories and c[1] <= day for c in p.cats))
        ]
        pool = fits or [p for p in here if (p.group != "elder") == child] or here
        p = rng.choice(pool)
        if p.registered >= day:
            # Found at this very visit (摸排): registered that day.
            p.registered = max(day - datetime.timedelta(days=1), min(c[1] for c in p.cats))
        visits.append(Visit(p, day, raiser, problem=problem, recorded_at=raised_at))
        linked.append(problem.pk)
    s.visit_problem_ids = linked
    return visits


def _earlier_visits(s: State, people: list[Someone], visits: list[Visit]) -> None:
    """Bring the visits to the article's figure with earlier ones: the door knocking that
    found someone (摸排, on the day they were registered), then visits an interval or two
    before their earliest."""
    rng = s.rng
    target = math.ceil(ARTICLE["household_visits"] * MARGIN * s.scale)
    short = target - len(visits)
    if short <= 0:
        return
    earliest: dict[int, datetime.date] = {}
    for v in visits:
        key = id(v.person)
        if key not in earliest or v.day < earliest[key]:
            earliest[key] = v.day
    candidates = [p for p in people if id(p) in earliest]
    rng.shuffle(candidates)
    for round_ in range(6):
        for p in candidates:
            if short <= 0:
                return
            first = earliest[id(p)]
            if round_ == 0:
                day = p.registered
                if (first - day).days < 7:
                    continue
            else:
                step = (p.every or 60) * rng.uniform(1.0, 3.0)
                day = first - datetime.timedelta(days=round(step))
                if day < p.registered:
                    continue
            visits.append(_by(s, p, day))
            earliest[id(p)] = day
            short -= 1


def visit_rows(s: State, visits: list[Visit], first_pk: int) -> list[tuple]:
    """HouseholdVisit rows (registry.VISIT_FIELDS), keys from `first_pk`: what was seen,
    by who lives there."""
    rng = s.rng
    rand = rng.random
    rows = []
    for pk, v in enumerate(visits, start=first_pk):
        p = v.person
        child = p.group != "elder"
        held = {c[0] for c in p.cats}
        # A locked door does not count as the last visit (visit_record leaves it due), so
        # a person's latest visit reached them.
        if v.problem is not None or v.day == max(x.day for x in p.visits):
            seen = Seen.YES
        else:
            r = rand()
            seen = Seen.YES if r < 0.86 else (Seen.NOT_HOME if r < 0.93 else Seen.BY_PHONE)
        frail = C.DISABLED in held or C.DISABLED_CHILD in held
        part = C.PARTLY_DISABLED in held or (not child and age_on(p.born, v.day) >= 85)
        health = _condition(rand(), HEALTH_ODDS[2 if frail else (1 if part else 0)])
        safety = _condition(rand(), (0.8, 0.97))
        food = _condition(rand(), (0.82, 0.98))
        at_risk = child and p.archive is not None and p.archive["risk"] != Risk.LOW
        mood = _condition(rand(), (0.5, 0.9) if at_risk else (0.7, 0.95))
        needs = notes = ""
        if v.problem is not None:
            needs = v.problem.title
            if v.problem.category == "health":
                health = Condition.POOR
            elif v.problem.category in ("livelihood", "other"):
                safety = _condition(rand(), (0.2, 0.6))
        elif seen == Seen.NOT_HOME:
            notes = rng.choice(words.NOT_HOME_NOTES)
            health = safety = food = mood = ""  # nobody seen, nothing rated
        else:
            if rand() < WITH_NEEDS:
                needs = rng.choice(words.CHILD_NEEDS if child else words.ELDER_NEEDS)
            if rand() < 0.35:
                notes = rng.choice(words.CHILD_NOTES if child else words.ELDER_NOTES)
        recorded_at = v.recorded_at
        if recorded_at is None:
            later = v.day + datetime.timedelta(days=rng.choice((0, 0, 0, 0, 1, 2)))
            recorded_at = s.at(min(later, s.today), 9, 20)
        rows.append(
            (pk, p.pk, v.visitor.pk, v.day, p.village.region.code, seen, health, safety, food,
             mood, needs, notes, recorded_at)
        )  # fmt: skip
    return rows


def _condition(r: float, bounds: tuple[float, float]) -> str:
    good, fair = bounds
    return Condition.GOOD if r < good else (Condition.FAIR if r < fair else Condition.POOR)


def plan_of(p: Someone, today: datetime.date) -> tuple:
    """(visit_every_days, last_visit_on, next_visit_on) as people.services.plan_refresh
    and visit_record leave them."""
    last = max((v.day for v in p.visits), default=None)
    if p.status != Status.ACTIVE or p.every is None:
        return None, last, None
    return p.every, last, (last + datetime.timedelta(days=p.every) if last else today)

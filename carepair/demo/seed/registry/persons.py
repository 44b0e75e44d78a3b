"""The people in need themselves: who they are, where they live, why they are looked after
(categories with dates and sources), who to call, and how they are.

Everything is planned in memory as `Someone`; nothing is written here."""

import datetime

from carepair.demo import names
from carepair.demo.seed.registry import words
from carepair.demo.seed.state import State
from carepair.lib.dates import age_on, years_before
from carepair.people.models import Category as C
from carepair.people.models import ContactKind, Living, Status

# --- how many, at scale 1 ----------------------------------------------------------------

# Elderly people in need (60 and over), living and dead, over the three years.
ELDERLY = 48_500
# Children by the reason they were first registered; some hold a second category too.
CHILD_GROUPS = {
    "left_behind": 9_000,  # 留守儿童 (rural, 3-15)
    "orphan": 300,  # 孤儿
    "unsupported": 1_000,  # 事实无人抚养儿童
    "difficulty": 1_500,  # 困境儿童
    "disabled": 900,  # 残疾儿童
}
# A second category, by group: (category, share).
CHILD_SECOND = {
    "left_behind": ((C.CHILD_IN_DIFFICULTY, 0.08), (C.DISABLED_CHILD, 0.03)),
    "orphan": ((C.DISABLED_CHILD, 0.12),),
    "unsupported": ((C.DISABLED_CHILD, 0.08),),
    "difficulty": ((C.DISABLED_CHILD, 0.10),),
    "disabled": ((C.CHILD_IN_DIFFICULTY, 0.25),),
}
CHILD_FIRST = {
    "left_behind": C.LEFT_BEHIND_CHILD,
    "orphan": C.ORPHAN,
    "unsupported": C.UNSUPPORTED_CHILD,
    "difficulty": C.CHILD_IN_DIFFICULTY,
    "disabled": C.DISABLED_CHILD,
}

# The elders' ages today: (from, to, weight). Needs grow with age, so the registry is
# older than the city's 60-and-over.
ELDER_AGES = ((60, 64, 10), (65, 69, 14), (70, 74, 17), (75, 79, 19), (80, 84, 19),
              (85, 89, 13), (90, 94, 6), (95, 101, 2))  # fmt: skip
# Income support: 特困供养, else 低保, else 低保边缘.
EXTREME, DIBAO, NEAR = 0.17, 0.35, 0.08
# 集中供养: people in extreme hardship living in a rural care home.
IN_HOME = 0.3
# Unable (失能) and partly unable (半失能) to care for themselves, by age.
DISABLED_BY_AGE = ((70, 0.02, 0.05), (80, 0.05, 0.10), (90, 0.12, 0.20), (200, 0.25, 0.30))
FAMILY_PLANNING = 0.03  # 计生特殊家庭, for those of 60 to 76
OVER_80_HELD = 0.92  # of those 80 and over, the share that holds 高龄
# Over three years in the registry: deaths by age (60s, 70s, 80s, 90s), moves.
DEATHS = (0.015, 0.035, 0.08, 0.15)
MOVED_ELDER, MOVED_CHILD, DEAD_CHILD = 0.01, 0.025, 0.002

# Children's ages today: left-behind children are 3 to 15 (the category ends at 16),
# mostly of school age; the others 0 to 17.
LEFT_BEHIND_AGE_WEIGHTS = (3, 4, 4, 9, 9, 9, 9, 9, 9, 8, 8, 8, 6)
CHILD_AGE_WEIGHTS = (1, 2, 2, 3, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4)
# More left-behind children where many parents work away (犍为, 井研, 沐川, the Yi
# counties), fewer in the city's districts.
LEFT_BEHIND_COUNTY = {
    "511102": 0.6,
    "511171": 0.5,
    "511111": 0.9,
    "511112": 0.9,
    "511113": 1.1,
    "511123": 1.3,
    "511124": 1.3,
    "511126": 1.0,
    "511129": 1.3,
    "511132": 1.6,
    "511133": 1.6,
    "511181": 0.9,
}


GIVEN = {
    (False, "M"): [g for g, _ in names.GIVEN_MALE],
    (False, "F"): [g for g, _ in names.GIVEN_FEMALE],
    (True, "M"): words.CHILD_GIVEN_MALE,
    (True, "F"): words.CHILD_GIVEN_FEMALE,
}


class Someone:
    """One person in need, as planned."""

    __slots__ = (
        "address",
        "archive",
        "born",
        "cats",
        "contacts",
        "county",
        "created_by",
        "every",
        "group",
        "health",
        "household_address",
        "living",
        "name",
        "never",
        "number",
        "phone",
        "pk",
        "registered",
        "rural",
        "sex",
        "status",
        "status_note",
        "status_on",
        "surname",
        "township",
        "village",
        "visitor",
        "visitor_kind",
        "visits",
    )

    def __init__(self):
        self.cats = []  # [category, start_on, end_on, source]
        self.contacts = []  # (kind, name, relation, phone, age, health)
        self.visits = []  # (day, visitor, problem or None)
        self.health = self.archive = self.visitor = self.pk = None
        self.status, self.status_on, self.status_note = Status.ACTIVE, None, ""
        self.never = False
        self.every = None
        self.phone = self.visitor_kind = ""

    def holds(self, category) -> bool:
        return any(c[0] == category and c[2] is None for c in self.cats)

    def current(self) -> set:
        return {c[0] for c in self.cats if c[2] is None}


class Village:
    __slots__ = ("county", "names", "region", "rural", "township")

    def __init__(self, region, township):
        self.region = region
        self.township = township
        self.county = township.county
        self.rural = region.name.endswith("村")


def birthday(born: datetime.date, years: int) -> datetime.date:
    """The day someone turns `years` (a 29 February child turns on 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


class Maker:
    """Draws people: names, birth dates, places, categories, contacts and health."""

    def __init__(self, s: State, villages: list[Village]):
        self.s = s
        self.rng = s.rng
        self.today = s.today
        self.villages = villages
        self.elder_cum = _cumulative(1.0 if v.rural else 0.75 for v in villages)
        self.left_cum = _cumulative(
            (1.0 if v.rural else 0.08) * LEFT_BEHIND_COUNTY.get(v.county, 1.0) for v in villages
        )
        self.child_cum = _cumulative(1.0 if v.rural else 0.5 for v in villages)
        self.age_cum = _cumulative(w for _, _, w in ELDER_AGES)
        self.homes: dict[str, list] = {}
        self.children_homes: dict[str, list] = {}
        for i in s.institutions:
            kind = i.org.institution_type
            if kind in ("rural_home", "regional_centre", "welfare_home"):
                self.homes.setdefault(i.county, []).append(i.org)
            if kind == "children_home":
                self.children_homes.setdefault(i.county, []).append(i.org)
        self.all_children_homes = [o for v in self.children_homes.values() for o in v]
        self.all_homes = [o for v in self.homes.values() for o in v]
        self.surname_cum = _cumulative(w for _, _, w in names.SURNAMES)

    # --- names -----------------------------------------------------------------------

    def surname(self, county: str) -> str:
        rng = self.rng
        if county in names.YI_COUNTIES and rng.random() < 0.3:
            return rng.choice(names.YI_SURNAMES)[0]
        return rng.choices(names.SURNAMES, cum_weights=self.surname_cum)[0][0]

    def given(self, sex: str, surname: str, child: bool) -> str:
        rng = self.rng
        if len(surname) == 2:  # a Yi clan name takes a Yi given name
            return rng.choice(names.YI_GIVEN)[0]
        pool = GIVEN[child, sex]
        first = rng.choice(pool)
        if rng.random() < 0.25:
            return first
        second = rng.choice(pool)
        while second == first:
            second = rng.choice(pool)
        return first + second

    def full_name(self, sex: str, county: str, surname: str | None = None, child=False) -> str:
        surname = surname or self.surname(county)
        return surname + self.given(sex, surname, child)

    # --- dates -----------------------------------------------------------------------

    def born_at_age(self, age: int) -> datetime.date:
        anniversary = years_before(self.today, age)
        return anniversary - datetime.timedelta(days=self.rng.randint(0, 364))

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    def registered_on(self, earliest: datetime.date) -> datetime.date:
        """The day the township put them on the registry: most in the first months' door
        knocking (摸排), the rest over the three years, never before their first category."""
        s, rng = self.s, self.rng
        if rng.random() < 0.55:
            day = s.start + datetime.timedelta(days=rng.randint(0, 120))
        else:
            day = s.start + datetime.timedelta(days=rng.randint(0, (s.today - s.start).days - 15))
        return min(max(day, earliest), s.today)

    # --- places ----------------------------------------------------------------------

    def village(self, cum) -> Village:
        return self.rng.choices(self.villages, cum_weights=cum)[0]

    def address(self, p: Someone) -> str:
        rng = self.rng
        v = p.village
        head = names.COUNTY_SHORT[v.county] + v.township.region.name + v.region.name
        if v.rural:
            return f"{head}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"
        road, number = rng.choice(names.ROADS), rng.randint(1, 300)
        building, unit = rng.randint(1, 12), rng.randint(1, 4)
        room = rng.randint(1, 7) * 100 + rng.randint(1, 4)
        return f"{head}{road}{number}号{building}栋{unit}单元{room}号"

    def source(self, category, p: Someone) -> str:
        county = names.COUNTY_SHORT[p.county]
        if category in (C.ALONE, C.EMPTY_NEST, C.LEFT_BEHIND_ELDER):
            return p.township.office.name
        if category in (C.DISABLED, C.PARTLY_DISABLED, C.FAMILY_PLANNING):
            return county + "卫生健康局"
        if category == C.DISABLED_CHILD:
            return county + "残联"
        return county + "民政局"

    # --- elders ----------------------------------------------------------------------

    def elder(self) -> Someone:
        rng, today = self.rng, self.today
        p = Someone()
        p.group = "elder"
        v = p.village = self.village(self.elder_cum)
        p.township, p.county, p.rural = v.township, v.county, v.rural
        low, high, _ = rng.choices(ELDER_AGES, cum_weights=self.age_cum)[0]
        age = rng.randint(low, high)
        p.born = self.born_at_age(age)
        p.sex = "F" if rng.random() < (0.6 if age >= 80 else 0.53) else "M"
        p.surname = self.surname(p.county)
        p.name = p.surname + self.given(p.sex, p.surname, child=False)

        def add(category, start, end=None):
            p.cats.append([category, start, end, self.source(category, p)])

        adult = birthday(p.born, 18)
        r = rng.random()
        extreme = r < EXTREME
        if extreme:
            add(C.EXTREME_HARDSHIP, max(self.days_ago(200, 5000), adult))
        elif r < EXTREME + DIBAO:
            start = max(self.days_ago(150, 4000), adult)
            if rng.random() < 0.1:
                # On the edge first (低保边缘), then on the allowance.
                edge = max(start - datetime.timedelta(days=rng.randint(200, 900)), adult)
                if edge < start:
                    add(C.NEAR_DIBAO, edge, start)
            add(C.DIBAO, start)
        elif r < EXTREME + DIBAO + NEAR:
            add(C.NEAR_DIBAO, max(self.days_ago(100, 2000), adult))

        _, full, part = next(row for row in DISABLED_BY_AGE if age < row[0])
        r = rng.random()
        from_60 = birthday(p.born, 60)
        if r < full:
            add(C.DISABLED, max(self.days_ago(60, 2200), from_60))
        elif r < full + part:
            add(C.PARTLY_DISABLED, max(self.days_ago(60, 2200), from_60))
        cared_for = p.holds(C.DISABLED)

        if extreme and self.all_homes and rng.random() < IN_HOME:
            p.living = Living.INSTITUTION
        else:
            r = rng.random()
            alone = 0.55 if extreme else 0.24
            if cared_for:
                alone = 0.0
            if r < alone:
                p.living = Living.ALONE
            elif r < alone + 0.36:
                p.living = Living.SPOUSE
            elif r < alone + 0.36 + 0.32:
                p.living = Living.CHILDREN
            else:
                p.living = Living.RELATIVES
        if p.living == Living.ALONE:
            add(C.ALONE, max(self.days_ago(100, 5000), from_60))
        if p.living in (Living.ALONE, Living.SPOUSE) and rng.random() < 0.75:
            # Children gone: to work elsewhere (留守, in villages) or just away (空巢).
            away = C.LEFT_BEHIND_ELDER if p.rural and rng.random() < 0.6 else C.EMPTY_NEST
            add(away, max(self.days_ago(300, 5000), from_60))
        if 60 <= age <= 76 and rng.random() < FAMILY_PLANNING:
            add(C.FAMILY_PLANNING, max(self.days_ago(365, 7000), from_60))
        if age >= 80 and rng.random() < OVER_80_HELD:
            turned = birthday(p.born, 80)
            add(C.OVER_80, min(turned + datetime.timedelta(days=rng.randint(0, 90)), today))
        if not p.cats:
            # Nobody is registered for nothing: someone left with a spouse in an empty home.
            p.living = Living.SPOUSE
            away = C.LEFT_BEHIND_ELDER if p.rural else C.EMPTY_NEST
            add(away, max(self.days_ago(300, 5000), from_60))

        first = min(c[1] for c in p.cats)
        p.registered = self.registered_on(first)
        self._elder_status(p, age)
        if p.living == Living.INSTITUTION:
            home = rng.choice(self.homes.get(p.county) or self.all_homes)
            p.household_address = self.address(p)
            p.address = f"{home.name}（集中供养）"
        else:
            p.household_address = p.address = self.address(p)
        r = rng.random()
        if r < 0.62:
            p.phone = names.mobile(rng)
        elif r < 0.8 and p.living != Living.INSTITUTION:
            p.phone = names.office_phone(rng)
        self._elder_contacts(p, cared_for)
        self._elder_health(p, age)
        return p

    def _elder_status(self, p: Someone, age: int) -> None:
        rng, today = self.rng, self.today
        decade = min(max(age // 10 - 6, 0), 3)
        r = rng.random()
        last_start = max(c[1] for c in p.cats)
        earliest = max(p.registered, last_start) + datetime.timedelta(days=30)
        if earliest >= today - datetime.timedelta(days=7):
            return
        when = earliest + datetime.timedelta(days=rng.randint(0, (today - earliest).days - 7))
        if r < DEATHS[decade]:
            p.status, p.status_on = Status.DECEASED, when
            p.status_note = rng.choice(words.DEATH_NOTES)
            for c in p.cats:
                if c[2] is None:
                    c[2] = max(when, c[1])
        elif r < DEATHS[decade] + MOVED_ELDER:
            p.status, p.status_on = Status.MOVED_AWAY, when
            p.status_note = rng.choice(words.MOVED_NOTES[:4])

    def _elder_contacts(self, p: Someone, cared_for: bool) -> None:
        rng = self.rng
        if p.living != Living.INSTITUTION and rng.random() < 0.92:
            relation, kin = rng.choice(words.ELDER_CONTACTS)
            sex = "M" if relation in ("儿子", "侄子", "孙子", "女婿", "村民小组长") else "F"
            if relation == "邻居":
                sex = rng.choice("MF")
            name = self.full_name(sex, p.county, p.surname if kin else None)
            p.contacts.append((ContactKind.EMERGENCY, name, relation, names.mobile(rng), None, ""))
        if cared_for:
            relation, kin = rng.choice(words.ELDER_GUARDIANS)
            if relation == "配偶":
                sex = "F" if p.sex == "M" else "M"
                age = age_on(p.born, self.today) + rng.randint(-5, 3)
                kin = False  # husband and wife keep their own surnames
            else:
                sex = "M" if relation == "儿子" else "F"
                age = age_on(p.born, self.today) - rng.randint(22, 35)
            name = self.full_name(sex, p.county, p.surname if kin else None)
            health = rng.choice(words.GUARDIAN_HEALTH)
            p.contacts.append(
                (ContactKind.GUARDIAN, name, relation, names.mobile(rng), max(age, 30), health)
            )

    def _elder_health(self, p: Someone, age: int) -> None:
        rng = self.rng
        held = p.current() | {c[0] for c in p.cats}
        full, part = C.DISABLED in held, C.PARTLY_DISABLED in held
        if not (full or part or rng.random() < 0.3):
            return
        conditions = rng.sample(words.ELDER_CONDITIONS, rng.randint(1, 3 if full else 2))
        health = {"conditions": "、".join(conditions)}
        if full or part:
            health["self_care"] = words.SELF_CARE["disabled" if full else "partly_disabled"]
            if rng.random() < 0.4:
                health["disability_type"] = rng.choice(words.ELDER_DISABILITY)
                health["disability_grade"] = rng.randint(1, 2) if full else rng.randint(2, 4)
        p.health = health

    # --- children --------------------------------------------------------------------

    def child(self, group: str) -> Someone:
        rng, today = self.rng, self.today
        p = Someone()
        p.group = group
        cum = self.left_cum if group == "left_behind" else self.child_cum
        v = p.village = self.village(cum)
        p.township, p.county, p.rural = v.township, v.county, v.rural
        if group == "left_behind":
            age = rng.choices(range(3, 16), LEFT_BEHIND_AGE_WEIGHTS)[0]
        else:
            age = rng.choices(range(0, 18), CHILD_AGE_WEIGHTS)[0]
        p.born = self.born_at_age(age)
        p.sex = "M" if rng.random() < 0.53 else "F"
        p.surname = self.surname(p.county)
        p.name = p.surname + self.given(p.sex, p.surname, child=True)
        days_alive = (today - p.born).days

        def since(min_days=0, early=False):
            """A day between birth (plus min_days) and today; `early`: in the first years."""
            low = min(min_days, days_alive)
            high = days_alive if not early else min(days_alive, max(low, 365 * 3))
            return p.born + datetime.timedelta(days=rng.randint(low, max(low, high)))

        def add(category, start, end=None):
            p.cats.append([category, min(start, today), end, self.source(category, p)])

        first = CHILD_FIRST[group]
        if first == C.DISABLED_CHILD:
            add(first, since(180, early=True))
        elif first == C.LEFT_BEHIND_CHILD:
            add(first, since(365))
        else:
            add(first, since(30))
        for category, share in CHILD_SECOND[group]:
            if rng.random() < share:
                early = category == C.DISABLED_CHILD
                add(category, since(180 if early else 30, early=early))
        if group == "left_behind" and p.holds(C.CHILD_IN_DIFFICULTY) and rng.random() < 0.3:
            # A parent came back to work nearby: no longer left behind (结束留守).
            start = p.cats[0][1]
            held = (today - start).days
            if held > 60:
                p.cats[0][2] = start + datetime.timedelta(days=rng.randint(30, held))

        first_day = min(c[1] for c in p.cats)
        p.registered = self.registered_on(max(first_day, p.born + datetime.timedelta(days=30)))
        r = rng.random()
        if r < MOVED_CHILD + DEAD_CHILD and (today - p.registered).days > 60:
            when = p.registered + datetime.timedelta(
                days=rng.randint(30, (today - p.registered).days - 7)
            )
            if when > max(c[1] for c in p.cats):
                if r < MOVED_CHILD:
                    p.status, p.status_note = Status.MOVED_AWAY, words.MOVED_NOTES[-1]
                else:
                    p.status, p.status_note = Status.DECEASED, "意外死亡"
                    for c in p.cats:
                        if c[2] is None:
                            c[2] = max(when, c[1])
                p.status_on = when

        homes = self.children_homes.get(p.county) or self.all_children_homes
        if group == "orphan" and homes and rng.random() < 0.4:
            p.living = Living.INSTITUTION
            home = rng.choice(homes)
            p.household_address = self.address(p)
            p.address = f"{home.name}（集中养育）"
        else:
            p.living = (
                Living.RELATIVES
                if group != "difficulty" and group != "disabled"
                else (Living.OTHER)
            )
            p.household_address = p.address = self.address(p)
        return p


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out

"""Meal assistance (老年助餐) of the synthetic Leshan: at scale 1, a central kitchen
(乐养大厨房) in each county, a canteen (乐养小食堂) for about every fourth township, the
145 meal points (乐养助餐点) in villages and communities, a few village mutual-aid
canteens (打平伙); some 2,900 older people of the registry enrolled where they live; the
meals of the last three whole months and of this month so far (lunch most days, dinner
some), at the subsidy the rules give each; the three whole months settled and locked
with each operator; and cadres' shared meals (干部陪餐) at the sites over the same months,
rated, the few poor ones of the last month raised as problems.

凌云敬老院 runs the point of its own village, so the demo's `institution_staff` records
meals there.
"""

import datetime
import secrets
from collections import defaultdict

from django.utils import timezone

from carepair.accounts.roles import Perm
from carepair.demo.seed.people import DEMO_INSTITUTION
from carepair.demo.seed.rows import Rows, Table
from carepair.demo.seed.state import BATCH, State
from carepair.lib.dates import age_on
from carepair.meals import rules as subsidy_rules
from carepair.meals import shared
from carepair.meals.models import (
    Diner,
    Meal,
    MealSite,
    Settlement,
    SharedMeal,
    SiteKind,
    SubsidyRule,
)
from carepair.meals.services import rule_for, split
from carepair.people.models import Status
from carepair.problems.models import Problem, ProblemEvent
from carepair.problems.services import Found
from carepair.regions.models import Level

POINTS = 145
DINERS_PER_PLACE = 15
LUNCH, DINNER = 0.5, 0.1  # the share of days a diner comes for each


def _months_back(today: datetime.date, n: int) -> datetime.date:
    first = today.replace(day=1)
    for _ in range(n):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def build(s: State) -> None:
    subsidy_rules.load(SubsidyRule)
    rules = list(SubsidyRule.objects.all())
    sites, operator_of = _network(s)
    diners = _diners(s, sites)
    meals = _meals(s, diners, rules, operator_of)
    _settle(s, meals, operator_of)
    shared_meals, complaints = _shared_meals(s, sites)
    s.counts.update(
        meal_points=sum(1 for site in sites if site.kind == SiteKind.POINT),
        diners=len(diners),
        meals=len(meals),
        shared_meals=shared_meals,
        shared_meal_problems=complaints,
    )


def _network(s: State):
    rng = s.rng
    places = []  # (kind, name, region code, operator org, lat, lng, township)
    demo = s.institution_by_name[DEMO_INSTITUTION]
    for townships in s.townships_by_county.values():
        seat = townships[0]
        places.append(
            (SiteKind.KITCHEN, f"{seat.region.name}乐养大厨房", seat.region.code, seat.office,
             seat.lat, seat.lng, seat)
        )  # fmt: skip
        for township in townships[::4]:
            places.append(
                (SiteKind.CANTEEN, f"{township.region.name}乐养小食堂", township.region.code,
                 township.office, township.lat, township.lng, township)
            )  # fmt: skip
    villages = [(t, v) for t in s.townships for v in t.villages]
    chosen = rng.sample(villages, min(len(villages), s.scaled(POINTS)))
    own = next((t, v) for t, v in villages if v.code == demo.org.region_id)
    if own not in chosen:
        chosen[0] = own
    social = s.social_organisations
    for township, village in chosen:
        operator = (
            demo.org
            if (township, village) == own
            else rng.choice(
                [township.office, township.office, rng.choice(social)]
                if social
                else [township.office]
            )
        )
        places.append(
            (SiteKind.POINT, f"{village.name}乐养助餐点", village.code, operator,
             village.latitude, village.longitude, township)
        )  # fmt: skip
    rural = [(t, v) for t, v in villages if v.name.endswith("村")]
    for township, village in rng.sample(rural, min(len(rural), s.scaled(12))):
        places.append(
            (SiteKind.MUTUAL, f"{village.name}打平伙食堂", village.code, township.office,
             village.latitude, village.longitude, township)
        )  # fmt: skip

    kitchens = {}
    rows = []
    for kind, name, code, operator, lat, lng, township in places:
        site = Rows(MealSite)(
            name=name,
            kind=kind,
            region_id=code,
            operator=operator,
            address=name.removesuffix("乐养助餐点").removesuffix("乐养小食堂"),
            latitude=round(lat + rng.uniform(-0.002, 0.002), 6),
            longitude=round(lng + rng.uniform(-0.002, 0.002), 6),
            capacity=rng.choice([40, 60, 80, 120]) if kind != SiteKind.KITCHEN else 1500,
            hours="11:00-13:00，17:00-18:30" if kind != SiteKind.KITCHEN else "",
            status="open",
            opened_on=_months_back(s.today, rng.randint(4, 30)),
        )
        site.township_code = township.region.code
        rows.append(site)
        if kind == SiteKind.KITCHEN:
            kitchens[township.county] = site
    MealSite.objects.bulk_create([r for r in rows if r.kind == SiteKind.KITCHEN])
    for r in rows:
        if r.kind in (SiteKind.CANTEEN, SiteKind.POINT):
            r.supplied_by_id = kitchens[r.township_code[:6]].pk
    MealSite.objects.bulk_create([r for r in rows if r.kind != SiteKind.KITCHEN], batch_size=BATCH)
    return rows, {r.pk: r.operator_id for r in rows}


def _diners(s: State, sites) -> list:
    """Older people of the registry who live where a canteen, point or mutual-aid
    canteen serves: about twenty a place."""
    rng, today = s.rng, s.today
    serving = defaultdict(list)
    for site in sites:
        if site.kind != SiteKind.KITCHEN:
            serving[site.region_id].append(site)
    older = defaultdict(list)
    for p in s.people:
        if p.status == Status.ACTIVE and age_on(p.born, today) >= 60:
            older[p.village.region.code].append(p)
            older[p.village.township.region.code].append(p)
    taken, rows = set(), []
    for code, places in serving.items():
        candidates = [p for p in older.get(code, ()) if p.pk not in taken]
        for p in rng.sample(candidates, min(len(candidates), DINERS_PER_PLACE * len(places))):
            taken.add(p.pk)
            diner = Rows(Diner)(
                person_id=p.pk,
                card_no=f"LS{p.pk:010d}",
                qr_token=secrets.token_hex(16),
                enrolled_at_id=rng.choice(places).pk,
                enrolled_on=_months_back(today, 4),
                status="active",
            )
            diner.someone = p
            rows.append(diner)
    Diner.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def _meals(s: State, diners, rules, operator_of) -> list[tuple]:
    rng, today = s.rng, s.today
    first = _months_back(today, 3)
    days = [first + datetime.timedelta(days=i) for i in range((today - first).days + 1)]
    table = Table(
        Meal,
        ["id", "diner_id", "site_id", "served_on", "slot", "method", "rule_id", "price_fen",
         "subsidy_fen", "city_fen", "county_fen", "township_fen", "diner_fen", "client_ref",
         "recorded_by_id", "recorded_at", "late"],
    )  # fmt: skip
    pk = table.next_pk()
    rows = []
    methods = ["card", "card", "card", "qr", "id"]
    for diner in diners:
        p = diner.someone
        categories = p.current()
        priced = {}
        for slot in ("lunch", "dinner"):
            rule = rule_for(
                rules, categories=categories, age=age_on(p.born, today), day=today, slot=slot
            )
            priced[slot] = split(rule, rule.subsidy_fen, rule.price_fen) if rule else None
        for day in days:
            for slot, share in (("lunch", LUNCH), ("dinner", DINNER)):
                if day == today and slot == "dinner":
                    continue
                if rng.random() >= share or priced[slot] is None:
                    continue
                sub = priced[slot]
                rows.append(
                    (pk, diner.pk, diner.enrolled_at_id, day, slot, rng.choice(methods),
                     sub.rule.pk, sub.price_fen, sub.subsidy_fen, sub.city_fen, sub.county_fen,
                     sub.township_fen, sub.diner_fen, "", None, s.at(day, 11, 13), False)
                )  # fmt: skip
                pk += 1
    table.write(rows)
    table.reset_sequences()
    return rows


def _settle(s: State, meals: list[tuple], operator_of: dict) -> None:
    """The three whole months, counted and locked with each operator."""
    this_month = s.today.replace(day=1)
    totals = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for row in meals:
        month = row[3].replace(day=1)
        if month >= this_month:
            continue
        t = totals[(operator_of[row[2]], month)]
        t[0] += 1
        t[1] += row[8]
        t[2] += row[9]
        t[3] += row[10]
        t[4] += row[11]
        t[5] += row[12]
    locker = s.city_admins[0]
    Settlement.objects.bulk_create(
        [
            Rows(Settlement)(
                operator_id=operator,
                month=month,
                meals=t[0],
                subsidy_fen=t[1],
                city_fen=t[2],
                county_fen=t[3],
                township_fen=t[4],
                diner_fen=t[5],
                adjustments_fen=0,
                locked_at=s.at((month + datetime.timedelta(days=35)).replace(day=3), 9, 12),
                locked_by=locker,
            )
            for (operator, month), t in totals.items()
            if operator is not None
        ],
        batch_size=BATCH,
    )


# What cadres hear at the table, by how the meal went.
SAID = {
    "good": [
        "老人们说饭菜软烂合口，价格实惠。",
        "菜品荤素搭配，老人吃得满意。",
        "环境干净，老人愿意天天来。",
        "",
    ],
    "fair": [
        "有老人反映米饭偏硬。",
        "菜的种类有点少，希望多换花样。",
        "开饭时间偏晚，老人等得久。",
        "",
    ],
    "poor": [
        "老人反映饭菜偏咸、偏冷。",
        "餐具清洗不干净，桌面有油污。",
        "分量不足，有老人没吃饱。",
    ],
}
COMPLAINT = {  # what was said: (the problem's title, category, subcategory)
    "老人反映饭菜偏咸、偏冷。": ("饭菜偏咸偏冷，需改进烹饪和保温", "health", ""),
    "餐具清洗不干净，桌面有油污。": ("餐具消毒和就餐环境卫生不达标", "safety", "food"),
    "分量不足，有老人没吃饱。": ("助餐分量不足，需按标准配餐", "livelihood", ""),
}


def _shared_meals(s: State, sites) -> tuple[int, int]:
    """One to three sittings a site over the three months and this one, by the township's
    workers and the county's leaders; most meals rated well, a few poorly. A poor one of
    the last month, at a site in a village or run by a care institution, is recorded
    through the service by a township worker, its complaint raised as a problem."""
    rng, today = s.rng, s.today
    first = _months_back(today, 3)
    span = (today - first).days
    townships = {t.region.code: t for t in s.townships}
    rows, complaints, seen = [], [], set()
    for site in sites:
        if site.kind == SiteKind.KITCHEN:
            continue
        township = townships[site.township_code]
        cadres = township.workers + s.county_leaders.get(township.county, [])
        for _ in range(rng.randint(1, 3)):
            day = first + datetime.timedelta(days=rng.randint(0, span))
            cadre, slot = rng.choice(cadres), "lunch" if rng.random() < 0.85 else "dinner"
            if (site.pk, day, slot, cadre.pk) in seen:
                continue
            seen.add((site.pk, day, slot, cadre.pk))
            roll = rng.random()
            mood = "good" if roll < 0.75 else "fair" if roll < 0.93 else "poor"
            low, high = {"good": (4, 5), "fair": (3, 4), "poor": (1, 3)}[mood]
            said = rng.choice(SAID[mood])
            sitting = {
                "served_on": day,
                "slot": slot,
                "diners_present": rng.randint(6, 30),
                "taste": rng.randint(low, high),
                "hygiene": rng.randint(low, high),
                "portion": rng.randint(low, high),
                "service": rng.randint(max(low, 2), high),
                "feedback": said,
                "cadre_title": "" if cadre in township.workers else "县领导",
            }
            if (
                said in COMPLAINT
                and (today - day).days <= 30
                and cadre.can(Perm.RAISE_PROBLEM)
                and (site.region.level == Level.VILLAGE or site.operator.kind == "institution")
            ):
                complaints.append((cadre, site.pk, sitting))
                continue
            rows.append(Rows(SharedMeal)(site_id=site.pk, cadre_id=cadre.pk, **sitting))
    SharedMeal.objects.bulk_create(rows, batch_size=BATCH)
    for cadre, site_pk, sitting in complaints:
        title, category, subcategory = COMPLAINT[sitting["feedback"]]
        site = MealSite.objects.select_related("region", "operator").get(pk=site_pk)
        # Raised through the service (its checks, its event, the summary's cells), due a
        # week from the real today since it refuses a date already past; then dated, as
        # the rest of the demo is, to the sitting: a week after it, and raised at lunch.
        due_on = max(today, timezone.localdate()) + datetime.timedelta(days=7)
        complaint = Found(title=title, category=category, subcategory=subcategory, due_on=due_on)
        meal = shared.shared_meal_record(actor=cadre, site=site, complaint=complaint, **sitting)
        moment = s.at(sitting["served_on"], 12, 13)
        Problem.objects.filter(pk=meal.problem_id).update(
            raised_at=moment, due_on=sitting["served_on"] + datetime.timedelta(days=7)
        )
        ProblemEvent.objects.filter(problem_id=meal.problem_id).update(at=moment)
        SharedMeal.objects.filter(pk=meal.pk).update(recorded_at=moment)
    return len(rows) + len(complaints), len(complaints)

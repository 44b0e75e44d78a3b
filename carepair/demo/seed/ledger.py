"""The ledger (台账): three years of research visits and assistance activities, with the
materials given, up to today.

Everything is planned first as light rows, so that beneficiaries and material value can
be brought to the article's figures before anything is written; then written in batches.
"""

import bisect
import datetime
import math
from decimal import Decimal

from carepair.demo import catalog
from carepair.demo.seed import images
from carepair.demo.seed.rows import Rows
from carepair.demo.seed.state import ARTICLE, BATCH, MARGIN, State
from carepair.ledger.models import Activity, Material, Photo
from carepair.ledger.models import Category as C
from carepair.ledger.models import Kind as K

# Assistance activities by category at scale 1: 9,030 in all (8,600 × 1.05), with the
# article's 638 cultural and 765 health events reached as well. Donations take the rest.
CATEGORY_COUNTS = {
    C.ENVIRONMENT: 1050,
    C.FESTIVAL: 2450,
    C.SAFETY: 950,
    C.HARDSHIP: 860,
    C.CULTURE: 670,
    C.HEALTH: 805,
    C.TRAINING: 860,
}
# Share of each category done by townships in their villages rather than at an institution.
AREA_SHARE = {C.HARDSHIP: 0.45, C.FESTIVAL: 0.2, C.HEALTH: 0.15, C.SAFETY: 0.15, C.CULTURE: 0.15}
PARTICIPANTS = {
    C.ENVIRONMENT: (6, 40),
    C.FESTIVAL: (4, 20),
    C.SAFETY: (2, 10),
    C.HARDSHIP: (2, 6),
    C.CULTURE: (8, 30),
    C.HEALTH: (3, 12),
    C.TRAINING: (2, 6),
    C.DONATION: (2, 8),
}
# Person-times helped (before bringing the total to the article's figure).
BENEFICIARIES = {
    C.ENVIRONMENT: (0, 0),
    C.FESTIVAL: (5, 25),
    C.SAFETY: (0, 8),
    C.HARDSHIP: (1, 4),
    C.CULTURE: (5, 15),
    C.HEALTH: (3, 12),
    C.TRAINING: (0, 0),
    C.DONATION: (0, 6),
}
AREA_BENEFICIARIES = {
    C.HARDSHIP: (1, 3),
    C.FESTIVAL: (2, 10),
    C.HEALTH: (3, 15),
    C.SAFETY: (1, 6),
    C.CULTURE: (10, 40),
}
AREA_MATERIALS = ["rice", "oil", "quilt", "cash", "down_jacket", "schoolbag"]
CHILD_FESTIVALS = {"children"}


class Plan:
    __slots__ = (
        "area",
        "beneficiaries",
        "category",
        "confirm_note",
        "confirmer",
        "day",
        "helpers",
        "institution",
        "kind",
        "materials",
        "notes",
        "participants",
        "photos",
        "recorder",
        "region",
        "title",
    )

    def __init__(self, **values):
        self.institution = self.area = self.confirmer = None
        self.materials = []
        self.photos = 0
        self.confirm_note = ""
        for key, value in values.items():
            setattr(self, key, value)


def build(s: State) -> None:
    rng = s.rng
    _prepare(s)
    plans: list[Plan] = []
    assistance = math.ceil(ARTICLE["activities"] * MARGIN * s.scale)
    counts = {c: round(n * s.scale) for c, n in CATEGORY_COUNTS.items()}
    counts[C.DONATION] = assistance - sum(counts.values())
    for category, n in counts.items():
        for _ in range(n):
            if rng.random() < AREA_SHARE.get(category, 0):
                plans.append(_in_village(s, category))
            else:
                plans.append(_at_institution(s, category))
    for _ in range(math.ceil(ARTICLE["research_visits"] * MARGIN * s.scale)):
        plans.append(_visit(s))

    _bring_to(
        [p for p in plans if p.beneficiaries],
        "beneficiaries",
        math.ceil(ARTICLE["beneficiaries"] * MARGIN * s.scale),
    )
    _scale_materials(plans, math.ceil(ARTICLE["material_value_yuan"] * MARGIN * s.scale) * 100)
    plans.extend(_demo_plans(s))
    plans.sort(key=lambda p: p.day)
    _write(s, plans)


def _prepare(s: State) -> None:
    s.institution_weights = list(_cumulative([math.sqrt(i.org.beds or 30) for i in s.institutions]))
    s.township_weights = list(_cumulative([len(t.villages) for t in s.townships]))
    s.social_by_county = {}
    for org in s.social_organisations:
        s.social_by_county.setdefault(org.region_id[:6], []).append(org)
    s.festivals = {}
    for year in range(s.start.year, s.today.year + 1):
        for key, day in catalog.festival_dates(year).items():
            if s.start <= day <= s.today:
                s.festivals.setdefault(key, []).append(day)
    s.photo_names = images.ensure()


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _institution(s: State):
    return s.rng.choices(s.institutions, cum_weights=s.institution_weights)[0]


def _festival(s: State, children: bool) -> tuple[str, datetime.date]:
    rng = s.rng
    keys = [k for k in catalog.FESTIVAL_WEIGHTS if k in s.festivals]
    if not children:
        keys = [k for k in keys if k not in CHILD_FESTIVALS] or keys
    key = rng.choices(keys, [catalog.FESTIVAL_WEIGHTS[k] for k in keys])[0]
    day = rng.choice(s.festivals[key])
    lead = catalog.FESTIVAL_LEAD_DAYS.get(key, 7)
    day -= datetime.timedelta(days=rng.randint(0, lead))
    return key, max(day, s.start)


def _helpers(s: State, institution, day) -> list:
    rng = s.rng
    active = institution.helpers_on(day) or [h for h, _, _ in institution.helpers]
    weights = [0.4 if h.kind == "social_organisation" else 1.0 for h in active]
    primary = rng.choices(active, weights)[0]
    helpers = [primary]
    if rng.random() < 0.15:
        local = s.social_by_county.get(institution.county, []) + s.social_by_county.get(
            "511100", []
        )
        if local:
            extra = rng.choice(local)
            if extra is not primary:
                helpers.append(extra)
    if rng.random() < 0.04 and s.enterprises:
        extra = rng.choice(s.enterprises)
        if extra not in helpers:
            helpers.append(extra)
    return helpers


def _at_institution(s: State, category) -> Plan:
    rng = s.rng
    institution = _institution(s)
    org = institution.org
    if category == C.FESTIVAL:
        key, day = _festival(s, org.serves_children)
        title_pool, materials_from = catalog.FESTIVALS[key]
        title = rng.choice(title_pool)
    else:
        day = s.day_between(s.start, s.today)
        title, materials_from = rng.choice(catalog.ACTIVITY_TITLES[category])
    helpers = _helpers(s, institution, day)
    participants = rng.randint(*PARTICIPANTS[category])
    residents = (org.elderly_residents or 0) + (org.child_residents or 0)
    low, high = BENEFICIARIES[category]
    who = "志愿者" if helpers[0].kind == "social_organisation" else "干部职工"
    plan = Plan(
        kind=K.ASSISTANCE,
        category=category,
        title=title,
        day=day,
        institution=institution,
        region=org.region_id,
        helpers=helpers,
        recorder=rng.choice(s.members[helpers[0].pk]),
        participants=participants,
        beneficiaries=min(rng.randint(low, high), max(residents, 1)) if high else 0,
        notes=f"{'、'.join(h.name for h in helpers)}组织{who}{participants}人到{org.name}开展"
        f"“{title}”。",
    )
    gives = rng.random() < catalog.MATERIAL_SHARE[category] or "送" in title
    if materials_from and gives:
        plan.materials = _materials(s, materials_from)
    _confirm(s, plan)
    return plan


def _in_village(s: State, category) -> Plan:
    rng = s.rng
    township = rng.choices(s.townships, cum_weights=s.township_weights)[0]
    village = rng.choice(township.villages)
    day = (
        _festival(s, children=True)[1]
        if category == C.FESTIVAL
        else s.day_between(s.start, s.today)
    )
    title = rng.choice(catalog.AREA_ACTIVITIES[category])
    participants = rng.randint(2, 6)
    plan = Plan(
        kind=K.ASSISTANCE,
        category=category,
        title=title,
        day=day,
        area=village.code,
        region=village.code,
        helpers=[township.office],
        recorder=rng.choice(township.workers),
        participants=participants,
        beneficiaries=rng.randint(*AREA_BENEFICIARIES[category]),
        notes=f"{township.office.name}工作人员{participants}人到{village.name}开展“{title}”。",
    )
    if category in (C.HARDSHIP, C.FESTIVAL) and rng.random() < 0.4:
        plan.materials = _materials(s, AREA_MATERIALS, most=2)
    plan.photos = 1 if rng.random() < 0.1 else 0
    return plan


def _visit(s: State) -> Plan:
    """A research visit (调研走访): by a department at its institution, or by a county
    leader in the area they liaise with."""
    rng = s.rng
    day = s.day_between(s.start, s.today, weekdays=0.95)
    if rng.random() < 0.25 and s.leader_areas:
        leader_pk = rng.choice(list(s.leader_areas))
        township = rng.choice(s.leader_areas[leader_pk])
        leader = next(u for u in s.county_leaders[township.county] if u.pk == leader_pk)
        office = s.county_departments[township.county][4]  # the county party office
        category, topic = rng.choice(catalog.AREA_RESEARCH_TOPICS)
        participants = rng.randint(3, 8)
        return Plan(
            kind=K.RESEARCH_VISIT,
            category=category,
            title=topic,
            day=day,
            area=township.region.code,
            region=township.region.code,
            helpers=[office],
            recorder=leader,
            participants=participants,
            beneficiaries=0,
            notes=f"{leader.full_name}一行{participants}人到{township.region.name}{topic}，"
            "听取情况汇报，现场研究解决问题。",
        )
    institution = _institution(s)
    active = [
        h
        for h in (institution.helpers_on(day) or [h for h, _, _ in institution.helpers])
        if h.kind != "social_organisation"
    ] or [h for h, _, _ in institution.helpers]
    helper = rng.choice(active)
    category, topic = rng.choice(catalog.RESEARCH_TOPICS)
    participants = rng.randint(2, 8)
    plan = Plan(
        kind=K.RESEARCH_VISIT,
        category=category,
        title=topic,
        day=day,
        institution=institution,
        region=institution.org.region_id,
        helpers=[helper],
        recorder=rng.choice(s.members[helper.pk]),
        participants=participants,
        beneficiaries=0,
        notes=f"{helper.name}一行{participants}人到{institution.org.name}{topic}，"
        "座谈了解困难和需求，现场查看院内设施。",
    )
    _confirm(s, plan)
    return plan


def _confirm(s: State, plan: Plan) -> None:
    """Most institutions confirm what they received (确认); the last days' not yet."""
    rng = s.rng
    recent = (s.today - plan.day).days < 10
    if rng.random() < (0.3 if recent else 0.93):
        plan.confirmer = rng.choice(plan.institution.staff)
        plan.confirm_note = rng.choice(catalog.CONFIRMATION_NOTES)
    plan.photos = rng.choice((0, 0, 0, 0, 1, 1, 2))


def _materials(s: State, keys, most: int = 3) -> list[list]:
    rng = s.rng
    chosen = rng.sample(keys, min(len(keys), rng.randint(1, most)))
    lines = []
    for key in chosen:
        item, unit, prices, quantities = catalog.MATERIALS[key]
        quantity = rng.randint(*quantities)
        if unit == "元":
            quantity = max(100, round(quantity, -2))
        lines.append([item, unit, quantity, rng.randint(*prices), quantities[1] <= 2])
    return lines


def _bring_to(plans: list[Plan], attribute: str, target: int) -> None:
    """Scale an integer attribute so that it sums to exactly `target` (largest remainders)."""
    total = sum(getattr(p, attribute) for p in plans)
    if not total:
        return
    exact = [getattr(p, attribute) * target / total for p in plans]
    floors = [max(0, math.floor(x)) for x in exact]
    short = target - sum(floors)
    order = sorted(range(len(plans)), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:short]:
        floors[i] += 1
    for plan, value in zip(plans, floors, strict=True):
        setattr(plan, attribute, value)


def _scale_materials(plans: list[Plan], target_fen: int) -> None:
    """Bring the value of all materials near `target_fen` by adjusting quantities (or the
    price of one-off lots), keeping every line a whole number of units."""
    lines = [line for p in plans for line in p.materials]
    for _ in range(3):
        total = sum(q * price * 100 for _, _, q, price, _ in lines)
        if not total:
            return
        factor = target_fen / total
        if 0.995 < factor < 1.005:
            return
        for line in lines:
            _, unit, quantity, price, lot = line
            if lot:
                line[3] = max(1, round(price * factor))
            elif unit == "元":
                line[2] = max(100, round(quantity * factor, -2))
            else:
                line[2] = max(1, round(quantity * factor))


def _demo_plans(s: State) -> list[Plan]:
    """The demo institution's last fortnight: its liaison's visit and donation (not yet
    confirmed), and the volunteers' winter visit, so the journeys start from real work."""
    institution = s.demo["institution"]
    department = s.demo["department"]
    volunteers = s.demo["social_organisation"]
    liaison = s.demo["liaison"]
    org = institution.org
    today = s.today

    def ago(days):
        return max(today - datetime.timedelta(days=days), s.start)

    visit = Plan(
        kind=K.RESEARCH_VISIT,
        category=C.HARDSHIP,
        title="调研机构运行情况",
        day=ago(12),
        institution=institution,
        region=org.region_id,
        helpers=[department],
        recorder=liaison,
        participants=4,
        beneficiaries=0,
        notes=f"{department.name}一行4人到{org.name}调研机构运行情况，了解到洗衣机损坏、"
        "消防通道堆放杂物等问题。",
        confirmer=institution.staff[0],
        confirm_note="情况属实",
    )
    donation = Plan(
        kind=K.ASSISTANCE,
        category=C.DONATION,
        title="捐赠生活电器",
        day=ago(3),
        institution=institution,
        region=org.region_id,
        helpers=[department],
        recorder=liaison,
        participants=5,
        beneficiaries=12,
        notes=f"{department.name}为{org.name}捐赠冰箱、电视、消毒柜等生活电器。",
        materials=[
            ["冰箱", "台", 2, 3299, False],
            ["电视", "台", 2, 2599, False],
            ["消毒柜", "台", 1, 1580, False],
        ],
        photos=1,
    )
    winter = Plan(
        kind=K.ASSISTANCE,
        category=C.FESTIVAL,
        title="“温暖过冬”送御寒物资",
        day=ago(1),
        institution=institution,
        region=org.region_id,
        helpers=[volunteers, department],
        recorder=s.members[volunteers.pk][0],
        participants=9,
        beneficiaries=30,
        notes=f"{volunteers.name}联合{department.name}到{org.name}送去棉被、电热毯。",
        materials=[["棉被", "床", 30, 260, False], ["电热毯", "床", 30, 119, False]],
    )
    return [visit, donation, winter]


def _write(s: State, plans: list[Plan]) -> None:
    rng = s.rng
    through = Activity.helpers.through
    new_activity, new_link = Rows(Activity), Rows(through)
    new_material, new_photo = Rows(Material), Rows(Photo)
    materials_written = 0
    for start in range(0, len(plans), BATCH):
        chunk = plans[start : start + BATCH]
        activities = []
        for p in chunk:
            recorded_at = s.at(p.day + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3))))
            activity = new_activity(
                kind=p.kind,
                category=p.category,
                title=p.title,
                occurred_on=p.day,
                institution_id=p.institution.org.pk if p.institution else None,
                area_id=p.area,
                region_id=p.region,
                participants=p.participants,
                beneficiaries=p.beneficiaries,
                # The entry keeps its materials' total, as activity_record writes it.
                material_value_fen=sum(q * price * 100 for _, _, q, price, _ in p.materials),
                notes=p.notes,
                recorded_by_id=p.recorder.pk,
                recorded_at=recorded_at,
            )
            if p.confirmer is not None:
                activity.confirmed_by_id = p.confirmer.pk
                activity.confirmed_at = s.later(recorded_at, 0.2, 8)
                activity.confirmation_note = p.confirm_note
            activities.append(activity)
        Activity.objects.bulk_create(activities, batch_size=BATCH)

        links, lines, photos = [], [], []
        for p, activity in zip(chunk, activities, strict=True):
            links += [new_link(activity_id=activity.pk, organisation_id=h.pk) for h in p.helpers]
            lines += [
                new_material(
                    activity_id=activity.pk,
                    item=item,
                    quantity=Decimal(quantity),
                    unit=unit,
                    value_fen=quantity * price * 100,
                )
                for item, unit, quantity, price, _ in p.materials
            ]
            for n in range(p.photos):
                name, size = s.photo_names["activity"][(activity.pk + n) % 4]
                photos.append(
                    new_photo(
                        activity_id=activity.pk,
                        image=name,
                        content_type="image/jpeg",
                        size=size,
                        uploaded_by_id=p.recorder.pk,
                        uploaded_at=activity.recorded_at,
                    )
                )
            if p.institution is not None:
                p.institution.visits.append((p.day, activity.pk))
        through.objects.bulk_create(links, batch_size=BATCH)
        Material.objects.bulk_create(lines, batch_size=BATCH)
        Photo.objects.bulk_create(photos, batch_size=BATCH)
        materials_written += len(lines)
    for institution in s.institutions:
        institution.visits.sort()
    s.counts["activities"] = len(plans)
    s.counts["materials"] = materials_written


def visit_before(institution, day: datetime.date, within: int = 30):
    """The latest activity at the institution on or before `day` (and not older than
    `within` days), for a problem found on that visit."""
    i = bisect.bisect_right(institution.visits, (day, float("inf"))) - 1
    if i >= 0 and (day - institution.visits[i][0]).days <= within:
        return institution.visits[i][1]
    return None

"""Pairings (结对) across the four tiers, with the 36 adjusted pairs (调整优化帮扶对子)."""

import datetime

from carepair.demo import catalog
from carepair.demo.seed.state import BATCH, State
from carepair.pairing.models import Pairing, Tier

# Pairs the article names (city department or enterprise -> institution).
ARTICLE_PAIRS = [
    ("市委政研室", "凌云敬老院"),
    ("市委党史和地方志研究室", "凌云敬老院"),
    ("市政协办公室", "葫芦镇敬老院"),
    ("邮政储蓄银行乐山分行", "葫芦镇敬老院"),
    ("市委办公室", "马边小凉山区域养老中心"),
    ("市人大常委会办公室", "五通桥区福利院"),
    ("市委组织部", "犍为县岷东敬老院"),
    ("人民银行乐山中心支行", "夹江甘江养老院"),
    ("市财政局", "沐川县箭板镇敬老院"),
    ("市政府办公室", "峨边新林镇养老院"),
    ("市委统战部", "犍为县清溪镇敬老院"),
    ("市关心下一代工作委员会", "乐山市儿童福利院"),
    ("市交通运输局", "乐山市儿童福利院"),
    ("市公安局", "乐山市未成年人救助保护中心"),
    ("市民政局", "乐山市社会福利院"),
]
# The demo volunteer's organisation helps the demo institution too.
ARTICLE_SOCIAL_PAIRS = {"乐山市嘉州志愿者协会": "凌云敬老院"}


def build(s: State) -> None:
    rng = s.rng
    city_admin = s.city_admins[0]
    began = s.start - datetime.timedelta(days=20)
    first: list[Pairing] = []
    protected: set[int] = set()

    def pair(tier, *, helper=None, leader=None, institution=None, area=None, started_on, by):
        p = Pairing(
            tier=tier,
            helper=helper,
            leader=leader,
            institution=institution.org if institution else None,
            area=area,
            region_id=institution.org.region_id if institution else area.code,
            started_on=started_on,
            created_by=by,
            created_at=s.at(started_on),
        )
        if institution is not None:
            institution.helpers.append([helper, started_on, None])
            p._institution = institution
        first.append(p)
        return p

    # Tier 1: city departments with institutions; the article's pairs first.
    paired_departments = set()
    for helper_name, institution_name in ARTICLE_PAIRS:
        helper = s.org_by_name.get(helper_name)
        institution = s.institution_by_name.get(institution_name)
        if helper is None or institution is None:
            continue
        started = began if helper.kind == "city_department" else _later_start(s)
        protected.add(id(pair(Tier.CITY_DEPARTMENT, helper=helper, institution=institution,
                              started_on=started, by=city_admin)))  # fmt: skip
        paired_departments.add(helper.pk)
    covered = {id(p._institution) for p in first}
    uncovered = [i for i in s.institutions if id(i) not in covered]
    rng.shuffle(uncovered)
    departments = [d for d in s.city_departments if d.pk not in paired_departments]
    tier1 = []
    for n, helper in enumerate(departments):
        institution = uncovered[n] if n < len(uncovered) else rng.choice(s.institutions)
        tier1.append(pair(Tier.CITY_DEPARTMENT, helper=helper, institution=institution,
                          started_on=began, by=city_admin))  # fmt: skip
    # An institution left without a department (tiny scales) still gets one.
    for institution in uncovered[len(departments) :]:
        pair(Tier.CITY_DEPARTMENT, helper=rng.choice(departments or s.city_departments),
             institution=institution, started_on=began, by=city_admin)  # fmt: skip

    # Enterprises joined later (新增金融、通讯等市级帮扶单位).
    for helper in s.enterprises:
        if helper.pk in paired_departments:
            continue
        pair(Tier.CITY_DEPARTMENT, helper=helper, institution=rng.choice(s.institutions),
             started_on=_later_start(s), by=city_admin)  # fmt: skip

    # Social organisations of the "嘉里有爱" campaign: some pair with an institution.
    for helper in s.social_organisations:
        name = helper.name
        institution = ARTICLE_SOCIAL_PAIRS.get(name)
        if institution and institution in s.institution_by_name:
            target = s.institution_by_name[institution]
        elif rng.random() < 0.4:
            county = helper.region_id[:6]
            local = [i for i in s.institutions if i.county == county]
            target = rng.choice(local or s.institutions)
        else:
            continue
        pair(Tier.CITY_DEPARTMENT, helper=helper, institution=target,
             started_on=_later_start(s), by=city_admin)  # fmt: skip

    # Tier 2: county leaders each liaise with a few townships (分片区挂联).
    for county, leaders in s.county_leaders.items():
        admin = s.county_admins[county][0]
        for n, township in enumerate(s.townships_by_county[county]):
            leader = leaders[n % len(leaders)]
            s.leader_areas.setdefault(leader.pk, []).append(township)
            pair(Tier.COUNTY_LEADER, leader=leader, area=township.region, started_on=began,
                 by=admin)  # fmt: skip

    # Tier 3: county departments one to one with the institutions of their county.
    demo_institution = s.demo["institution"]
    for county, departments in s.county_departments.items():
        admin = s.county_admins[county][0]
        local = [i for i in s.institutions if i.county == county]
        free = list(departments)
        if demo_institution.county == county:
            free.remove(s.demo["county_department"])
            local.remove(demo_institution)
            pair(Tier.COUNTY_DEPARTMENT, helper=s.demo["county_department"],
                 institution=demo_institution, started_on=began, by=admin)  # fmt: skip
        rng.shuffle(free)
        for institution, helper in zip(local, free, strict=False):
            pair(Tier.COUNTY_DEPARTMENT, helper=helper, institution=institution,
                 started_on=began, by=admin)  # fmt: skip

    # Tier 4: each township with every one of its villages (全覆盖走访摸排).
    for township in s.townships:
        admin = s.county_admins[township.county][0]
        for village in township.villages:
            pair(Tier.TOWNSHIP, helper=township.office, area=village, started_on=began, by=admin)

    # Adjustments end some of the first pairs before they are written; their successors
    # are written after, once `previous` has a primary key to point to.
    successors = _adjust(s, [p for p in tier1 if id(p) not in protected], city_admin)
    Pairing.objects.bulk_create(first, batch_size=BATCH)
    Pairing.objects.bulk_create(successors, batch_size=BATCH)
    s.counts["pairings"] = len(first) + len(successors)
    s.counts["pairs_adjusted"] = len(successors)


def _later_start(s: State) -> datetime.date:
    return s.day_between(
        s.start + datetime.timedelta(days=120), s.start + datetime.timedelta(days=600)
    )


def _adjust(s: State, candidates: list[Pairing], by) -> list[Pairing]:
    """Swap the institutions of two departments' pairs (就近就便、按需匹配): both pairs
    end with a reason and each institution's new pair points back to its old one."""
    rng = s.rng
    wanted = s.scaled(18, minimum=1)
    rng.shuffle(candidates)
    successors = []
    pool = list(candidates)
    while len(successors) < 2 * wanted and len(pool) >= 2:
        a = pool.pop()
        b = next((p for p in pool if p._institution is not a._institution), None)
        if b is None:
            break
        pool.remove(b)
        on = s.day_between(
            s.start + datetime.timedelta(days=150), s.today - datetime.timedelta(days=60)
        )
        reason = rng.choice(catalog.PAIR_ADJUST_REASONS)
        for old, helper in ((a, b.helper), (b, a.helper)):
            old.ended_on = on
            old.end_reason = reason
            institution = old._institution
            for entry in institution.helpers:
                if entry[0] is old.helper and entry[2] is None:
                    entry[2] = on
            institution.helpers.append([helper, on, None])
            successors.append(
                Pairing(
                    tier=old.tier,
                    helper=helper,
                    institution=old.institution,
                    region_id=old.region_id,
                    started_on=on,
                    previous=old,
                    note=reason,
                    created_by=by,
                    created_at=s.at(on),
                )
            )
    return successors

"""Organisations (单位): city and county departments, enterprises, township offices,
care institutions and social organisations."""

import datetime
from decimal import Decimal

from carepair.demo import names
from carepair.demo.seed.state import BATCH, Institution, State
from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation, Sector

_SIX = Decimal("0.000001")

# Beds by institution type: (low, high).
BEDS = {
    "rural_home": (30, 120),
    "elderly_home": (50, 300),
    "welfare_home": (80, 260),
    "children_home": (40, 150),
    "regional_centre": (100, 300),
    "minor_protection": (20, 60),
}

# Institutions a county has one of at most (its own welfare home, children's home and
# minors' protection centre).
ONE_PER_COUNTY = ("welfare_home", "children_home", "minor_protection")

# Departments placed first, so that even a tiny scale has the ones the demo needs.
FIRST_DEPARTMENTS = ["市民政局", "市委政研室"]


def build(s: State) -> None:
    rng = s.rng
    created = s.at(s.start - datetime.timedelta(days=60))
    rows: list[Organisation] = []

    def add(name: str, kind: str, region, **extra) -> Organisation:
        org = Organisation(
            name=name,
            kind=kind,
            region_id=region.code if hasattr(region, "code") else region,
            contact_person=names.person_name(rng)[0],
            phone=names.office_phone(rng),
            created_at=created,
            **extra,
        )
        rows.append(org)
        s.org_by_name[name] = org
        return org

    # City departments (市级部门).
    ordered = FIRST_DEPARTMENTS + [d for d in names.CITY_DEPARTMENTS if d not in FIRST_DEPARTMENTS]
    for i in range(s.scaled(114, minimum=2)):
        base = ordered[i % len(ordered)]
        name = base if i < len(ordered) else names.branch_name(base, i // len(ordered) + 1)
        s.city_departments.append(
            add(name, Kind.CITY_DEPARTMENT, s.city, address=_city_address(rng))
        )

    # Enterprises (企业): the city branches first, then county branches at larger scales.
    counties = list(s.counties)
    for i in range(s.scaled(16)):
        sector, brand, city_branch, county_branch = names.ENTERPRISES[i % len(names.ENTERPRISES)]
        copy = i // len(names.ENTERPRISES)
        if copy == 0:
            name, region = brand + city_branch, s.city
        else:
            county = counties[(copy - 1) % len(counties)]
            tiny = names.COUNTY_TINY[county]
            lap = (copy - 1) // len(counties)
            extra = f"第{names.chinese_number(lap + 1)}" if lap else ""
            name, region = f"{brand}{tiny}{extra}{county_branch}", s.counties[county]
        s.enterprises.append(
            add(name, Kind.ENTERPRISE, region, sector=Sector(sector), address=_city_address(rng))
        )

    # Institutions per county, decided first: county departments pair with them one to one.
    per_county = {c: s.scaled(n) for c, n in names.INSTITUTION_COUNTS.items()}

    # County departments (县级部门).
    for county, region in s.counties.items():
        short = names.COUNTY_SHORT[county]
        wanted = max(s.scaled(16), per_county[county] + 6)
        departments = []
        for i in range(wanted):
            base = short + names.COUNTY_DEPARTMENTS[i % len(names.COUNTY_DEPARTMENTS)]
            copy = i // len(names.COUNTY_DEPARTMENTS)
            name = base if copy == 0 else names.branch_name(base, copy + 1)
            departments.append(add(name, Kind.COUNTY_DEPARTMENT, region))
        s.county_departments[county] = departments

    # Township and street offices (乡镇人民政府、街道办事处).
    for township in s.townships:
        suffix = "办事处" if township.kind == "street" else "人民政府"
        township.office = add(township.region.name + suffix, Kind.TOWNSHIP, township.region)

    _institutions(s, per_county, add)
    _social_organisations(s, add)

    Organisation.objects.bulk_create(rows, batch_size=BATCH)
    s.counts.update(
        city_departments=len(s.city_departments),
        enterprises=len(s.enterprises),
        county_departments=sum(len(v) for v in s.county_departments.values()),
        townships_offices=len(s.townships),
        institutions=len(s.institutions),
        social_organisations=len(s.social_organisations),
    )


def _institutions(s: State, per_county: dict[str, int], add) -> None:
    rng = s.rng
    used: set[str] = set()
    types = list(names.INSTITUTION_TYPE_WEIGHTS)
    weights = list(names.INSTITUTION_TYPE_WEIGHTS.values())
    for county, wanted in per_county.items():
        townships = s.townships_by_county[county]
        by_base = {t.base: t for t in townships}
        plans = []
        for known_county, base, name, kind, operator in names.KNOWN_INSTITUTIONS:
            if known_county == county and len(plans) < wanted:
                township = by_base.get(base) or townships[0]
                township.institutions += 1
                used.add(name)
                plans.append((name, kind, operator, township))
        # Rural homes go to towns and 乡 that have none yet; streets get the others.
        rural = [t for t in townships if t.kind != "street"] or townships
        rng.shuffle(rural)
        while len(plans) < wanted:
            kind = rng.choices(types, weights)[0]
            if kind in ONE_PER_COUNTY and any(k == kind for _, k, _, _ in plans):
                kind = "rural_home"
            if kind in ("rural_home", "regional_centre"):
                township = min(rural, key=lambda t: t.institutions)
            else:
                township = rng.choice(townships)
            township.institutions += 1
            operator = "private" if kind == "elderly_home" and rng.random() < 0.5 else "public"
            name = _institution_name(rng, used, kind, operator, county, township)
            plans.append((name, kind, operator, township))
        for name, kind, operator, township in plans:
            low, high = BEDS[kind]
            beds = rng.randint(low, high)
            children = kind in ("children_home", "minor_protection")
            elderly = 0 if children else round(beds * rng.uniform(0.4, 0.85))
            child = round(beds * rng.uniform(0.3, 0.7)) if children else 0
            if kind == "welfare_home":
                child = rng.randint(0, 15)
            village = rng.choice(township.villages)
            org = add(
                name,
                Kind.INSTITUTION,
                village,
                institution_type=InstitutionType(kind),
                operator=Operator(operator),
                beds=beds,
                elderly_residents=elderly,
                child_residents=child,
                address=_address(rng, s, township, village),
                latitude=_near(village.latitude, rng.uniform(-0.003, 0.003)),
                longitude=_near(village.longitude, rng.uniform(-0.003, 0.003)),
            )
            institution = Institution(org=org, county=county, township=township)
            s.institutions.append(institution)
            s.institution_by_name[name] = institution


def _institution_name(rng, used: set[str], kind, operator, county, township) -> str:
    short, tiny = names.COUNTY_SHORT[county], names.COUNTY_TINY[county]
    place, base = township.region.name, township.base
    if kind == "rural_home":
        candidates = [
            f"{place}敬老院",
            f"{base}敬老院",
            f"{short}{place}敬老院",
            f"{place}中心敬老院",
        ]
        stem = f"{place}第{{}}敬老院"
    elif kind == "elderly_home" and operator == "private":
        words = rng.sample(names.PRIVATE_HOME_WORDS, 4)
        candidates = [f"{tiny}{w}养老院" for w in words] + [f"乐山市{w}养老院" for w in words]
        stem = f"{place}{words[0]}养老院{{}}部"
    elif kind == "elderly_home":
        candidates = [f"{tiny}{base}养老院", f"{place}养老院", f"{short}{place}养老院"]
        stem = f"{place}第{{}}养老院"
    elif kind == "regional_centre":
        candidates = [f"{tiny}{base}区域养老中心", f"{short}{base}区域养老中心"]
        stem = f"{short}{base}第{{}}区域养老中心"
    elif kind == "welfare_home":
        candidates = [f"{short}社会福利院", f"{short}福利院", f"{short}{base}福利院"]
        stem = f"{short}{base}第{{}}福利院"
    elif kind == "children_home":
        candidates = [f"{short}儿童福利院", f"{short}{base}儿童福利院"]
        stem = f"{short}{base}第{{}}儿童福利院"
    else:
        candidates = [f"{short}未成年人救助保护中心", f"{short}{base}未成年人救助保护中心"]
        stem = f"{short}{base}未成年人救助保护{{}}站"
    for name in candidates:
        if name not in used:
            used.add(name)
            return name
    n = 2
    while stem.format(names.chinese_number(n)) in used:
        n += 1
    name = stem.format(names.chinese_number(n))
    used.add(name)
    return name


def _social_organisations(s: State, add) -> None:
    rng = s.rng
    wanted = s.scaled(108)
    used: set[str] = set()
    counties = list(s.counties)
    for i in range(wanted):
        if i < len(names.KNOWN_SOCIAL_ORGANISATIONS):
            name, region = names.KNOWN_SOCIAL_ORGANISATIONS[i], s.city
        else:
            while True:
                county = rng.choice(counties) if rng.random() < 0.35 else None
                prefix = names.COUNTY_SHORT[county] if county else "乐山市"
                word = rng.choice(names.SOCIAL_WORDS)
                name = prefix + word + rng.choice(names.SOCIAL_TYPES)
                if name not in used:
                    break
            region = s.counties[county] if county else s.city
        used.add(name)
        s.social_organisations.append(
            add(name, Kind.SOCIAL_ORGANISATION, region, address=_city_address(rng))
        )


def _city_address(rng) -> str:
    return f"乐山市市中区{rng.choice(names.ROADS)}{rng.randint(1, 400)}号"


def _address(rng, s: State, township, village) -> str:
    county = s.counties[township.county].name
    if village.name.endswith("村"):
        return f"{county}{township.region.name}{village.name}{rng.randint(1, 12)}组"
    return f"{county}{township.region.name}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号"


def _near(value: float, offset: float) -> Decimal:
    """A coordinate a little off a village's centre (an institution in the village)."""
    return Decimal(str(value + offset)).quantize(_SIX)

"""Townships and streets (乡镇街道), villages and communities (村社区) under the real
city and counties, on 12-digit codes: township 511102001000, village 511102001001.

Each has a position inside its county's real outline (regions.geo), drawn from a random
stream of its own so that the rest of the demo does not depend on the map: streets near
the county seat, towns and 乡 anywhere in the county, communities within a short walk
of their township's seat, villages a few kilometres around it."""

from carepair.demo import names
from carepair.demo.seed.state import BATCH, State, Township
from carepair.regions import geo, leshan
from carepair.regions.leshan import CITY, COUNTIES
from carepair.regions.models import Level, Region

SUFFIX = {"street": "街道", "town": "镇", "xiang": "乡"}
STREETS_WITHIN_M = 5000  # of the county seat
COMMUNITY_WITHIN_M = 1500  # of the township's seat
VILLAGE_WITHIN_M = {"street": 3000, "town": 6000, "xiang": 8000}


def ensure_city_and_counties() -> None:
    """The city and its counties come with the regions migration; after a flush they are
    put back from the same list."""
    leshan.load(Region)


def build(s: State) -> None:
    ensure_city_and_counties()
    s.city = Region.objects.get(code=CITY[0])
    s.counties = {r.code[:6]: r for r in Region.objects.filter(level=Level.COUNTY)}
    rng = s.rng
    used = {n for known in names.KNOWN_TOWNSHIPS.values() for n in known}
    used |= set(names.COUNTY_TINY.values()) | {"乐山", "嘉州", "市中"}

    township_rows, village_rows = [], []
    for code, _ in COUNTIES:
        county = code[:6]
        base_total, base_streets, base_xiangs = names.TOWNSHIP_COUNTS[county]
        total = min(899, s.scaled(base_total, minimum=2))
        streets = round(base_streets * total / base_total)
        if base_streets and not streets:
            streets = 1
        xiangs = round(base_xiangs * total / base_total)
        towns = total - streets - xiangs
        kinds = ["street"] * streets + ["town"] * towns + ["xiang"] * xiangs
        known = names.KNOWN_TOWNSHIPS[county]
        numbers = _numbers(streets, towns, xiangs)
        centre = names.COUNTY_CENTRE[county]
        s.townships_by_county[county] = []
        for i, (kind, number) in enumerate(zip(kinds, numbers, strict=True)):
            base = known[i] if i < len(known) else _fresh(rng, used)
            if kind == "street" or county in geo.SHARES_OUTLINE:
                lat, lng = geo.place(county, s.geo_rng, near=centre, within_m=STREETS_WITHIN_M)
            else:
                lat, lng = geo.place(county, s.geo_rng)
            region = Region(
                code=f"{county}{number:03d}000",
                name=base + SUFFIX[kind],
                level=Level.TOWNSHIP,
                parent_id=code,
                latitude=lat,
                longitude=lng,
            )
            township = Township(
                region=region, county=county, base=base, kind=kind, lat=lat, lng=lng
            )
            township.villages = _villages(s, township)
            township_rows.append(region)
            village_rows.extend(township.villages)
            s.townships.append(township)
            s.townships_by_county[county].append(township)

    Region.objects.bulk_create(township_rows, batch_size=BATCH)
    Region.objects.bulk_create(village_rows, batch_size=BATCH)
    s.counts["townships"] = len(township_rows)
    s.counts["villages"] = len(village_rows)


def _numbers(streets: int, towns: int, xiangs: int) -> list[int]:
    """Statistical practice: streets from 001, towns from 100, 乡 from 200, unless a
    large scale needs the room."""
    street_numbers = list(range(1, streets + 1))
    town_start = max(100, streets + 1)
    town_numbers = list(range(town_start, town_start + towns))
    xiang_start = max(200, town_start + towns)
    return street_numbers + town_numbers + list(range(xiang_start, xiang_start + xiangs))


def _villages(s: State, township: Township) -> list:
    rng = s.rng
    factor = min(1.0, s.scale)
    if township.kind == "street":
        communities, villages = rng.randint(4, 9), 0
    elif township.kind == "town":
        communities, villages = rng.randint(1, 3), rng.randint(6, 12)
    else:
        communities, villages = rng.randint(0, 1), rng.randint(5, 10)
    communities = round(communities * factor)
    villages = round(villages * factor)
    if communities + villages == 0:
        communities = 1 if township.kind == "street" else 0
        villages = 0 if township.kind == "street" else 1
    taken: set[str] = set()
    rows = []
    prefix = township.region.code[:9]
    for n in range(communities):
        # A town's first community usually bears the town's name.
        name = township.base if n == 0 and township.kind != "street" else None
        name = _fresh_local(rng, taken, name, names.COMMUNITY_SECOND)
        rows.append(_village(s, prefix, n + 1, name + "社区", township))
    first_village = max(200, communities + 1)
    for n in range(villages):
        name = _fresh_local(rng, taken, None, names.VILLAGE_SECOND)
        rows.append(_village(s, prefix, first_village + n, name + "村", township))
    return rows


def _village(s: State, prefix: str, number: int, name: str, township: Township) -> Region:
    within = COMMUNITY_WITHIN_M if name.endswith("社区") else VILLAGE_WITHIN_M[township.kind]
    seat = (township.lat, township.lng)
    lat, lng = geo.place(township.county, s.geo_rng, near=seat, within_m=within)
    return Region(
        code=f"{prefix}{number:03d}",
        name=name,
        level=Level.VILLAGE,
        parent_id=township.region.code,
        latitude=lat,
        longitude=lng,
    )


def _fresh(rng, used: set[str]) -> str:
    """A two-character place name not used anywhere in the city yet."""
    for _ in range(1000):
        name = names.place_name(rng)
        if name not in used:
            used.add(name)
            return name
    # The pool is large (over 2,500 pairs); fall back to three characters.
    while True:
        name = names.place_name(rng) + rng.choice(names.PLACE_SECOND)
        if name not in used:
            used.add(name)
            return name


def _fresh_local(rng, taken: set[str], wanted: str | None, second) -> str:
    if wanted and wanted not in taken:
        taken.add(wanted)
        return wanted
    while True:
        name = names.place_name(rng, second)
        if name not in taken:
            taken.add(name)
            return name

"""The outlines of Leshan's counties (县市区边界) and what is done with them: which county a
point lies in, and points drawn inside a county (the demo's townships and villages).

The outlines are the vendored GeoJSON the map pages draw (`static/vendor/maps/`, from a
pinned npm package, see scripts/vendor.py), so Python and the browser agree. 乐山高新区 is
an administrative zone carved out of 市中区 and has no outline of its own: it takes
市中区's.
"""

import functools
import json
import math
from pathlib import Path

import numpy as np

from carepair.regions.leshan import COUNTIES

OUTLINES = Path(__file__).resolve().parent.parent / "lib/static/vendor/maps/leshan.geojson"
SHARES_OUTLINE = {"511171": "511102"}  # 高新区 → 市中区
METRES_PER_DEGREE = 111_320.0


@functools.cache
def outlines() -> dict[str, list[list[np.ndarray]]]:
    """County prefix (six digits) → its polygons, each a list of rings of (lon, lat)."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    by_name = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        by_name[feature["properties"]["name"]] = [
            [np.asarray(ring, dtype=float) for ring in polygon] for polygon in polygons
        ]
    found = {code[:6]: by_name[name] for code, name in COUNTIES if name in by_name}
    for county, other in SHARES_OUTLINE.items():
        found[county] = found[other]
    return found


def outline_name(county: str) -> str:
    """The feature name on the map for a county prefix (高新区 shows as 市中区)."""
    county = SHARES_OUTLINE.get(county, county)
    return next(name for code, name in COUNTIES if code[:6] == county)


def _in_ring(ring: np.ndarray, lon: float, lat: float) -> bool:
    """Even-odd ray casting towards +lon."""
    x0, y0 = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > lat) != (y1 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
    return bool(np.count_nonzero(crosses & (lon < at)) % 2)


def contains(county: str, lat: float, lon: float) -> bool:
    """Whether (lat, lon) lies inside the county's outline (outside its holes)."""
    for polygon in outlines()[county]:
        if _in_ring(polygon[0], lon, lat) and not any(
            _in_ring(hole, lon, lat) for hole in polygon[1:]
        ):
            return True
    return False


def county_of(lat: float, lon: float) -> str | None:
    """The county prefix whose outline holds the point (市中区 rather than 高新区)."""
    for county in outlines():
        if county not in SHARES_OUTLINE and contains(county, lat, lon):
            return county
    return None


def bounds(county: str) -> tuple[float, float, float, float]:
    """(min lat, min lon, max lat, max lon) of the county's outline."""
    rings = np.concatenate([polygon[0] for polygon in outlines()[county]])
    low, high = rings.min(axis=0), rings.max(axis=0)
    return float(low[1]), float(low[0]), float(high[1]), float(high[0])


def place(
    county: str,
    rng,
    near: tuple[float, float] | None = None,
    within_m: float | None = None,
    tries: int = 500,
) -> tuple[float, float]:
    """A point drawn uniformly inside the county, or inside it within `within_m` metres of
    `near`; if no draw lands inside (a centre on the border with a tiny radius), `near`
    itself."""
    circle = near is not None and within_m is not None
    if not circle:
        low_lat, low_lon, high_lat, high_lon = bounds(county)
    else:
        d_lat = within_m / METRES_PER_DEGREE
        d_lon = d_lat / math.cos(math.radians(near[0]))
        low_lat, high_lat = near[0] - d_lat, near[0] + d_lat
        low_lon, high_lon = near[1] - d_lon, near[1] + d_lon
    for _ in range(tries):
        lat, lon = rng.uniform(low_lat, high_lat), rng.uniform(low_lon, high_lon)
        if circle and distance_m(lat, lon, *near) > within_m:
            continue
        if contains(county, lat, lon):
            return round(lat, 6), round(lon, 6)
    if near is not None:
        return round(near[0], 6), round(near[1], 6)
    raise ValueError(f"no point found inside county {county}")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))

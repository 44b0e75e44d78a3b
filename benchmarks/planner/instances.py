"""Seeded planner instances shaped like Leshan: elderly people clustered in and around the
eleven county seats, and sparse rural villages grouped by township across the hills.

Weights are elderly people at the point, with the priority groups (over 80, living alone,
in hardship) counted twice. Candidate sites stand near where people live (a community
centre, a village committee); some of them are existing meal points.
"""

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# County seats (approximate), and the share of the city's urban elderly living there.
SEATS = [
    ("市中区", 29.5521, 103.7656, 0.28),
    ("峨眉山市", 29.6010, 103.4843, 0.12),
    ("五通桥区", 29.4064, 103.8181, 0.08),
    ("犍为县", 29.2088, 103.9494, 0.09),
    ("夹江县", 29.7376, 103.5718, 0.08),
    ("井研县", 29.6517, 104.0695, 0.07),
    ("沙湾区", 29.4128, 103.5496, 0.06),
    ("沐川县", 28.9563, 103.9024, 0.06),
    ("峨边彝族自治县", 29.2302, 103.2623, 0.06),
    ("马边彝族自治县", 28.8352, 103.5463, 0.06),
    ("金口河区", 29.2447, 103.0779, 0.04),
]
# Leshan's extent, roughly; villages fall inside it.
SOUTH, NORTH, WEST, EAST = 28.60, 29.95, 102.95, 104.25
KM_PER_DEGREE = 111.32
URBAN_SHARE = 0.5  # of demand points
SCATTERED_SHARE = 0.05


@dataclass(frozen=True)
class Size:
    name: str
    demand: int
    sites: int
    p: int
    existing: int


SIZES = {
    "small": Size("small", 2_000, 500, 60, 0),
    "medium": Size("medium", 10_000, 2_000, 145, 20),
    "large": Size("large", 50_000, 5_000, 300, 40),
}


def _offsets(rng, lat, lon, n, sigma_km):
    dy = rng.normal(0.0, sigma_km, n)
    dx = rng.normal(0.0, sigma_km, n)
    return lat + dy / KM_PER_DEGREE, lon + dx / (KM_PER_DEGREE * math.cos(math.radians(lat)))


def generate(size: Size, seed: int = 2021):
    """(demand rows, site rows) as lists of tuples in the CSV columns' order.

    Urban demand lies in neighbourhoods (社区) a few hundred metres across, spread around
    the county seats; rural villages lie within a kilometre or two of their township's
    centre; a few villages are isolated, out of reach of any site. The number of
    neighbourhoods and townships follows p, so that p points cover most but not all."""
    rng = np.random.default_rng(seed + size.demand)
    n_scattered = int(size.demand * SCATTERED_SHARE)
    n_urban = int(size.demand * URBAN_SHARE)
    n_rural = size.demand - n_urban - n_scattered
    lat, lon, area = [], [], []

    shares = np.array([s[3] for s in SEATS])
    neighbourhoods = rng.multinomial(round(0.55 * size.p), shares / shares.sum()) + 1
    centres = []
    for (_name, y, x, share), count in zip(SEATS, neighbourhoods, strict=True):
        # Bigger towns spread wider; a city district is a few kilometres across.
        ys, xs = _offsets(rng, y, x, count, 1.5 * math.sqrt(share / 0.06))
        centres += list(zip(ys, xs, strict=True))
    sizes = rng.multinomial(n_urban, rng.dirichlet(np.full(len(centres), 2.0)))
    for (y, x), count in zip(centres, sizes, strict=True):
        ys, xs = _offsets(rng, y, x, count, 0.35)
        lat.append(ys)
        lon.append(xs)
        area += ["urban"] * count

    townships = round(0.35 * size.p)
    t_lat = rng.uniform(SOUTH, NORTH, townships)
    t_lon = rng.uniform(WEST, EAST, townships)
    sizes = rng.multinomial(n_rural, rng.dirichlet(np.full(townships, 2.0)))
    for y, x, count in zip(t_lat, t_lon, sizes, strict=True):
        ys, xs = _offsets(rng, y, x, count, 0.9)
        lat.append(ys)
        lon.append(xs)
        area += ["rural"] * count

    lat.append(rng.uniform(SOUTH, NORTH, n_scattered))
    lon.append(rng.uniform(WEST, EAST, n_scattered))
    area += ["rural"] * n_scattered

    lat, lon = np.concatenate(lat), np.concatenate(lon)
    urban = np.array(area) == "urban"
    elderly = np.where(
        urban,
        rng.lognormal(math.log(60), 0.6, size.demand),
        rng.lognormal(math.log(140), 0.5, size.demand),
    ).round()
    priority = rng.binomial(elderly.astype(np.int64), rng.uniform(0.1, 0.3, size.demand))
    weight = (elderly + priority).astype(np.int64)
    order = rng.permutation(size.demand)
    demand = [
        (f"D{i + 1:06d}", f"{lat[j]:.6f}", f"{lon[j]:.6f}", int(weight[j]), area[j])
        for i, j in enumerate(order)
    ]

    # Sites near people: a community centre within a few hundred metres of a compound, a
    # village committee within a kilometre of a village.
    near = rng.integers(0, size.demand, size.sites)
    spread = np.where(urban[near], 0.25, 0.6)
    s_lat = lat[near] + rng.normal(0, 1, size.sites) * spread / KM_PER_DEGREE
    s_lon = lon[near] + rng.normal(0, 1, size.sites) * spread / (
        KM_PER_DEGREE * np.cos(np.radians(lat[near]))
    )
    existing = np.zeros(size.sites, dtype=bool)
    existing[rng.choice(size.sites, size.existing, replace=False)] = True
    sites = [
        (f"S{j + 1:05d}", f"{s_lat[j]:.6f}", f"{s_lon[j]:.6f}", int(existing[j]))
        for j in range(size.sites)
    ]
    return demand, sites


def write(size: Size, folder: Path, seed: int = 2021) -> tuple[Path, Path]:
    """The instance's two CSV files under folder (made once, then reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    demand_path = folder / f"{size.name}-{seed}-demand.csv"
    sites_path = folder / f"{size.name}-{seed}-sites.csv"
    if not (demand_path.exists() and sites_path.exists()):
        demand, sites = generate(size, seed)
        with demand_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "lat", "lon", "weight", "area_type"])
            writer.writerows(demand)
        with sites_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "lat", "lon", "existing"])
            writer.writerows(sites)
    return demand_path, sites_path

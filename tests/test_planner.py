"""The meal-point planner engine (carepair.meals.planner): optimal on small instances
against brute force, existing sites kept, a bound that is a bound, reach per area type
and detour, and no Django inside."""

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest

from carepair.meals import planner
from carepair.meals.planner import geometry, mclp
from carepair.meals.planner.inputs import RURAL, URBAN, Demand, Sites

# Around Leshan's city centre.
LAT0, LON0 = 29.55, 103.77


def offset(north_m: float, east_m: float) -> tuple[float, float]:
    """A point north_m / east_m metres from the centre (small distances)."""
    lat = LAT0 + north_m / 111_195.0
    lon = LON0 + east_m / (111_195.0 * math.cos(math.radians(LAT0)))
    return lat, lon


def great_circle_m(lat1, lon1, lat2, lon2):
    """Written out here again (spherical law of cosines) so that the engine's geometry is
    checked against an independent formula."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6_371_008.8 * math.acos(max(-1.0, min(1.0, c)))


def random_instance(seed: int, n_demand=24, n_sites=10, box_m=6000.0):
    rng = np.random.default_rng(seed)
    points = [offset(*rng.uniform(0, box_m, 2)) for _ in range(n_demand)]
    places = [offset(*rng.uniform(0, box_m, 2)) for _ in range(n_sites)]
    demand = Demand(
        ids=[f"d{i}" for i in range(n_demand)],
        lat=np.array([p[0] for p in points]),
        lon=np.array([p[1] for p in points]),
        weight=rng.integers(0, 50, n_demand).astype(float),
        area=rng.integers(0, 2, n_demand).astype(np.int8),
    )
    existing = np.zeros(n_sites, dtype=bool)
    existing[rng.choice(n_sites, int(rng.integers(0, 3)), replace=False)] = True
    sites = Sites(
        ids=[f"s{j}" for j in range(n_sites)],
        lat=np.array([p[0] for p in places]),
        lon=np.array([p[1] for p in places]),
        existing=existing,
        capacity=None,
    )
    return demand, sites


def brute_force(demand, sites, p, urban=1000.0, rural=2000.0, detour=1.0) -> float:
    """The best covered weight over every choice of p new sites."""
    reach = np.array(
        [
            [
                detour * great_circle_m(demand.lat[i], demand.lon[i], sites.lat[j], sites.lon[j])
                <= (rural if demand.area[i] == RURAL else urban)
                for j in range(len(sites.ids))
            ]
            for i in range(len(demand.ids))
        ]
    )
    base = reach[:, sites.existing].any(axis=1)
    candidates = np.flatnonzero(~sites.existing)
    best = 0.0
    for chosen in itertools.combinations(candidates, min(p, candidates.size)):
        covered = base | reach[:, list(chosen)].any(axis=1)
        best = max(best, float(demand.weight[covered].sum()))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_it_covers_as_much_as_the_best_choice_found_by_brute_force(seed):
    demand, sites = random_instance(seed)
    p = 1 + seed % 4
    optimum = brute_force(demand, sites, p)
    solution = planner.plan(demand, sites, p)
    assert solution.covered_weight == pytest.approx(optimum)
    assert solution.upper_bound >= optimum - 1e-9
    assert solution.proven_optimal


@pytest.mark.parametrize("seed", range(12, 20))
def test_its_bound_without_the_milp_is_still_at_least_the_optimum(seed):
    demand, sites = random_instance(seed, n_demand=40, n_sites=12, box_m=8000.0)
    p = 2 + seed % 3
    optimum = brute_force(demand, sites, p)
    radius = np.where(demand.area == RURAL, 2000.0, 1000.0)
    cover = geometry.coverage(demand.lat, demand.lon, radius, sites.lat, sites.lon)
    solution = mclp.solve(cover, demand.weight, sites.existing, p, use_milp=False)
    assert solution.covered_weight <= optimum + 1e-9
    assert solution.upper_bound >= optimum - 1e-6
    assert solution.gap == pytest.approx(
        (solution.upper_bound - solution.covered_weight) / solution.total_weight
    )


def test_it_keeps_existing_sites_open_and_opens_exactly_p_new_ones():
    for seed in range(6):
        demand, sites = random_instance(seed)
        sites.existing[:2] = True
        solution = planner.plan(demand, sites, 3)
        assert solution.chosen[sites.existing].all()
        assert int(solution.chosen[~sites.existing].sum()) == 3
        assert solution.new_chosen == 3


def test_it_opens_every_candidate_when_fewer_exist_than_asked_for():
    demand, sites = random_instance(1, n_sites=5)
    sites.existing[:] = [True, False, False, True, False]
    solution = planner.plan(demand, sites, 10)
    assert solution.chosen.all()
    assert solution.new_chosen == 3
    report = planner.summary(demand, sites, solution, settings(1.0))
    assert "only 3 candidate site(s)" in report["note"]


def test_it_still_opens_p_sites_when_fewer_would_cover_everything():
    demand, sites = one_site_one_point(area=URBAN, north_m=100)
    sites = Sites(
        ids=["a", "b", "c"],
        lat=np.repeat(sites.lat, 3),
        lon=np.repeat(sites.lon, 3),
        existing=np.zeros(3, dtype=bool),
        capacity=None,
    )
    solution = planner.plan(demand, sites, 2)
    assert solution.new_chosen == 2
    assert solution.covered_weight == solution.total_weight == solution.upper_bound


def settings(detour, urban=1000.0, rural=2000.0):
    return {"urban_radius": urban, "rural_radius": rural, "detour": detour, "time_limit": 5}


def one_site_one_point(area, north_m, weight=10.0):
    lat, lon = offset(north_m, 0)
    demand = Demand(["d"], np.array([lat]), np.array([lon]), np.array([weight]), np.array([area]))
    sites = Sites(["s"], np.array([LAT0]), np.array([LON0]), np.array([False]), None)
    return demand, sites


@pytest.mark.parametrize(
    ("area", "north_m", "detour", "covered"),
    [
        (URBAN, 990, 1.0, True),
        (URBAN, 1010, 1.0, False),
        (RURAL, 1010, 1.0, True),
        (RURAL, 1990, 1.0, True),
        (RURAL, 2010, 1.0, False),
        (RURAL, 1500, 1.3, True),  # 1,950 m by road
        (RURAL, 1500, 1.4, False),  # 2,100 m by road
        (URBAN, 700, 1.5, False),  # 1,050 m by road
    ],
)
def test_it_reaches_as_far_as_the_area_types_radius_after_the_detour(
    area, north_m, detour, covered
):
    demand, sites = one_site_one_point(area, north_m)
    solution = planner.plan(demand, sites, 1, detour=detour)
    assert solution.covered_weight == (10.0 if covered else 0.0)


def test_its_radii_can_be_set():
    demand, sites = one_site_one_point(URBAN, 1400)
    assert planner.plan(demand, sites, 1).covered_weight == 0
    assert planner.plan(demand, sites, 1, urban_radius=1500).covered_weight == 10


def test_its_distances_are_great_circle_distances_far_from_the_equator_too():
    rng = np.random.default_rng(5)
    lat = rng.uniform(-70, 70, 200)
    lon = rng.uniform(-180, 180, 200)
    lat2 = lat + rng.uniform(-0.02, 0.02, 200)
    lon2 = lon + rng.uniform(-0.02, 0.02, 200)
    expected = [great_circle_m(*q) for q in zip(lat, lon, lat2, lon2, strict=True)]
    assert geometry.haversine_m(lat, lon, lat2, lon2) == pytest.approx(expected, abs=0.01)
    for (y, x, y2, x2), metres in zip(
        zip(lat, lon, lat2, lon2, strict=True), expected, strict=True
    ):
        inside = geometry.coverage(
            np.array([y]), np.array([x]), np.array([metres + 0.5]), np.array([y2]), np.array([x2])
        )
        outside = geometry.coverage(
            np.array([y]), np.array([x]), np.array([metres - 0.5]), np.array([y2]), np.array([x2])
        )
        assert inside.nnz == 1 and outside.nnz == 0


def test_it_merges_demand_reached_by_the_same_sites_and_drops_what_is_settled():
    demand, sites = random_instance(3, n_demand=60, n_sites=8)
    sites.existing[0] = True
    radius = np.where(demand.area == RURAL, 2000.0, 1000.0)
    cover = geometry.coverage(demand.lat, demand.lon, radius, sites.lat, sites.lon)
    a, w, columns, base = mclp.reduce(cover, demand.weight, sites.existing)
    by_existing = cover[:, sites.existing].getnnz(axis=1) > 0
    assert base == pytest.approx(demand.weight[by_existing].sum())
    reachable = ~by_existing & (cover[:, ~sites.existing].getnnz(axis=1) > 0)
    assert w.sum() == pytest.approx(demand.weight[reachable].sum())
    assert not sites.existing[columns].any()
    rows = {tuple(a[i].indices) for i in range(a.shape[0])}
    assert len(rows) == a.shape[0]


def test_it_names_open_sites_over_their_capacity():
    demand, sites = one_site_one_point(URBAN, 100, weight=80.0)
    sites.capacity = np.array([50.0])
    solution = planner.plan(demand, sites, 1)
    report = planner.summary(demand, sites, solution, settings(1.0))["capacity"]
    assert report["open_sites_over_capacity"] == 1
    assert report["over_capacity"] == [{"site_id": "s", "capacity": 50.0, "load": 80.0}]


def test_importing_the_engine_does_not_import_django():
    code = (
        "import sys, carepair.meals.planner; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def osm_file(tmp_path, direct_tag="building"):
    """Roads around three sides of a 600 m x 700 m block: from the site's corner to the
    opposite side's corner is 700 m straight but 1,900 m by road. A way straight across
    carries direct_tag (a building: not walkable; a highway: a short cut)."""
    corners = {1: (0, 0), 2: (0, 600), 3: (700, 600), 4: (700, 0), 5: (350, 10)}
    nodes = "".join(
        f'<node id="{key}" lat="{offset(n, e)[0]:.7f}" lon="{offset(n, e)[1]:.7f}"/>'
        for key, (n, e) in corners.items()
    )
    around = '<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>'
    around += '<tag k="highway" v="residential"/></way>'
    across = f'<way id="11"><nd ref="1"/><nd ref="4"/><tag k="{direct_tag}" v="yes"/></way>'
    path = tmp_path / "roads.osm"
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{around}{across}</osm>')
    return path


@pytest.mark.parametrize(
    ("area", "direct_tag", "covered"),
    [
        (URBAN, "building", False),  # 1,900 m by road, over 1,000 m
        (RURAL, "building", True),  # within 2,000 m
        (URBAN, "highway", True),  # 700 m across
    ],
)
def test_with_a_road_map_it_measures_reach_along_the_roads(tmp_path, area, direct_tag, covered):
    roads = planner.read_osm(osm_file(tmp_path, direct_tag))
    demand, sites = one_site_one_point(area, 700)
    solution = planner.plan(demand, sites, 1, roads=roads)
    assert solution.covered_weight == (10.0 if covered else 0.0)


def test_a_point_steps_onto_the_nearest_road_not_a_lone_node(tmp_path):
    roads = planner.read_osm(osm_file(tmp_path))
    # Node 5, 50 m away, is on no road: the point steps onto node 1, 300 m away.
    node, step = roads.snap(*map(np.array, zip(offset(300, 12), strict=True)))
    assert node[0] == 0
    assert step[0] == pytest.approx(300, abs=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not xml at all", "not OpenStreetMap XML"),
        ('<osm><node id="1" lat="29" lon="103"/></osm>', "no roads"),
        ('<osm><node id="1" lat="north" lon="103"/></osm>', "node '1' has no usable"),
    ],
)
def test_it_refuses_a_road_map_it_cannot_use(tmp_path, text, message):
    path = tmp_path / "bad.osm"
    path.write_text(text)
    with pytest.raises(planner.InputError, match=message):
        planner.read_osm(path)

"""Reach along roads (道路网络), from a local OpenStreetMap file (.osm XML).

Every way tagged highway=* becomes edges between its consecutive nodes, walkable both
ways (the people who walk to a meal point are not bound by one-way streets), each as
long as the great-circle distance between its ends. Demand points and sites step onto
the network at their nearest node, in a straight line; the distance from a site to a
demand point is that step, the shortest path on the network (scipy.sparse.csgraph's
Dijkstra, stopped at the largest radius), and the other step.
"""

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from .geometry import haversine_m, unit_vectors
from .inputs import InputError

# Sites per Dijkstra call: each returns a sites x nodes array of float64.
SITES_PER_BATCH = 64


class Roads:
    """The walkable network: node coordinates and a symmetric sparse matrix of metres."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray, graph: sparse.csr_matrix):
        self.lat, self.lon, self.graph = lat, lon, graph
        # Points step onto a road, not onto a lone node (a shop, a bus stop).
        self.on_road = np.flatnonzero(np.diff(graph.indptr) > 0)
        self.tree = cKDTree(unit_vectors(lat[self.on_road], lon[self.on_road]))

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest road node of each point, and the straight-line metres to it."""
        _chord, index = self.tree.query(unit_vectors(lat, lon))
        node = self.on_road[index]
        return node, haversine_m(lat, lon, self.lat[node], self.lon[node])


def read_osm(path: Path | str) -> Roads:
    path = Path(path)
    ids: dict[int, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    ways: list[list[int]] = []
    try:
        for _event, element in ET.iterparse(path, events=("end",)):
            if element.tag == "node":
                try:
                    y, x = float(element.get("lat")), float(element.get("lon"))
                    key = int(element.get("id"))
                except (TypeError, ValueError):
                    raise InputError(
                        f"{path}: node {element.get('id')!r} has no usable id, lat or lon"
                    ) from None
                ids[key] = len(lat)
                lat.append(y)
                lon.append(x)
                element.clear()
            elif element.tag == "way":
                if any(t.get("k") == "highway" for t in element.iter("tag")):
                    ways.append([int(n.get("ref")) for n in element.iter("nd")])
                element.clear()
    except ET.ParseError as exc:
        raise InputError(f"{path}: not OpenStreetMap XML ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    starts, ends = [], []
    for refs in ways:
        # A way may run off the edge of an extract: only pairs of nodes both present.
        for r1, r2 in itertools.pairwise(refs):
            if r1 in ids and r2 in ids and r1 != r2:
                starts.append(ids[r1])
                ends.append(ids[r2])
    if not starts:
        raise InputError(f"{path}: no roads (ways tagged highway=*) with known nodes")
    lat_a, lon_a = np.array(lat), np.array(lon)
    a, b = np.array(starts), np.array(ends)
    # A zero-length edge would vanish from the sparse matrix; a millimetre keeps it.
    metres = np.maximum(haversine_m(lat_a[a], lon_a[a], lat_a[b], lon_a[b]), 1e-3)
    n = len(lat)
    # Two ways over the same pair of nodes: the shorter counts.
    graph = _shortest_duplicates(a, b, metres, n)
    return Roads(lat_a, lon_a, graph)


def _shortest_duplicates(a: np.ndarray, b: np.ndarray, metres: np.ndarray, n: int):
    rows = np.concatenate((a, b))
    cols = np.concatenate((b, a))
    data = np.concatenate((metres, metres))
    order = np.lexsort((data, cols, rows))
    rows, cols, data = rows[order], cols[order], data[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return sparse.csr_matrix((data[first], (rows[first], cols[first])), shape=(n, n))


def coverage(
    roads: Roads,
    demand_lat: np.ndarray,
    demand_lon: np.ndarray,
    demand_radius: np.ndarray,
    site_lat: np.ndarray,
    site_lon: np.ndarray,
) -> sparse.csr_matrix:
    """The demand x site 0/1 matrix of reach along the roads."""
    n, m = len(demand_lat), len(site_lat)
    d_node, d_step = roads.snap(demand_lat, demand_lon)
    s_node, s_step = roads.snap(site_lat, site_lon)
    limit = float(demand_radius.max()) if n else 0.0
    nodes, where = np.unique(d_node, return_inverse=True)
    rows, cols = [], []
    for start in range(0, m, SITES_PER_BATCH):
        batch = np.arange(start, min(start + SITES_PER_BATCH, m))
        reachable = batch[s_step[batch] <= limit]
        if reachable.size == 0:
            continue
        far = csgraph.dijkstra(roads.graph, directed=False, indices=s_node[reachable], limit=limit)[
            :, nodes
        ]
        # Site j reaches demand i when step + path + step <= i's radius.
        total = far[:, where] + s_step[reachable][:, None] + d_step[None, :]
        j, i = np.nonzero(total <= demand_radius[None, :])
        rows.append(i)
        cols.append(reachable[j])
    if not rows:
        return sparse.csr_matrix((n, m), dtype=np.int8)
    r, c = np.concatenate(rows), np.concatenate(cols)
    matrix = sparse.csr_matrix((np.ones(r.size, dtype=np.int8), (r, c)), shape=(n, m))
    matrix.sort_indices()
    return matrix

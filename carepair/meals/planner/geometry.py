"""Which sites cover which demand points (覆盖关系).

Distance is the great-circle distance on a sphere of the Earth's mean radius (what the
haversine formula gives), multiplied by the detour factor. It is found without any map
projection: points become unit vectors in 3-D, where the straight chord between two of
them is 2·sin(d / 2R) for a great-circle distance d, a monotone function of d. A KD-tree
over the vectors then answers "every site within d" exactly, at any latitude and any
extent, where a local flat projection would stretch distances away from its centre.
"""

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8  # the IUGG mean radius


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))


def chord(metres: float) -> float:
    """The chord on the unit sphere of a great-circle distance in metres."""
    return 2.0 * np.sin(min(metres, np.pi * EARTH_RADIUS_M) / (2.0 * EARTH_RADIUS_M))


def haversine_m(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in metres (broadcasting), for checks and for the peer."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlon = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def coverage(
    demand_lat: np.ndarray,
    demand_lon: np.ndarray,
    demand_radius: np.ndarray,
    site_lat: np.ndarray,
    site_lon: np.ndarray,
    detour: float = 1.0,
) -> sparse.csr_matrix:
    """A demand × site 0/1 matrix: 1 where detour × distance <= the demand point's radius.

    One KD-tree query per distinct radius (one per area type in practice)."""
    n, m = len(demand_lat), len(site_lat)
    if n == 0 or m == 0:
        return sparse.csr_matrix((n, m), dtype=np.int8)
    demand_xyz = unit_vectors(demand_lat, demand_lon)
    sites = cKDTree(unit_vectors(site_lat, site_lon))
    rows, cols = [], []
    for radius in np.unique(demand_radius):
        (chosen,) = np.nonzero(demand_radius == radius)
        found = cKDTree(demand_xyz[chosen]).sparse_distance_matrix(
            sites, chord(radius / detour), output_type="ndarray"
        )
        rows.append(chosen[found["i"]])
        cols.append(found["j"].astype(np.int64))
    r, c = np.concatenate(rows), np.concatenate(cols)
    matrix = sparse.csr_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, m))
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def nearest(
    from_lat: np.ndarray, from_lon: np.ndarray, to_lat: np.ndarray, to_lon: np.ndarray
) -> np.ndarray:
    """Index of the nearest 'to' point (great-circle) for each 'from' point."""
    _d, index = cKDTree(unit_vectors(to_lat, to_lon)).query(unit_vectors(from_lat, from_lon))
    return index

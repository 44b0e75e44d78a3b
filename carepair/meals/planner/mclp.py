"""The maximal covering location problem (最大覆盖选址) with existing sites kept open.

Choose k new sites among the candidates so that the weight of demand within reach of an
open site (existing or new) is as large as possible. The work, in order:

1. Reduce. Demand already covered by an existing site, of weight 0, or out of reach of
   every candidate drops out; demand points reached by the same candidates merge into one
   (weights summed); candidates reaching the same demand merge into one, and candidates
   reaching nothing left, or only part of what another reaches, drop out. Tens of
   thousands of points shrink to the distinct coverage patterns that matter.
2. A good plan: greedy (largest uncovered weight first), then best-improvement swaps
   (one site out, one in) until none gains.
3. Proof, part by part. The reduced model falls apart into parts that share no demand
   (a town, a group of villages). For each part and each number k of its candidates
   opened, a plan covering low[k] and a proof that no plan covers more than high[k]:
   from the greedy ladder and its submodular bound; from every choice, for small parts;
   from the LP relaxation and from "weight covered minus a price per site" solved by
   HiGHS (scipy.optimize.milp), each of which bounds every k at once; and from HiGHS's
   MILP at the counts where the plan and the proof disagree most. Two knapsacks over
   the parts, one over low and one over high, give the plan and the proven upper bound.
"""

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, sparse
from scipy.sparse import csgraph

# Two independent 64-bit hashes of a 0/1 row make a key that two different rows share
# with a probability of about 2^-128 per pair: merging by key is safe in practice and
# takes a sparse product instead of a Python loop over rows.
_HASH_SEED = 20210709
# Parts small enough to try every choice of k candidates (choices x k x demand rows).
ENUMERATION_CELLS = 4_000_000


@dataclass
class Solution:
    """A plan: which sites are open, the weight they cover, and how far from the best."""

    chosen: np.ndarray  # bool per site: existing ones and the new ones
    covered_weight: float
    total_weight: float
    upper_bound: float
    new_requested: int
    new_chosen: int
    proven_optimal: bool
    method: str
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """(upper_bound - covered_weight) / total_weight: how much more weight, as a share
        of all of it, any plan could at best cover."""
        if self.total_weight <= 0:
            return 0.0
        return max(0.0, self.upper_bound - self.covered_weight) / self.total_weight


def _pattern_groups(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the index of its group of identical rows; and one row per group."""
    rng = np.random.default_rng(_HASH_SEED)
    keys = rng.integers(0, np.iinfo(np.uint64).max, (matrix.shape[1], 2), dtype=np.uint64)
    pattern = matrix.astype(np.uint64)
    hashed = np.column_stack((pattern @ keys, matrix.getnnz(axis=1).astype(np.uint64)))
    _, first, inverse = np.unique(hashed, axis=0, return_index=True, return_inverse=True)
    return inverse.ravel(), first


def reduce(cover: sparse.csr_matrix, weight: np.ndarray, existing: np.ndarray):
    """The reduced model: (A, W, columns, base) where A is the merged demand × merged
    candidate 0/1 matrix, W the merged weights, columns[c] the original site index that
    stands for merged candidate c, and base the weight existing sites already cover."""
    if existing.any():
        by_existing = cover[:, existing].getnnz(axis=1) > 0
    else:
        by_existing = np.zeros(cover.shape[0], dtype=bool)
    base = float(weight[by_existing].sum())
    candidates = np.flatnonzero(~existing)
    a = cover[:, candidates].tocsr()
    live = ~by_existing & (weight > 0) & (a.getnnz(axis=1) > 0)
    a, w = a[live], weight[live]
    if a.shape[0] == 0:
        return sparse.csr_matrix((0, 0), dtype=np.int8), np.zeros(0), candidates[:0], base
    group, first = _pattern_groups(a)
    w = np.bincount(group, weights=w, minlength=len(first))
    a = a[first]
    used = np.flatnonzero(a.getnnz(axis=0) > 0)
    a, candidates = a[:, used].tocsr(), candidates[used]
    _group, first = _pattern_groups(a.T.tocsr())
    first.sort()  # keep the earliest candidate of each group, in file order
    a, candidates = a[:, first].tocsr(), candidates[first]
    kept = undominated(a)
    return a[:, kept].tocsr(), w, candidates[kept], base


def undominated(a: sparse.csr_matrix) -> np.ndarray:
    """Columns whose demand is not a strict subset of another column's: an optimal plan
    never needs a dominated candidate, as the one dominating it covers at least as much.
    (Columns are already distinct, so "subset" is strict.)"""
    ac = a.tocsc().astype(np.int32)
    size = np.diff(ac.indptr)
    overlap = (ac.T @ ac).tocoo()
    dominated = (overlap.row != overlap.col) & (overlap.data == size[overlap.row])
    return np.setdiff1d(np.arange(a.shape[1]), overlap.row[dominated])


def covered_by(a: sparse.csr_matrix, w: np.ndarray, picked: np.ndarray) -> float:
    x = np.zeros(a.shape[1], dtype=np.int32)
    x[picked] = 1
    return float(w[(a @ x) > 0].sum())


def greedy(a: sparse.csr_matrix, ac: sparse.csc_matrix, w: np.ndarray, k: int) -> np.ndarray:
    """k columns, each time the one covering the most weight not yet covered."""
    n = a.shape[1]
    gain = a.T @ w
    covered = np.zeros(a.shape[0], dtype=bool)
    picked: list[int] = []
    for _ in range(k):
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        picked.append(j)
        rows = ac.indices[ac.indptr[j] : ac.indptr[j + 1]]
        new = rows[~covered[rows]]
        covered[new] = True
        if new.size:
            sub = a[new]
            gain -= np.bincount(
                sub.indices, weights=np.repeat(w[new], np.diff(sub.indptr)), minlength=n
            )
        gain[j] = -np.inf
    return np.array(picked, dtype=np.int64)


def swaps(a: sparse.csr_matrix, w: np.ndarray, picked: np.ndarray, deadline: float):
    """Best-improvement swaps (one picked column out, one other in) until none gains.

    For picked j and other c the change is gain(c) - loss(j) + both(j, c), where gain(c)
    is the uncovered weight c would cover, loss(j) the weight only j covers, and
    both(j, c) the part of loss(j) that c covers too; all of them for every pair in one
    pass over the matrix."""
    n = a.shape[1]
    x = np.zeros(n, dtype=bool)
    x[picked] = True
    picked = np.array(picked, dtype=np.int64)
    tolerance = 1e-9 * max(1.0, float(w.sum()))
    moves = 0
    while picked.size and picked.size < n and time.perf_counter() < deadline:
        count = a @ x.astype(np.int32)
        gain = a.T @ np.where(count == 0, w, 0.0)
        rows = np.flatnonzero(count == 1)
        sub = a[rows]
        lengths = np.diff(sub.indptr)
        owner = sub.indices[x[sub.indices]]  # the one picked column of each such row
        loss = np.bincount(owner, weights=w[rows], minlength=n)
        position = np.full(n, -1)
        position[picked] = np.arange(picked.size)
        both = sparse.coo_matrix(
            (np.repeat(w[rows], lengths), (np.repeat(position[owner], lengths), sub.indices)),
            shape=(picked.size, n),
        ).toarray()
        delta = gain[None, :] - loss[picked][:, None] + both
        delta[:, x] = -np.inf
        out, into = np.unravel_index(int(np.argmax(delta)), delta.shape)
        if delta[out, into] <= tolerance:
            break
        x[picked[out]] = False
        x[into] = True
        picked[out] = into
        moves += 1
    return picked, moves


def _model(a: sparse.csr_matrix, w: np.ndarray, k: int):
    """max w·y  s.t.  y_i <= sum of x_j over the columns of row i,  sum x = k,  0 <= x, y <= 1,
    written for HiGHS as a minimisation over z = (x, y)."""
    m, n = a.shape
    cost = np.concatenate((np.zeros(n), -w))
    reach = sparse.hstack((-a.astype(np.float64), sparse.identity(m, format="csr")), format="csr")
    count = sparse.csr_matrix(np.concatenate((np.ones(n), np.zeros(m)))[None, :])
    return cost, reach, count


def exact(a: sparse.csr_matrix, w: np.ndarray, k: int, time_limit: float, rel_gap: float):
    """HiGHS's MILP (scipy.optimize.milp): (its best k columns or None, its proven bound
    on the covered weight or None)."""
    m, n = a.shape
    cost, reach, count = _model(a, w, k)
    result = optimize.milp(
        cost,
        integrality=np.concatenate((np.ones(n), np.zeros(m))),
        bounds=optimize.Bounds(0, 1),
        constraints=[
            optimize.LinearConstraint(reach, -np.inf, 0),
            optimize.LinearConstraint(count, k, k),
        ],
        options={"time_limit": max(time_limit, 0.05), "mip_rel_gap": rel_gap},
    )
    picked = None
    if result.x is not None:
        picked = np.argsort(-result.x[:n], kind="stable")[:k]
    bound = getattr(result, "mip_dual_bound", None)
    bound = -bound if bound is not None and np.isfinite(bound) else None
    return picked, bound


class Part:
    """One connected part of the reduced model (an area whose candidates reach none of
    the demand of any other part), with what is known of its value function: for every
    number k of its candidates opened, a plan covering low[k] and a proof that no plan
    covers more than high[k]."""

    def __init__(self, a: sparse.csr_matrix, w: np.ndarray, rows, cols, most: int):
        self.a, self.w, self.rows, self.cols = a, w, rows, cols
        self.total = float(w.sum())
        self.size = min(a.shape[1], most)
        self.plans: dict[int, np.ndarray] = {}
        self.tried: set[int] = set()
        self.lines: dict[int, bool] = {}
        self._ladder()

    def _ladder(self) -> None:
        """Greedy opens the candidates one by one: its first k are a plan for every k.
        At each step t, with S_t open, no k candidates can add more than the k largest
        marginal gains (coverage is submodular), so f(k) <= f(S_t) + that sum for every
        k (Nemhauser and Wolsey's bound); high keeps the least of these."""
        a, w, size = self.a, self.w, self.size
        ac = a.tocsc()
        gain = a.T @ w
        covered = np.zeros(a.shape[0], dtype=bool)
        value, order = 0.0, []
        low = np.zeros(size + 1)
        high = np.full(size + 1, np.inf)
        steps = np.arange(size + 1)
        # Below this a gain is rounding left over from subtracting covered weight.
        tiny = 1e-9 * max(self.total, 1.0)
        for t in range(size + 1):
            top = np.sort(gain[gain > tiny])[::-1][:size]
            sums = np.concatenate(([0.0], np.cumsum(top)))
            np.minimum(high, value + sums[np.minimum(steps, top.size)], out=high)
            if t == size or top.size == 0:
                low[t:] = value
                break
            j = int(np.argmax(gain))
            value += gain[j]
            order.append(j)
            low[t + 1] = value
            rows = ac.indices[ac.indptr[j] : ac.indptr[j + 1]]
            new = rows[~covered[rows]]
            covered[new] = True
            sub = a[new]
            gain -= np.bincount(
                sub.indices, weights=np.repeat(w[new], np.diff(sub.indptr)), minlength=a.shape[1]
            )
            gain[j] = 0.0
        self.order = np.array(order, dtype=np.int64)
        self.low, self.high = low, np.minimum(high, self.total)
        self._tidy()

    def _tidy(self) -> None:
        # Opening more never covers less: a plan for k is one for k + 1, and a bound for
        # k + 1 is one for k.
        self.low = np.maximum.accumulate(self.low)
        self.high = np.minimum.accumulate(self.high[::-1])[::-1]
        self.high = np.maximum(self.high, self.low)

    def plan(self, k: int) -> np.ndarray:
        """Local columns of the best known plan with at most k candidates."""
        options = [self.order[:k], *(cols for j, cols in self.plans.items() if j <= k)]
        return max(options, key=lambda cols: covered_by(self.a, self.w, cols))

    def settle(self, k: int, time_limit: float, rel_gap: float) -> str:
        """Learn more about f(k): by trying every choice when there are few, else from the
        LP relaxation (a bound for every k at once) and, if a gap remains, HiGHS's MILP."""
        self.tried.add(k)
        if self._enumerate(k):
            return "enumerated"
        if k not in self.lines:
            self._lp_line(k)
            if self.high[k] - self.low[k] <= 1e-9 * max(self.total, 1.0):
                return "lp"
        local, bound = exact(self.a, self.w, k, time_limit, rel_gap)
        if local is not None:
            self.offer(k, local)
        if bound is not None:
            self.prove(k, bound)
        return "milp"

    def first_bound(self, k: int) -> str:
        """Every choice of k - 1, k and k + 1 candidates if there are few; else the LP
        relaxation at k."""
        ways = [j for j in (k - 1, k, k + 1) if 0 <= j <= self.size and self.enumerable(j)]
        for j in ways:
            self._enumerate(j)
            self.tried.add(j)
        if k in ways:
            return "enumerated"
        self._lp_line(k)
        return "lp"

    def enumerable(self, k: int) -> bool:
        m, n = self.a.shape
        return math.comb(n, k) * k * m <= ENUMERATION_CELLS

    def price(self, mu: float, time_limit: float, rel_gap: float) -> str:
        """Bound f(j) - mu j over every j at once: max w.y - mu sum x with no count, by
        HiGHS's MILP; its solution is a plan for its own count."""
        m, n = self.a.shape
        cost = np.concatenate((np.full(n, mu), -self.w))
        reach = sparse.hstack(
            (-self.a.astype(np.float64), sparse.identity(m, format="csr")), format="csr"
        )
        slack = 1e-6 * max(self.total, 1.0)
        result = optimize.milp(
            cost,
            integrality=np.concatenate((np.ones(n), np.zeros(m))),
            bounds=optimize.Bounds(0, 1),
            constraints=[optimize.LinearConstraint(reach, -np.inf, 0)],
            options={"time_limit": max(time_limit, 0.05), "mip_rel_gap": rel_gap},
        )
        if result.x is not None:
            local = np.flatnonzero(result.x[:n] > 0.5)
            if local.size <= self.size:
                self.offer(local.size, local)
        bound = getattr(result, "mip_dual_bound", None)
        if bound is not None and np.isfinite(bound):
            self._line(-bound + slack, mu)
        return "priced milp"

    def _line(self, value: float, mu: float) -> None:
        steps = np.arange(self.size + 1)
        self.high = np.minimum(self.high, value + mu * steps)
        self._tidy()

    def _enumerate(self, k: int) -> bool:
        if not self.enumerable(k):
            return False
        n = self.a.shape[1]
        choices = np.array(list(itertools.combinations(range(n), k)), dtype=np.int64)
        if k == 0:
            return True
        reach = self.a.toarray().astype(bool)
        values = (reach[:, choices].any(axis=2) * self.w[:, None]).sum(axis=0)
        best = int(np.argmax(values))
        self.offer(k, choices[best])
        self.prove(k, float(values[best]))
        return True

    def _lp_line(self, k: int) -> None:
        """The LP relaxation's value v at k and the dual price mu of its count constraint:
        the relaxation's value is concave in k, so f(j) <= v + mu (j - k) for every j."""
        cost, reach, count = _model(self.a, self.w, k)
        result = optimize.linprog(
            cost,
            A_ub=reach,
            b_ub=np.zeros(reach.shape[0]),
            A_eq=count,
            b_eq=[k],
            bounds=(0, 1),
            method="highs",
        )
        self.lines[k] = result.status == 0
        if result.status != 0:
            return
        # HiGHS's tolerances are relative 1e-7; the slack keeps the bound a bound.
        value = -result.fun + 1e-6 * max(self.total, 1.0)
        price = max(0.0, -float(result.eqlin.marginals[0]))
        steps = np.arange(self.size + 1)
        self.high = np.minimum(self.high, value + price * (steps - k))
        self._tidy()

    def offer(self, k: int, local: np.ndarray) -> None:
        """A plan found elsewhere (the swaps, HiGHS) for k candidates."""
        value = covered_by(self.a, self.w, local)
        if value > self.low[k] + 1e-9:
            self.plans[k] = np.asarray(local, dtype=np.int64)
            self.low[k] = value
            self._tidy()

    def prove(self, k: int, bound: float) -> None:
        if bound < self.high[k]:
            self.high[k] = bound
            self._tidy()


def parts_of(a: sparse.csr_matrix, w: np.ndarray, most: int) -> list[Part]:
    m = a.shape[0]
    graph = sparse.bmat([[None, a], [a.T, None]], format="csr")
    count, label = csgraph.connected_components(graph, directed=False)
    row_order = np.argsort(label[:m], kind="stable")
    col_order = np.argsort(label[m:], kind="stable")
    row_cuts = np.searchsorted(label[:m][row_order], np.arange(count + 1))
    col_cuts = np.searchsorted(label[m:][col_order], np.arange(count + 1))
    parts = []
    for c in range(count):
        rows = row_order[row_cuts[c] : row_cuts[c + 1]]
        cols = col_order[col_cuts[c] : col_cuts[c + 1]]
        parts.append(Part(a[rows][:, cols].tocsr(), w[rows], rows, cols, most))
    return parts


def allocate(values: list[np.ndarray], k: int) -> tuple[float, list[int], np.ndarray]:
    """How many candidates each part opens, k at most in all, to maximise the sum of
    values[c][k_c] (a max-plus knapsack, by dynamic programming over the parts); and the
    best sum for every exact total up to k."""
    best = np.full(k + 1, -np.inf)
    best[0] = 0.0
    choices = []
    total = np.arange(k + 1)[:, None]
    for f in values:
        used = np.arange(f.size)[None, :]
        before = total - used
        options = np.where(before >= 0, best[np.maximum(before, 0)], -np.inf) + f[None, :]
        choice = np.argmax(options, axis=1)
        best = options[np.arange(k + 1), choice]
        choices.append(choice)
    t = int(np.argmax(best))
    value = float(best[t])
    allocation = [0] * len(values)
    for c in range(len(values) - 1, -1, -1):
        allocation[c] = int(choices[c][t])
        t -= allocation[c]
    return value, allocation, best


def solve(
    cover: sparse.csr_matrix,
    weight: np.ndarray,
    existing: np.ndarray,
    p: int,
    *,
    time_limit: float = 30.0,
    gap_goal: float = 1e-4,
    use_milp: bool = True,
) -> Solution:
    """Open p new sites (or every candidate, if there are fewer) besides the existing
    ones, and prove how far the plan can be from the best.

    The reduced model falls apart into parts that share no demand (towns, groups of
    villages). Each part gets lower and upper bounds on the weight it covers with k of
    its candidates, for every k: from greedy and its submodular bound, then exactly
    from HiGHS where it matters. Two knapsacks over the parts (one over the lower, one
    over the upper bounds) give the plan and the proven bound; the parts and counts on
    which they disagree most are solved exactly next, until the gap is below gap_goal
    (a share of the total weight) or time_limit runs out."""
    started = time.perf_counter()
    deadline = started + time_limit
    existing = np.asarray(existing, dtype=bool)
    weight = np.asarray(weight, dtype=np.float64)
    total = float(weight.sum())
    candidates = np.flatnonzero(~existing)
    k = min(p, candidates.size)

    a, w, columns, base = reduce(cover, weight, existing)
    k_useful = min(k, a.shape[1])
    stats = {
        "reduced_demand": int(a.shape[0]),
        "reduced_sites": int(a.shape[1]),
        "reduced_links": int(a.nnz),
        "reduce_seconds": time.perf_counter() - started,
    }

    mark = time.perf_counter()
    picked = greedy(a, a.tocsc(), w, k_useful)
    stats["greedy_weight"] = base + covered_by(a, w, picked)
    # Swaps over the whole model cost a pass each; the parts below do the finer work.
    picked, stats["swaps"] = swaps(a, w, picked, started + 0.1 * time_limit)
    stats["heuristic_weight"] = base + covered_by(a, w, picked)
    stats["heuristic_seconds"] = time.perf_counter() - mark

    mark = time.perf_counter()
    parts = parts_of(a, w, k_useful)
    part_of = np.empty(a.shape[1], dtype=np.int64)
    local_of = np.empty(a.shape[1], dtype=np.int64)
    for c, part in enumerate(parts):
        part_of[part.cols] = c
        local_of[part.cols] = np.arange(part.cols.size)
    for c, part in enumerate(parts):
        mine = picked[part_of[picked] == c]
        part.offer(mine.size, local_of[mine])
    goal = gap_goal * total
    tiny = 1e-9 * max(total, 1.0)
    how: dict[str, int] = {}
    # A first bound for every part, cheap: its LP relaxation at the count the swaps gave
    # it (or every choice, for the smallest parts).
    for c, part in enumerate(parts):
        j = int(np.count_nonzero(part_of[picked] == c))
        if use_milp and part.high[j] - part.low[j] > tiny and time.perf_counter() < deadline:
            way = part.first_bound(j)
            how[way] = how.get(way, 0) + 1
    stats["first_bound_seconds"] = time.perf_counter() - mark
    # Then a price per site, mu, the worth of one more site to the plan so far; each part
    # solved once for "its weight covered minus mu per site opened" bounds its value for
    # every count at once (f(j) <= g + mu j), and where the parts agree on mu those
    # bounds meet the plan.
    if use_milp and 0 < k_useful < a.shape[1]:
        _, allocation, best = allocate([part.low for part in parts], k_useful + 1)
        mu = max(0.0, (best[k_useful + 1] - best[k_useful - 1]) / 2)
        stats["price"] = float(mu)
        order = sorted(
            range(len(parts)),
            key=lambda c: parts[c].high[allocation[c]] - parts[c].low[allocation[c]],
            reverse=True,
        )
        for c in order:
            part, j = parts[c], allocation[c]
            left = deadline - time.perf_counter()
            if part.high[j] - part.low[j] <= tiny or left <= 0:
                continue
            rel_gap = min(1e-2, max(1e-7, 0.25 * goal / max(part.high[j], 1e-9)))
            way = part.price(mu, min(left, max(1.0, 0.05 * time_limit)), rel_gap)
            how[way] = how.get(way, 0) + 1
    stats["price_seconds"] = time.perf_counter() - mark
    while use_milp:
        low, allocation, _ = allocate([part.low for part in parts], k_useful)
        high, upper, _ = allocate([part.high for part in parts], k_useful)
        if high - low <= goal or time.perf_counter() >= deadline:
            break
        todo = sorted(
            (
                (part.high[j] - part.low[j], c, j)
                for c, part in enumerate(parts)
                for j in {allocation[c], upper[c]}
                if j not in part.tried and part.high[j] - part.low[j] > tiny
            ),
            reverse=True,
        )
        if not todo:
            break
        # Parts small enough to enumerate first (milliseconds), then the largest gaps.
        cheap = [item for item in todo if parts[item[1]].enumerable(item[2])]
        dear = [item for item in todo if not parts[item[1]].enumerable(item[2])]
        for _slack, c, j in cheap + dear[:4]:
            part = parts[c]
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            # Each part may leave a small share of the goal open; a part HiGHS cannot
            # close in its time keeps its proven bound, and the others go on.
            rel_gap = min(1e-2, max(1e-7, 0.25 * goal / max(part.high[j], 1e-9)))
            way = part.settle(j, min(left, max(1.0, 0.1 * time_limit)), rel_gap)
            how[way] = how.get(way, 0) + 1
    else:
        low, allocation, _ = allocate([part.low for part in parts], k_useful)
        high, upper, _ = allocate([part.high for part in parts], k_useful)
    stats["settled"] = how
    stats["parts"] = len(parts)
    stats["largest_part_sites"] = max((part.cols.size for part in parts), default=0)
    stats["bound_seconds"] = time.perf_counter() - mark

    picked = np.concatenate(
        [part.cols[part.plan(j)] for part, j in zip(parts, allocation, strict=True)]
        or [np.zeros(0, dtype=np.int64)]
    )
    chosen = existing.copy()
    chosen[columns[picked]] = True
    # More new sites wanted than make any difference: the rest, in file order, cover
    # nothing more but keep the count at k.
    short = k - (int(chosen.sum()) - int(existing.sum()))
    if short > 0:
        chosen[np.flatnonzero(~chosen)[:short]] = True
    covered = float(weight[cover[:, chosen].getnnz(axis=1) > 0].sum())
    upper_bound = max(base + high, covered)
    proven = upper_bound - covered <= 1e-9 * max(total, 1.0)
    stats["seconds"] = time.perf_counter() - started
    return Solution(
        chosen=chosen,
        covered_weight=covered,
        total_weight=total,
        upper_bound=upper_bound,
        new_requested=p,
        new_chosen=int(chosen.sum() - existing.sum()),
        proven_optimal=proven,
        method="greedy, swaps, then HiGHS by part" + (", proven optimal" if proven else ""),
        stats=stats,
    )

"""The linkage pipeline (比对): two lists in, pairs with a score, a decision and their
evidence out. The steps, all in SQL (`sql.py`) on one of two backends:

1. the same valid ID number on both sides, taken only when the given name agrees too
   (or, without a name, the birth date and sex): a household shares its surname and
   address, and a relative's valid ID on someone's record must not link them alone;
2. ID numbers that fail their check, repaired (one digit, one swap of neighbours, the
   check character) into the valid ID of the other list, confirmed by name and birth date;
3. Fellegi–Sunter on the records left, within blocks: m-probabilities learnt from the
   pairs that share an ID number (each field from the pairs where *other* fields vouch for
   the match, so that training does not assume what it measures), u-probabilities from
   value frequencies and random pairs, names weighted by how common they are.

One best candidate per right record: `match` when its probability is high and clear of
the runner-up, `review` when it is worth a person's look.
"""

import math
import resource
import time
from dataclasses import dataclass, field
from os import PathLike

import pyarrow as pa

from . import sql
from .io import COLUMNS, LinkInputError, prepare, read_list
from .normalise import Unreadable, address_forms_many, date_forms, sex_form
from .pinyin import name_forms_many

NAME_COLUMNS = ("nm", "py", "fz", "fz_sur", "fz_giv")  # what the comparisons read
DATE_COLUMNS = ("bs", "byr", "bmo", "bda", "bd")
DATE_TYPES = (pa.string(), pa.int32(), pa.int32(), pa.int32(), pa.int32())

# m-probabilities used when the lists share too few ID numbers to learn them, and always
# for the ID comparison itself (the training pairs are those of equal IDs).
DEFAULT_M = {
    "name": {6: 0.80, 5: 0.05, 4: 0.03, 3: 0.03, 2: 0.04, 1: 0.02, 0: 0.03},
    "birth": {3: 0.90, 2: 0.06, 1: 0.02, 0: 0.02},
    "sex": {1: 0.98, 0: 0.02},
    "id": {3: 0.60, 2: 0.15, 0: 0.25},
    "phone": {2: 0.80, 1: 0.05, 0: 0.15},
    "address": {3: 0.55, 2: 0.15, 1: 0.15, 0: 0.15},
}
# Which pairs of equal ID teach each field: those where other fields vouch for the match.
TRAINING_FILTER = {
    "name": "birth_lvl = 3 AND sex_lvl <> 0",
    "birth": "name_lvl >= 4",
    "sex": "name_lvl >= 4 AND birth_lvl = 3",
    "phone": "name_lvl >= 4 AND birth_lvl = 3",
    "address": "name_lvl >= 4 AND birth_lvl = 3",
}
# The exact level of these fields gets its u from value frequencies (random pairs are too
# few to see agreement on a birth date, let alone a phone number).
EXACT = {"name": (6, "nm"), "birth": (3, "bs"), "phone": (2, "ph"), "address": (3, "ad"),
         "id": (3, "idn")}  # fmt: skip
MIN_TRAINING = 30
U_SAMPLE = 200_000
WEIGHT_RANGE = (-20.0, 24.0)


@dataclass
class Settings:
    match_probability: float = 0.99
    review_probability: float = 0.5
    # log2 units: the best candidate must be this much likelier than the runner-up.
    margin: float = 4.0
    bad_dates: str = "error"  # or "empty": read unreadable birth dates as missing


@dataclass
class LinkResult:
    pairs: pa.Table
    stats: dict = field(default_factory=dict)


def _with_rn(table: pa.Table) -> pa.Table:
    return table.append_column("rn", pa.array(range(table.num_rows), pa.int64()))


LOOKUP_CHUNK = 100_000


def _lookup(raws: list, forms, columns, types=None, *, many=None) -> pa.Table:
    """One row per distinct written value that has a form: raw, then its forms' columns.
    `many` computes the forms of many values at once (names and addresses). Done in
    chunks, each turned into Arrow arrays at once: a city's million names held as
    Python dicts would cost a gigabyte."""
    types = types or (pa.string(),) * len(columns)
    schema = pa.schema([("raw", pa.string()), *zip(columns, types, strict=True)])
    batches = []
    for start in range(0, len(raws), LOOKUP_CHUNK):
        chunk = raws[start : start + LOOKUP_CHUNK]
        computed = many(chunk) if many else map(forms, chunk)
        keep, rows = [], []
        for raw, form in zip(chunk, computed, strict=True):
            if form is not None:
                keep.append(raw)
                rows.append(form)
        arrays = [pa.array(keep, pa.string())]
        arrays += [pa.array([r[c] for r in rows], t) for c, t in zip(columns, types, strict=True)]
        batches.append(pa.RecordBatch.from_arrays(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def _column(backend, query: str) -> list:
    return backend.arrow(query).column(0).to_pylist()


class Timer:
    def __init__(self, stats: dict, progress=None):
        self.stats, self.progress, self.began = stats, progress, time.perf_counter()
        self.last = self.began

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self.stats.setdefault("seconds", {})[step] = round(now - self.last, 2)
        self.last = now
        if self.progress:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.progress(f"{step}: {now - self.began:.1f} s, peak memory {peak:.0f} MiB")


def link(
    left: str | PathLike | pa.Table,
    right: str | PathLike | pa.Table,
    *,
    engine: str = "duckdb",
    settings: Settings | None = None,
    progress=None,
) -> LinkResult:
    """Link two lists; `left` is usually the registry, `right` the department's list."""
    settings = settings or Settings()
    stats: dict = {}
    tick = Timer(stats, progress)
    lraw = _with_rn(prepare(left, "LEFT") if isinstance(left, pa.Table) else read_list(left))
    rraw = _with_rn(prepare(right, "RIGHT") if isinstance(right, pa.Table) else read_list(right))
    tick("read")
    if not lraw.num_rows or not rraw.num_rows:
        stats["seconds"]["total"] = stats["seconds"]["read"]
        return LinkResult(pairs=_carry(_no_pairs(), lraw, rraw), stats=stats)
    backend = _backend(engine)
    n_left, n_right = lraw.num_rows, rraw.num_rows
    try:
        backend.put("lraw", lraw)
        backend.put("rraw", rraw)
        _normalise(backend, settings, stats)
        # From here on the lists are needed only for what the pairs carry through: the
        # rest of their memory goes back before the comparisons need it.
        backend.drop("lraw")
        backend.drop("rraw")
        lraw, rraw = _carried(lraw), _carried(rraw)
        tick("normalise")
        pairs = _link(backend, settings, stats, n_left, n_right, tick)
        pairs = _carry(pairs, lraw, rraw)
        tick("output")
    finally:
        backend.close()
    stats["seconds"]["total"] = round(sum(stats["seconds"].values()), 2)
    return LinkResult(pairs=pairs, stats=stats)


def normalise_list(
    table: pa.Table, *, engine: str = "duckdb", bad_dates: str = "error"
) -> pa.Table:
    """The normalised rows of one list (what the comparisons see): for tests and for a
    data officer asking why two records were or were not linked."""
    backend = _backend(engine)
    try:
        table = _with_rn(prepare(table))
        backend.put("lraw", table)
        backend.put("rraw", table.slice(0, 0))
        _normalise(backend, Settings(bad_dates=bad_dates), {})
        return backend.arrow("SELECT * FROM l ORDER BY rn")
    finally:
        backend.close()


def _backend(engine: str):
    if engine == "duckdb":
        from .duck import DuckBackend

        return DuckBackend()
    if engine == "spark":
        from .spark import SparkBackend

        return SparkBackend()
    raise ValueError(f"unknown engine {engine!r} (duckdb or spark)")


def _normalise(backend, settings: Settings, stats: dict) -> None:
    names = _column(backend, sql.distinct_values("name"))
    backend.put("names", _lookup(names, None, NAME_COLUMNS, many=name_forms_many))
    unreadable = []

    def strict(raw):
        try:
            return date_forms(raw)
        except Unreadable:
            unreadable.append(raw)
            return None

    own = _column(backend, sql.distinct_values("birth_date"))
    dates = _lookup(own, strict, DATE_COLUMNS, DATE_TYPES)
    if unreadable:
        _report_dates(backend, unreadable, settings, stats)
    backend.put("dates", dates)
    sexes = _column(backend, sql.distinct_values("sex"))
    backend.put("sexes", _lookup(sexes, lambda v: {"sx": s} if (s := sex_form(v)) else None,
                                 ("sx",)))  # fmt: skip
    addresses = _column(backend, sql.distinct_values("address"))
    backend.put("addresses", _lookup(addresses, None, ("ad", "ad_area"), many=address_forms_many))
    stats["distinct"] = {"names": len(names), "birth_dates": len(own),
                         "addresses": len(addresses)}  # fmt: skip
    backend.create("l", sql.normalised("l", backend.div))
    backend.create("r", sql.normalised("r", backend.div))
    for table in ("names", "dates", "sexes", "addresses"):
        backend.drop(table)


def _report_dates(backend, unreadable: list, settings: Settings, stats: dict) -> None:
    stats["unreadable_birth_dates"] = len(unreadable)
    if settings.bad_dates == "empty":
        return
    backend.put("bad_dates", pa.table({"raw": pa.array(unreadable, pa.string())}))
    rows = backend.arrow(
        "SELECT side, record_id, birth_date FROM ("
        "SELECT 'LEFT' AS side, record_id, birth_date, rn FROM lraw "
        "WHERE birth_date IN (SELECT raw FROM bad_dates) UNION ALL "
        "SELECT 'RIGHT' AS side, record_id, birth_date, rn FROM rraw "
        "WHERE birth_date IN (SELECT raw FROM bad_dates)) t ORDER BY side, rn"
    ).to_pylist()
    shown = "\n".join(
        f"  {r['side']} record {r['record_id']}: birth_date {r['birth_date']!r}" for r in rows[:20]
    )
    more = f"\n  ... and {len(rows) - 20} more" if len(rows) > 20 else ""
    raise LinkInputError(
        f"{len(rows)} records have a birth date that is not a date "
        f"(write it as 1956-05-03, or pass --bad-dates empty to link them without it):\n"
        f"{shown}{more}"
    )


def _positions() -> pa.Table:
    weights = sql.WEIGHTS
    return pa.table({
        "i": pa.array(range(1, 18), pa.int32()),
        "w": pa.array(weights, pa.int32()),
        "winv": pa.array([pow(w, -1, 11) for w in weights], pa.int32()),
        "wnext": pa.array([*weights[1:], 0], pa.int32()),
    })  # fmt: skip


def _counts(backend, table: str, where: str = "TRUE") -> dict:
    """{field: {level: count}} over the pairs of a compared table."""
    selects = " UNION ALL ".join(
        f"SELECT '{f}' AS field, {f}_lvl AS lvl, count(*) AS n FROM {table} "
        f"WHERE {where} GROUP BY {f}_lvl"
        for f in sql.LEVELS
    )
    out: dict = {f: {} for f in sql.LEVELS}
    for row in backend.arrow(selects).to_pylist():
        out[row["field"]][row["lvl"]] = row["n"]
    return out


def _estimate(backend, stats: dict, n_left: int, n_right: int) -> dict:
    """m and u per field and level, and the log2 weights."""
    backend.create("training", sql.compared(
        "(SELECT l.rn AS lrn, r.rn AS rrn FROM r JOIN l ON l.idn = r.idn)"))  # fmt: skip
    m: dict = {}
    trained = {}
    for f, defaults in DEFAULT_M.items():
        counts = {}
        if f in TRAINING_FILTER:
            counts = _counts_one(backend, f, TRAINING_FILTER[f])
        total = sum(n for lvl, n in counts.items() if lvl >= 0)
        trained[f] = total
        if total < MIN_TRAINING:
            m[f] = dict(defaults)
        else:
            levels = defaults.keys()
            m[f] = {k: (counts.get(k, 0) + 0.5) / (total + 0.5 * len(levels)) for k in levels}
    # u: random pairs, spread over both lists by a multiplicative hash of the row number.
    sample_right = min(n_right, U_SAMPLE)
    offsets = max(1, math.ceil(U_SAMPLE / sample_right))
    backend.put("offsets", pa.table({"j": pa.array(range(offsets), pa.int64())}))
    random_pairs = (
        f"(SELECT (r.rn * 7919 + o.j * 104729 + 17) % {n_left} AS lrn, r.rn AS rrn "
        f"FROM r CROSS JOIN offsets o WHERE (r.rn * 6563) % {n_right} < {sample_right})"
    )
    backend.create("randompairs", sql.compared(random_pairs))
    sampled = _counts(backend, "randompairs")
    u: dict = {}
    for f, defaults in DEFAULT_M.items():
        counts = sampled[f]
        total = sum(n for lvl, n in counts.items() if lvl >= 0)
        floor = 0.5 / max(total, 1)
        u[f] = {k: max(counts.get(k, 0) / max(total, 1), floor) for k in defaults}
        if f in EXACT:
            level, col = EXACT[f]
            u[f][level] = max(_exact_u(backend, col), 1e-12)
    model = _weights(m, u)
    weights = model["w"]
    stats["training_pairs"] = trained
    stats["m"] = {f: {k: round(v, 5) for k, v in lv.items()} for f, lv in m.items()}
    stats["u"] = {f: {k: float(f"{v:.3g}") for k, v in lv.items()} for f, lv in u.items()}
    stats["weights"] = {f: {k: round(v, 2) for k, v in lv.items()} for f, lv in weights.items()}
    return model


def _counts_one(backend, f: str, where: str) -> dict:
    rows = backend.arrow(
        f"SELECT {f}_lvl AS lvl, count(*) AS n FROM training WHERE {where} GROUP BY {f}_lvl"
    ).to_pylist()
    return {r["lvl"]: r["n"] for r in rows}


def _exact_u(backend, col: str) -> float:
    row = backend.arrow(
        f"SELECT CAST(sum(a.n * b.n) AS DOUBLE) AS agree, (SELECT count({col}) FROM l) AS nl, "
        f"(SELECT count({col}) FROM r) AS nr FROM "
        f"({sql.FREQUENCY.format(col=col, side='l')}) a JOIN "
        f"({sql.FREQUENCY.format(col=col, side='r')}) b ON a.v = b.v"
    ).to_pylist()[0]
    if not row["nl"] or not row["nr"]:
        return 1e-6
    return (row["agree"] or 0) / (row["nl"] * row["nr"])


def _clamp(w: float) -> float:
    return min(max(w, WEIGHT_RANGE[0]), WEIGHT_RANGE[1])


def _score_sql(model: dict) -> str:
    """The log2 Bayes factor of a pair as one SQL expression; the exact name level weighed
    by how common the name is in the left list (王/李/张 count less)."""
    terms = []
    for f, weights in model["w"].items():
        cases = []
        for k, w in weights.items():
            if f == "name" and k == 6:
                m5, u5 = model["m"]["name"][6], model["u"]["name"][6]
                w = (
                    f"least(greatest(log2({m5:.8f} / greatest(coalesce(tfu, {u5:.3e}), 1e-12)),"
                    f" {WEIGHT_RANGE[0]}), {WEIGHT_RANGE[1]})"
                )
                cases.append(f"WHEN {k} THEN {w}")
            else:
                cases.append(f"WHEN {k} THEN {w:.6f}")
        if f == "phone" and "phone_at_address" in model:
            # Address and phone agree together in households: the phone's weight is then
            # the one conditional on the address agreeing.
            household = model["phone_at_address"]
            cases[0] = (
                f"WHEN 2 THEN CASE WHEN address_lvl = 3 THEN {household:.6f} "
                f"ELSE {weights[2]:.6f} END"
            )
        terms.append(f"(CASE {f}_lvl {' '.join(cases)} ELSE 0 END)")
    return " + ".join(terms)


PRIOR_STEPS = 3


def _refine(backend, model: dict, stats: dict, n_left: int, n_right: int) -> float:
    """log2 prior odds that a random pair matches. The share of right records that have a
    match starts from the IDs (those with a valid ID that meets a valid ID on the left),
    then follows the candidates' own probabilities for a few steps (expectation-
    maximisation of the proportion alone), which also serves lists that share no ID.

    The m-probabilities are not re-estimated this way: on a city's lists the candidates
    are mostly members of one household, and EM drifts towards calling them the same
    person (tried: precision fell from 0.9999 to 0.993 on the 320k × 100k benchmark)."""
    row = backend.arrow(
        "SELECT (SELECT count(*) FROM r WHERE idv) AS valid, "
        "(SELECT count(DISTINCT rrn) FROM idcand WHERE rule = 'id_exact') AS met, "
        "(SELECT count(DISTINCT rrn) FROM idconfirmed WHERE rivals = 1) AS confirmed"
    ).to_pylist()[0]
    share = row["met"] / row["valid"] if row["valid"] >= 100 else 0.5
    backend.create(
        "best",
        f"SELECT rrn, max({_score_sql(model)}) AS weight FROM fscompared GROUP BY rrn",
    )
    history = []
    for _ in range(PRIOR_STEPS):
        share = min(max(share, 0.001), 0.999)
        prior = math.log2(share / max(n_left - share, 1))
        history.append(round(share, 4))
        expected = backend.arrow(
            f"SELECT sum(1.0 / (1.0 + pow(2.0, -(weight + {prior:.6f})))) AS p FROM best"
        ).to_pylist()[0]["p"]
        share = (row["confirmed"] + (expected or 0.0)) / max(n_right, 1)
    backend.drop("best")
    share = min(max(share, 0.001), 0.999)
    prior = math.log2(share / max(n_left - share, 1))
    history.append(round(share, 4))
    stats["prior"] = {"share_with_match": history, "log2_odds": round(prior, 2)}
    return prior


def _weights(m: dict, u: dict) -> dict:
    w = {f: {k: _clamp(math.log2(m[f][k] / u[f][k])) for k in m[f]} for f in m}
    return {"m": m, "u": u, "w": w}


def _link(backend, settings: Settings, stats: dict, n_left: int, n_right: int, tick):
    # Steps 1 and 2: exact and repaired IDs.
    backend.put("positions", _positions())
    backend.create("id_variants", sql.ID_VARIANTS)
    backend.create("idcand", f"{sql.ID_EXACT} UNION ALL {sql.ID_REPAIRED}")
    tick("id steps")
    model = _estimate(backend, stats, n_left, n_right)
    tick("estimate")
    # Term frequencies of names (u of exact agreement on that very name).
    backend.create(
        "tf",
        f"SELECT v AS nm, n / {max(n_left, 1)}.0 AS u "
        f"FROM ({sql.FREQUENCY.format(col='nm', side='l')}) t",
    )
    score = _score_sql(model)
    backend.create(
        "idscored",
        f"SELECT *, {score} AS weight FROM (SELECT c.*, tf.u AS tfu "
        f"FROM ({sql.compared('idcand', ('rule',))}) c LEFT JOIN tf ON tf.nm = c.l_nm) t",
    )
    # A rule's pair is taken when the given name agrees (and the birth date does not
    # contradict); a repaired ID needs the birth date to agree as well.
    backend.create(
        "idconfirmed",
        """
SELECT * FROM (
  SELECT s.*, count(*) OVER (PARTITION BY rrn) AS rivals,
    row_number() OVER (PARTITION BY rrn ORDER BY weight DESC, lrn) AS pos
  FROM (
    SELECT *, CASE WHEN rule = 'id_exact' THEN 0 ELSE 1 END AS tier,
      min(CASE WHEN rule = 'id_exact' THEN 0 ELSE 1 END) OVER (PARTITION BY rrn) AS best_tier
    FROM idscored
    WHERE (rule = 'id_exact' AND (
          (name_lvl >= 3 AND birth_lvl IN (-1, 2, 3))
          OR (name_lvl = -1 AND r_bsrc = 1 AND birth_lvl = 3 AND sex_lvl <> 0)))
       OR (rule <> 'id_exact' AND name_lvl >= 3 AND (
          (r_bsrc = 1 AND birth_lvl >= 2) OR (r_bsrc IS NULL AND name_lvl >= 5)))
  ) s WHERE tier = best_tier
) t
""",
    )
    backend.drop("idscored")
    # Right records that an ID rule settled, or left to a person among registry records
    # that share one ID, are not matched again by the probabilistic step.
    backend.create("rest", "SELECT * FROM r WHERE rn NOT IN (SELECT rrn FROM idconfirmed)")
    tick("id confirmation")
    # Step 3: Fellegi–Sunter within blocks.
    limit = sql.SHARED_VALUE_LIMIT
    backend.create("l_phone", sql.SHARED_OK.format(col="ph", limit=limit))
    backend.create("l_address", sql.SHARED_OK.format(col="ad", limit=limit))
    backend.create("candidates", sql.blocked(sql.BLOCKING_RULES))
    household = backend.arrow(sql.PHONE_AT_ADDRESS).to_pylist()[0]
    if (household["pairs"] or 0) >= MIN_TRAINING:
        shared = (household["same"] + 1) / (household["pairs"] + 2)
        model["phone_at_address"] = _clamp(math.log2(model["m"]["phone"][2] / shared))
        stats["phone_at_address"] = {"shared": round(shared, 4),
                                     "weight": round(model["phone_at_address"], 2)}  # fmt: skip
    tick("blocking")
    backend.create(
        "fscompared",
        f"SELECT c.*, tf.u AS tfu FROM ({sql.compared('candidates')}) c "
        "LEFT JOIN tf ON tf.nm = c.l_nm",
    )
    for table in ("randompairs", "training", "id_variants", "l_phone", "l_address", "rest",
                  "candidates"):  # fmt: skip
        backend.drop(table)
    tick("compare")
    prior = _refine(backend, model, stats, n_left, n_right)
    backend.create(
        "fsscored",
        f"""
SELECT * FROM (
  SELECT s.*, row_number() OVER (PARTITION BY rrn ORDER BY weight DESC, lrn) AS pos,
    lead(weight) OVER (PARTITION BY rrn ORDER BY weight DESC, lrn) AS runner_up
  FROM (SELECT c.*, 'fellegi_sunter' AS rule, {score} AS weight FROM fscompared c) s
) t WHERE pos <= 2
""",
    )
    tick("score")
    match_w = math.log2(settings.match_probability / (1 - settings.match_probability))
    review_w = math.log2(settings.review_probability / (1 - settings.review_probability))
    match_w -= prior
    review_w -= prior
    probability = f"1.0 / (1.0 + pow(2.0, -(weight + {prior:.6f})))"
    pairs = backend.arrow(
        f"""
SELECT lrn, rrn, round({probability}, 6) AS score, decision, rule,
  round(weight + {prior:.6f}, 3) AS weight,
  {sql.evidence()} AS evidence
FROM (
  SELECT lrn, rrn, weight, rule, name_lvl, birth_lvl, sex_lvl, id_lvl, phone_lvl, address_lvl,
    CASE WHEN rivals = 1 THEN 'match' ELSE 'review' END AS decision
  FROM idconfirmed
  UNION ALL
  SELECT lrn, rrn, weight, rule, name_lvl, birth_lvl, sex_lvl, id_lvl, phone_lvl, address_lvl,
    CASE WHEN pos = 1 AND weight >= {match_w} AND weight - coalesce(runner_up, -1e9)
              >= {settings.margin} THEN 'match'
         ELSE 'review' END AS decision
  FROM fsscored
  WHERE weight >= {review_w} AND (pos = 1 OR weight >= {match_w})
    AND rrn NOT IN (SELECT rrn FROM idconfirmed)
) t
ORDER BY rrn, decision, weight DESC
"""
    )
    counts = pairs.group_by(["decision", "rule"]).aggregate([("rrn", "count")]).to_pylist()
    stats["pairs"] = {f"{c['decision']}/{c['rule']}": c["rrn_count"] for c in counts}
    stats["rows"] = {"left": n_left, "right": n_right}
    return pairs


def _no_pairs() -> pa.Table:
    return pa.table({
        "lrn": pa.array([], pa.int64()), "rrn": pa.array([], pa.int64()),
        "score": pa.array([], pa.float64()), "decision": pa.array([], pa.string()),
        "rule": pa.array([], pa.string()), "weight": pa.array([], pa.float64()),
        "evidence": pa.array([], pa.string()),
    })  # fmt: skip


def _carried(table: pa.Table) -> pa.Table:
    keep = [c for c in table.column_names if c == "record_id" or (c not in COLUMNS and c != "rn")]
    return table.select(keep)


def _carry(pairs: pa.Table, lraw: pa.Table, rraw: pa.Table) -> pa.Table:
    """The pairs with record ids and the lists' own other columns (left_*, right_*)."""
    lrn = pairs.column("lrn")
    rrn = pairs.column("rrn")
    out = {
        "left_id": lraw.column("record_id").take(lrn),
        "right_id": rraw.column("record_id").take(rrn),
    }
    for name in ("score", "decision", "rule", "weight", "evidence"):
        out[name] = pairs.column(name)
    for prefix, table, rows in (("left_", lraw, lrn), ("right_", rraw, rrn)):
        for name in table.column_names:
            if name not in COLUMNS and name != "rn":
                out[prefix + name] = table.column(name).take(rows)
    return pa.table(out)


__all__ = ["COLUMNS", "LinkInputError", "LinkResult", "Settings", "link", "normalise_list"]

"""The linkage's SQL, written once in the dialect that DuckDB and Spark SQL share
(try_cast, translate, levenshtein, instr, concat_ws, window functions), so that both
engines run the same rules. Tables: lraw/rraw (the lists as read, with a row number rn),
the look-ups of names, dates, sexes and addresses (one row per distinct written value),
then l/r (normalised), and the pair tables of each step."""

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK = "10X98765432"


def _check_sum(expr: str) -> str:
    """The MOD 11-2 weighted sum of the first 17 digits of expr; NULL if one is not a
    digit."""
    return " + ".join(
        f"try_cast(substr({expr}, {i + 1}, 1) AS INT) * {w}" for i, w in enumerate(WEIGHTS)
    )


FULL_WIDTH_FROM = "０１２３４５６７８９ｘＸx \t\u3000-－"
FULL_WIDTH_TO = "0123456789XXX"


def normalised(side: str) -> str:
    """One normalised row per record of side ('l' or 'r')."""
    return f"""
WITH s1 AS (
  SELECT rn, record_id, name, birth_date, sex, address,
    CASE WHEN idn0 = '' THEN NULL ELSE idn0 END AS idn0,
    CASE WHEN ph0 = '' THEN NULL ELSE ph0 END AS ph0
  FROM (
    SELECT *, upper(translate(id_number, '{FULL_WIDTH_FROM}', '{FULL_WIDTH_TO}')) AS idn0,
      translate(phone, '０１２３４５６７８９ +-－()（）\t', '0123456789') AS ph0
    FROM {side}raw
  ) t
), s2 AS (
  SELECT *,
    CASE WHEN length(idn0) = 15 THEN substr(idn0, 1, 6) || '19' || substr(idn0, 7, 9)
         WHEN length(idn0) IN (17, 18) THEN substr(idn0, 1, 17) END AS id17,
    CASE WHEN length(idn0) = 18 THEN substr(idn0, 18, 1) END AS idc,
    CASE WHEN substr(ph0, 1, 4) = '0086' THEN substr(ph0, 5)
         WHEN substr(ph0, 1, 2) = '86' AND length(ph0) = 13 THEN substr(ph0, 3)
         ELSE ph0 END AS ph1
  FROM s1
), s3 AS (
  SELECT *, {_check_sum("id17")} AS idsum FROM s2
), s4 AS (
  SELECT *,
    substr('{CHECK}', idsum % 11 + 1, 1) AS idexp,
    try_cast(substr(id17, 7, 4) AS INT) AS idy,
    try_cast(substr(id17, 11, 2) AS INT) AS idm,
    try_cast(substr(id17, 13, 2) AS INT) AS idd
  FROM s3
), s5 AS (
  SELECT *,
    CASE WHEN length(idn0) = 15 AND idsum IS NOT NULL THEN id17 || idexp ELSE idn0 END AS idn,
    COALESCE(idsum IS NOT NULL AND (length(idn0) = 15 OR idc = idexp)
      AND idy BETWEEN 1880 AND 2100 AND idm BETWEEN 1 AND 12 AND idd BETWEEN 1 AND 31, FALSE)
      AS idv
  FROM s4
), s6 AS (
  SELECT *, CASE WHEN idv THEN substr(idn, 7, 8) END AS idbs FROM s5
)
SELECT s5.rn, s5.record_id AS rid,
  n.nm, n.sur, n.giv, n.py, n.py_giv, n.fz, n.fz_sur, n.fz_giv,
  COALESCE(d.bs, di.bs) AS bs, COALESCE(d.byr, di.byr) AS byr, COALESCE(d.bmo, di.bmo) AS bmo,
  COALESCE(d.bda, di.bda) AS bda, COALESCE(d.bd, di.bd) AS bd,
  CASE WHEN d.bs IS NOT NULL THEN 1 WHEN di.bs IS NOT NULL THEN 0 END AS bsrc,
  COALESCE(x.sx, CASE WHEN s5.idv THEN
    CASE WHEN try_cast(substr(s5.idn, 17, 1) AS INT) % 2 = 1 THEN 'M' ELSE 'F' END END) AS sx,
  s5.idn, s5.idv, s5.id17, s5.idc, s5.idsum, length(s5.idn0) AS idlen,
  CASE WHEN try_cast(s5.ph1 AS BIGINT) IS NOT NULL AND length(s5.ph1) BETWEEN 7 AND 12
       AND substr(s5.ph1, 1, 1) <> '+' THEN s5.ph1 END AS ph,
  a.ad, a.ad_area
FROM s6 s5
LEFT JOIN names n ON n.raw = s5.name
LEFT JOIN dates d ON d.raw = s5.birth_date
LEFT JOIN dates di ON di.raw = s5.idbs
LEFT JOIN sexes x ON x.raw = s5.sex
LEFT JOIN addresses a ON a.raw = s5.address
"""


def distinct_values(column: str, *, id_dates: bool = False) -> str:
    if id_dates:
        # Birth dates inside ID numbers (YYMMDD in an old 15-digit one), for records that
        # give no birth date of their own.
        n = f"upper(translate(id_number, '{FULL_WIDTH_FROM}', '{FULL_WIDTH_TO}'))"
        expr = (
            f"CASE WHEN length({n}) = 15 THEN '19' || substr({n}, 7, 6) ELSE substr({n}, 7, 8) END"
        )
        return (
            f"SELECT DISTINCT {expr} AS raw FROM lraw WHERE length(id_number) >= 15 "
            f"UNION SELECT DISTINCT {expr} AS raw FROM rraw WHERE length(id_number) >= 15"
        )
    return (
        f"SELECT DISTINCT {column} AS raw FROM lraw WHERE {column} IS NOT NULL "
        f"UNION SELECT DISTINCT {column} AS raw FROM rraw WHERE {column} IS NOT NULL"
    )


# Step 1: the same valid ID on both sides.
ID_EXACT = """
SELECT l.rn AS lrn, r.rn AS rrn, 'id_exact' AS rule
FROM r JOIN l ON r.idn = l.idn WHERE r.idv AND l.idv
"""

# Step 2: IDs that fail their check, repaired. The check makes one mistyped digit
# recoverable position by position: at position i only the digit
# d' = (t - (S - w_i d_i)) / w_i (mod 11) satisfies the check again, where t is the
# value the check character stands for; a swap of neighbours is kept when the check
# passes after it; a wrong or missing check character is recomputed. Each candidate is
# then only a candidate: it must meet a valid ID of the other list and be confirmed by
# name and birth date.
ID_VARIANTS = f"""
WITH bad AS (
  SELECT rn, id17, idc, idsum, idlen, instr('{CHECK}', idc) - 1 AS t
  FROM r WHERE NOT idv AND idsum IS NOT NULL AND idlen IN (17, 18)
)
SELECT rn AS rrn, id17 || substr('{CHECK}', idsum % 11 + 1, 1) AS cand,
  CASE WHEN idlen = 17 THEN 'id_check_added' ELSE 'id_check_fixed' END AS rule
FROM bad
UNION ALL
SELECT rrn, substr(id17, 1, i - 1) || CAST(nd AS STRING) || substr(id17, i + 1) || idc AS cand,
  'id_digit_fixed' AS rule
FROM (
  SELECT b.rn AS rrn, b.id17, b.idc, p.i, try_cast(substr(b.id17, p.i, 1) AS INT) AS d,
    ((((b.t - b.idsum + p.w * try_cast(substr(b.id17, p.i, 1) AS INT)) % 11) + 11) % 11
      * p.winv) % 11 AS nd
  FROM bad b CROSS JOIN positions p WHERE b.idlen = 18 AND b.t >= 0
) v WHERE nd <= 9 AND nd <> d
UNION ALL
SELECT rrn, substr(id17, 1, i - 1) || substr(id17, i + 1, 1) || substr(id17, i, 1)
    || substr(id17, i + 2) || idc AS cand, 'id_swap_fixed' AS rule
FROM (
  SELECT b.rn AS rrn, b.id17, b.idc, b.t, p.i,
    b.idsum + (p.w - p.wnext) * (try_cast(substr(b.id17, p.i + 1, 1) AS INT)
      - try_cast(substr(b.id17, p.i, 1) AS INT)) AS s2,
    substr(b.id17, p.i, 1) AS a, substr(b.id17, p.i + 1, 1) AS c
  FROM bad b CROSS JOIN positions p WHERE b.idlen = 18 AND b.t >= 0 AND p.i <= 16
) v WHERE a <> c AND ((s2 % 11) + 11) % 11 = t
"""

ID_REPAIRED = """
SELECT l.rn AS lrn, v.rrn, v.rule
FROM id_variants v JOIN l ON l.idn = v.cand WHERE l.idv
"""

# Step 3: candidates for the records no ID confirmed, by several blocking rules.
BLOCKING_RULES = {
    "birth_surname": "l.bd = r.bd AND l.fz_sur = r.fz_sur",
    "name_year": "l.fz = r.fz AND l.byr = r.byr",
    "given_birth": "l.fz_giv = r.fz_giv AND l.bd = r.bd",
    "swapped_birth_surname": "l.byr = r.byr AND l.bmo = r.bda AND l.bda = r.bmo "
    "AND l.fz_sur = r.fz_sur",
    "name_area": "l.fz = r.fz AND l.ad_area = r.ad_area",
    # Phones and addresses shared by more than a household (a village office's phone,
    # a care home's address) would make blocks of thousands: those are left out.
    "phone": ("l_phone", "l.ph = r.ph"),
    "address": ("l_address", "l.ad = r.ad"),
    "id": "l.idn = r.idn",
    "birth_initial": "l.bs = r.bs AND substr(l.fz, 1, 1) = substr(r.fz, 1, 1)",
    # IDs with a slip: all but the last four characters alike (for a resident ID, the
    # region and birth date), or the last four alike in the same birth year.
    "id_start": "length(l.idn) >= 7 AND substr(l.idn, 1, length(l.idn) - 4) "
    "= substr(r.idn, 1, length(r.idn) - 4)",
    "id_end": "length(l.idn) >= 7 AND right(l.idn, 4) = right(r.idn, 4) AND l.byr = r.byr",
}


def blocked(rules: dict) -> str:
    parts = []
    for rule in rules.values():
        table, cond = rule if isinstance(rule, tuple) else ("l", rule)
        parts.append(f"SELECT l.rn AS lrn, r.rn AS rrn FROM rest r JOIN {table} l ON {cond}")
    return "SELECT DISTINCT lrn, rrn FROM (" + " UNION ALL ".join(parts) + ") b"


# Edit distances, each computed once per pair and only where the cheaper tests leave the
# level open (DuckDB evaluates a CASE branch on the rows that reach it).
def _lev(a: str, b: str, most: int = 3) -> str:
    return (
        f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL WHEN {a} = {b} THEN 0 "
        f"WHEN abs(length({a}) - length({b})) > {most} THEN 99 ELSE levenshtein({a}, {b}) END"
    )


DISTANCES = {
    "d_nm": _lev("l.nm", "r.nm", 1),
    "d_fz": _lev("l.fz", "r.fz", 2),
    "d_bs": _lev("l.bs", "r.bs", 0),
    "d_id": _lev("l.idn", "r.idn", 2),
    "d_ph": _lev("l.ph", "r.ph", 1),
    # Addresses are long and the edit distance costs their lengths' product: it is worked
    # out only for addresses that begin or end alike (a few slips leave one end intact).
    "d_ad": "CASE WHEN l.ad IS NULL OR r.ad IS NULL THEN NULL WHEN l.ad = r.ad THEN 0 "
    "WHEN substr(l.ad, 1, 3) <> substr(r.ad, 1, 3) AND right(l.ad, 3) <> right(r.ad, 3) "
    "THEN 99 ELSE levenshtein(l.ad, r.ad) END",
}

# Comparison levels, the same for every pair table: -1 when either side is empty (no
# evidence either way).
LEVELS = {
    "name": """CASE WHEN l.nm IS NULL OR r.nm IS NULL THEN -1
  WHEN l.nm = r.nm THEN 5
  WHEN l.py = r.py THEN 4
  WHEN l.fz = r.fz THEN 3
  WHEN least(length(l.nm), length(r.nm)) >= 2 AND (substr(l.nm, 1, length(r.nm)) = r.nm
       OR substr(r.nm, 1, length(l.nm)) = l.nm) THEN 2
  WHEN l.fz_sur = r.fz_sur AND d_fz <= 2 THEN 1
  WHEN d_nm <= 1 AND length(l.nm) >= 3 THEN 1
  WHEN d_fz <= 2 AND least(length(l.fz), length(r.fz)) >= 6 THEN 1
  ELSE 0 END""",
    "birth": """CASE WHEN l.bs IS NULL OR r.bs IS NULL THEN -1
  WHEN l.bs = r.bs THEN 3
  WHEN abs(l.bd - r.bd) = 1 OR (l.byr = r.byr AND l.bmo = r.bda AND l.bda = r.bmo)
       OR d_bs = 1 THEN 2
  WHEN l.byr = r.byr THEN 1
  ELSE 0 END""",
    "sex": """CASE WHEN l.sx IS NULL OR r.sx IS NULL THEN -1
  WHEN l.sx = r.sx THEN 1 ELSE 0 END""",
    "id": """CASE WHEN l.idn IS NULL OR r.idn IS NULL OR (l.idv AND r.idv AND l.idn = r.idn)
    THEN -1
  WHEN l.idn = r.idn THEN 3
  WHEN length(l.idn) >= 6 AND d_id <= 2 THEN 2
  ELSE 0 END""",
    "phone": """CASE WHEN l.ph IS NULL OR r.ph IS NULL THEN -1
  WHEN l.ph = r.ph THEN 2
  WHEN d_ph <= 1 THEN 1
  ELSE 0 END""",
    "address": """CASE WHEN l.ad IS NULL OR r.ad IS NULL THEN -1
  WHEN l.ad = r.ad THEN 3
  WHEN d_ad <= 2 THEN 2
  WHEN l.ad_area = r.ad_area OR d_ad * 3 <= greatest(length(l.ad), 3) THEN 1
  ELSE 0 END""",
}

LEVEL_NAMES = {
    "name": {5: "exact", 4: "same_pinyin", 3: "fuzzy_pinyin", 2: "truncated", 1: "similar",
             0: "different"},
    "birth": {3: "exact", 2: "near", 1: "same_year", 0: "different"},
    "sex": {1: "same", 0: "different"},
    "id": {3: "exact", 2: "near", 0: "different"},
    "phone": {2: "exact", 1: "near", 0: "different"},
    "address": {3: "exact", 2: "near", 1: "same_area", 0: "different"},
}  # fmt: skip


def compared(pairs: str, extra: str = "") -> str:
    """Levels of every field for each pair of the table `pairs` (lrn, rrn, ...)."""
    distances = ",\n    ".join(f"{sql} AS {name}" for name, sql in DISTANCES.items())
    levels = ",\n  ".join(f"{sql} AS {field}_lvl" for field, sql in LEVELS.items())
    return f"""
SELECT p.*, l.nm AS l_nm, l.bsrc AS l_bsrc, r.bsrc AS r_bsrc,
  {levels}
FROM (SELECT p.*, {distances}
      FROM {pairs} p JOIN l ON l.rn = p.lrn JOIN r ON r.rn = p.rrn) p
JOIN l ON l.rn = p.lrn JOIN r ON r.rn = p.rrn {extra}
"""


def evidence() -> str:
    """A readable account of each field's agreement (name=exact;birth=near;...)."""
    parts = []
    for field, names in LEVEL_NAMES.items():
        cases = " ".join(f"WHEN {field}_lvl = {lvl} THEN '{label}'" for lvl, label in names.items())
        parts.append(f"'{field}=' || CASE {cases} ELSE 'missing' END")
    return "concat_ws(';', " + ", ".join(parts) + ")"


SHARED_VALUE_LIMIT = 20

SHARED_OK = """
SELECT l.rn, l.{col} FROM l JOIN (
  SELECT {col} AS v FROM l WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) <= {limit}
) k ON l.{col} = k.v
"""

# Frequencies for the u-probabilities of exact agreement and term frequencies of names.
FREQUENCY = """
SELECT {col} AS v, count(*) AS n FROM {side} WHERE {col} IS NOT NULL GROUP BY {col}
"""

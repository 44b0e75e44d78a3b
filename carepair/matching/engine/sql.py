"""The linkage's SQL, written once in the dialect that DuckDB and Spark SQL share
(try_cast, translate, levenshtein, instr, concat_ws, window functions), so that both
engines run the same rules. Tables: lraw/rraw (the lists as read, with a row number rn),
the look-ups of names, dates, sexes and addresses (one row per distinct written value),
then l/r (normalised), and the pair tables of each step."""

import re

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK = "10X98765432"


def _check_sum(number: str, div: str) -> str:
    """The MOD 11-2 weighted sum of the 17 digits of the integer `number`, digit by digit
    with integer arithmetic (a substring and a cast per digit cost ten times more)."""
    return " + ".join(
        f"(({number} {div} {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(WEIGHTS)
    )


def _civil_days(y: str, m: str, d: str, div: str) -> str:
    """Days since 1970-01-01 of a year, month and day, in integers only (H. Hinnant's
    days_from_civil), so both engines agree without their own date functions."""
    ya = f"({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)"
    era = f"({ya} {div} 400)"
    yoe = f"({ya} - {era} * 400)"
    doy = f"((153 * (({m} + 9) % 12) + 2) {div} 5 + {d} - 1)"
    doe = f"({yoe} * 365 + {yoe} {div} 4 - {yoe} {div} 100 + {doy})"
    return f"({era} * 146097 + {doe} - 719468)"


FULL_WIDTH_FROM = "０１２３４５６７８９ｘＸx \t\u3000-－"
FULL_WIDTH_TO = "0123456789XXX"
PHONE_FROM = "０１２３４５６７８９ +-－()（）\t"
PHONE_TO = "0123456789"


def normalised(side: str, div: str = "//") -> str:
    """One normalised row per record of side ('l' or 'r'). `div` is the engine's integer
    division (DuckDB //, Spark div). Most IDs and phones are already plain ASCII digits:
    only the others pay for translating full-width digits and dropping separators."""
    return f"""
WITH s1 AS (
  SELECT rn, record_id, name, birth_date, sex, address,
    CASE WHEN id_number IS NULL OR id_number = '' THEN NULL
      WHEN length(id_number) IN (15, 18)
        AND try_cast(substr(id_number, 1, 15) AS BIGINT) >= 100000000000000
        THEN substr(id_number, 1, 15) || upper(substr(id_number, 16))
      ELSE nullif(upper(translate(id_number, '{FULL_WIDTH_FROM}', '{FULL_WIDTH_TO}')), '')
    END AS idn0,
    CASE WHEN phone IS NULL OR phone = '' THEN NULL
      WHEN substr(phone, 1, 1) BETWEEN '0' AND '9' AND try_cast(phone AS BIGINT) IS NOT NULL
        THEN phone
      ELSE nullif(translate(phone, '{PHONE_FROM}', '{PHONE_TO}'), '')
    END AS ph0
  FROM {side}raw
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
  SELECT *, CASE WHEN substr(id17, 1, 1) BETWEEN '0' AND '9'
    THEN try_cast(id17 AS BIGINT) END AS id17n FROM s2
), s4 AS (
  SELECT *, {_check_sum("id17n", div)} AS idsum,
    CAST((id17n {div} 10000000) % 10000 AS INT) AS idy,
    CAST((id17n {div} 100000) % 100 AS INT) AS idm,
    CAST((id17n {div} 1000) % 100 AS INT) AS idd
  FROM s3
), s5 AS (
  SELECT *, substr('{CHECK}', idsum % 11 + 1, 1) AS idexp FROM s4
), s6 AS (
  SELECT *,
    CASE WHEN length(idn0) = 15 AND idsum IS NOT NULL THEN id17 || idexp ELSE idn0 END AS idn,
    COALESCE(idsum IS NOT NULL AND (length(idn0) = 15 OR idc = idexp)
      AND idy BETWEEN 1880 AND 2100 AND idm BETWEEN 1 AND 12 AND idd BETWEEN 1 AND 31, FALSE)
      AS idv
  FROM s5
)
SELECT s.rn,
  n.nm, n.py, n.fz, n.fz_sur, n.fz_giv,
  CASE WHEN d.bs IS NOT NULL THEN d.bs WHEN s.idv THEN substr(s.idn, 7, 8) END AS bs,
  CASE WHEN d.bs IS NOT NULL THEN d.byr WHEN s.idv THEN s.idy END AS byr,
  CASE WHEN d.bs IS NOT NULL THEN d.bmo WHEN s.idv THEN s.idm END AS bmo,
  CASE WHEN d.bs IS NOT NULL THEN d.bda WHEN s.idv THEN s.idd END AS bda,
  CASE WHEN d.bs IS NOT NULL THEN d.bd
       WHEN s.idv THEN {_civil_days("s.idy", "s.idm", "s.idd", div)} END AS bd,
  CASE WHEN d.bs IS NOT NULL THEN 1 WHEN s.idv THEN 0 END AS bsrc,
  COALESCE(x.sx, CASE WHEN s.idv THEN
    CASE WHEN (s.id17n % 2) = 1 THEN 'M' ELSE 'F' END END) AS sx,
  s.idn, s.idv, s.id17, s.idc, s.idsum, length(s.idn0) AS idlen,
  CASE WHEN length(s.ph1) BETWEEN 7 AND 12 AND substr(s.ph1, 1, 1) BETWEEN '0' AND '9'
       AND try_cast(s.ph1 AS BIGINT) IS NOT NULL THEN s.ph1 END AS ph,
  a.ad, a.ad_area
FROM s6 s
LEFT JOIN names n ON n.raw = s.name
LEFT JOIN dates d ON d.raw = s.birth_date
LEFT JOIN sexes x ON x.raw = s.sex
LEFT JOIN addresses a ON a.raw = s.address
"""


def distinct_values(column: str) -> str:
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
    "birth_initial": "l.bs = r.bs AND substr(l.fz, 1, 2) = substr(r.fz, 1, 2)",
    # IDs with a slip: all but the last four characters alike (for a resident ID, the
    # region and birth date), or the last four alike in the same birth year. Two valid
    # resident IDs that differ are two people's (or a relative's): not a slip.
    "id_start": "length(l.idn) >= 7 AND substr(l.idn, 1, length(l.idn) - 4) "
    "= substr(r.idn, 1, length(r.idn) - 4) AND NOT (l.idv AND r.idv)",
    "id_end": "length(l.idn) >= 7 AND right(l.idn, 4) = right(r.idn, 4) AND l.byr = r.byr "
    "AND NOT (l.idv AND r.idv)",
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
    # An ID with a slip or two keeps its first ten or its last eight characters alike.
    "d_id": "CASE WHEN l.idn IS NULL OR r.idn IS NULL THEN NULL WHEN l.idn = r.idn THEN 0 "
    "WHEN abs(length(l.idn) - length(r.idn)) > 2 OR (length(l.idn) >= 15 "
    "AND substr(l.idn, 1, 10) <> substr(r.idn, 1, 10) AND right(l.idn, 8) <> right(r.idn, 8)) "
    "THEN 99 ELSE levenshtein(l.idn, r.idn) END",
    "d_ph": _lev("l.ph", "r.ph", 1),
    # Addresses are long and the edit distance costs their lengths' product: it is worked
    # out only for addresses that begin or end alike (a few slips leave one end intact).
    "d_ad": "CASE WHEN l.ad IS NULL OR r.ad IS NULL THEN NULL WHEN l.ad = r.ad THEN 0 "
    "WHEN substr(l.ad, 1, 4) <> substr(r.ad, 1, 4) AND right(l.ad, 4) <> right(r.ad, 4) "
    "THEN 99 ELSE levenshtein(l.ad, r.ad) END",
}

# Comparison levels, the same for every pair table: -1 when either side is empty (no
# evidence either way).
LEVELS = {
    "name": """CASE WHEN l.nm IS NULL OR r.nm IS NULL THEN -1
  WHEN l.nm = r.nm THEN 6
  WHEN l.py = r.py THEN 5
  WHEN l.fz = r.fz THEN 4
  WHEN least(length(l.nm), length(r.nm)) >= 2 AND (substr(l.nm, 1, length(r.nm)) = r.nm
       OR substr(r.nm, 1, length(l.nm)) = l.nm) THEN 3
  WHEN l.fz_sur = r.fz_sur AND d_fz <= 2 THEN 2
  WHEN d_nm <= 1 AND length(l.nm) >= 3 THEN 2
  WHEN d_fz <= 2 AND least(length(l.fz), length(r.fz)) >= 6 THEN 2
  WHEN l.fz_giv = r.fz_giv OR l.fz_sur = r.fz_sur OR l.fz_sur = r.fz_giv OR l.fz_giv = r.fz_sur
    THEN 1
  ELSE 0 END""",
    "birth": """CASE WHEN l.bs IS NULL OR r.bs IS NULL THEN -1
  WHEN l.idn = r.idn AND (l.bsrc = 0 OR r.bsrc = 0) THEN -1
  WHEN l.bs = r.bs THEN 3
  WHEN abs(l.bd - r.bd) = 1 OR (l.byr = r.byr AND l.bmo = r.bda AND l.bda = r.bmo)
       OR d_bs = 1 THEN 2
  WHEN l.byr = r.byr THEN 1
  ELSE 0 END""",
    "sex": """CASE WHEN l.sx IS NULL OR r.sx IS NULL THEN -1
  WHEN l.idn = r.idn AND (l.bsrc = 0 OR r.bsrc = 0) THEN -1
  WHEN l.sx = r.sx THEN 1 ELSE 0 END""",
    # Two valid resident IDs a digit or two apart are neighbours in a birth date's
    # sequence, not one ID with a slip (a slip fails the check ten times in eleven).
    "id": """CASE WHEN l.idn IS NULL OR r.idn IS NULL OR (l.idv AND r.idv AND l.idn = r.idn)
    THEN -1
  WHEN l.idn = r.idn THEN 3
  WHEN length(l.idn) >= 6 AND d_id <= 2 AND NOT (l.idv AND r.idv) THEN 2
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
    "name": {6: "exact", 5: "same_pinyin", 4: "fuzzy_pinyin", 3: "truncated", 2: "similar",
             1: "one_part", 0: "different"},
    "birth": {3: "exact", 2: "near", 1: "same_year", 0: "different"},
    "sex": {1: "same", 0: "different"},
    "id": {3: "exact", 2: "near", 0: "different"},
    "phone": {2: "exact", 1: "near", 0: "different"},
    "address": {3: "exact", 2: "near", 1: "same_area", 0: "different"},
}  # fmt: skip


COMPARED_COLUMNS = ("nm", "py", "fz", "fz_sur", "fz_giv", "bs", "bd", "byr", "bmo", "bda",
                    "bsrc", "sx", "idn", "idv", "ph", "ad", "ad_area")  # fmt: skip


def _flat(expr: str) -> str:
    """l.x → l_x: the levels read the columns the inner query took from each side."""
    return re.sub(r"\b([lr])\.(\w+)", r"\1_\2", expr)


def compared(pairs: str, carry: tuple[str, ...] = ()) -> str:
    """Levels of every field for each pair of the table `pairs` (lrn, rrn, and the columns
    `carry`): one join to each side, the edit distances beside, then the levels over
    those columns."""
    sides = ", ".join(f"{t}.{c} AS {t}_{c}" for t in "lr" for c in COMPARED_COLUMNS)
    distances = ",\n    ".join(f"{sql} AS {name}" for name, sql in DISTANCES.items())
    levels = ",\n  ".join(f"{_flat(sql)} AS {field}_lvl" for field, sql in LEVELS.items())
    kept = "".join(f"p.{c}, " for c in carry)
    return f"""
SELECT p.lrn, p.rrn, {kept}p.l_nm, p.l_bsrc, p.r_bsrc, {levels}
FROM (SELECT p.*, {sides},
    {distances}
  FROM {pairs} p JOIN l ON l.rn = p.lrn JOIN r ON r.rn = p.rrn) p
"""


def evidence() -> str:
    """A readable account of each field's agreement (name=exact;birth=near;...)."""
    parts = []
    for field, names in LEVEL_NAMES.items():
        cases = " ".join(f"WHEN {field}_lvl = {lvl} THEN '{label}'" for lvl, label in names.items())
        parts.append(f"'{field}=' || CASE {cases} ELSE 'missing' END")
    return "concat_ws(';', " + ", ".join(parts) + ")"


SHARED_VALUE_LIMIT = 20

# How often two different people at one address share a phone (a household's landline or
# a child's mobile): agreement on the phone after agreement on the address is worth that
# much less than between strangers.
PHONE_AT_ADDRESS = """
SELECT count(*) AS pairs, CAST(sum(CASE WHEN la.ph = lb.ph THEN 1 ELSE 0 END) AS BIGINT) AS same
FROM l_address a JOIN l_address b ON a.ad = b.ad AND a.rn < b.rn
JOIN l la ON la.rn = a.rn JOIN l lb ON lb.rn = b.rn
WHERE la.ph IS NOT NULL AND lb.ph IS NOT NULL
"""

SHARED_OK = """
SELECT l.rn, l.{col} FROM l JOIN (
  SELECT {col} AS v FROM l WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) <= {limit}
) k ON l.{col} = k.v
"""

# Frequencies for the u-probabilities of exact agreement and term frequencies of names.
FREQUENCY = """
SELECT {col} AS v, count(*) AS n FROM {side} WHERE {col} IS NOT NULL GROUP BY {col}
"""

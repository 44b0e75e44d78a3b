"""A synthetic Leshan population and a department list that disagrees with it, with the truth.

`python -m benchmarks.matching.generate --size medium [--seed 2021] [--csv] [--out DIR]`

The population lives in households (shared address and, often, surname and phone), with
Leshan's real county codes in valid 18-digit ID numbers. LEFT is the registry: every
person of the population except a few, written cleanly. RIGHT is a department's list:
mostly people of LEFT, written with the errors such lists carry, plus people who are not
in LEFT (often relatives of people who are). The truth names, for each right record, its
true left_id (empty if none) and the class of its ID number:

  valid     the person's own 18-digit number (perhaps with a small x or spaces)
  missing   empty
  old15     the person's old 15-digit number
  mistyped  one digit substituted (the check character no longer agrees)
  swapped   two adjacent digits swapped (likewise)
  relative  the valid number of another member of the household

Everything is drawn with numpy from one seed: the same seed and size give the same files.
"""

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.matching import names

SIZES = {
    "small": (4_000, 1_500),
    "medium": (320_000, 100_000),
    "city": (3_200_000, 1_000_000),
}
# Births are drawn relative to a fixed day, not today, so that a seed means the same files.
REFERENCE_DAY = np.datetime64("2026-01-01")
WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)
ID_CLASSES = ("valid", "missing", "old15", "mistyped", "swapped", "relative")
NAME_ERRORS = ("none", "homophone", "fuzzy", "lookalike", "traditional", "truncated", "spaced")
DATE_ERRORS = ("none", "off_by_day", "month_day_swapped", "missing")


@dataclasses.dataclass(frozen=True)
class Rates:
    """How often each error occurs in the department list (shares of its records)."""

    not_in_left: float = 0.10
    # ID classes: the rest are valid.
    missing: float = 0.08
    old15: float = 0.04
    mistyped: float = 0.03
    swapped: float = 0.02
    relative: float = 0.015
    # Names: the rest are written as in the registry.
    homophone: float = 0.02
    fuzzy: float = 0.03
    lookalike: float = 0.01
    traditional: float = 0.02
    truncated: float = 0.01
    spaced: float = 0.01
    # Birth dates.
    off_by_day: float = 0.015
    month_day_swapped: float = 0.01
    date_missing: float = 0.02
    # Moves, phones, sex.
    moved: float = 0.05
    left_phone: float = 0.85
    right_phone: float = 0.6
    phone_changed: float = 0.1
    sex_missing: float = 0.05
    household_phone: float = 0.3

    def id_class_shares(self) -> dict[str, float]:
        shares = {c: getattr(self, c) for c in ID_CLASSES[1:]}
        return {"valid": 1 - sum(shares.values()), **shares}


def _choice(rng, n: int, shares: dict[str, float], labels) -> np.ndarray:
    """Indices into labels drawn with the given shares (absent labels weigh 0)."""
    p = np.array([shares.get(label, 0.0) for label in labels], dtype=float)
    p[0] = max(0.0, 1 - p[1:].sum())
    return rng.choice(len(labels), size=n, p=p / p.sum())


def _strings(values: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(index))


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _digits_to_strings(digits: np.ndarray) -> np.ndarray:
    """An (n, k) array of ASCII codes as n Python-free strings (a numpy unicode array)."""
    _n, k = digits.shape
    return np.ascontiguousarray(digits, dtype=np.uint8).view(f"S{k}").ravel().astype(f"U{k}")


def check_characters(first17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check characters (ASCII codes) of an (n, 17) array of digits."""
    return CHECK[(first17.astype(np.int64) @ WEIGHTS) % 11]


class Population:
    """People in households, as numpy columns (one row a person)."""

    def __init__(self, n: int, rng: np.random.Generator):
        self.n = n
        self._households(rng)
        self._names(rng)
        self._births_and_ids(rng)
        self._phones(rng)

    # -- households and addresses --------------------------------------------------------

    def _households(self, rng):
        sizes_p = np.array([0.20, 0.30, 0.22, 0.15, 0.08, 0.05])
        mean = (np.arange(1, 7) * sizes_p).sum()
        count = int(self.n / mean * 1.05) + 10
        sizes = rng.choice(np.arange(1, 7), size=count, p=sizes_p)
        ends = np.cumsum(sizes)
        count = int(np.searchsorted(ends, self.n)) + 1
        sizes = sizes[:count]
        sizes[-1] -= ends[count - 1] - self.n
        self.household = np.repeat(np.arange(count), sizes)
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.member = np.arange(self.n) - np.repeat(first, sizes)  # 0 is the head
        self.household_size = np.repeat(sizes, sizes)
        self.household_first = np.repeat(first, sizes)

        county_p = np.array([c[2] for c in names.COUNTIES])
        county = rng.choice(len(names.COUNTIES), size=count, p=county_p / county_p.sum())
        township = rng.integers(0, 20, size=count)
        village = rng.integers(0, 15, size=count)
        group = rng.integers(1, 11, size=count)
        number = rng.integers(1, 200, size=count)
        self.h_county = county
        self.h_address = self._addresses(rng, county, township, village, group, number)
        self.county = county[self.household]

    @staticmethod
    def _addresses(rng, county, township, village, group, number) -> pa.Array:
        first, second = names.PLACE_FIRST, names.PLACE_SECOND
        # A fixed table of township and village names per county, drawn from its own stream
        # so that addresses do not depend on the size.
        table = np.random.default_rng(11643)
        towns = [
            first[a] + second[b] + "镇"
            for a, b in zip(
                table.integers(0, len(first), 11 * 20),
                table.integers(0, len(second), 11 * 20),
                strict=True,
            )
        ]
        villages = [
            first[a] + second[b] + "村"
            for a, b in zip(
                table.integers(0, len(first), 11 * 20 * 15),
                table.integers(0, len(second), 11 * 20 * 15),
                strict=True,
            )
        ]
        county_names = [f"乐山市{c[1]}" for c in names.COUNTIES]
        return _join(
            _strings(county_names, county),
            _strings(towns, county * 20 + township),
            _strings(villages, (county * 20 + township) * 15 + village),
            pc.cast(pa.array(group), pa.string()),
            pa.scalar("组"),
            pc.cast(pa.array(number), pa.string()),
            pa.scalar("号"),
        )

    # -- names ---------------------------------------------------------------------------

    def _names(self, rng):
        n = self.n
        surnames = [s for s, _w in names.SURNAMES] + names.YI_SURNAMES
        sw = np.array([w for _s, w in names.SURNAMES])
        h_count = len(self.h_county)
        h_surname = rng.choice(len(names.SURNAMES), size=h_count, p=sw / sw.sum())
        yi_county = np.isin(
            np.array([c[0] for c in names.COUNTIES])[self.h_county], names.YI_COUNTIES
        )
        yi = yi_county & (rng.random(h_count) < names.YI_SHARE)
        h_surname[yi] = len(names.SURNAMES) + rng.integers(0, len(names.YI_SURNAMES), yi.sum())
        # Heads and most others carry the household's surname; spouses and others do not.
        own = rng.choice(len(names.SURNAMES), size=n, p=sw / sw.sum())
        keep = (self.member == 0) | (rng.random(n) < 0.65)
        surname = np.where(keep, h_surname[self.household], own)
        person_yi = yi[self.household]
        surname = np.where(person_yi, h_surname[self.household], surname)

        pool = names.gb2312_level1()
        index = {c: i for i, c in enumerate(pool)}
        weight = 1.0 / (np.arange(len(pool)) % 997 + 20.0)  # a long, flat tail
        common = []
        for c in names.COMMON_GIVEN:
            if c in index and index[c] not in common:
                common.append(index[c])
        weight[common] += 40.0 / (np.arange(len(common)) + 8.0)
        p = weight / weight.sum()
        g1 = rng.choice(len(pool), size=n, p=p)
        g2 = rng.choice(len(pool), size=n, p=p)
        two = rng.random(n) < 0.72
        # Siblings often share a generation character (字辈).
        generation = rng.choice(len(pool), size=h_count, p=p)
        shares = two & (self.member > 0) & (rng.random(n) < 0.3)
        g1 = np.where(shares, generation[self.household], g1)

        self.pool = pool
        self.surname_list = surnames
        self.surname = surname
        self.given1 = g1
        self.given2 = np.where(two, g2, -1)
        yi_given = rng.integers(0, len(names.YI_GIVEN), n)
        chars = pa.array([*pool, ""], pa.string())
        given = _join(chars.take(pa.array(g1)), chars.take(pa.array(np.where(two, g2, len(pool)))))
        given = pc.if_else(pa.array(person_yi), _strings(names.YI_GIVEN, yi_given), given)
        self.yi = person_yi
        self.given = given
        self.name = _join(_strings(surnames, surname), given)

    # -- births, sex and ID numbers ------------------------------------------------------

    def _births_and_ids(self, rng):
        n = self.n
        bands = [(0, 18, 0.17), (18, 60, 0.58), (60, 80, 0.20), (80, 100, 0.05)]
        band = rng.choice(len(bands), size=n, p=[b[2] for b in bands])
        low = np.array([b[0] for b in bands])[band]
        high = np.array([b[1] for b in bands])[band]
        age_days = (rng.uniform(low, high) * 365.25).astype(np.int64)
        self.birth = REFERENCE_DAY - age_days.astype("timedelta64[D]")
        self.male = rng.random(n) < 0.5
        y, m, d = _ymd(self.birth)
        county_codes = np.array([int(c[0]) for c in names.COUNTIES], dtype=np.int64)
        # A sequence of three digits, odd for men; redrawn until numbers are unique.
        seq = rng.integers(0, 500, size=n) * 2 + self.male
        key_base = county_codes[self.county] * 10**11 + (y * 10000 + m * 100 + d) * 1000
        while True:
            key = key_base + seq
            order = np.argsort(key, kind="stable")
            dup = np.zeros(n, dtype=bool)
            dup[order[1:]] = key[order[1:]] == key[order[:-1]]
            if not dup.any():
                break
            seq[dup] = rng.integers(0, 500, size=dup.sum()) * 2 + self.male[dup]
        digits = np.zeros((n, 17), dtype=np.uint8)
        value = key
        for i in range(16, -1, -1):
            digits[:, i] = value % 10
            value //= 10
        self.digits = digits
        self.check = check_characters(digits)
        ascii18 = np.concatenate([digits + ord("0"), self.check[:, None]], axis=1)
        self.id_number = _digits_to_strings(ascii18)

    def _phones(self, rng):
        n = self.n
        prefixes = np.array(names.MOBILE_PREFIXES)
        own = np.char.add(
            prefixes[rng.integers(0, len(prefixes), n)],
            np.char.zfill(rng.integers(0, 10**8, n).astype("U8"), 8),
        )
        shared = rng.random(len(self.h_county)) < 0.3
        use_head = shared[self.household]
        self.phone = np.where(use_head, own[self.household_first], own)


def _ymd(dates: np.ndarray):
    y = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = dates.astype("datetime64[M]")
    m = month_start.astype(np.int64) % 12 + 1
    d = (dates - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def _date_strings(dates: np.ndarray, style: np.ndarray) -> pa.Array:
    """Dates written four ways: 1950-03-04, 1950/3/4, 19500304, 1950年3月4日."""
    y, m, d = _ymd(dates)
    ys, ms, ds = (pc.cast(pa.array(v), pa.string()) for v in (y, m, d))
    m2 = pc.utf8_lpad(ms, 2, "0")
    d2 = pc.utf8_lpad(ds, 2, "0")
    iso = _join(ys, pa.scalar("-"), m2, pa.scalar("-"), d2)
    slash = _join(ys, pa.scalar("/"), ms, pa.scalar("/"), ds)
    compact = _join(ys, m2, d2)
    chinese = _join(ys, pa.scalar("年"), ms, pa.scalar("月"), ds, pa.scalar("日"))
    out = pc.if_else(pa.array(style == 1), slash, iso)
    out = pc.if_else(pa.array(style == 2), compact, out)
    return pc.if_else(pa.array(style == 3), chinese, out)


class NameErrors:
    """Tables for the name errors, computed once from the character pool."""

    def __init__(self, pool: list[str]):
        from opencc import OpenCC
        from pypinyin import Style, lazy_pinyin

        readings = lazy_pinyin(pool, style=Style.NORMAL, errors="default")
        by_reading: dict[str, list[str]] = {}
        for char, reading in zip(pool, readings, strict=True):
            by_reading.setdefault(reading, []).append(char)
        self.homophones = {
            c: [o for o in by_reading[r] if o != c] for c, r in zip(pool, readings, strict=True)
        }
        self.fuzzy = {}
        for char, reading in zip(pool, readings, strict=True):
            others = []
            for variant in _fuzzy_variants(reading):
                others.extend(by_reading.get(variant, []))
            self.fuzzy[char] = others
        self.look_alike = {}
        for a, b in names.LOOK_ALIKE:
            self.look_alike.setdefault(a, b)
            self.look_alike.setdefault(b, a)
        s2t = OpenCC("s2t")
        self.traditional = {c: s2t.convert(c) for c in pool}

    def apply(self, kind: str, name: str, surname_len: int, rng: np.random.Generator):
        """The name with one error of the kind, or None where the name admits none."""
        if kind == "traditional":
            out = "".join(self.traditional.get(c, c) for c in name)
            return out if out != name else None
        if kind == "truncated":
            return name[:-1] if len(name) - surname_len >= 2 else None
        if kind == "spaced":
            sep = ("", " ", "\u3000", "·")[int(rng.integers(1, 4))]
            return name[:surname_len] + sep + name[surname_len:]
        table = {"homophone": self.homophones, "fuzzy": self.fuzzy, "lookalike": self.look_alike}[
            kind
        ]
        # Given-name characters are miswritten more often than surnames.
        positions = [i for i in range(surname_len, len(name)) if table.get(name[i])]
        if not positions and surname_len == 1 and table.get(name[0]):
            positions = [0]
        if not positions:
            return None
        i = positions[int(rng.integers(0, len(positions)))]
        options = table[name[i]]
        other = options if isinstance(options, str) else options[rng.integers(len(options))]
        return name[:i] + other + name[i + 1 :]


def _fuzzy_variants(reading: str) -> set[str]:
    out = set()
    for a, b in names.FUZZY_INITIALS:
        for x, y in ((a, b), (b, a)):
            if reading.startswith(x) and not (x == "z" and reading.startswith(("zh",))):
                if x in ("c", "s") and reading.startswith(x + "h"):
                    continue
                out.add(y + reading[len(x) :])
    for a, b in names.FUZZY_FINALS:
        for x, y in ((a, b), (b, a)):
            if reading.endswith(x) and not (x == "an" and reading.endswith(("ian", "uan"))):
                if x == "en" and reading.endswith("eng"):
                    continue
                out.add(reading[: -len(x)] + y)
    out.discard(reading)
    return out


@dataclasses.dataclass
class Generated:
    left: pa.Table
    right: pa.Table
    truth: pa.Table


def generate(n_left: int, n_right: int, seed: int = 2021, rates: Rates | None = None) -> Generated:
    rates = rates or Rates()
    rng = np.random.default_rng(seed)
    n_outside = round(n_right * rates.not_in_left)
    n_inside = n_right - n_outside
    pop = Population(n_left + n_outside, rng)
    n = pop.n

    # Who is in LEFT: everyone but n_outside people drawn at random.
    outside = np.zeros(n, dtype=bool)
    outside[rng.choice(n, size=n_outside, replace=False)] = True
    in_left = np.flatnonzero(~outside)
    left_order = rng.permutation(in_left)
    left_id = np.full(n, "", dtype=object)
    left_id[left_order] = [f"L{i:07d}" for i in range(len(left_order))]

    left = _left_table(pop, left_order, left_id, rates, rng)

    # RIGHT: n_inside people of LEFT and all the outsiders, in random order.
    chosen = np.concatenate(
        [rng.choice(in_left, size=n_inside, replace=False), np.flatnonzero(outside)]
    )
    chosen = rng.permutation(chosen)
    right, truth = _right_tables(pop, chosen, outside, left_id, rates, rng)
    return Generated(left=left, right=right, truth=truth)


def _sex_words(male: np.ndarray) -> pa.Array:
    return pa.array(np.where(male, "男", "女"))


def _left_table(pop, order, left_id, rates, rng) -> pa.Table:
    has_phone = rng.random(len(order)) < rates.left_phone
    return pa.table(
        {
            "record_id": pa.array(left_id[order].astype(str)),
            "name": pop.name.take(pa.array(order)),
            "id_number": pa.array(pop.id_number[order]),
            "birth_date": _date_strings(pop.birth[order], np.zeros(len(order), dtype=int)),
            "sex": _sex_words(pop.male[order]),
            "phone": pa.array(np.where(has_phone, pop.phone[order], "")),
            "address": pop.h_address.take(pa.array(pop.household[order])),
        }
    )


def _right_tables(pop, chosen, outside, left_id, rates, rng):
    m = len(chosen)
    # ID classes, drawn at their shares; a class a record cannot take (old15 for someone born
    # after 1999, relative for someone living alone) trades places with a valid record that
    # can, so that the shares hold exactly where possible.
    cls = _choice(rng, m, rates.id_class_shares(), ID_CLASSES)
    born_1900s = pop.birth[chosen] < np.datetime64("2000-01-01")
    has_relative = pop.household_size[chosen] > 1
    for code, able in ((2, born_1900s), (5, has_relative)):
        unable = np.flatnonzero((cls == code) & ~able)
        spare = np.flatnonzero((cls == 0) & able & born_1900s & has_relative)
        take = rng.choice(spare, size=min(len(unable), len(spare)), replace=False)
        cls[unable] = 0
        cls[take] = code

    digits = pop.digits[chosen].copy()
    check = pop.check[chosen].copy()
    # mistyped: one position (0-17) takes another digit.
    rows = np.flatnonzero(cls == 3)
    pos = rng.integers(0, 18, size=len(rows))
    shift = rng.integers(1, 10, size=len(rows))
    body = pos < 17
    r, p = rows[body], pos[body]
    digits[r, p] = (digits[r, p] + shift[body]) % 10
    r = rows[~body]
    old = check[r]
    new = np.where(old == ord("X"), ord("0") + shift[~body], (old - ord("0") + shift[~body]) % 10)
    check[r] = np.where(old == ord("X"), new, new + ord("0"))
    # swapped: two adjacent, different digits of the first seventeen.
    rows = np.flatnonzero(cls == 4)
    for row in rows:
        d = digits[row]
        candidates = np.flatnonzero(d[:-1] != d[1:])
        i = candidates[rng.integers(len(candidates))]
        d[i], d[i + 1] = d[i + 1], d[i]
    ascii18 = np.concatenate([digits + ord("0"), check[:, None]], axis=1)
    ids = _digits_to_strings(ascii18).astype(object)
    # old15: six digits of place, the year without its century, the rest without check.
    rows = np.flatnonzero(cls == 2)
    ids[rows] = [s[:6] + s[8:17] for s in ids[rows]]
    # relative: the number of another member of the same household.
    rows = np.flatnonzero(cls == 5)
    person = chosen[rows]
    size = pop.household_size[person]
    member = pop.member[person]
    other = (member + rng.integers(1, np.maximum(size, 2))) % size
    ids[rows] = pop.id_number[pop.household_first[person] + other]
    ids[cls == 1] = ""
    # Ways of writing a valid number that normalisation undoes.
    noise = rng.random(m)
    for row in np.flatnonzero((cls == 0) & (noise < 0.04)):
        s = ids[row]
        if noise[row] < 0.015:
            s = s[:6] + " " + s[6:14] + " " + s[14:]
        elif noise[row] < 0.025:
            s = s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
        else:
            s = s.replace("X", "x")
        ids[row] = s

    # Names.
    errors = NameErrors(pop.pool)
    name_shares = {k: getattr(rates, k) for k in NAME_ERRORS[1:]}
    kind = _choice(rng, m, name_shares, NAME_ERRORS)
    person_names = pop.name.take(pa.array(chosen)).to_numpy(zero_copy_only=False).astype(object)
    surname_len = np.array([len(s) for s in pop.surname_list])[pop.surname[chosen]]
    for row in np.flatnonzero(kind > 0):
        if pop.yi[chosen[row]] and NAME_ERRORS[kind[row]] != "spaced":
            kind[row] = 0  # Yi names are transliterated; leave them be
            continue
        out = errors.apply(NAME_ERRORS[kind[row]], person_names[row], surname_len[row], rng)
        if out is None:
            kind[row] = 0
        else:
            person_names[row] = out

    # Birth dates.
    date_shares = {
        "off_by_day": rates.off_by_day,
        "month_day_swapped": rates.month_day_swapped,
        "missing": rates.date_missing,
    }
    dkind = _choice(rng, m, date_shares, DATE_ERRORS)
    birth = pop.birth[chosen].copy()
    shift = np.where(rng.random(m) < 0.5, -1, 1).astype("timedelta64[D]")
    birth = np.where(dkind == 1, birth + shift, birth)
    y, mo, d = _ymd(birth)
    swappable = (dkind == 2) & (d <= 12) & (d != mo)
    dkind[(dkind == 2) & ~swappable] = 0
    rows = np.flatnonzero(swappable)
    birth[rows] = (
        (y[rows] - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (d[rows] - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (mo[rows] - 1).astype("timedelta64[D]")
    style = rng.choice(4, size=m, p=[0.6, 0.2, 0.1, 0.1])
    birth_text = _date_strings(birth, style)
    birth_text = pc.if_else(pa.array(dkind == 3), pa.scalar(""), birth_text)

    # Moves, phones and sex.
    moved = rng.random(m) < rates.moved
    household = pop.household[chosen].copy()
    household[moved] = rng.integers(0, len(pop.h_county), moved.sum())
    address = pop.h_address.take(pa.array(household))
    phone = pop.phone[chosen].copy()
    changed = (rng.random(m) < rates.phone_changed) | (moved & (rng.random(m) < 0.5))
    prefixes = np.array(names.MOBILE_PREFIXES)
    fresh = np.char.add(
        prefixes[rng.integers(0, len(prefixes), m)],
        np.char.zfill(rng.integers(0, 10**8, m).astype("U8"), 8),
    )
    phone = np.where(changed, fresh, phone)
    dashed = rng.random(m) < 0.1
    phone = np.where(dashed, np.char.add("+86 ", phone), phone)
    phone = np.where(rng.random(m) < rates.right_phone, phone, "")
    sex = pc.if_else(pa.array(rng.random(m) < rates.sex_missing), "", _sex_words(pop.male[chosen]))

    right_id = np.array([f"R{i:07d}" for i in range(m)])
    right = pa.table(
        {
            "record_id": pa.array(right_id),
            "name": pa.array(person_names.astype(str)),
            "id_number": pa.array(ids.astype(str)),
            "birth_date": birth_text,
            "sex": sex,
            "phone": pa.array(phone),
            "address": address,
        }
    )
    truth = pa.table(
        {
            "right_id": pa.array(right_id),
            "left_id": pa.array(np.where(outside[chosen], "", left_id[chosen]).astype(str)),
            "id_class": _strings(list(ID_CLASSES), cls),
            "name_error": _strings(list(NAME_ERRORS), kind),
            "date_error": _strings(list(DATE_ERRORS), dkind),
            "moved": pa.array(moved),
        }
    )
    return right, truth


def write(generated: Generated, out: Path, csv: bool = False) -> None:
    """left, right and truth as Parquet (and CSV), each through a temporary file."""
    out.mkdir(parents=True, exist_ok=True)
    for label, table in (
        ("left", generated.left),
        ("right", generated.right),
        ("truth", generated.truth),
    ):
        tmp = out / f".{label}.parquet.tmp"
        pq.write_table(table, tmp)
        tmp.rename(out / f"{label}.parquet")
        if csv:
            from pyarrow import csv as pacsv

            tmp = out / f".{label}.csv.tmp"
            pacsv.write_csv(table, tmp)
            tmp.rename(out / f"{label}.csv")


def dataset_dir(size: str, seed: int, root: Path) -> Path:
    return root / f"{size}-{seed}"


def ensure(size: str, seed: int, root: Path, csv: bool = False) -> Path:
    """The directory of a generated data set, generated first if it is not there."""
    out = dataset_dir(size, seed, root)
    if not all((out / f"{t}.parquet").exists() for t in ("left", "right", "truth")) or (
        csv and not (out / "right.csv").exists()
    ):
        write(generate(*SIZES[size], seed=seed), out, csv=csv)
    return out


def main(argv: list[str] | None = None) -> int:
    from benchmarks.matching import RESULTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="medium")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--csv", action="store_true", help="also write CSV")
    parser.add_argument("--out", type=Path, help="directory (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generated = generate(*SIZES[args.size], seed=args.seed)
    seconds = time.perf_counter() - started
    out = args.out or dataset_dir(args.size, args.seed, RESULTS)
    write(generated, out, csv=args.csv)
    print(
        f"{generated.left.num_rows:,} left, {generated.right.num_rows:,} right records "
        f"generated in {seconds:.1f} s, written to {out}"
    )
    counts = pc.value_counts(generated.truth["id_class"]).to_pylist()
    print("ID classes:", ", ".join(f"{c['values']} {c['counts']:,}" for c in counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())

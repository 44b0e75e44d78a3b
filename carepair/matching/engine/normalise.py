"""Normalisation (规范化) of the fields that are best handled one distinct value at a time:
dates, sexes and addresses (names are in `pinyin`). IDs and phones are normalised in SQL
(`sql.py`), row by row, because nearly every value is distinct.
"""

import datetime
import re
import unicodedata

from .pinyin import has_han, simplify_many

EPOCH = datetime.date(1970, 1, 1).toordinal()
EARLIEST_YEAR = 1880
LATEST_YEAR = 2100

_DATE_PARTS = re.compile(r"\d+")
_CN_DATE = str.maketrans({"年": "-", "月": "-", "日": " ", "号": " "})


class Unreadable(ValueError):
    """A value that is not empty but cannot be read as what its column holds."""


def _ymd(year: int, month: int, day: int) -> datetime.date:
    if month > 12 and day <= 12:
        # Month and day typed the wrong way round: read as the only real date.
        month, day = day, month
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ValueError(year)
    return datetime.date(year, month, day)


def parse_date(raw: str | None) -> datetime.date | None:
    """A birth date written in any common way: 1956-05-03, 1956/5/3, 1956.05.03, 19560503,
    1956年5月3日, 03/05/1956 (day first), an Excel serial day number, with or without a
    time after it. None when empty; `Unreadable` when it is not a date."""
    if raw is None:
        return None
    text = str(raw).strip()
    if len(text) == 10 and text[4] == text[7] and text[4] in "-/.":
        # The common case, 1956-05-03, without the general parser's regexes.
        try:
            return _ymd(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass
    text = unicodedata.normalize("NFKC", text)
    if not text:
        return None
    text = text.translate(_CN_DATE).strip()
    # A time of day after the date ("1956-05-03 00:00:00", "1956-05-03T00:00").
    text = re.split(r"[ T](?=\d{1,2}:)", text)[0].strip()
    text = re.sub(r"^(\d+)\.0+$", r"\1", text)  # a number that went through a float
    parts = _DATE_PARTS.findall(text)
    try:
        if len(parts) == 1:
            digits = parts[0]
            if not text.isdigit():
                raise ValueError(text)
            if len(digits) == 8:
                return _ymd(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            if len(digits) == 6 and digits[:2] in ("19", "20"):
                return _ymd(int(digits[:4]), int(digits[4:]), 1)
            if 4 <= len(digits) <= 5 and 1000 <= int(digits) <= 80000:
                return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(digits))
            raise ValueError(text)
        if len(parts) == 3 and re.fullmatch(r"[\d\s./\-]+", text):
            a, b, c = (int(p) for p in parts)
            if len(parts[0]) == 4:
                return _ymd(a, b, c)
            if len(parts[2]) == 4:
                return _ymd(c, b, a)  # day first, as nearly everywhere but the US
        raise ValueError(text)
    except ValueError:
        raise Unreadable(raw) from None


UNKNOWN = frozenset({"不详", "未知", "无", "-", "--", "/", "n/a", "na", "null", "none", "unknown"})


def date_forms(raw: str | None) -> dict | None:
    """bs (YYYYMMDD), byr, bmo, bda and bd (days since 1970) of a date, None when empty.

    A date that has the shape of one but cannot be (1945-04-93, a mistyped digit) keeps
    its digits in bs, and its year when plausible, but no day number: the digits are still
    evidence for the comparison, which tells a one-digit slip from a different date."""
    if raw is not None and str(raw).strip().lower() in UNKNOWN:
        return None
    try:
        born = parse_date(raw)
    except Unreadable:
        digits = _DATE_PARTS.findall(unicodedata.normalize("NFKC", str(raw)))
        if len(digits) == 1 and len(digits[0]) == 8:
            digits = [digits[0][:4], digits[0][4:6], digits[0][6:]]
        if len(digits) != 3 or len(digits[0]) != 4 or max(len(d) for d in digits[1:]) > 2:
            raise
        year = int(digits[0])
        return {
            "bs": f"{digits[0]}{int(digits[1]):02d}{int(digits[2]):02d}",
            "byr": year if EARLIEST_YEAR <= year <= LATEST_YEAR else None,
            "bmo": None,
            "bda": None,
            "bd": None,
        }
    if born is None:
        return None
    return {
        "bs": f"{born.year:04d}{born.month:02d}{born.day:02d}",
        "byr": born.year,
        "bmo": born.month,
        "bda": born.day,
        "bd": born.toordinal() - EPOCH,  # one day off is a difference of one
    }


_SEXES = {
    "男": "M", "m": "M", "male": "M", "man": "M", "1": "M", "男性": "M",
    "女": "F", "f": "F", "female": "F", "woman": "F", "2": "F", "女性": "F", "0": "F",
}  # fmt: skip


def sex_form(raw: str | None) -> str | None:
    """M or F; None when empty or unknown (未知, 9), which is no evidence either way."""
    if raw is None:
        return None
    return _SEXES.get(unicodedata.normalize("NFKC", str(raw)).strip().lower())


# Administrative levels of a Chinese address, from the largest down. The province, city
# and county are dropped (lists of one city write them or not); the township and the
# village or community make the area, compared on their own.
_PROVINCE = r"(?:.{2,7}?(?:省|自治区)|四川|重庆市?|北京市?|上海市?|天津市?)"
_CITY = r"(?:.{2,5}?(?:市|地区|自治州|州|盟)(?=.))"
_COUNTY = r"(?:.{1,6}?(?:(?<![社小园城])区|县|旗|市)(?=.))"
_PREFIX = re.compile(f"^{_PROVINCE}?{_CITY}?{_COUNTY}?")
_AREA = re.compile(r"^(.{1,8}?(?:镇|乡|街道))(.{1,8}?(?:社区|村))?")
_CN_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")
_CN_NUMBER = re.compile(r"[零〇一二三四五六七八九十百]+(?=[组社号栋单元楼层室队])")
_SUFFIXES = (("街道办事处", "街道"), ("街道办", "街道"), ("村民委员会", "村"), ("村委会", "村"),
             ("居民委员会", "社区"), ("居委会", "社区"))  # fmt: skip
_ADDRESS_DROP = str.maketrans("", "", " \t\u3000,，.。、·-—_()（）#")


def _cn_number(match: re.Match) -> str:
    text = match.group(0)
    if "百" in text or "十" in text:
        hundreds, _, rest = text.rpartition("百")
        tens, ten, units = rest.rpartition("十")
        value = (int(hundreds.translate(_CN_DIGITS) or 0) * 100 if _ else 0) + (
            (int(tens.translate(_CN_DIGITS) or 1) * 10 if ten else 0)
            + int(units.translate(_CN_DIGITS) or 0)
        )
        return str(value)
    return text.translate(_CN_DIGITS)


def address_forms(raw: str | None) -> dict | None:
    return address_forms_many([raw])[0]


def address_forms_many(raws: list) -> list[dict | None]:
    """ad: the address without province, city and county, punctuation and spaces, with
    Chinese numbers as digits (三组 → 3组); ad_area: its township and village or
    community, when it names them. Latin addresses are lower-cased words.

    What does not depend on an address's beginning (punctuation, suffixes, numbers) is
    done once on all the Chinese addresses joined; each then takes two regex matches."""
    texts = [t.strip() for t in simplify_many(["" if r is None else str(r) for r in raws])]
    out: list[dict | None] = [None] * len(texts)
    han = [i for i, t in enumerate(texts) if t and has_han(t)]
    joined = "\n".join(texts[i] for i in han).translate(_ADDRESS_DROP)
    for long, short in _SUFFIXES:
        joined = joined.replace(long, short)
    joined = _CN_NUMBER.sub(_cn_number, joined)
    for i, text in zip(han, joined.split("\n") if han else [], strict=True):
        text = text[_PREFIX.match(text).end() :]
        if not text:
            continue
        area = _AREA.match(text)
        out[i] = {"ad": text, "ad_area": "".join(p for p in area.groups() if p) if area else None}
    for i, text in enumerate(texts):
        if text and out[i] is None and not has_han(text):
            words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
            if words:
                out[i] = {"ad": " ".join(words), "ad_area": None}
    return out

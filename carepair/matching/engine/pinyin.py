"""Names (姓名) made comparable: one form per way of writing, pinyin with the surname's own
reading, and a Sichuan fuzzy-pinyin key.

Everything here works on one distinct name at a time; the pipeline calls it once per
distinct string (a city has far fewer distinct names than records) and joins the result
back, so a plain Python loop is fast enough.
"""

import re
import unicodedata
from functools import lru_cache

import opencc
from pypinyin import lazy_pinyin

# Compound surnames (复姓): read as two characters of one surname.
COMPOUND_SURNAMES = frozenset(
    """欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 闻人
    澹台 公冶 太史 申屠 端木 西门 南宫 呼延 百里 东郭 万俟 赫连 独孤 司空 濮阳 淳于 单于
    拓跋 第五 仲孙 亓官 左丘 梁丘 谷梁 宰父 夹谷 羊舌 微生 公良 乐正 漆雕 壤驷 公西 巫马
    颛孙 子车 司寇 段干 东门 公羊 尉迟 呼延 即墨 闾丘 归海 羊舍 南门 梁丘""".split()  # noqa: SIM905
)

# Characters read differently as a surname than in ordinary words (pypinyin has no
# surname mode, and its default readings are those of words: 单 dan, 曾 ceng, 解 jie).
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "查": "zha", "区": "ou",
    "朴": "piao", "繁": "po", "盖": "ge", "秘": "bi", "种": "chong", "乐": "yue",
    "缪": "miao", "尉": "yu", "员": "yun", "翟": "zhai", "宿": "su", "覃": "qin",
    "黑": "he", "召": "shao", "曲": "qu", "重": "chong", "华": "hua", "任": "ren",
    "莘": "shen", "冼": "xian", "祭": "zhai", "蕃": "pi", "都": "du", "褚": "chu",
    "车": "che", "石": "shi", "沈": "shen", "薄": "bo", "贲": "ben", "叶": "ye",
    "柏": "bai", "隗": "wei", "句": "gou", "牟": "mou", "藏": "zang", "阚": "kan",
    "长": "chang", "朝": "chao", "传": "chuan", "大": "da", "调": "diao", "行": "xing",
    "折": "she", "卜": "bu", "过": "guo", "纪": "ji", "奇": "qi", "相": "xiang",
    "应": "ying", "尹": "yin", "参": "can", "谌": "chen", "眭": "sui", "佴": "nai",
}  # fmt: skip
COMPOUND_READINGS = {
    "万俟": ["mo", "qi"], "单于": ["chan", "yu"], "尉迟": ["yu", "chi"], "长孙": ["zhang", "sun"],
    "乐正": ["yue", "zheng"], "澹台": ["tan", "tai"],
}  # fmt: skip

# Separators people put inside names (欧阳·娜娜, 阿依 古丽, 张-三).
SEPARATORS = str.maketrans("", "", " \t\u3000·•・‧∙.-_'’,，、")

# Sichuan fuzzy pinyin (川普): initials and finals that speakers do not tell apart.
FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))

_T2S = opencc.OpenCC("t2s")


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def simplify(text: str) -> str:
    """Full-width to half-width (NFKC) and traditional to simplified characters."""
    return simplify_many([text])[0]


def simplify_many(texts: list[str]) -> list[str]:
    """simplify() of many strings in one call of each converter (OpenCC's per-call cost
    is most of the work on short strings like names)."""
    if not texts:
        return []
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    joined = unicodedata.normalize("NFKC", joined)
    if has_han(joined):
        joined = _T2S.convert(joined)
    return joined.split("\n")


@lru_cache(maxsize=4096)
def fuzzy_syllable(syllable: str) -> str:
    for long, short in FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in FUZZY_FINALS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name) of a name in Chinese order, compound surnames kept whole."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=65536)
def char_pinyin(ch: str) -> str:
    """One character's usual reading, without tone. Read character by character (not by
    pypinyin's phrases): a given name is not a word, and both lists get the same reading
    for the same character."""
    return lazy_pinyin(ch, errors=lambda s: [s.lower()])[0]


def surname_pinyin(surname: str) -> list[str]:
    if surname in COMPOUND_READINGS:
        return COMPOUND_READINGS[surname]
    return [SURNAME_READINGS.get(ch) or char_pinyin(ch) for ch in surname]


class _Readings:
    """Character → pinyin (and → fuzzy pinyin) as str.translate tables, grown with the
    characters of each batch, so that a name's pinyin is two C-level translations."""

    def __init__(self):
        self.py: dict[int, str] = {}
        self.fz: dict[int, str] = {}
        self.sur_py: dict[str, str] = {}
        self.sur_fz: dict[str, str] = {}
        for surname in [*SURNAME_READINGS, *COMPOUND_READINGS]:
            syllables = surname_pinyin(surname)
            self.sur_py[surname] = "".join(syllables)
            self.sur_fz[surname] = "".join(fuzzy_syllable(p) for p in syllables)

    def learn(self, text: str) -> None:
        for ch in set(text) - {chr(c) for c in self.py}:
            if is_han(ch):
                reading = char_pinyin(ch)
                self.py[ord(ch)] = reading
                self.fz[ord(ch)] = fuzzy_syllable(reading)


_READINGS = _Readings()


def name_forms(raw: str | None) -> dict | None:
    """Every comparable form of one written name, or None for an empty one (see
    name_forms_many)."""
    return name_forms_many([raw])[0]


def name_forms_many(raws: list) -> list[dict | None]:
    """Every comparable form of each written name, None for an empty one.

    nm: simplified, separators out; sur/giv: surname and given name; py, py_giv: pinyin
    without spaces; fz, fz_sur, fz_giv: the same in Sichuan fuzzy pinyin. Names in Latin
    letters (FEBRL, foreigners) are lower-cased words, the last word taken as surname,
    and their pinyin keys the words in sorted order.
    """
    texts = simplify_many(["" if r is None else str(r) for r in raws])
    _READINGS.learn("".join(texts))
    py, fz, sur_py, sur_fz = _READINGS.py, _READINGS.fz, _READINGS.sur_py, _READINGS.sur_fz
    out: list[dict | None] = []
    for text in texts:
        text = text.strip()
        if not text:
            out.append(None)
        elif has_han(text):
            nm = text.translate(SEPARATORS)
            if len(nm) >= 3 and nm[:2] in COMPOUND_SURNAMES:
                sur, giv = nm[:2], nm[2:]
            else:
                sur, giv = nm[:1], nm[1:]
            s_py = sur_py.get(sur) or sur.translate(py)
            s_fz = sur_fz.get(sur) or sur.translate(fz)
            g_py, g_fz = giv.translate(py), giv.translate(fz)
            out.append({
                "nm": nm, "sur": sur, "giv": giv or None, "py": s_py + g_py,
                "py_giv": g_py or None, "fz": s_fz + g_fz, "fz_sur": s_fz,
                "fz_giv": g_fz or None,
            })  # fmt: skip
        else:
            words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
            if not words:
                out.append(None)
                continue
            giv = " ".join(words[:-1]) or None
            # Lists disagree on which Latin word comes first: the keys take them sorted.
            key = "".join(sorted(words))
            out.append({
                "nm": " ".join(words), "sur": words[-1], "giv": giv, "py": key,
                "py_giv": giv, "fz": key, "fz_sur": words[-1], "fz_giv": giv,
            })  # fmt: skip
    return out

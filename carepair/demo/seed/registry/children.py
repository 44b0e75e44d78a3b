"""What the registry keeps of a child (一人一档): guardian and care parent, school and
class teacher, where the parents work and how often they come home, risk with reasons,
disability and schooling (随班就读, 送教上门); the mental-health service points (正心) at
schools and in villages, and the referrals made to them."""

import datetime

from carepair.demo import names
from carepair.demo.seed.registry import words
from carepair.demo.seed.registry.persons import Maker, Someone, age_on
from carepair.people.models import Category as C
from carepair.people.models import ContactKind, HomeComing, Living, Risk, Schooling, Status

REFERRALS = 300  # at scale 1: about one child in forty of those on the registry
REFERRAL_CLOSED = 0.6
VILLAGE_POINT = 0.12
SCHOOL_POINT = "正心心理辅导站"  # villages with a 正心 children's home of their own (儿童之家)

HOME_COMING = (
    HomeComing.WEEKLY,
    HomeComing.MONTHLY,
    HomeComing.QUARTERLY,
    HomeComing.YEARLY,
    HomeComing.RARELY,
)
RISK_WEIGHTS = {
    # (low, medium, high)
    "left_behind": (75, 20, 5),
    "orphan": (40, 40, 20),
    "unsupported": (30, 45, 25),
    "difficulty": (50, 38, 12),
    "disabled": (45, 40, 15),
}
CARE_PARENT = {
    "left_behind": 0.3,
    "orphan": 0.7,
    "unsupported": 0.7,
    "difficulty": 0.25,
    "disabled": 0.25,
}
GRADES = {
    -2: "小班",
    -1: "中班",
    0: "大班",
    **{g: f"{'一二三四五六'[g - 1]}年级" for g in range(1, 7)},
    7: "七年级",
    8: "八年级",
    9: "九年级",
    10: "高一",
    11: "高二",
    12: "高三",
}


class Schools:
    """The schools a township's children go to, their class teachers, and the 正心
    service point at each school."""

    def __init__(self, maker: Maker):
        self.maker = maker
        self.rng = maker.rng
        self.teachers: dict[tuple, tuple[str, str]] = {}
        self.points: dict[str, tuple] = {}  # school -> (name, region code, contact, phone)

    def name(self, p: Someone, grade: int, special: bool) -> str:
        t = p.township
        short = names.COUNTY_SHORT[p.county]
        if special:
            school = f"{short}特殊教育学校"
        elif grade >= 10:
            school = f"{short}第{'一二'[hash_of(t.base) % 2]}中学"
        elif t.kind == "street":
            kind = "幼儿园" if grade <= 0 else ("小学" if grade <= 6 else "中学")
            school = f"{short}{t.base}{kind}"
        else:
            kind = "中心幼儿园" if grade <= 0 else ("中心小学" if grade <= 6 else "初级中学")
            school = f"{short}{t.region.name}{kind}"
        if school not in self.points:
            region = t.villages[0].code
            contact = self.maker.full_name(self.rng.choice("MF"), p.county)
            phone = names.mobile(self.rng)
            self.points[school] = (f"{school}{SCHOOL_POINT}", region, contact, phone)
        return school

    def teacher(self, school: str, grade: int, klass: int, county: str) -> tuple[str, str]:
        key = (school, grade, klass)
        if key not in self.teachers:
            self.teachers[key] = (
                self.maker.full_name("F" if self.rng.random() < 0.7 else "M", county),
                names.mobile(self.rng),
            )
        return self.teachers[key]


def hash_of(text: str) -> int:
    """A stable small number from a name (Python's hash() changes from run to run)."""
    return sum(map(ord, text))


def school_grade(born: datetime.date, today: datetime.date) -> int:
    """The grade a child is in: 1 is the first year of primary school (entered at six,
    by 31 August); 0, -1, -2 the kindergarten years; below that not yet in school."""
    school_year = today.year if today.month >= 9 else today.year - 1
    entry = born.year + 6 if (born.month, born.day) < (9, 1) else born.year + 7
    return school_year - entry + 1


def plan_child(maker: Maker, schools: Schools, p: Someone) -> None:
    """A child's contacts, file and health (the child itself comes from Maker.child)."""
    rng, today = maker.rng, maker.today
    group = p.group
    age = age_on(p.born, today)
    archive = {"risk": Risk.LOW}
    reasons: list[str] = []
    held = {c[0] for c in p.cats}

    # Guardian (监护人).
    if p.living == Living.INSTITUTION:
        home = p.address.split("（")[0]
        p.contacts.append(
            (ContactKind.GUARDIAN, home, "机构监护", names.office_phone(rng), None, "")
        )
    elif group in ("difficulty", "disabled"):
        relation = "母亲" if rng.random() < 0.7 else "父亲"
        sex = "F" if relation == "母亲" else "M"
        p.contacts.append(
            (
                ContactKind.GUARDIAN,
                maker.full_name(sex, p.county, p.surname if sex == "M" else None),
                relation,
                names.mobile(rng),
                age + rng.randint(22, 38),
                rng.choice(words.GUARDIAN_HEALTH),
            )
        )
    else:
        pool = words.GRANDPARENTS if rng.random() < 0.85 else words.KIN
        relation, low, high = rng.choice(pool)
        sex = "M" if relation in ("祖父", "外祖父", "伯父", "叔叔", "舅舅") else "F"
        kin = relation in ("祖父", "伯父", "叔叔", "姑姑")
        p.contacts.append(
            (
                ContactKind.GUARDIAN,
                maker.full_name(sex, p.county, p.surname if kin else None),
                relation,
                names.mobile(rng) if rng.random() < 0.8 else "",
                rng.randint(low, high),
                rng.choice(words.GUARDIAN_HEALTH),
            )
        )
        if relation in ("祖父", "祖母", "外祖父", "外祖母"):
            reasons.append("隔代监护")
    # Care parent (代理家长) or caring mother (爱心妈妈).
    if rng.random() < CARE_PARENT[group]:
        mother = rng.random() < 0.5
        kind = ContactKind.CARING_MOTHER if mother else ContactKind.CARE_PARENT
        sex = "F" if mother or rng.random() < 0.6 else "M"
        p.contacts.append(
            (
                kind,
                maker.full_name(sex, p.county),
                rng.choice(words.CARE_PARENTS),
                names.mobile(rng),
                rng.randint(28, 58),
                "",
            )
        )

    # Parents.
    if C.LEFT_BEHIND_CHILD in held:
        r = rng.random()
        place, homes = rng.choice(words.WORK_PLACES)
        away = (True, True) if r < 0.7 else ((True, False) if r < 0.9 else (False, True))
        for parent, is_away in zip(("father", "mother"), away, strict=True):
            if is_away:
                if parent == "mother" and away[0] and rng.random() < 0.4:
                    place, homes = rng.choice(words.WORK_PLACES)
                archive[f"{parent}_work"] = f"{place}（{rng.choice(words.JOBS)}）"
                archive[f"{parent}_phone"] = names.mobile(rng)
                archive[f"{parent}_home"] = rng.choices(HOME_COMING, homes)[0]
        if away == (True, True):
            reasons.append(rng.choice(words.RISK_REASONS["left_behind"]))
        else:
            reasons.append(rng.choice(words.RISK_REASONS["one_parent"]))
    elif group == "orphan":
        reasons.append(rng.choice(words.RISK_REASONS["orphan"]))
    elif group == "unsupported":
        reasons.append(rng.choice(words.RISK_REASONS["unsupported"]))
    else:
        archive["father_work"] = rng.choice(("本地务农", "县城务工", "本地打零工", ""))
        archive["father_phone"] = names.mobile(rng) if archive["father_work"] else ""
        archive["mother_work"] = rng.choice(("在家务农", "在家照顾孩子", "本地务工"))
        archive["mother_phone"] = names.mobile(rng)
        reasons.append(rng.choice(words.RISK_REASONS["difficulty"]))

    # School.
    grade = school_grade(p.born, today)
    disabled = C.DISABLED_CHILD in held
    schooling = Schooling.REGULAR
    if grade < -2 or grade > 12 or (grade >= 10 and rng.random() < 0.15):
        schooling, school = Schooling.NONE, ""
    elif disabled and grade >= 1:
        r = rng.random()
        schooling = (
            Schooling.MAINSTREAM
            if r < 0.55
            else (Schooling.AT_HOME if r < 0.8 else Schooling.SPECIAL)
        )
        school = schools.name(p, grade, special=schooling == Schooling.SPECIAL)
    else:
        school = schools.name(p, grade, special=False)
    archive["schooling"] = schooling
    if school:
        klass = rng.randint(1, 4 if grade >= 1 else 2)
        archive["school"] = school
        archive["grade"] = f"{GRADES[grade]}{klass}班"
        archive["class_teacher"], archive["teacher_phone"] = schools.teacher(
            school, grade, klass, p.county
        )

    # Health and disability (kept apart: only VIEW_HEALTH reads it).
    if disabled:
        kind, condition = rng.choice(words.CHILD_DISABILITY)
        grade_ = rng.choices((1, 2, 3, 4), (2, 3, 3, 2))[0]
        if schooling == Schooling.AT_HOME:
            grade_ = min(grade_, 2)
        p.health = {
            "conditions": condition,
            "disability_type": kind,
            "disability_grade": grade_,
            "self_care": "部分自理" if grade_ <= 2 else "基本自理",
        }
        reasons.append(rng.choice(words.RISK_REASONS["disabled"]))
    elif rng.random() < 0.06:
        p.health = {"conditions": rng.choice(words.CHILD_CONDITIONS)}

    risk = rng.choices((Risk.LOW, Risk.MEDIUM, Risk.HIGH), RISK_WEIGHTS[group])[0]
    if risk != Risk.LOW and school and grade >= 3:
        reasons.append(rng.choice(words.RISK_REASONS["school"]))
    archive["risk"] = risk
    archive["risk_reasons"] = "；".join(dict.fromkeys(reasons))[:200]
    p.archive = archive


def service_points(maker: Maker, schools: Schools, people: list[Someone]) -> list[tuple]:
    """(name, kind, region code, contact, phone): one at every school the children go to,
    and a children's home (儿童之家) in some villages, most where many children live."""
    rng = maker.rng
    points = [(name, "school", region, contact, phone)
              for name, region, contact, phone in schools.points.values()]  # fmt: skip
    children: dict[str, int] = {}
    for p in people:
        if p.archive is not None:
            children[p.village.region.code] = children.get(p.village.region.code, 0) + 1
    for v in maker.villages:
        n = children.get(v.region.code, 0)
        if n and rng.random() < VILLAGE_POINT * (2 if n >= 12 else 1):
            contact = maker.full_name("F", v.county)
            points.append(
                (f"{v.region.name}正心儿童之家", "village", v.region.code, contact,
                 names.mobile(rng))
            )  # fmt: skip
    return points


def referrals(s, maker: Maker, people: list[Someone], point_of: dict) -> list[tuple]:
    """(child, point key, referred_on, reason, outcome, closed_on, referred_by) for about
    one child in forty, the more at risk the likelier; the child's health note says so.
    The point key is the school's name, or the code of a village with a point."""
    rng, today = maker.rng, maker.today
    weights = {Risk.LOW: 1, Risk.MEDIUM: 6, Risk.HIGH: 14}
    candidates = [
        p
        for p in people
        if p.archive is not None
        and p.status == Status.ACTIVE
        and p.archive.get("school")
        and age_on(p.born, today) >= 8
    ]
    if not candidates:
        return []
    wanted = min(len(candidates), s.scaled(REFERRALS))
    cum, total = [], 0
    for p in candidates:
        total += weights[p.archive["risk"]]
        cum.append(total)
    chosen: dict[int, Someone] = {}
    while len(chosen) < wanted:
        p = rng.choices(candidates, cum_weights=cum)[0]
        chosen[id(p)] = p
    rows = []
    for p in chosen.values():
        here = p.village.region.code
        point = here if here in point_of and rng.random() < 0.25 else p.archive["school"]
        since = max(p.registered, today - datetime.timedelta(days=720))
        referred = since + datetime.timedelta(days=rng.randint(0, max(0, (today - since).days)))
        outcome, closed = "", None
        if rng.random() < REFERRAL_CLOSED and (today - referred).days > 45:
            closed = referred + datetime.timedelta(days=rng.randint(30, (today - referred).days))
            outcome = rng.choice(words.REFERRAL_OUTCOMES)
        rows.append(
            (p, point, referred, rng.choice(words.REFERRAL_REASONS), outcome, closed,
             s.child_supervisors[p.county])
        )  # fmt: skip
        if p.archive["risk"] == Risk.LOW:
            p.archive["risk"] = Risk.MEDIUM
        note = words.MENTAL_HEALTH["closed" if closed else "open"]
        p.health = {**(p.health or {}), "mental_health": note}
    return rows

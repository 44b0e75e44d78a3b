"""Department lists for big data comparison (大数据比对), with what each scenario should
find planted in them, ready for the demo's data officer to run:

| list | from | besides the registry's own | planted (scale 1) |
|---|---|---|---|
| 死亡人员名单 deaths | 市公安局 | 1,200 others | 30 still on the benefit roll |
| 低保特困发放名单 benefit roll | 市民政局 | | 15 paid again in a second county |
| 户籍人口 80 岁以上 | 市公安局 | 75 others | 25 over 80, alone, unregistered |
| 残疾人证 disability | 市残联 | | 15 children of school age at no school |
| 学籍 school roll | 市教育局 | 3,000 others | 20 whose parents both work away |
| 外出务工人员 migrant workers | 市人社局 | | those children's parents, others |
| 车辆登记 vehicles | 交警支队 | 1,500 others | 10 benefit recipients with a car |

The rest of each list is the registry's own people (who must not be found) and people of
the city who are in no one's care. Some records carry the errors department lists do: no
ID number, a name in traditional characters. `s.counts["planted"]` says what was planted,
by scenario, and the data officer's lists are kept as the upload page keeps them (Parquet,
mapped, ready).
"""

import datetime
import io

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.files.base import ContentFile

from carepair.demo import names
from carepair.demo.seed.state import State
from carepair.matching.models import DataList, ListKind
from carepair.people import idnumber
from carepair.people.models import Category, Status

PLANTED = {
    "deceased_still_paid": 30,
    "paid_twice": 15,
    "eligible_not_registered": 25,
    "disabled_children_out_of_school": 15,
    "left_behind_missing": 20,
    "benefit_with_assets": 10,
}
_TRADITIONAL = str.maketrans(
    "刘陈杨张赵黄吴郑孙马罗梁许邓冯韩萧叶兰华国荣贵凤兴",
    "劉陳楊張趙黃吳鄭孫馬羅梁許鄧馮韓蕭葉蘭華國榮貴鳳興",
)


class _Lists:
    def __init__(self, s: State):
        self.s = s
        self.rng = s.rng
        self.used: set[str] = set()
        self.rows: dict[str, list[dict]] = {}

    def number(self, county: str, born: datetime.date, sex: str) -> str:
        parity = 1 if sex == "M" else 0
        while True:
            first17 = f"{county}{born:%Y%m%d}{self.rng.randrange(500, 1000) // 2 * 2 + parity:03d}"
            if first17 not in self.used:
                self.used.add(first17)
                return first17 + idnumber.check_character(first17)

    def stranger(self, village, age_from: int, age_to: int) -> dict:
        """Someone of the city in no list of ours."""
        rng = self.rng
        county = village.county
        born = self.s.today - datetime.timedelta(days=rng.randint(age_from * 365, age_to * 365))
        sex = rng.choice("MF")
        return {
            "name": names.person_name(rng, county)[0],
            "id_number": self.number("511102" if county == "511171" else county, born, sex),
            "birth_date": born.isoformat(),
            "sex": "男" if sex == "M" else "女",
            "address": f"{village.township.region.name}{village.region.name}",
            "region_code": village.region.code,
        }

    def add(self, kind: str, record: dict, *, messy: bool = True) -> dict:
        """A record as a department writes it: sometimes no ID number, sometimes the name
        in traditional characters."""
        rows = self.rows.setdefault(kind, [])
        record = {**record, "record_id": f"{kind[:2].upper()}{len(rows) + 1:06d}"}
        if messy and self.rng.random() < 0.05:
            record["name"] = record["name"].translate(_TRADITIONAL)
        if messy and self.rng.random() < 0.03 and record.get("birth_date"):
            record["id_number"] = ""
        rows.append(record)
        return record


def _record(p) -> dict:
    return {
        "name": p.name,
        "id_number": p.number,
        "birth_date": p.born.isoformat(),
        "sex": "男" if p.sex == "M" else "女",
        "address": p.address or f"{p.township.region.name}{p.village.region.name}",
        "region_code": p.village.region.code,
    }


def _age(p, today) -> int:
    return today.year - p.born.year - ((today.month, today.day) < (p.born.month, p.born.day))


def build(s: State) -> None:
    rng, today = s.rng, s.today
    lists = _Lists(s)
    people = [p for p in s.people if p.status == Status.ACTIVE]
    villages = [p.village for p in people]
    paid = [p for p in people if p.holds(Category.DIBAO) or p.holds(Category.EXTREME_HARDSHIP)]
    rng.shuffle(paid)
    period = today.replace(day=1)
    planted = {key: s.scaled(n) for key, n in PLANTED.items()}
    dead = paid[: planted["deceased_still_paid"]]
    twice = paid[len(dead) : len(dead) + planted["paid_twice"]]
    owners = paid[len(dead) + len(twice) : len(dead) + len(twice) + planted["benefit_with_assets"]]

    # The benefit roll: everyone on 低保 or 特困, and some again in a second county.
    for p in paid:
        benefit = "特困供养" if p.holds(Category.EXTREME_HARDSHIP) else "低保"
        lists.add(
            "benefit_roll", {**_record(p), "benefit": benefit, "paid_from": period.isoformat()}
        )
    for p in twice:
        elsewhere = rng.choice([v for v in villages if v.county != p.county][:2000])
        record = {
            **_record(p),
            "address": f"{elsewhere.township.region.name}{elsewhere.region.name}",
            "region_code": elsewhere.region.code,
            "benefit": "低保",
            "paid_from": period.isoformat(),
        }
        lists.add("benefit_roll", record, messy=False)

    # Deaths: those still paid, the registry's own dead (off the roll), and others.
    for p in dead:
        died = period - datetime.timedelta(days=rng.randint(40, 200))
        lists.add("deaths", {**_record(p), "death_date": died.isoformat()}, messy=False)
    for p in s.people:
        if p.status == Status.DECEASED and p.status_on:
            lists.add("deaths", {**_record(p), "death_date": p.status_on.isoformat()})
    for _ in range(s.scaled(1200)):
        record = lists.stranger(rng.choice(villages), 60, 100)
        record["death_date"] = (today - datetime.timedelta(days=rng.randint(1, 900))).isoformat()
        lists.add("deaths", record)

    # The household register's over-80s: the registry's, and some it lacks.
    old = [p for p in people if _age(p, today) >= 80]
    for p in rng.sample(old, min(len(old), s.scaled(1500))):
        lists.add(
            "household_register",
            {**_record(p), "lives_alone": "是" if p.holds(Category.ALONE) else "否"},
        )
    for i in range(planted["eligible_not_registered"] * 3):
        record = lists.stranger(rng.choice(villages), 81, 96)
        alone = i % 3 == 0  # one in three lives alone: the planted ones
        lists.add(
            "household_register",
            {**record, "lives_alone": "是" if alone else "否"},
            messy=not alone,
        )

    # Disability certificates: the registry's disabled children, and some on no school roll.
    disabled = [p for p in people if p.holds(Category.DISABLED_CHILD)]
    for p in disabled:
        lists.add("disability", {**_record(p), "grade": rng.choice(["一级", "二级", "三级"])})
    for _ in range(planted["disabled_children_out_of_school"]):
        record = lists.stranger(rng.choice(villages), 7, 14)
        lists.add(
            "disability",
            {**record, "grade": rng.choice(["一级", "二级", "三级", "四级"])},
            messy=False,
        )

    # The school roll and the migrant workers: the registry's children at school, other
    # children, and children whose parents both work away and who are in no archive.
    children = [p for p in people if 6 <= _age(p, today) <= 15]
    for p in children:
        lists.add("school_roll", _record(p))
    for i in range(s.scaled(3000)):
        child = lists.stranger(rng.choice(villages), 6, 15)
        father = lists.stranger(rng.choice(villages), 30, 45)
        mother = lists.stranger(rng.choice(villages), 28, 43)
        away = i < planted["left_behind_missing"]
        child["father_id_number"] = father["id_number"]
        child["mother_id_number"] = mother["id_number"] if away or rng.random() < 0.5 else ""
        lists.add("school_roll", child, messy=not away)
        if away:
            lists.add(
                "migrant_workers",
                {**father, "workplace": rng.choice(["广东东莞", "浙江宁波", "福建晋江"])},
                messy=False,
            )
            lists.add(
                "migrant_workers",
                {**mother, "workplace": rng.choice(["广东深圳", "江苏苏州", "成都"])},
                messy=False,
            )
        elif rng.random() < 0.3:
            lists.add("migrant_workers", {**father, "workplace": "成都"})
    # Vehicles: benefit recipients with a car, and other owners.
    for p in owners:
        lists.add(
            "vehicles", {**_record(p), "plate": f"川L{rng.randint(10000, 99999)}"}, messy=False
        )
    for _ in range(s.scaled(1500)):
        lists.add(
            "vehicles",
            {
                **lists.stranger(rng.choice(villages), 25, 70),
                "plate": f"川L{rng.randint(10000, 99999)}",
            },
        )

    _keep(s, lists)
    s.counts.update(department_lists=len(lists.rows), planted_findings=sum(planted.values()))
    s.planted = planted


SOURCES = {
    "deaths": ("死亡人员名单", "市公安局"),
    "benefit_roll": ("低保特困发放名单", "市民政局"),
    "household_register": ("户籍人口（80岁以上）", "市公安局"),
    "disability": ("残疾人证", "市残联"),
    "school_roll": ("中小学学籍", "市教育局"),
    "migrant_workers": ("外出务工人员", "市人社局"),
    "vehicles": ("机动车登记", "市公安局交警支队"),
}


def _keep(s: State, lists: _Lists) -> None:
    from carepair.matching.services import columns_for

    officer = s.demo["data_officer"]
    for kind, rows in lists.rows.items():
        columns = columns_for(kind)
        table = pa.table(
            {c: pa.array([r.get(c) or None for r in rows], pa.string()) for c in columns}
        )
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        name, department = SOURCES[kind]
        data_list = DataList(
            name=name,
            kind=ListKind(kind),
            department=department,
            as_of=s.today,
            region_id=s.city.code,
            rows=len(rows),
            columns={"headers": list(columns), "mapped": {c: c for c in columns}},
            ready=True,
            uploaded_by=officer,
        )
        data_list.file.save(f"demo-{kind}.parquet", ContentFile(buffer.getvalue()), save=False)
        data_list.save()

"""Small lists for the matching engine's tests: a registry of people with valid IDs, in
households, and a department list that copies some of them, plus the hand-made cases a
test names. Deterministic: the same call gives the same lists."""

import random

import pyarrow as pa

COLUMNS = ("record_id", "name", "id_number", "birth_date", "sex", "phone", "address")
WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉珍文志红春梅光荣德福"
TOWNS = ("通江街道", "牟子镇", "苏稽镇", "玉津镇", "清溪镇", "嘉农镇")


def check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number(region: str, born: str, seq: int, male: bool) -> str:
    seq = seq * 2 + (1 if male else 0)
    first17 = f"{region}{born}{seq % 1000:03d}"
    return first17 + check(first17)


def person(rng: random.Random, index: int, household: dict | None = None) -> dict:
    male = rng.random() < 0.5
    year = rng.randint(1930, 2015)
    born = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    surname = household["surname"] if household else rng.choice(SURNAMES)
    name = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    address = household["address"] if household else (
        f"乐山市市中区{rng.choice(TOWNS)}{rng.choice('红新光和平')}村{rng.randint(1, 9)}组"
        f"{rng.randint(1, 200)}号"
    )  # fmt: skip
    phone = household["phone"] if household else f"13{rng.randint(0, 999_999_999):09d}"
    return {
        "record_id": f"L{index:05d}",
        "name": name,
        "id_number": id_number("511102", born, index, male),
        "birth_date": f"{born[:4]}-{born[4:6]}-{born[6:]}",
        "sex": "男" if male else "女",
        "phone": phone,
        "address": address,
    }


def registry(n: int = 400, seed: int = 7) -> list[dict]:
    """n people, a third of them in households of two or three (shared surname, address
    and phone)."""
    rng = random.Random(seed)
    people: list[dict] = []
    while len(people) < n:
        head = person(rng, len(people))
        people.append(head)
        for _ in range(rng.choice((0, 0, 1, 2))):
            if len(people) < n:
                people.append(person(rng, len(people), head | {"surname": head["name"][0]}))
    return people


def copy(record: dict, right_id: str, **changes) -> dict:
    return {**record, "record_id": right_id, **changes}


def table(rows: list[dict], **extra: list) -> pa.Table:
    columns = {c: pa.array([r.get(c) for r in rows], pa.string()) for c in COLUMNS}
    return pa.table({**columns, **{k: pa.array(v) for k, v in extra.items()}})


def department(people: list[dict], n: int = 150) -> list[dict]:
    """Clean copies of the first n people of the registry (their partners: L = R index)."""
    return [copy(p, f"R{i:05d}") for i, p in enumerate(people[:n])]

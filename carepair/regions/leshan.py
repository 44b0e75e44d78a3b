"""Leshan city (乐山市) and its twelve county-level divisions, with their real codes."""

CITY = ("511100000000", "乐山市")

COUNTIES = [
    ("511102000000", "市中区"),
    ("511111000000", "沙湾区"),
    ("511112000000", "五通桥区"),
    ("511113000000", "金口河区"),
    ("511123000000", "犍为县"),
    ("511124000000", "井研县"),
    ("511126000000", "夹江县"),
    ("511129000000", "沐川县"),
    ("511132000000", "峨边彝族自治县"),
    ("511133000000", "马边彝族自治县"),
    ("511171000000", "乐山高新技术产业开发区"),
    ("511181000000", "峨眉山市"),
]


def load(region_model) -> None:
    """Create or refresh the city and its counties (used by the migration and by tests
    whose database was flushed)."""
    city, _ = region_model.objects.update_or_create(
        code=CITY[0], defaults={"name": CITY[1], "level": 1, "parent": None}
    )
    for code, name in COUNTIES:
        region_model.objects.update_or_create(
            code=code, defaults={"name": name, "level": 2, "parent": city}
        )

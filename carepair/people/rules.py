"""The visit frequencies (走访频次) the programme starts with, loaded by a migration; the
city edits them later in the back office."""

RULES = [
    # name, category, also category, from age, every (days)
    ("独居高龄老人每周探访", "alone", "", 80, 7),
    ("失能老人每两周探访", "disabled", "", None, 14),
    ("独居老人每两周探访", "alone", "", None, 14),
    ("特困供养人员每月探访", "extreme_hardship", "", None, 30),
    ("半失能老人每月探访", "partly_disabled", "", None, 30),
    ("高龄老人每月探访", "over_80", "", None, 30),
    ("留守老人每月探访", "left_behind_elder", "", None, 30),
    ("空巢老人每月探访", "empty_nest", "", None, 30),
    ("孤儿每月探访", "orphan", "", None, 30),
    ("事实无人抚养儿童每月探访", "unsupported_child", "", None, 30),
    ("留守儿童每月探访", "left_behind_child", "", None, 30),
    ("困境儿童每月探访", "child_in_difficulty", "", None, 30),
    ("残疾儿童每月探访", "disabled_child", "", None, 30),
    ("低保对象每季度探访", "dibao", "", None, 90),
    ("低保边缘对象每季度探访", "near_dibao", "", None, 90),
    ("计生特殊家庭每季度探访", "family_planning", "", None, 90),
]


def load(model) -> None:
    """Add the starting rules that are not there (by name); works with a migration's
    historical model and with the real one (tests whose database is flushed)."""
    have = set(model.objects.values_list("name", flat=True))
    model.objects.bulk_create(
        model(name=n, category=c, also_category=a, min_age=age, every_days=d)
        for n, c, a, age, d in RULES
        if n not in have
    )

"""The subsidy standards (助餐补贴标准) the programme starts with, loaded by a migration;
the city adds new versions later in the back office, each in force from its date.

A 12-yuan meal, lunch and dinner, at most 62 subsidised meals a month: the government
pays 11 yuan for people in extreme hardship or on the minimum allowance, 9 for those of
80 and over, 7 for those of 60 to 79; the city half, the county 30%, the township 20%.
"""

import datetime

FROM = datetime.date(2021, 1, 1)
SLOTS = ["lunch", "dinner"]
RULES = [
    # name, category, from age, to age, subsidy (fen)
    ("特困供养人员助餐补贴", "extreme_hardship", 60, None, 1100),
    ("低保对象助餐补贴", "dibao", 60, None, 1100),
    ("80岁以上老人助餐补贴", "", 80, None, 900),
    ("60至79岁老人助餐补贴", "", 60, 79, 700),
]


def load(model) -> None:
    """Add the starting rules that are not there (by name); works with a migration's
    historical model and with the real one (tests whose database is flushed)."""
    from django.db import transaction

    from carepair.meals.models import RULES_CHANGED

    # Bulk inserts send no signal: the processes that keep the rules are told here.
    transaction.on_commit(RULES_CHANGED.touch)
    have = set(model.objects.values_list("name", flat=True))
    model.objects.bulk_create(
        model(
            name=name,
            category=category,
            min_age=low,
            max_age=high,
            price_fen=1200,
            subsidy_fen=subsidy,
            slots=SLOTS,
            monthly_cap=62,
            city_share=50,
            county_share=30,
            township_share=20,
            effective_from=FROM,
        )
        for name, category, low, high, subsidy in RULES
        if name not in have
    )

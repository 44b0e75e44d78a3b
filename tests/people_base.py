"""People in need for tests: a few villagers of county A and county B, registered through
the service as a township worker would."""

import datetime

from carepair.accounts.roles import Role
from carepair.lib.dates import years_before
from carepair.people import idnumber
from carepair.people.models import Category
from carepair.people.services import CategoryLine, person_register
from tests.base import TODAY, PersonaTestCase, make_user


def id_for(region6: str, born: datetime.date, seq: int, male: bool = True) -> str:
    """A valid identity number for a birth date (the sequence's last digit sets the sex)."""
    serial = f"{seq:02d}{1 if male else 2}"
    first17 = f"{region6}{born:%Y%m%d}{serial}"
    return first17 + idnumber.check_character(first17)


def years_ago(years: int, days: int = 0) -> datetime.date:
    return years_before(TODAY(), years) - datetime.timedelta(days=days)


class PeopleTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.supervisor = make_user("supervisor", Role.CHILD_SUPERVISOR, region=cls.county_a)
        cls.volunteer = make_user("volunteer", Role.VOLUNTEER, organisation=cls.social_org)
        cls.leader = make_user("leader_a", Role.COUNTY_LEADER, region=cls.county_a)
        cls.elder = person_register(
            actor=cls.township_worker,
            name="王秀英",
            id_number=id_for("511102", years_ago(82, 3), 1, male=False),
            region=cls.village_a,
            phone="13800001111",
            living="alone",
            visitor=cls.volunteer,
            visitor_kind="volunteer",
            categories=[
                CategoryLine(Category.ALONE, TODAY() - datetime.timedelta(days=400)),
                CategoryLine(Category.OVER_80, TODAY() - datetime.timedelta(days=300)),
            ],
            health={"conditions": "高血压", "mental_health": "轻度抑郁"},
        )
        cls.child = person_register(
            actor=cls.township_worker,
            name="李小明",
            id_number=id_for("511102", years_ago(9), 2),
            region=cls.village_a,
            categories=[
                CategoryLine(Category.LEFT_BEHIND_CHILD, TODAY() - datetime.timedelta(days=30))
            ],
        )
        cls.elder_b = person_register(
            actor=cls.county_b_worker,
            name="张德福",
            id_number=id_for("511111", years_ago(75), 3),
            region=cls.village_b,
            categories=[
                CategoryLine(Category.EXTREME_HARDSHIP, TODAY() - datetime.timedelta(days=30))
            ],
        )

"""Users (用户) for every role, and the demo accounts among them."""

import datetime

from django.contrib.auth.hashers import make_password

from carepair.accounts.models import User
from carepair.accounts.roles import Role
from carepair.demo import names
from carepair.demo.accounts import COUNTY_USERNAMES, DEMO_PASSWORD
from carepair.demo.seed.state import BATCH, State

DEMO_INSTITUTION = "凌云敬老院"
DEMO_DEPARTMENT = "市委政研室"
DEMO_SOCIAL_ORGANISATION = "乐山市嘉州志愿者协会"
# The county department paired one to one with the demo institution: 市中区政府办公室
# (index 6 of names.COUNTY_DEPARTMENTS, present at every scale).
DEMO_COUNTY_DEPARTMENT = 6

# Roles that act for their organisation in the ledger and the problem loop.
ACTING_ROLES = (Role.LIAISON, Role.VOLUNTEER, Role.TOWNSHIP_WORKER, Role.INSTITUTION_STAFF)


class DemoAccountTaken(Exception):
    """A demo username already belongs to someone in this database."""


def build(s: State) -> None:
    rng = s.rng
    # One hash for every seeded user: hashing is deliberately slow, and the demo
    # password is the same for all (see carepair/demo/accounts.py).
    password = s.password = make_password(DEMO_PASSWORD)
    used = set(User.objects.values_list("username", flat=True))
    taken = used & set(_all_demo_usernames())
    if taken:
        raise DemoAccountTaken(", ".join(sorted(taken)))
    joined = s.at(s.start - datetime.timedelta(days=30))
    rows: list[User] = []

    def user(role, *, org=None, region=None, county="", staff=False, username=None) -> User:
        full_name, pinyin = names.person_name(rng, county)
        if username is None:
            username, n = pinyin, 1
            while username in used:
                n += 1
                username = f"{pinyin}{n}"
        used.add(username)
        u = User(
            username=username,
            password=password,
            full_name=full_name,
            role=role,
            region_id=(region or (org.region_id if org else None)),
            organisation=org,
            phone=names.mobile(rng),
            is_staff=staff,
            date_joined=joined,
        )
        rows.append(u)
        if role in ACTING_ROLES:
            s.members.setdefault(org.pk, []).append(u)
        return u

    city = s.city.code
    civil_affairs = s.org_by_name["市民政局"]
    s.city_admins = [
        user(Role.CITY_ADMIN, org=civil_affairs, region=city, staff=True) for _ in range(3)
    ]
    leaders = [user(Role.CITY_LEADER, region=city) for _ in range(s.scaled(6, minimum=2))]
    data_officer = user(Role.DATA_OFFICER, org=civil_affairs, region=city)

    for org in s.city_departments:
        for _ in range(2 if rng.random() < 0.5 else 1):
            user(Role.LIAISON, org=org)
    for org in s.enterprises:
        user(Role.LIAISON, org=org)
    for org in s.social_organisations:
        for _ in range(2):
            user(Role.VOLUNTEER, org=org)

    for county, region in s.counties.items():
        home_affairs = s.county_departments[county][0]  # 民政局
        s.county_admins[county] = [
            user(Role.COUNTY_ADMIN, org=home_affairs, region=region.code, county=county, staff=True)
            for _ in range(2)
        ]
        townships = s.townships_by_county[county]
        s.county_leaders[county] = [
            user(Role.COUNTY_LEADER, region=region.code, county=county)
            for _ in range(max(2, -(-len(townships) // 3)))
        ]
        user(Role.DATA_OFFICER, org=home_affairs, region=region.code, county=county)
        s.child_supervisors[county] = user(
            Role.CHILD_SUPERVISOR, org=home_affairs, region=region.code, county=county
        )
        for org in s.county_departments[county]:
            user(Role.LIAISON, org=org, county=county)
        for township in townships:
            township.workers = [
                user(
                    Role.TOWNSHIP_WORKER,
                    org=township.office,
                    region=township.region.code,
                    county=county,
                )
                for _ in range(2)
            ]
    for institution in s.institutions:
        institution.staff = [
            user(Role.INSTITUTION_STAFF, org=institution.org, county=institution.county)
            for _ in range(2)
        ]

    _name_demo_accounts(s, leaders, data_officer)
    User.objects.bulk_create(rows, batch_size=BATCH)
    s.counts["users"] = len(rows)


def _name_demo_accounts(s: State, leaders, data_officer) -> None:
    """Give the demo usernames to chosen users (the rest keep pinyin usernames)."""
    s.city_admins[0].username = "city_admin"
    leaders[0].username = "city_leader"
    for county, pinyin in COUNTY_USERNAMES.items():
        s.county_admins[county][0].username = f"{pinyin}_admin"
        s.county_leaders[county][0].username = f"{pinyin}_leader"
    data_officer.username = "data_officer"
    s.demo["data_officer"] = data_officer

    institution = s.institution_by_name[DEMO_INSTITUTION]
    department = s.org_by_name[DEMO_DEPARTMENT]
    volunteers = s.org_by_name[DEMO_SOCIAL_ORGANISATION]
    county_department = s.county_departments[institution.county][DEMO_COUNTY_DEPARTMENT]
    liaison = s.members[department.pk][0]
    liaison.username = "liaison"
    s.members[county_department.pk][0].username = "county_liaison"
    institution.staff[0].username = "institution_staff"
    institution.township.workers[0].username = "township_worker"
    s.child_supervisors[institution.county].username = "child_supervisor"
    s.members[volunteers.pk][0].username = "volunteer"
    s.demo.update(
        institution=institution,
        department=department,
        county_department=county_department,
        social_organisation=volunteers,
        liaison=liaison,
        staff=institution.staff[0],
        township_worker=institution.township.workers[0],
    )


def _all_demo_usernames() -> list[str]:
    from carepair.demo.accounts import demo_usernames

    return demo_usernames()

"""The demo's accounts (演示账号): one per role and region, with one documented password.

`carepair seed-demo` gives these usernames to chosen users of the synthetic Leshan;
`carepair demo-accounts` reads them back. Every other seeded user has the same password,
so any name seen in the demo can be logged in as well.
"""

from carepair.accounts.roles import Role

# Passes AUTH_PASSWORD_VALIDATORS: 14 characters, letters and digits, not a common password.
DEMO_PASSWORD = "Leshan2021demo"

# County prefix -> the pinyin used in its demo usernames ("shizhong_admin").
COUNTY_USERNAMES = {
    "511102": "shizhong",
    "511111": "shawan",
    "511112": "wutongqiao",
    "511113": "jinkouhe",
    "511123": "qianwei",
    "511124": "jingyan",
    "511126": "jiajiang",
    "511129": "muchuan",
    "511132": "ebian",
    "511133": "mabian",
    "511171": "gaoxin",
    "511181": "emeishan",
}

# The organisation-level accounts, all around one institution (凌云敬老院, 市中区) so that
# the journeys of DESIGN.md §2 meet: its department liaison, its staff, its township.
ORG_ACCOUNTS = (
    ("liaison", Role.LIAISON, "市委政研室, paired with 凌云敬老院"),
    ("institution_staff", Role.INSTITUTION_STAFF, "凌云敬老院"),
    ("county_liaison", Role.LIAISON, "the 市中区 department paired one to one with 凌云敬老院"),
    ("township_worker", Role.TOWNSHIP_WORKER, "凌云街道, where 凌云敬老院 stands"),
    ("volunteer", Role.VOLUNTEER, "乐山市嘉州志愿者协会, also paired with 凌云敬老院"),
    ("data_officer", Role.DATA_OFFICER, "the city"),
    ("child_supervisor", Role.CHILD_SUPERVISOR, "市中区, where 凌云敬老院 stands"),
)


def demo_usernames() -> list[str]:
    """Every demo username, in the order they are listed."""
    names = ["city_admin", "city_leader"]
    for county in COUNTY_USERNAMES.values():
        names += [f"{county}_admin", f"{county}_leader"]
    names += [username for username, _, _ in ORG_ACCOUNTS]
    return names


def demo_accounts() -> list[dict]:
    """The demo accounts present in the database, one dict each:
    username, password, role, region_code (the user's region, or their organisation's),
    plus role_label, full_name, organisation and region_name for people."""
    from carepair.accounts.models import User

    wanted = demo_usernames()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=wanted).select_related(
            "region", "organisation", "organisation__region"
        )
    }
    accounts = []
    for username in wanted:
        user = users.get(username)
        if user is None:
            continue
        region = user.region or (user.organisation.region if user.organisation else None)
        accounts.append(
            {
                "username": user.username,
                "password": DEMO_PASSWORD,
                "role": user.role,
                "region_code": region.code if region else None,
                "role_label": _label(user.role),
                "full_name": user.full_name,
                "organisation": user.organisation.name if user.organisation else None,
                "region_name": region.name if region else None,
            }
        )
    return accounts


def _label(role: str) -> str:
    """The role's name as the Chinese UI shows it."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(Role(role).label)

"""The registry of people in need (困难群众): about 60,000 people at scale 1, in the
proportions of a city of 3.2 million residents, a quarter of them 60 or over.

Who holds what today at scale 1 (of the 57,800 on the registry; 2,500 who died and 800
who moved away in the three years stay on it with their status):

| category | people | of 3.2M | how |
|---|---|---|---|
| 特困供养 extreme hardship | 7,900 | 0.25% | 30% of them in a rural care home (集中供养) |
| 低保 minimum allowance | 15,900 | 0.5% | the elderly third of the city's 低保 recipients |
| 低保边缘 near the line | 3,600 | | some were on the edge before the allowance |
| 独居 living alone | 11,000 | | more among those in extreme hardship |
| 空巢 empty nest | 11,000 | | the children away; in communities and villages |
| 留守老人 left-behind elders | 13,700 | | the children away at work; villages only |
| 失能 / 半失能 unable / partly | 3,600 / 6,000 | | rising with age (DISABLED_BY_AGE) |
| 高龄 80 and over | 16,100 | 0.5% | of some 100,000 over-80s, those in need |
| 计生特殊家庭 | 700 | | parents of 60 to 76 |
| 孤儿 orphans | 300 | | 40% in a children's home (集中养育) |
| 事实无人抚养 | 1,000 | | |
| 留守儿童 left-behind children | 8,600 | | 3 to 15, in villages; LEFT_BEHIND_COUNTY |
| 困境儿童 children in difficulty | 2,400 | | |
| 残疾儿童 disabled children | 1,400 | | 随班就读, 送教上门 or a special school |

Elders are four in five, children one in five (persons.ELDERLY, CHILD_GROUPS); several
categories per person where natural (an 85-year-old on 低保 living alone holds three),
each with its start (and some an end) and its source: the county's civil affairs,
health or disabled persons' bureau, or the township that found them. Villages (村) hold
more people than communities (社区), left-behind children almost only villages. Living
arrangements follow the categories: 独居 lives alone, 空巢 and 留守 with a spouse or
alone, 失能 never alone, children with grandparents or kin (with a parent: "other").

Each person has a valid resident ID number (GB 11643: the county's address code, the
birth date, a sequence whose parity gives the sex, the check character), stored as the
registration service stores it: encrypted, with its keyed hash and its mask. Every child
has a file (一人一档, `children`); the schools and some villages have a 正心 service
point, and a few hundred children a referral. Visitors, visits and plans: `visits`.

Written in bulk, like the rest of the seed: planned in memory, then written table by
table (rows.Table for the large ones). The visit plans are computed here as
`people.services.plan_refresh` computes them (the same `every_days_for` over the same
rules), so that running it afterwards changes nothing.
"""

import datetime

from carepair.demo.seed.registry import children, persons, visits
from carepair.demo.seed.rows import Rows, Table
from carepair.demo.seed.state import BATCH, State
from carepair.lib.vault import vault
from carepair.people import idnumber, rules
from carepair.people.models import (
    Category,
    ChildArchive,
    Contact,
    HouseholdVisit,
    Person,
    PersonCategory,
    PersonHealth,
    Referral,
    ServicePoint,
    Status,
    VisitProblem,
    VisitRule,
)
from carepair.problems.models import Problem, Source


def ensure_rules() -> list[VisitRule]:
    """The visit rules come with the people migration; after a flush they are put back
    from the same list."""
    if not VisitRule.objects.exists():
        rules.load(VisitRule)
    return list(VisitRule.objects.filter(active=True))


def build(s: State) -> None:
    active_rules = ensure_rules()
    villages = [persons.Village(v, t) for t in s.townships for v in t.villages]
    maker = persons.Maker(s, villages)
    people = [maker.elder() for _ in range(s.scaled(persons.ELDERLY))]
    schools = children.Schools(maker)
    for group, n in persons.CHILD_GROUPS.items():
        for _ in range(s.scaled(n)):
            child = maker.child(group)
            children.plan_child(maker, schools, child)
            people.append(child)

    visitors = visits.Visitors(s, villages)
    visits.assign_visitors(s, visitors, people)
    planned = visits.plan_visits(s, active_rules, people)
    points = children.service_points(maker, schools, people)

    from carepair.accounts.models import User

    User.objects.bulk_create(visitors.rows, batch_size=BATCH)
    point_rows = [
        Rows(ServicePoint)(name=name, kind=kind, region_id=region, contact=contact, phone=phone)
        for name, kind, region, contact, phone in points
    ]
    ServicePoint.objects.bulk_create(point_rows, batch_size=BATCH)
    point_of = {}
    for (name, kind, region, _c, _p), row in zip(points, point_rows, strict=True):
        point_of[name.removesuffix(children.SCHOOL_POINT) if kind == "school" else region] = row
    referrals = children.referrals(s, maker, people, point_of)

    _write_people(s, people)
    _write_details(s, people, referrals, point_of)
    _write_visits(s, planned)
    s.people = people  # for the department lists of big data comparison

    active = [p for p in people if p.status == Status.ACTIVE]
    s.counts.update(
        people=len(people),
        people_active=len(active),
        left_behind=sum(1 for p in active if p.holds(Category.LEFT_BEHIND_CHILD)),
        child_archives=sum(1 for p in people if p.archive is not None),
        service_points=len(point_rows),
        referrals=len(referrals),
        household_visits=len(planned),
        visit_problems=len(s.visit_problem_ids),
        visitor_users=len(visitors.rows),
        never_visited=sum(1 for p in active if p.never),
    )


PERSON_FIELDS = [
    "id", "name", "id_cipher", "id_hash", "id_masked", "sex", "birth_date", "phone",
    "household_address", "address", "region_id", "living", "status", "status_on",
    "status_note", "visitor_id", "visitor_kind", "visit_every_days", "last_visit_on",
    "next_visit_on", "created_at", "created_by_id",
]  # fmt: skip
ARCHIVE_FIELDS = [
    "school", "grade", "class_teacher", "teacher_phone", "schooling", "father_work",
    "father_phone", "father_home", "mother_work", "mother_phone", "mother_home", "risk",
    "risk_reasons",
]  # fmt: skip
HEALTH_FIELDS = ["conditions", "disability_type", "disability_grade", "self_care", "mental_health"]
VISIT_FIELDS = [
    "id", "person_id", "visitor_id", "visited_on", "region_id", "seen", "health", "safety",
    "food", "mood", "needs", "notes", "recorded_at",
]  # fmt: skip


def _write_people(s: State, people: list) -> None:
    """The people, each with a valid identity number stored as person_register stores
    it: encrypted, its keyed hash, its mask."""
    rng = s.rng
    keys = vault()
    check, mask = idnumber.check_character, idnumber.mask
    table = Table(Person, PERSON_FIELDS)
    pk = table.next_pk()
    used: set[str] = set()
    rows = []
    for p in people:
        area = "511102" if p.county == "511171" else p.county  # 高新区 was part of 市中区
        born = p.born.strftime("%Y%m%d")
        parity = 1 if p.sex == "M" else 0
        while True:
            first17 = f"{area}{born}{rng.randrange(500) * 2 + parity:03d}"
            if first17 not in used:
                break
        used.add(first17)
        number = p.number = first17 + check(first17)
        every, last, due = visits.plan_of(p, s.today)
        p.pk = pk
        pk += 1
        rows.append(
            (
                p.pk, p.name, keys.encrypt(number), keys.digest(number), mask(number), p.sex,
                p.born, p.phone, p.household_address, p.address, p.village.region.code,
                p.living, p.status, p.status_on, p.status_note, p.visitor.pk, p.visitor_kind,
                every, last, due, s.at(p.registered), rng.choice(p.township.workers).pk,
            )
        )  # fmt: skip
    table.write(rows)
    table.reset_sequences()


def _write_details(s: State, people: list, referrals: list, point_of: dict) -> None:
    """Categories, contacts, health records, children's files and referrals."""
    rng = s.rng
    tables = {
        "held": Table(
            PersonCategory, ["id", "person_id", "category", "start_on", "end_on", "source"]
        ),
        "contacts": Table(
            Contact, ["id", "person_id", "kind", "name", "relation", "phone", "age", "health"]
        ),
        "health": Table(PersonHealth, ["id", "person_id", *HEALTH_FIELDS]),
        "archives": Table(ChildArchive, ["id", "person_id", *ARCHIVE_FIELDS, "updated_at"]),
    }
    next_pk = {name: table.next_pk() for name, table in tables.items()}
    rows: dict[str, list] = {name: [] for name in tables}

    def add(name, *values):
        rows[name].append((next_pk[name], *values))
        next_pk[name] += 1

    for p in people:
        pk = p.pk
        for category, start, end, source in p.cats:
            add("held", pk, category, start, end, source)
        for kind, name, relation, phone, age, condition in p.contacts:
            add("contacts", pk, kind, name, relation, phone, age, condition)
        if p.health:
            add("health", pk, *(p.health.get(f, None if f == "disability_grade" else "")
                                for f in HEALTH_FIELDS))  # fmt: skip
        if p.archive is not None:
            updated = max(s.today - datetime.timedelta(days=rng.randint(0, 120)), p.registered)
            add("archives", pk, *(p.archive.get(f, "") for f in ARCHIVE_FIELDS), s.at(updated))
    for name, table in tables.items():
        table.write(rows[name])
        table.reset_sequences()
    new_referral = Rows(Referral)
    Referral.objects.bulk_create(
        [
            new_referral(
                person_id=p.pk,
                point_id=point_of[point].pk,
                referred_on=referred,
                reason=reason,
                outcome=outcome,
                closed_on=closed,
                referred_by_id=by.pk,
            )
            for p, point, referred, reason, outcome, closed, by in referrals
        ],
        batch_size=BATCH,
    )
    s.counts.update(
        categories=len(rows["held"]),
        contacts=len(rows["contacts"]),
        health_records=len(rows["health"]),
    )


def _write_visits(s: State, planned: list) -> None:
    planned.sort(key=lambda v: (v.day, v.person.pk))
    visits_table = Table(HouseholdVisit, VISIT_FIELDS)
    links_table = Table(VisitProblem, ["id", "visit_id", "problem_id"])
    first = visits_table.next_pk()
    rows = visits.visit_rows(s, planned, first)
    link = links_table.next_pk()
    links = []
    for pk, v in enumerate(planned, start=first):
        if v.problem is not None:
            links.append((link, pk, v.problem.pk))
            link += 1
    visits_table.write(rows)
    links_table.write(links)
    visits_table.reset_sequences()
    links_table.reset_sequences()
    # Found at a door: raised from the visit in one step, as visit_record raises them.
    ids = s.visit_problem_ids
    for start in range(0, len(ids), 500):
        Problem.objects.filter(pk__in=ids[start : start + 500]).update(source=Source.VISIT)

"""Problems (困难、问题、隐患) with their whole way: raised → assigned → in progress →
resolved → verified, some reopened on the way, some still open, overdue and escalated.
Every step is a ProblemEvent, every fix has its photo."""

import datetime
import math

from carepair.demo import catalog
from carepair.demo.seed.ledger import visit_before
from carepair.demo.seed.rows import Rows
from carepair.demo.seed.state import BATCH, LOCAL, State, clock, office
from carepair.problems.models import (
    OPEN_STATUSES,
    SUBCATEGORIES,
    Action,
    EscalationLevel,
    Evidence,
    Problem,
    ProblemEvent,
    Source,
    Status,
)
from carepair.problems.models import Category as P

# Verified (solved) problems by category at scale 1: 9,450 (9,000 × 1.05), of which
# 740 environmental and 55 safety (the article: 700+ and 50+).
SOLVED = {
    P.ENVIRONMENT: 740,
    P.SAFETY: 55,
    P.FACILITIES: 950,
    P.CARE_SKILLS: 420,
    P.LIVELIHOOD: 5200,
    P.HEALTH: 1150,
    P.EDUCATION: 700,
    P.OTHER: 235,
}
# Problems still on their way at scale 1, by status.
UNDER_WAY = {
    Status.RESOLVED: 110,
    Status.IN_PROGRESS: 95,
    Status.ASSIGNED: 60,
    Status.RAISED: 45,
    Status.REOPENED: 20,
}
UNDER_WAY_CATEGORIES = {
    P.ENVIRONMENT: 15,
    P.SAFETY: 8,
    P.FACILITIES: 15,
    P.CARE_SKILLS: 5,
    P.LIVELIHOOD: 35,
    P.HEALTH: 10,
    P.EDUCATION: 8,
    P.OTHER: 4,
}
# Share of each category's problems that concern an institution (the rest: a village).
AT_INSTITUTION = {
    P.ENVIRONMENT: 1.0,
    P.SAFETY: 1.0,
    P.FACILITIES: 1.0,
    P.CARE_SKILLS: 1.0,
    P.LIVELIHOOD: 0.15,
    P.HEALTH: 0.4,
    P.EDUCATION: 0.4,
    P.OTHER: 0.7,
}
# Days of work from start to fix, by category.
WORK_DAYS = {
    P.ENVIRONMENT: (5, 45),
    P.SAFETY: (2, 20),
    P.FACILITIES: (3, 30),
    P.CARE_SKILLS: (7, 40),
    P.LIVELIHOOD: (1, 20),
    P.HEALTH: (2, 25),
    P.EDUCATION: (5, 40),
    P.OTHER: (5, 45),
}
# Days allowed by severity (1 minor … 4 urgent).
DUE_DAYS = {1: 60, 2: 30, 3: 15, 4: 7}
SEVERITY_WEIGHTS = (25, 45, 22, 8)
# Which county department takes up a village's problem (index into COUNTY_DEPARTMENTS).
COUNTY_HANDLER = {
    P.LIVELIHOOD: (0, 3),  # 民政局, 残联
    P.HEALTH: (2,),  # 卫生健康局
    P.EDUCATION: (1,),  # 教育局
    P.OTHER: (0,),
}
START_NOTES = ["", "已安排人员现场查看", "已制定整改方案", "已联系施工队伍"]
VERIFY_NOTES = ["已整改到位，确认销号", "经现场查看，问题已解决", "满意，感谢帮扶", "已解决"]
ESCALATE_NOTES = {
    EscalationLevel.COUNTY: "逾期未办结，升级至县级督办",
    EscalationLevel.CITY: "逾期超过15天仍未办结，升级至市级督办",
}
ESCALATE_AFTER = 15
NEW_PROBLEM, NEW_EVENT, NEW_EVIDENCE = Rows(Problem), Rows(ProblemEvent), Rows(Evidence)
PHRASES = {Source.INSTITUTION: "本院反映：", Source.VISIT: "走访中发现："}


def build(s: State) -> None:
    rng = s.rng
    specs = []
    for category, n in SOLVED.items():
        specs += [(category, Status.VERIFIED)] * math.ceil(n * s.scale)
    weights = list(UNDER_WAY_CATEGORIES.values())
    for status, n in UNDER_WAY.items():
        for _ in range(s.scaled(n)):
            specs.append((rng.choices(list(UNDER_WAY_CATEGORIES), weights)[0], status))
    rng.shuffle(specs)
    s.child_institutions = [i for i in s.institutions if i.org.child_residents]

    written = events_written = 0
    for start in range(0, len(specs), BATCH):
        problems, events, evidence = [], [], []
        for category, status in specs[start : start + BATCH]:
            _problem(s, category, status, problems, events, evidence)
        written += _save(problems, events, evidence)
        events_written += len(events)
    problems, events, evidence = [], [], []
    _demo_problems(s, problems, events, evidence)
    written += _save(problems, events, evidence)
    events_written += len(events)
    s.counts["problems"] = written
    s.counts["problem_events"] = events_written


def _save(problems, events, evidence) -> int:
    Problem.objects.bulk_create(problems, batch_size=BATCH)
    ProblemEvent.objects.bulk_create(events, batch_size=BATCH)
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    return len(problems)


class Way:
    """Who is involved in a problem: where it is, who raised it, who works on it."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _where(s: State, category, day: datetime.date) -> Way:
    rng = s.rng
    at_institution = rng.random() < AT_INSTITUTION[category]
    if at_institution and category == P.EDUCATION:
        at_institution = bool(s.child_institutions)
    if at_institution:
        institution = (
            rng.choice(s.child_institutions)
            if category == P.EDUCATION
            else rng.choices(s.institutions, cum_weights=s.institution_weights)[0]
        )
        active = institution.helpers_on(day) or [h for h, _, _ in institution.helpers]
        weights = [0.3 if h.kind == "social_organisation" else 1 for h in active]
        helper = rng.choices(active, weights)[0]
        admin = rng.choice(s.county_admins[institution.county])
        r = rng.random()
        if r < 0.55:
            source, raiser = Source.INSTITUTION, rng.choice(institution.staff)
            raiser_org, phrase = institution.org, "本院反映："
        elif r < 0.9:
            finder = rng.choice([h for h in active if h.kind != "social_organisation"] or [helper])
            source, raiser = Source.VISIT, rng.choice(s.members[finder.pk])
            raiser_org, phrase = finder, f"{finder.name}走访中发现："
        else:
            source, raiser, raiser_org = Source.ADMINISTRATION, admin, admin.organisation
            phrase = f"{admin.organisation.name}督查发现："
        acting = helper.kind != "social_organisation"
        return Way(
            institution=institution,
            region=institution.org.region_id,
            place=institution.org.name,
            source=source,
            raiser=raiser,
            raiser_org=raiser_org,
            phrase=phrase,
            helper=helper,
            assigner=rng.choice(s.members[helper.pk]) if acting else admin,
            worker=rng.choice(s.members[helper.pk]),
        )
    township = rng.choices(s.townships, cum_weights=s.township_weights)[0]
    village = rng.choice(township.villages)
    raiser = rng.choice(township.workers)
    if rng.random() < 0.6 or category not in COUNTY_HANDLER:
        helper, assigner = township.office, rng.choice(township.workers)
    else:
        index = rng.choice(COUNTY_HANDLER[category])
        helper = s.county_departments[township.county][index]
        assigner = rng.choice(s.county_admins[township.county])
    return Way(
        institution=None,
        region=village.code,
        place=village.name,
        source=Source.TOWNSHIP,
        raiser=raiser,
        raiser_org=township.office,
        phrase=f"入户走访发现：{village.name}",
        helper=helper,
        assigner=assigner,
        worker=rng.choice(s.members[helper.pk]),
    )


def _title(s: State, category, in_village: bool) -> tuple[str, str, str]:
    """(subcategory, title, how it was fixed)."""
    rng = s.rng
    subcategory = rng.choice(SUBCATEGORIES[category]) if category in SUBCATEGORIES else ""
    if in_village:
        title, fix = rng.choice(catalog.VILLAGE_PROBLEM_TITLES[category])
    else:
        title, fix = rng.choice(catalog.PROBLEM_TITLES[(category, subcategory)])
    return subcategory, title.format(spot=rng.choice(catalog.SPOTS)), fix


def _problem(s: State, category, status, problems, events, evidence) -> None:
    rng = s.rng
    today = s.today
    if status == Status.VERIFIED:
        raised_day = s.day_between(
            s.start + datetime.timedelta(days=3), today - datetime.timedelta(days=8)
        )
    else:
        back = {
            Status.RAISED: (0, 6),
            Status.ASSIGNED: (3, 30),
            Status.IN_PROGRESS: (7, 75),
            Status.REOPENED: (20, 90),
            Status.RESOLVED: (5, 60),
        }[status]
        raised_day = today - datetime.timedelta(days=rng.randint(*back))
        raised_day = max(raised_day, s.start)
    way = _where(s, category, raised_day)
    subcategory, title, fix = _title(s, category, in_village=way.institution is None)
    severity = rng.choices((1, 2, 3, 4), SEVERITY_WEIGHTS)[0]
    if category == P.SAFETY and severity < 3 and rng.random() < 0.5:
        severity += 1
    raised_at = s.at(raised_day)
    problem = NEW_PROBLEM(
        title=title,
        description=f"{way.phrase}{title}，请协调解决。",
        category=category,
        subcategory=subcategory,
        severity=severity,
        due_on=raised_day + datetime.timedelta(days=DUE_DAYS[severity]),
        status=status,
        source=way.source,
        institution_id=way.institution.org.pk if way.institution else None,
        region_id=way.region,
        raised_by_id=way.raiser.pk,
        raised_by_org_id=way.raiser_org.pk,
        raised_at=raised_at,
    )
    if way.source == Source.VISIT and way.institution is not None:
        problem.activity_id = visit_before(way.institution, raised_day)
    if way.institution is None:
        s.village_problems.append((problem, way.raiser))
    problems.append(problem)

    steps = _steps(s, category, status)
    moments = _moments(s, raised_at, steps)
    mine = [_event(problem, Action.RAISE, "", Status.RAISED, way.raiser, way.raiser_org,
                   raised_at, problem.description)]  # fmt: skip
    current = Status.RAISED
    for (action, _), moment in zip(steps, moments, strict=True):
        to = _to(action)
        note = ""
        actor, org = {
            Action.ASSIGN: (way.assigner, way.helper),
            Action.START: (way.worker, way.helper),
            Action.RESOLVE: (way.worker, way.helper),
            Action.VERIFY: (way.raiser, way.raiser_org),
            Action.REOPEN: (way.raiser, way.raiser_org),
        }[action]
        if action == Action.ASSIGN:
            note = f"交由{way.helper.name}办理"
            problem.assigned_to_id = way.helper.pk
            problem.assigned_at = moment
        elif action == Action.RESOLVE:
            note = fix
            problem.resolution = fix
            problem.resolved_at = moment
        elif action == Action.START:
            note = rng.choice(START_NOTES)
        elif action == Action.REOPEN:
            note = rng.choice(catalog.REOPEN_REASONS)
            problem.resolved_at = None
        elif action == Action.VERIFY:
            note = rng.choice(VERIFY_NOTES)
            problem.verified_at = moment
        event = _event(problem, action, current, to, actor, org, moment, note)
        mine.append(event)
        if action == Action.RESOLVE:
            name, size = s.photo_names["fix"][len(problems) % 4]
            evidence.append(
                NEW_EVIDENCE(
                    problem=problem,
                    event=event,
                    image=name,
                    content_type="image/jpeg",
                    size=size,
                    uploaded_by_id=actor.pk,
                    uploaded_at=moment,
                )
            )
        current = to
    events += _escalate(s, problem, mine)


def _steps(s: State, category, status) -> list[tuple[str, float]]:
    """The actions after raising, each with the days it took after the one before."""
    rng = s.rng
    low, high = WORK_DAYS[category]
    assign = (Action.ASSIGN, rng.uniform(0.05, 4))
    start = (Action.START, rng.uniform(0.1, 3))
    resolve = (Action.RESOLVE, rng.uniform(low, high))
    if status == Status.RAISED:
        return []
    if status == Status.ASSIGNED:
        return [assign]
    if status == Status.IN_PROGRESS:
        return [assign, start]
    if status == Status.RESOLVED:
        return [assign, start, resolve]
    if status == Status.REOPENED:
        return [assign, start, resolve, (Action.REOPEN, rng.uniform(1, 5))]
    verify = (Action.VERIFY, rng.uniform(0.3, 6))
    if rng.random() < 0.04:
        again = [
            (Action.REOPEN, rng.uniform(1, 5)),
            (Action.START, rng.uniform(0.5, 3)),
            (Action.RESOLVE, rng.uniform(2, 15)),
        ]
        return [assign, start, resolve, *again, verify]
    return [assign, start, resolve, verify]


def _moments(s: State, raised_at, steps) -> list[datetime.datetime]:
    """When each step happened, in office hours: its days after the one before, squeezed
    if need be so that the last is no later than an hour ago."""
    days = [d for _, d in steps]
    start = clock(raised_at)
    room = (clock(s.now) - start).total_seconds() / 86400 - 1 / 24
    total = sum(days)
    if total > room > 0:
        days = [d * room / total for d in days]
    moments, moment = [], start
    for d in days:
        moment = moment + datetime.timedelta(days=max(d, 0))
        moments.append(min(office(moment), s.now))
    return moments


def _to(action) -> str:
    return {
        Action.ASSIGN: Status.ASSIGNED,
        Action.START: Status.IN_PROGRESS,
        Action.RESOLVE: Status.RESOLVED,
        Action.VERIFY: Status.VERIFIED,
        Action.REOPEN: Status.REOPENED,
    }[action]


def _event(problem, action, before, after, actor, org, at, note) -> ProblemEvent:
    return NEW_EVENT(
        problem=problem,
        action=action,
        from_status=before,
        to_status=after,
        actor_id=actor.pk if actor else None,
        organisation_id=org.pk if org else None,
        at=at,
        note=note,
    )


def _escalate(s: State, problem, mine: list) -> list:
    """Replay the nightly escalation job (逐级督办) over the problem's life: on each night
    after its due date when it is open, it climbs to the county, and once more than 15
    days late to the city. Returns the problem's events with these steps, in time order."""
    # Drawn first, so that the random sequence does not depend on the time of day.
    minute = s.rng.randint(60, 119)
    # After the last step, a problem resolved or verified stays closed.
    closed = mine[-1].at if mine[-1].to_status not in OPEN_STATUSES else s.now
    if problem.due_on >= closed.astimezone(LOCAL).date():
        return mine
    level = EscalationLevel.LOCAL
    added = []
    day = problem.due_on + datetime.timedelta(days=1)
    while level < EscalationLevel.CITY:
        night = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60), LOCAL)
        if night > closed:
            break
        status = [e.to_status for e in mine if e.at <= night][-1]
        if status in OPEN_STATUSES:
            late = (day - problem.due_on).days
            due = EscalationLevel.CITY if late > ESCALATE_AFTER else EscalationLevel.COUNTY
            while level < due:
                level += 1
                added.append(_event(problem, Action.ESCALATE, status, status, None, None,
                                    night, ESCALATE_NOTES[level]))  # fmt: skip
                problem.escalation_level = level
                problem.escalated_at = night
        day += datetime.timedelta(days=1)
    return sorted(mine + added, key=lambda e: e.at)


def _demo_problems(s: State, problems, events, evidence) -> None:
    """The demo institution's open problems, so each demo account has work waiting:
    a leaking roof just raised (for the liaison to take up), a fire lane being cleared,
    a washing machine replaced and awaiting the staff's confirmation, and an overdue
    wiring hazard escalated to the city. Its township has a new need too."""
    institution = s.demo["institution"]
    department = s.demo["department"]
    liaison, staff = s.demo["liaison"], s.demo["staff"]
    worker = s.demo["township_worker"]
    org = institution.org
    today = s.today

    def day(n):
        return max(today - datetime.timedelta(days=n), s.start)

    def add(title, category, subcategory, severity, raised, due, steps, raiser, source):
        raiser_org = raiser.organisation
        raised_at = s.at(day(raised))
        problem = Problem(
            title=title,
            description=f"{PHRASES.get(source, '')}{title}，请协调解决。",
            category=category,
            subcategory=subcategory,
            severity=severity,
            due_on=today + datetime.timedelta(days=due),
            status=Status.RAISED,
            source=source,
            institution=org if source != Source.TOWNSHIP else None,
            region_id=org.region_id if source != Source.TOWNSHIP else worker.region_id,
            raised_by=raiser,
            raised_by_org=raiser_org,
            raised_at=raised_at,
        )
        if source == Source.TOWNSHIP:
            village = institution.township.villages[-1]
            problem.region_id = village.code
            problem.description = f"入户走访发现：{village.name}{title}，请协调解决。"
            s.village_problems.append((problem, raiser))
        problems.append(problem)
        mine = [_event(problem, Action.RAISE, "", Status.RAISED, raiser, raiser_org,
                       raised_at, problem.description)]  # fmt: skip
        moment = raised_at
        for action, after_days, note in steps:
            moment = min(moment + datetime.timedelta(days=after_days), s.now)
            to = _to(action)
            actor = raiser if action == Action.VERIFY else liaison
            mine.append(_event(problem, action, problem.status, to, actor, department,
                               moment, note))  # fmt: skip
            if action == Action.ASSIGN:
                problem.assigned_to, problem.assigned_at = department, moment
            if action == Action.RESOLVE:
                problem.resolution, problem.resolved_at = note, moment
                name, size = s.photo_names["fix"][0]
                evidence.append(Evidence(problem=problem, event=mine[-1], image=name,
                                         content_type="image/jpeg", size=size,
                                         uploaded_by=liaison, uploaded_at=moment))  # fmt: skip
            problem.status = to
        events.extend(_escalate(s, problem, mine))

    take_up = (Action.ASSIGN, 0.5, "")
    add("2号楼屋顶漏水", P.ENVIRONMENT, "waterproofing", 3, 2, 13, [], staff, Source.INSTITUTION)
    add("消防通道被杂物占用", P.SAFETY, "fire_lanes", 3, 12, 3,
        [take_up, (Action.START, 1, "已联系院方清理")], liaison, Source.VISIT)  # fmt: skip
    add("洗衣机损坏需更换", P.FACILITIES, "", 2, 11, 19,
        [take_up, (Action.START, 1, ""), (Action.RESOLVE, 8, "捐赠并安装新洗衣机2台")],
        staff, Source.INSTITUTION)  # fmt: skip
    add("配电箱老化未上锁", P.SAFETY, "wiring", 4, 45, -38,
        [take_up, (Action.START, 2, "已联系电工查看")], staff, Source.INSTITUTION)  # fmt: skip
    add("高龄独居老人生活无人照料", P.LIVELIHOOD, "", 2, 4, 26, [], worker, Source.TOWNSHIP)

"""Keeping the registry of people in need (困难群众台账), their visit plans and the
door-knocking visits (敲门行动).

Every check a person's record must pass lives in `check_person()`, used by the form, the
API and the import alike, so a row that the import accepts is one the form would.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.dates import age_on
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.freshness import changes_records
from carepair.lib.uploads import validate_photo
from carepair.lib.vault import vault
from carepair.people import idnumber
from carepair.people.models import (
    ADULT_AGE,
    CHILD_CATEGORIES,
    Category,
    ChildArchive,
    Contact,
    HouseholdVisit,
    IdReveal,
    Person,
    PersonCategory,
    PersonHealth,
    Referral,
    Seen,
    Status,
    VisitPhoto,
    VisitProblem,
    VisitRule,
)
from carepair.problems.services import Found, problem_raise
from carepair.regions.models import Level
from carepair.reports import rollup

OVER_80_AGE = 80
# Category.values builds a new list on every call; check_person runs once per imported row.
CATEGORY_VALUES = frozenset(Category.values)


@dataclass
class CategoryLine:
    category: str
    start_on: datetime.date
    end_on: datetime.date | None = None
    source: str = ""


@dataclass
class Checked:
    """A person's record as checked: the ID number parsed, birth date and sex settled."""

    id: idnumber.IdNumber
    name: str
    sex: str
    birth_date: datetime.date
    categories: list[CategoryLine] = field(default_factory=list)


def check_person(
    *,
    name: str,
    id_number: str,
    sex: str = "",
    birth_date: datetime.date | None = None,
    categories: Iterable[CategoryLine] = (),
    today: datetime.date | None = None,
) -> Checked:
    """Validate one person's record; raise ValidationError naming each field at fault.

    The ID number's birth date and sex are the truth: what was entered must agree with
    them, and what was left out is taken from them."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = defaultdict(list)
    name = (name or "").strip()
    if not name:
        errors["name"].append(_("The name is empty."))
    elif len(name) > 64:
        errors["name"].append(_("The name is longer than 64 characters."))
    try:
        parsed = idnumber.parse(id_number, today=today)
    except idnumber.InvalidIdNumber as e:
        errors["id_number"].append(str(e))
        raise ValidationError(dict(errors)) from None
    if birth_date is not None and birth_date != parsed.birth_date:
        errors["birth_date"].append(
            _("The birth date %(entered)s contradicts the ID number, which says %(derived)s.")
            % {"entered": birth_date.isoformat(), "derived": parsed.birth_date.isoformat()}
        )
    if sex and sex != parsed.sex:
        errors["sex"].append(_("The sex contradicts the ID number."))
    lines = list(categories)
    seen = set()
    for line in lines:
        if line.category not in CATEGORY_VALUES:
            errors["categories"].append(
                _("“%(category)s” is not a category.") % {"category": line.category}
            )
            continue
        if line.category in seen:
            errors["categories"].append(
                _("%(category)s is given twice.") % {"category": Category(line.category).label}
            )
        seen.add(line.category)
        if line.end_on is not None and line.end_on < line.start_on:
            errors["categories"].append(_("A category ends before it starts."))
        if line.start_on > today:
            errors["categories"].append(_("A category cannot start in the future."))
        age = age_on(parsed.birth_date, line.start_on)
        if line.category in CHILD_CATEGORIES and age >= ADULT_AGE:
            errors["categories"].append(
                _("%(category)s is for children under 18.")
                % {"category": Category(line.category).label}
            )
        if line.category == Category.OVER_80 and age < OVER_80_AGE:
            errors["categories"].append(_("Aged 80 or over: the person was not yet 80 then."))
    if errors:
        raise ValidationError(dict(errors))
    return Checked(
        id=parsed, name=name, sex=parsed.sex, birth_date=parsed.birth_date, categories=lines
    )


def _check_place(actor, region) -> None:
    if region is None or region.level != Level.VILLAGE:
        raise ValidationError({"region": _("Choose the village or community the person lives in.")})
    if not scope_of(actor).owns(region.code):
        raise ValidationError({"region": _("That village lies outside your region.")})


def _may_manage(actor) -> None:
    if not actor.can(Perm.MANAGE_PEOPLE):
        raise NotAllowed(_("Your role may not change the registry of people in need."))


def _check_visitor(actor, visitor) -> None:
    """An assigned visitor is an active account whose role visits: one the actor may see,
    or a volunteer (volunteers' organisations serve the whole city)."""
    if visitor is None:
        return
    if not (
        visitor.is_active
        and visitor.can(Perm.VISIT_PEOPLE)
        and visitors_for(actor).filter(pk=visitor.pk).exists()
    ):
        raise ValidationError({"visitor": _("Choose a visitor from your area whose role visits.")})


def visitors_for(actor):
    """The accounts an actor may make someone's assigned visitor."""
    from carepair.accounts.models import User
    from carepair.accounts.roles import PERMISSIONS, Role

    roles = [role for role, perms in PERMISSIONS.items() if Perm.VISIT_PEOPLE in perms]
    reach = User.objects.visible_to(actor).filter(role__in=roles) | User.objects.filter(
        role=Role.VOLUNTEER
    )
    return reach.filter(is_active=True).distinct()


def duplicate_of(number: str) -> Person | None:
    """The person already registered with this (parsed) ID number, if any."""
    return Person.objects.filter(id_hash=vault().digest(number)).first()


@changes_records
@transaction.atomic
def person_register(
    *,
    actor,
    name: str,
    id_number: str,
    region,
    sex: str = "",
    birth_date: datetime.date | None = None,
    phone: str = "",
    household_address: str = "",
    address: str = "",
    living: str = "",
    visitor=None,
    visitor_kind: str = "",
    categories: Iterable[CategoryLine] = (),
    health: dict | None = None,
) -> Person:
    """Register a person in need in a village of the actor's region (登记)."""
    _may_manage(actor)
    checked = check_person(
        name=name, id_number=id_number, sex=sex, birth_date=birth_date, categories=categories
    )
    _check_place(actor, region)
    _check_visitor(actor, visitor)
    keys = vault()
    if Person.objects.filter(id_hash=keys.digest(checked.id.number)).exists():
        raise ValidationError(
            {"id_number": _("A person with this ID number is already registered.")}
        )
    person = Person(
        name=checked.name,
        id_cipher=keys.encrypt(checked.id.number),
        id_hash=keys.digest(checked.id.number),
        id_masked=checked.id.masked,
        sex=checked.sex,
        birth_date=checked.birth_date,
        phone=phone.strip(),
        household_address=household_address.strip(),
        address=address.strip(),
        region=region,
        visitor=visitor,
        visitor_kind=visitor_kind,
        created_by=actor,
    )
    if living:
        person.living = living
    person._history_user = actor
    person.full_clean(exclude=["id_cipher", "id_hash", "id_masked", "created_by", "visitor"])
    person.save()
    PersonCategory.objects.bulk_create(
        PersonCategory(
            person=person,
            category=c.category,
            start_on=c.start_on,
            end_on=c.end_on,
            source=c.source,
        )
        for c in checked.categories
    )
    if health and any(health.values()):
        PersonHealth.objects.create(person=person, **health)
    plan_refresh(Person.objects.filter(pk=person.pk))
    rollup.refresh_registry({person.region_id})
    person.refresh_from_db()
    return person


EDITABLE = ("name", "phone", "household_address", "address", "living", "visitor", "visitor_kind")


@changes_records
@transaction.atomic
def person_update(*, actor, person: Person, region=None, **changes) -> Person:
    """Correct a person's details (not the ID number: that is a new registration)."""
    _may_manage(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    moved_from = None
    if region is not None and region.pk != person.region_id:
        _check_place(actor, region)
        moved_from = person.region_id
        person.region = region
    if "visitor" in changes and changes["visitor"] != person.visitor:
        _check_visitor(actor, changes["visitor"])
    for key, value in changes.items():
        setattr(person, key, value.strip() if isinstance(value, str) else value)
    if not person.name:
        raise ValidationError({"name": _("The name is empty.")})
    person._history_user = actor
    person.full_clean(exclude=["id_cipher", "id_hash", "id_masked", "created_by", "visitor"])
    person.save()
    if moved_from is not None:
        rollup.refresh_registry({moved_from, person.region_id})
    return person


@changes_records
@transaction.atomic
def person_set_status(
    *, actor, person: Person, status: str, on: datetime.date, note: str = ""
) -> Person:
    """Moved away or deceased (or back to active), from a date, with a note. A deceased
    person's categories end on the date of death."""
    _may_manage(actor)
    if status not in Status.values:
        raise ValidationError({"status": _("Not a status.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.status, person.status_on, person.status_note = status, on, note.strip()
    person._history_user = actor
    person.save(update_fields=["status", "status_on", "status_note"])
    if status == Status.DECEASED:
        for held in person.categories.current(on):
            held.end_on = max(on, held.start_on)
            held._history_user = actor
            held.save(update_fields=["end_on"])
    plan_refresh(Person.objects.filter(pk=person.pk))
    rollup.refresh_registry({person.region_id})
    return person


@changes_records
@transaction.atomic
def category_add(*, actor, person: Person, line: CategoryLine) -> PersonCategory:
    _may_manage(actor)
    current = set(person.categories.current().values_list("category", flat=True))
    if line.category in current:
        raise ValidationError({"category": _("The person holds this category already.")})
    check_person(
        name=person.name,
        id_number=_number(person),
        categories=[line],
    )
    held = PersonCategory(
        person=person,
        category=line.category,
        start_on=line.start_on,
        end_on=line.end_on,
        source=line.source,
    )
    held._history_user = actor
    held.save()
    plan_refresh(Person.objects.filter(pk=person.pk))
    rollup.refresh_registry({person.region_id})
    return held


@changes_records
@transaction.atomic
def category_end(*, actor, held: PersonCategory, on: datetime.date) -> PersonCategory:
    _may_manage(actor)
    if on < held.start_on:
        raise ValidationError({"end_on": _("A category ends before it starts.")})
    held.end_on = on
    held._history_user = actor
    held.save(update_fields=["end_on"])
    plan_refresh(Person.objects.filter(pk=held.person_id))
    rollup.refresh_registry({held.person.region_id})
    return held


def _number(person: Person) -> str:
    return vault().decrypt(person.id_cipher)


@dataclass(frozen=True)
class Revealed:
    number: str
    audit: IdReveal


@transaction.atomic
def id_reveal_audited(
    *, actor, person: Person, reason: str, address: str | None = None
) -> Revealed:
    """The full ID number, for a role that needs it, with a stated reason, and the audit
    entry that keeps the reveal (查看留痕)."""
    if not actor.can(Perm.REVEAL_ID):
        raise NotAllowed(_("Your role may not see full ID numbers."))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Say why you need the full number.")})
    audit = IdReveal.objects.create(person=person, user=actor, reason=reason[:200], address=address)
    return Revealed(number=_number(person), audit=audit)


def id_reveal(*, actor, person: Person, reason: str, address: str | None = None) -> str:
    """The full ID number, for a role that needs it, with a stated reason; every reveal is
    kept (查看留痕)."""
    return id_reveal_audited(actor=actor, person=person, reason=reason, address=address).number


def find_by_id_number(user, raw: str):
    """People in reach with this ID number (none or one), or None if it is not a number."""
    try:
        parsed = idnumber.parse(raw)
    except idnumber.InvalidIdNumber:
        return None
    return Person.objects.visible_to(user).filter(id_hash=vault().digest(parsed.number))


# --- visit plans -------------------------------------------------------------------------


def every_days_for(rules: list[VisitRule], categories: set[str], age: int) -> int | None:
    """The shortest interval of the rules a person meets; None if none applies."""
    days = [r.every_days for r in rules if r.applies(categories, age)]
    return min(days) if days else None


def plan_refresh(people=None, today: datetime.date | None = None) -> int:
    """Work out each person's visit interval and next due date from the rules, their
    categories, their age and their last visit (after a change, nightly as ages move, and
    after a bulk load). Returns how many plans changed."""
    today = today or timezone.localdate()
    rules = list(VisitRule.objects.filter(active=True))
    people = Person.objects.all() if people is None else people
    changed = 0
    batch = 2000
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        held: dict[int, set[str]] = defaultdict(set)
        for pid, category in (
            PersonCategory.objects.current(today)
            .filter(person_id__in=chunk)
            .values_list("person_id", "category")
        ):
            held[pid].add(category)
        rows = Person.objects.filter(pk__in=chunk).only(
            "pk",
            "birth_date",
            "status",
            "created_at",
            "visit_every_days",
            "last_visit_on",
            "next_visit_on",
        )
        dirty = []
        for person in rows:
            every = None
            if person.status == Status.ACTIVE:
                every = every_days_for(rules, held[person.pk], age_on(person.birth_date, today))
            due = None
            if every is not None:
                since = person.last_visit_on
                due = since + datetime.timedelta(days=every) if since else today
            if (person.visit_every_days, person.next_visit_on) != (every, due):
                person.visit_every_days, person.next_visit_on = every, due
                dirty.append(person)
        Person.objects.bulk_update(dirty, ["visit_every_days", "next_visit_on"])
        changed += len(dirty)
    return changed


# --- door-knocking visits ----------------------------------------------------------------


@changes_records
@transaction.atomic
def visit_record(
    *,
    actor,
    person: Person,
    visited_on: datetime.date,
    seen: str,
    health: str,
    safety: str,
    food: str,
    mood: str,
    needs: str = "",
    notes: str = "",
    photos=(),
    need: Found | None = None,
) -> HouseholdVisit:
    """Record a household visit (入户走访) and, if a need is given, raise it as a problem
    in the person's village in the same step."""
    if not actor.can(Perm.VISIT_PEOPLE):
        raise NotAllowed(_("Your role may not record household visits."))
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotAllowed(_("That person is outside your reach."))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
    if person.status == Status.DECEASED and person.status_on and visited_on > person.status_on:
        raise ValidationError({"visited_on": _("The person had died by then.")})
    met = seen != Seen.NOT_HOME
    if met and not all((health, safety, food, mood)):
        raise ValidationError(_("Say how the person's health, safety, food and mood were."))
    if not met:
        # Nobody was seen: there is nothing to rate, and the visit is still to be made.
        health = safety = food = mood = ""
    checked = [(upload, validate_photo(upload)) for upload in photos]
    visit = HouseholdVisit(
        person=person,
        visitor=actor,
        visited_on=visited_on,
        region_id=person.region_id,
        seen=seen,
        health=health,
        safety=safety,
        food=food,
        mood=mood,
        needs=needs.strip(),
        notes=notes.strip(),
    )
    visit.full_clean(exclude=["person", "visitor", "region"])
    visit.save()
    for upload, content_type in checked:
        VisitPhoto.objects.create(
            visit=visit, image=upload, content_type=content_type, size=upload.size
        )
    if need is not None:
        from carepair.problems.models import Source

        problem = problem_raise(
            actor=actor,
            title=need.title,
            category=need.category,
            subcategory=need.subcategory,
            due_on=need.due_on,
            region=person.region,
            severity=need.severity,
            description=need.description or needs,
            source=Source.VISIT,
        )
        VisitProblem.objects.create(visit=visit, problem=problem)
    # Only a visit that reached the person counts for the plan (a locked door leaves the
    # visit due), and one recorded late does not move the last visit back.
    if met:
        Person.objects.filter(
            Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=visited_on), pk=person.pk
        ).update(last_visit_on=visited_on)
    plan_refresh(Person.objects.filter(pk=person.pk))
    rollup.refresh_visits(rollup.visit_cells(visit))
    return visit


# --- children's files (一人一档) and referrals --------------------------------------------


def _may_keep_archives(actor) -> None:
    if not (actor.can(Perm.MANAGE_PEOPLE) or actor.can(Perm.VIEW_REFERRALS)):
        raise NotAllowed(_("Your role may not keep children's files."))


@changes_records
@transaction.atomic
def archive_save(*, actor, person: Person, **fields) -> ChildArchive:
    """Create or update a child's file (school, parents away, care parent, risk)."""
    _may_keep_archives(actor)
    if age_on(person.birth_date, timezone.localdate()) >= ADULT_AGE:
        raise ValidationError(_("A child's file is kept for children under 18."))
    archive = ChildArchive.objects.filter(person=person).first() or ChildArchive(person=person)
    for key, value in fields.items():
        setattr(archive, key, value)
    archive._history_user = actor
    archive.full_clean(exclude=["person"])
    archive.save()
    return archive


@transaction.atomic
def referral_make(*, actor, person: Person, point, referred_on: datetime.date, reason: str):
    """Refer a child to a mental-health service point (心理健康转介): restricted."""
    if not actor.can(Perm.VIEW_REFERRALS):
        raise NotAllowed(_("Your role may not make mental-health referrals."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the referral.")})
    if referred_on > timezone.localdate():
        raise ValidationError({"referred_on": _("The date cannot be in the future.")})
    referral = Referral(
        person=person,
        point=point,
        referred_on=referred_on,
        reason=reason.strip(),
        referred_by=actor,
    )
    referral._history_user = actor
    referral.save()
    return referral


# --- contacts and health ------------------------------------------------------------------


@changes_records
@transaction.atomic
def contact_add(*, actor, person: Person, **fields) -> Contact:
    """A guardian, an emergency contact or a care parent (监护人、紧急联系人、代理家长)."""
    _may_manage(actor)
    contact = Contact(person=person, **fields)
    contact._history_user = actor
    contact.full_clean(exclude=["person"])
    contact.save()
    return contact


@changes_records
@transaction.atomic
def contact_remove(*, actor, contact: Contact) -> None:
    _may_manage(actor)
    contact._history_user = actor
    contact.delete()


@changes_records
@transaction.atomic
def health_save(*, actor, person: Person, **fields) -> PersonHealth:
    """Health, disability and mental-health notes: only roles that may read them write them."""
    _may_manage(actor)
    if not actor.can(Perm.VIEW_HEALTH):
        raise NotAllowed(_("Your role may not see or change health notes."))
    health = PersonHealth.objects.filter(person=person).first() or PersonHealth(person=person)
    for key, value in fields.items():
        setattr(health, key, value)
    health._history_user = actor
    health.full_clean(exclude=["person"])
    health.save()
    return health

"""Reading the registry: who is due a visit, who is overdue, and what needs attention."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Left
from django.utils import timezone

from carepair.lib.dates import years_before
from carepair.lib.scoping import visible_or_404
from carepair.people.models import CHILD_CATEGORIES, Category, Person, PersonCategory, Status
from carepair.people.services import find_by_id_number


def person_list(user, filters: dict, today: datetime.date | None = None):
    """The people in reach matching the list page's filters, with their current
    categories (two queries a page)."""
    today = today or timezone.localdate()
    people = Person.objects.visible_to(user).select_related("region", "region__parent")
    q = (filters.get("q") or "").strip()
    if q:
        by_number = find_by_id_number(user, q)
        people = (
            people.filter(pk__in=by_number.values("pk"))
            if by_number is not None
            else (people.filter(name__contains=q))
        )
    if filters.get("category"):
        people = people.filter(
            pk__in=PersonCategory.objects.current(today)
            .filter(category=filters["category"])
            .values("person_id")
        )
    if filters.get("status"):
        people = people.filter(status=filters["status"])
    if filters.get("township"):
        people = people.filter(region__code__prefix=filters["township"].prefix)
    if filters.get("due") == "week":
        people = people.filter(next_visit_on__lte=today + datetime.timedelta(days=7))
    elif filters.get("due") == "overdue":
        people = people.filter(next_visit_on__lt=today)
    if filters.get("mine"):
        people = people.filter(visitor=user)
    return people.prefetch_related(
        Prefetch("categories", PersonCategory.objects.current(today), to_attr="current")
    )


def person_detail(user, pk) -> Person:
    """One person in reach, or 404 (the same answer as for no such person)."""
    return visible_or_404(
        Person.objects.select_related("region", "region__parent", "visitor"), user, pk=pk
    )


def person_rows(people):
    """The list as Excel rows: the ID number masked, no birth date (its digits are what
    the mask hides), health left out."""
    for p in people.iterator(chunk_size=2000):
        yield [
            p.name,
            p.id_masked,
            p.get_sex_display(),
            p.age,
            p.region.name,
            p.region.parent.name if p.region.parent_id else "",
            p.region_id,
            p.get_living_display(),
            p.get_status_display(),
            "、".join(c.get_category_display() for c in p.current),
            p.phone,
            p.visit_every_days,
            p.last_visit_on,
            p.next_visit_on,
        ]


def due_visits(user, *, within_days: int = 7, today: datetime.date | None = None, mine=False):
    """Active people whose next visit falls due within `within_days` (or is overdue),
    soonest first; `mine`: only those the user is the assigned visitor of."""
    today = today or timezone.localdate()
    people = Person.objects.visible_to(user).filter(
        status=Status.ACTIVE, next_visit_on__lte=today + datetime.timedelta(days=within_days)
    )
    if mine:
        people = people.filter(visitor=user)
    return people.order_by("next_visit_on", "pk")


@dataclass
class DueCount:
    key: str | int | None
    due: int
    overdue: int


def due_counts(
    user, *, by: str, within_days: int = 7, today: datetime.date | None = None
) -> list[DueCount]:
    """How many are due (within the week) and overdue, per visitor, per township (the
    first 9 digits of the region) or per county (6)."""
    today = today or timezone.localdate()
    group = {
        "visitor": F("visitor_id"),
        "township": Left("region_id", 9),
        "county": Left("region_id", 6),
    }[by]
    rows = (
        due_visits(user, within_days=within_days, today=today)
        .order_by()
        .values(key=group)
        .annotate(due=Count("pk"), overdue=Count("pk", filter=Q(next_visit_on__lt=today)))
        .order_by("-overdue", "-due")
    )
    return [DueCount(r["key"], r["due"], r["overdue"]) for r in rows]


def _birthday_between(years: int, start: datetime.date, end: datetime.date) -> Q:
    """Born so that the `years`-th birthday falls in [start, end]."""
    return Q(birth_date__gt=years_before(start, years) - datetime.timedelta(days=1)) & Q(
        birth_date__lte=years_before(end, years)
    )


@dataclass
class Alerts:
    turning_80: list
    turning_16: list
    turning_18: list
    overdue: int
    deceased_with_categories: list


def alerts(user, *, within_days: int = 30, today: datetime.date | None = None, limit=200):
    """What needs attention (预警): people turning 80 (高龄 begins), children turning 16
    or 18 (leaving child categories), visits overdue, and deceased people still holding
    a category."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=within_days)
    people = Person.objects.visible_to(user).filter(status=Status.ACTIVE)
    child = Exists(
        PersonCategory.objects.current(today).filter(
            person=OuterRef("pk"), category__in=CHILD_CATEGORIES
        )
    )
    over_80 = Exists(
        PersonCategory.objects.current(today).filter(
            person=OuterRef("pk"), category=Category.OVER_80
        )
    )
    held = Exists(PersonCategory.objects.current(today).filter(person=OuterRef("pk")))
    select = ("region",)
    return Alerts(
        turning_80=list(
            people.filter(_birthday_between(80, today, until))
            .exclude(over_80)
            .select_related(*select)
            .order_by("-birth_date")[:limit]
        ),
        turning_16=list(
            people.filter(_birthday_between(16, today, until), child)
            .select_related(*select)
            .order_by("-birth_date")[:limit]
        ),
        turning_18=list(
            people.filter(_birthday_between(18, today, until), child)
            .select_related(*select)
            .order_by("-birth_date")[:limit]
        ),
        overdue=people.filter(next_visit_on__lt=today).count(),
        deceased_with_categories=list(
            Person.objects.visible_to(user)
            .filter(status=Status.DECEASED)
            .filter(held)
            .select_related(*select)[:limit]
        ),
    )

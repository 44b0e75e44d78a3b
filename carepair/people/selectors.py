"""Reading the registry: who is due a visit, who is overdue, and what needs attention."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Left
from django.utils import timezone

from carepair.people.models import CHILD_CATEGORIES, Category, Person, PersonCategory, Status


def people_in(user, region_code: str | None = None):
    from carepair.regions.models import in_region

    return in_region(Person.objects.visible_to(user), region_code)


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
    return Q(birth_date__gt=_years_before(start, years) - datetime.timedelta(days=1)) & Q(
        birth_date__lte=_years_before(end, years)
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


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

"""The programme's figures (工作成效), computed from the records for a period and a scope.

Every figure starts from the models' `visible_to(user)`, so a county worker's summary is
their county's, and a liaison's is that of the institutions their department is paired with.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from carepair.ledger.models import Activity, Category, Kind, Material
from carepair.orgs.models import Kind as OrgKind
from carepair.orgs.models import Organisation
from carepair.pairing.models import Pairing
from carepair.problems.models import Category as ProblemCategory
from carepair.problems.models import Problem, Status
from carepair.regions.models import prefix_of

SUMMARY_KEYS = (
    "research_visits",
    "activities",
    "material_value_yuan",
    "beneficiaries",
    "problems_raised",
    "problems_solved",
    "problems_solved_environment",
    "problems_solved_safety",
    "departments",
    "institutions",
    "social_organisations",
    "pairs_adjusted",
)


@dataclass(frozen=True)
class Period:
    """A period of whole days, both ends included; an open end is unbounded."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def dates(self, field: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field}__lte": self.end})
        return q

    def moments(self, field: str) -> Q:
        """The same period for a datetime field, in local (Asia/Shanghai) days."""
        q = Q()
        if self.start:
            q &= Q(**{f"{field}__gte": _midnight(self.start)})
        if self.end:
            q &= Q(**{f"{field}__lt": _midnight(self.end + datetime.timedelta(days=1))})
        return q


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def in_region(queryset, region_code: str | None, field: str = "region__code"):
    if not region_code:
        return queryset
    return queryset.filter(**{f"{field}__prefix": prefix_of(region_code)})


def activities_in(user, period: Period, region_code: str | None = None):
    return in_region(Activity.objects.visible_to(user), region_code).filter(
        period.dates("occurred_on")
    )


def problems_in(user, region_code: str | None = None):
    return in_region(Problem.objects.visible_to(user), region_code)


def programme_summary(*, user, period: Period = Period(), region_code: str | None = None) -> dict:
    """The summary figures, with at least the keys of SUMMARY_KEYS."""
    activities = activities_in(user, period, region_code)
    counts = activities.aggregate(
        research_visits=Count("pk", filter=Q(kind=Kind.RESEARCH_VISIT)),
        activities=Count("pk", filter=Q(kind=Kind.ASSISTANCE)),
        beneficiaries=Sum("beneficiaries"),
        participants=Sum("participants"),
        confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
    )
    by_category = dict.fromkeys(Category.values, 0)
    for row in activities.filter(kind=Kind.ASSISTANCE).values("category").annotate(n=Count("pk")):
        by_category[row["category"]] = row["n"]
    value_fen = (
        Material.objects.filter(activity__in=activities.values("pk")).aggregate(
            total=Sum("value_fen")
        )["total"]
        or 0
    )

    problems = problems_in(user, region_code)
    raised = problems.filter(period.moments("raised_at")).count()
    solved = problems.filter(period.moments("verified_at"), status=Status.VERIFIED).aggregate(
        total=Count("pk"),
        environment=Count("pk", filter=Q(category=ProblemCategory.ENVIRONMENT)),
        safety=Count("pk", filter=Q(category=ProblemCategory.SAFETY)),
    )
    today = timezone.localdate()
    open_now = problems.aggregate(
        open=Count("pk", filter=~Q(status__in=[Status.RESOLVED, Status.VERIFIED])),
        overdue=Count(
            "pk",
            filter=~Q(status__in=[Status.RESOLVED, Status.VERIFIED]) & Q(due_on__lt=today),
        ),
    )

    orgs = in_region(Organisation.objects.visible_to(user), region_code).filter(is_active=True)
    org_counts = orgs.aggregate(
        departments=Count("pk", filter=Q(kind=OrgKind.CITY_DEPARTMENT)),
        county_departments=Count("pk", filter=Q(kind=OrgKind.COUNTY_DEPARTMENT)),
        institutions=Count("pk", filter=Q(kind=OrgKind.INSTITUTION)),
        social_organisations=Count("pk", filter=Q(kind=OrgKind.SOCIAL_ORGANISATION)),
        enterprises=Count("pk", filter=Q(kind=OrgKind.ENTERPRISE)),
    )
    pairings = in_region(Pairing.objects.visible_to(user), region_code)
    pairs_adjusted = pairings.filter(period.dates("started_on"), previous__isnull=False).count()
    pairs_active = pairings.active().count()

    return {
        "period_from": period.start.isoformat() if period.start else None,
        "period_to": period.end.isoformat() if period.end else None,
        "region_code": region_code,
        "research_visits": counts["research_visits"],
        "activities": counts["activities"],
        "activities_by_category": by_category,
        "material_value_fen": value_fen,
        "material_value_yuan": fen_to_yuan(value_fen),
        "beneficiaries": counts["beneficiaries"] or 0,
        "participants": counts["participants"] or 0,
        "activities_confirmed": counts["confirmed"],
        "problems_raised": raised,
        "problems_solved": solved["total"],
        "problems_solved_environment": solved["environment"],
        "problems_solved_safety": solved["safety"],
        "problems_open": open_now["open"],
        "problems_overdue": open_now["overdue"],
        **org_counts,
        "pairs_active": pairs_active,
        "pairs_adjusted": pairs_adjusted,
    }

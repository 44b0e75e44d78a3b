"""Reads of the ledger (台账查询): every one starts from `visible_to(user)`."""

from django.db.models import CharField, F, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Concat, Substr

from carepair.accounts.scope import scope_of
from carepair.ledger.models import Activity, Photo
from carepair.lib.money import fen_to_yuan
from carepair.lib.scoping import visible_or_404
from carepair.orgs.models import Organisation
from carepair.regions.models import Level, Region


def county_name_of(field: str = "region_id") -> Subquery:
    """The name of the county that a row's 12-digit region code lies in, for lists."""
    county_code = Concat(Substr(OuterRef(field), 1, 6), Value("000000"), output_field=CharField())
    return Subquery(Region.objects.filter(code=county_code).values("name")[:1])


def counties_for(user):
    """The counties a user's records can lie in: choices for the county filter."""
    scope = scope_of(user)
    counties = Region.objects.filter(level=Level.COUNTY)
    if scope.everything:
        return counties
    codes: set[str] = set()
    if scope.prefix:
        if len(scope.prefix) <= 4:
            codes.update(counties.filter(code__prefix=scope.prefix).values_list("code", flat=True))
        else:
            codes.add(scope.prefix[:6].ljust(12, "0"))
    if scope.institution_ids:
        for code in Organisation.objects.filter(pk__in=scope.institution_ids).values_list(
            "region_id", flat=True
        ):
            codes.add(code[:6].ljust(12, "0"))
    return counties.filter(code__in=codes)


def institutions_for(user):
    """Care institutions the user can see (and so record activities at)."""
    return (
        Organisation.objects.visible_to(user)
        .institutions()
        .filter(is_active=True)
        .order_by("region_id", "name")
    )


def helpers_for(user):
    """Helper organisations the user can name as taking part."""
    return (
        Organisation.objects.visible_to(user)
        .helpers()
        .filter(is_active=True)
        .order_by("kind", "name")
    )


def areas_for(user):
    """Counties, townships and villages the user can see, for an activity in an area."""
    return (
        Region.objects.visible_to(user)
        .filter(level__gte=Level.COUNTY)
        .select_related("parent__parent")
        .order_by("code")
    )


def activity_list(*, user, filters: dict | None = None):
    """The activities a user can see, narrowed by the list page's filters, with their
    place, helpers and material value fetched in a fixed number of queries."""
    filters = filters or {}
    qs = Activity.objects.visible_to(user)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("date_from"):
        qs = qs.filter(occurred_on__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(occurred_on__lte=filters["date_to"])
    if filters.get("county"):
        qs = qs.filter(region__code__prefix=filters["county"].prefix)
    if filters.get("institution"):
        qs = qs.filter(institution=filters["institution"])
    if filters.get("confirmed") == "yes":
        qs = qs.filter(confirmed_at__isnull=False)
    elif filters.get("confirmed") == "no":
        qs = qs.filter(confirmed_at__isnull=True)
    return (
        qs.select_related("institution", "area")
        .prefetch_related(Prefetch("helpers", queryset=Organisation.objects.order_by("name")))
        .annotate(value_fen=F("material_value_fen"), county_name=county_name_of())
        .order_by("-occurred_on", "-pk")
    )


def activity_detail(*, user, pk) -> Activity:
    """One activity with everything its page shows, or 404 (missing or out of scope)."""
    queryset = (
        Activity.objects.select_related(
            "institution", "area", "region", "recorded_by", "confirmed_by"
        )
        .prefetch_related(
            Prefetch("helpers", queryset=Organisation.objects.order_by("name")),
            "materials",
            "photos",
        )
        .annotate(county_name=county_name_of())
    )
    return visible_or_404(queryset, user, pk=pk)


def activity_problems(*, user, activity: Activity):
    """Problems found on this visit that the user can see."""
    from carepair.problems.models import Problem

    return Problem.objects.visible_to(user).filter(activity=activity).order_by("raised_at")


def photo_for(*, user, pk) -> Photo:
    return visible_or_404(Photo.objects.select_related("activity"), user, pk=pk)


def activity_rows(activities):
    """Rows of the Excel export: one line per activity, material value in yuan."""
    for a in activities.iterator(chunk_size=500):
        yield [
            a.occurred_on,
            a.get_kind_display(),
            a.get_category_display(),
            a.title,
            "、".join(h.name for h in a.helpers.all()),
            a.county_name or "",
            str(a.place),
            a.participants,
            a.beneficiaries,
            fen_to_yuan(a.value_fen),
            a.confirmed_at,
            a.notes,
        ]

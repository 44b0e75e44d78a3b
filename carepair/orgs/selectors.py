"""Reads of the organisation registry (单位名录), always starting from visible_to(user)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from carepair.orgs.models import Kind, Organisation
from carepair.regions.models import Level, Region


def county_names() -> dict[str, str]:
    """County prefix (six digits) → name, for showing where a record lies: one query."""
    return {
        code[:6]: name
        for code, name in Region.objects.filter(level=Level.COUNTY).values_list("code", "name")
    }


def place_label(region: Region, counties: dict[str, str], township: str = "") -> str:
    """A region as a reader places it: "市中区 · 凌云社区" below the county (with the
    township between when the caller has it at hand), else its name."""
    county = counties.get(region.code[:6])
    if region.level > Level.COUNTY and county:
        return " · ".join(part for part in (county, township, region.name) if part)
    return region.name


def counties_visible_to(user) -> QuerySet:
    return Region.objects.visible_to(user).filter(level=Level.COUNTY)


def organisations_for(
    user,
    *,
    kind: str = "",
    institution_type: str = "",
    operator: str = "",
    county: str = "",
    q: str = "",
    active: str = "",
) -> QuerySet:
    """The registry as the user may see it, filtered, each row marked `paired` when it
    takes part in a pairing in force today (as helper or as institution)."""
    from carepair.pairing.models import Pairing

    queryset = Organisation.objects.visible_to(user).select_related("region")
    if kind:
        queryset = queryset.filter(kind=kind)
    if institution_type:
        queryset = queryset.filter(institution_type=institution_type)
    if operator:
        queryset = queryset.filter(operator=operator)
    if county:
        queryset = queryset.filter(region__code__prefix=county[:6])
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(address__icontains=q) | Q(contact_person__icontains=q)
        )
    if active == "yes":
        queryset = queryset.filter(is_active=True)
    elif active == "no":
        queryset = queryset.filter(is_active=False)
    in_force = Pairing.objects.active().filter(
        Q(institution_id=OuterRef("pk")) | Q(helper_id=OuterRef("pk"))
    )
    return queryset.annotate(paired=Exists(in_force))


def institutions_visible_to(user) -> QuerySet:
    return Organisation.objects.visible_to(user).filter(kind=Kind.INSTITUTION, is_active=True)


def helpers_visible_to(user, kinds) -> QuerySet:
    return Organisation.objects.visible_to(user).filter(kind__in=kinds, is_active=True)

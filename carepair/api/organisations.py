"""Organisations (单位) and care institutions (机构), read-only."""

import datetime

from django.db.models import Exists, OuterRef
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from carepair.api.common import Pagination, RegionCode, decimal_text, one_of, user_of
from carepair.api.errors import READ_ERRORS
from carepair.lib.scoping import visible_or_404
from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation, Sector
from carepair.pairing.models import Pairing, Tier
from carepair.regions.models import in_region

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    name: str
    kind: one_of(Kind)
    region_code: str
    region_name: str
    address: str
    contact_person: str
    phone: str
    is_active: bool
    sector: one_of(Sector) | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_sector(obj):
        return obj.sector or None


class InstitutionOut(Schema):
    id: int
    name: str
    institution_type: one_of(InstitutionType)
    operator: one_of(Operator) | None
    region_code: str
    region_name: str
    address: str
    contact_person: str
    phone: str
    is_active: bool
    beds: int | None
    elderly_residents: int | None
    child_residents: int | None
    latitude: str | None
    longitude: str | None
    paired: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_operator(obj):
        return obj.operator or None

    @staticmethod
    def resolve_latitude(obj):
        return decimal_text(obj.latitude)

    @staticmethod
    def resolve_longitude(obj):
        return decimal_text(obj.longitude)


class InstitutionPairingOut(Schema):
    id: int
    tier: one_of(Tier)
    helper_id: int | None
    helper_name: str
    started_on: datetime.date


class InstitutionDetailOut(InstitutionOut):
    pairings: list[InstitutionPairingOut]

    @staticmethod
    def resolve_pairings(obj, context):
        user = user_of(context["request"])
        return (
            Pairing.objects.visible_to(user)
            .active()
            .filter(institution=obj)
            .select_related("helper", "leader", "institution", "area")
        )


class OrganisationFilter(Schema):
    kind: one_of(Kind) | None = None
    region: str | None = RegionCode
    q: str | None = None


class InstitutionFilter(Schema):
    type: one_of(InstitutionType) | None = None
    region: str | None = RegionCode
    unpaired: bool | None = None
    q: str | None = None


def organisations(user):
    return Organisation.objects.visible_to(user).select_related("region").order_by("name", "pk")


def institutions(user):
    active = Pairing.objects.active().filter(
        institution=OuterRef("pk"), tier__in=[Tier.CITY_DEPARTMENT, Tier.COUNTY_DEPARTMENT]
    )
    return organisations(user).institutions().annotate(paired=Exists(active))


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations")
@paginate(Pagination)
def organisation_list(request, filters: Query[OrganisationFilter]):
    queryset = in_region(organisations(user_of(request)), filters.region)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q)
    return queryset


@router.get(
    "/organisations/{int:id}",
    response={200: OrganisationOut, **READ_ERRORS},
    summary="One organisation",
)
def organisation_detail(request, id: int):
    return visible_or_404(organisations(user_of(request)), user_of(request), pk=id)


@router.get("/institutions", response=list[InstitutionOut], summary="List care institutions")
@paginate(Pagination)
def institution_list(request, filters: Query[InstitutionFilter]):
    """`unpaired=true`: institutions without an active department pairing (tier 1 or 3)."""
    queryset = in_region(institutions(user_of(request)), filters.region)
    if filters.type:
        queryset = queryset.filter(institution_type=filters.type)
    if filters.unpaired is not None:
        queryset = queryset.filter(paired=not filters.unpaired)
    if filters.q:
        queryset = queryset.filter(name__icontains=filters.q)
    return queryset


@router.get(
    "/institutions/{int:id}",
    response={200: InstitutionDetailOut, **READ_ERRORS},
    summary="One care institution, with its active pairings",
)
def institution_detail(request, id: int):
    return visible_or_404(institutions(user_of(request)), user_of(request), pk=id)

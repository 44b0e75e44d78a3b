"""Pairings (结对) across the four tiers: list, pair, adjust, end."""

import datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from carepair.accounts.models import User
from carepair.accounts.roles import Role
from carepair.api.common import Pagination, References, RegionCode, one_of, user_of
from carepair.api.errors import READ_ERRORS, WRITE_ERRORS
from carepair.lib.scoping import visible_or_404
from carepair.orgs.models import Organisation
from carepair.pairing import services
from carepair.pairing.models import Pairing, Tier
from carepair.regions.models import Region, in_region

router = Router(tags=["pairings"])


class PairingOut(Schema):
    id: int
    tier: one_of(Tier)
    helper_id: int | None
    helper_name: str
    leader_id: int | None
    institution_id: int | None
    institution_name: str | None
    area_code: str | None
    area_name: str | None
    region_code: str
    started_on: datetime.date
    ended_on: datetime.date | None
    end_reason: str
    active: bool
    previous_id: int | None
    note: str

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name if obj.institution_id else None

    @staticmethod
    def resolve_area_code(obj):
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj):
        return obj.area.name if obj.area_id else None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_active(obj):
        return obj.is_active()


class PairingFilter(Schema):
    tier: one_of(Tier) | None = None
    active: bool | None = None
    region: str | None = RegionCode
    institution: int | None = None
    helper: int | None = None


class PairingIn(Schema):
    """Tier 1 and 3 take `helper_id` and `institution_id`; tier 2 takes `leader_id` (a
    county leader) and `area_code` (a township); tier 4 takes `helper_id` (a township
    office) and `area_code` (one of its villages)."""

    tier: one_of(Tier)
    started_on: datetime.date | None = Field(None, description="Today if not given.")
    helper_id: int | None = None
    leader_id: int | None = None
    institution_id: int | None = None
    area_code: str | None = None
    note: str = Field("", max_length=255)


class AdjustIn(Schema):
    """Ends the pair and starts its successor on `on`; give only the parties that change."""

    reason: str = Field(..., max_length=255)
    on: datetime.date | None = Field(None, description="Today if not given.")
    helper_id: int | None = None
    leader_id: int | None = None
    institution_id: int | None = None
    area_code: str | None = None


class EndIn(Schema):
    reason: str = Field(..., max_length=255)
    ended_on: datetime.date | None = Field(None, description="Today if not given.")


def pairings(user):
    return (
        Pairing.objects.visible_to(user)
        .select_related("helper", "leader", "institution", "area")
        .order_by("-started_on", "-pk")
    )


def parties(user, payload) -> dict:
    """The organisations, leader and area a payload names, each one the caller may see."""
    refs = References()
    found = {
        "helper": refs.one(
            Organisation.objects.visible_to(user).helpers(), payload.helper_id, "helper_id"
        ),
        "leader": refs.one(
            User.objects.visible_to(user).filter(role=Role.COUNTY_LEADER),
            payload.leader_id,
            "leader_id",
        ),
        "institution": refs.one(
            Organisation.objects.visible_to(user).institutions(),
            payload.institution_id,
            "institution_id",
        ),
        "area": refs.one(Region.objects.visible_to(user), payload.area_code, "area_code"),
    }
    refs.check()
    return found


@router.get("/pairings", response=list[PairingOut], summary="List pairings")
@paginate(Pagination)
def pairing_list(request, filters: Query[PairingFilter]):
    queryset = in_region(pairings(user_of(request)), filters.region)
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    if filters.active is not None:
        active = Pairing.objects.active().values("pk")
        queryset = (
            queryset.filter(pk__in=active) if filters.active else queryset.exclude(pk__in=active)
        )
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    if filters.helper:
        queryset = queryset.filter(helper_id=filters.helper)
    return queryset


@router.get("/pairings/{int:id}", response={200: PairingOut, **READ_ERRORS}, summary="One pairing")
def pairing_detail(request, id: int):
    return visible_or_404(pairings(user_of(request)), user_of(request), pk=id)


@router.post("/pairings", response={201: PairingOut, **WRITE_ERRORS}, summary="Pair (结对)")
def pairing_create(request, payload: PairingIn):
    user = user_of(request)
    pairing = services.pairing_create(
        actor=user,
        tier=payload.tier,
        started_on=payload.started_on or timezone.localdate(),
        note=payload.note,
        **parties(user, payload),
    )
    return Status(201, pairing)


@router.post(
    "/pairings/{int:id}/adjust",
    response={201: PairingOut, **WRITE_ERRORS},
    summary="Adjust a pair (调整): end it and start its successor",
)
def pairing_adjust(request, id: int, payload: AdjustIn):
    user = user_of(request)
    pairing = visible_or_404(Pairing, user, pk=id)
    successor = services.pairing_adjust(
        actor=user,
        pairing=pairing,
        reason=payload.reason,
        on=payload.on,
        **parties(user, payload),
    )
    return Status(201, successor)


@router.post(
    "/pairings/{int:id}/end",
    response={200: PairingOut, **WRITE_ERRORS},
    summary="End a pair",
)
def pairing_end(request, id: int, payload: EndIn):
    user = user_of(request)
    pairing = visible_or_404(Pairing, user, pk=id)
    return services.pairing_end(
        actor=user,
        pairing=pairing,
        ended_on=payload.ended_on or timezone.localdate(),
        reason=payload.reason,
    )

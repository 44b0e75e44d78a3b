"""The ledger (台账): visits and assistance activities with their materials."""

import datetime
import re
from decimal import Decimal

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt, StrictStr, model_validator

from carepair.api.common import (
    Named,
    Pagination,
    References,
    RegionCode,
    check_period,
    custom_error,
    decimal_text,
    one_of,
    user_of,
    yuan,
)
from carepair.api.errors import READ_ERRORS, WRITE_ERRORS
from carepair.ledger import services
from carepair.ledger.models import Activity, Category, Kind
from carepair.lib.scoping import visible_or_404
from carepair.orgs.models import Organisation
from carepair.regions.models import Region, in_region

router = Router(tags=["activities"])

YUAN = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")


class MaterialOut(Schema):
    id: int
    item: str
    quantity: str
    unit: str
    value_fen: int
    value_yuan: str = Field(..., description='Decimal string, two places: "1250.00".')

    @staticmethod
    def resolve_quantity(obj):
        return decimal_text(obj.quantity)

    @staticmethod
    def resolve_value_yuan(obj):
        return yuan(obj.value_fen)


class PhotoOut(Schema):
    id: int
    url: str
    content_type: str
    size: int

    @staticmethod
    def resolve_url(obj):
        # The scoped page that serves the photo, never the media folder itself.
        return reverse("activity_photo", args=[obj.pk])


class ActivityOut(Schema):
    id: int
    kind: one_of(Kind)
    category: one_of(Category)
    title: str
    occurred_on: datetime.date
    helpers: list[Named]
    institution_id: int | None
    institution_name: str | None
    area_code: str | None
    region_code: str
    participants: int
    beneficiaries: int
    notes: str
    material_value_fen: int
    material_value_yuan: str
    recorded_at: datetime.datetime
    confirmed: bool
    confirmed_at: datetime.datetime | None
    confirmation_note: str

    @staticmethod
    def resolve_helpers(obj):
        return list(obj.helpers.all())

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name if obj.institution_id else None

    @staticmethod
    def resolve_area_code(obj):
        return obj.area_id

    @staticmethod
    def resolve_region_code(obj):
        return obj.region_id

    @staticmethod
    def resolve_material_value_fen(obj):
        return obj.value_fen or 0

    @staticmethod
    def resolve_material_value_yuan(obj):
        return yuan(obj.value_fen or 0)

    @staticmethod
    def resolve_confirmed(obj):
        return obj.is_confirmed


class ActivityDetailOut(ActivityOut):
    materials: list[MaterialOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())


class ActivityFilter(Schema):
    kind: one_of(Kind) | None = None
    category: one_of(Category) | None = None
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")
    region: str | None = RegionCode
    institution: int | None = None


class MaterialIn(Schema):
    """Give the value either as `value_yuan`, a decimal string ("1250.50"), or as
    `value_fen`, an integer (125050). Never as a floating-point number."""

    item: str = Field(..., min_length=1, max_length=128)
    quantity: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    unit: str = Field(..., min_length=1, max_length=16)
    value_yuan: StrictStr | None = None
    value_fen: StrictInt | None = Field(None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def no_floats(cls, data):
        if isinstance(data, dict):
            for key in ("value_yuan", "value_fen"):
                if isinstance(data.get(key), float):
                    raise custom_error(
                        "money_float",
                        _(
                            "Give money as a decimal string such as “12.50” "
                            "or as whole fen, never as a floating-point number."
                        ),
                    )
        return data

    @model_validator(mode="after")
    def one_value(self):
        if (self.value_yuan is None) == (self.value_fen is None):
            raise custom_error(
                "money_one", _("Give the value either in yuan (as a string) or in fen.")
            )
        if self.value_yuan is not None and not YUAN.match(self.value_yuan):
            raise custom_error(
                "money_format", _("Enter an amount in yuan with at most two decimals, e.g. 12.50.")
            )
        return self

    def line(self) -> services.MaterialLine:
        fen = self.value_fen
        if fen is None:
            fen = services.yuan_to_fen(self.value_yuan)
        return services.MaterialLine(
            item=self.item, quantity=self.quantity, unit=self.unit, value_fen=fen
        )


class ActivityIn(Schema):
    kind: one_of(Kind)
    category: one_of(Category)
    title: str = Field(..., min_length=1, max_length=200)
    occurred_on: datetime.date
    helper_ids: list[int] | None = Field(
        None, description="The organisations that took part; yours if not given."
    )
    institution_id: int | None = None
    area_code: str | None = None
    participants: int = Field(0, ge=0)
    beneficiaries: int = Field(0, ge=0, description="Person-times (人次).")
    notes: str = ""
    materials: list[MaterialIn] = []


class ConfirmIn(Schema):
    note: str = Field("", max_length=255)


def activities(user):
    return (
        Activity.objects.visible_to(user)
        .select_related("institution")
        .prefetch_related("helpers")
        .annotate(value_fen=F("material_value_fen"))
        .order_by("-occurred_on", "-pk")
    )


@router.get("/activities", response=list[ActivityOut], summary="List visits and activities")
@paginate(Pagination)
def activity_list(request, filters: Query[ActivityFilter]):
    check_period(filters.date_from, filters.date_to)
    queryset = in_region(activities(user_of(request)), filters.region)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.date_from:
        queryset = queryset.filter(occurred_on__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(occurred_on__lte=filters.date_to)
    if filters.institution:
        queryset = queryset.filter(institution_id=filters.institution)
    return queryset


def activity_detail_of(user, id: int) -> Activity:
    return visible_or_404(activities(user).prefetch_related("materials", "photos"), user, pk=id)


@router.get(
    "/activities/{int:id}",
    response={200: ActivityDetailOut, **READ_ERRORS},
    summary="One activity, with its materials and photos",
)
def activity_detail(request, id: int):
    return activity_detail_of(user_of(request), id)


@router.post(
    "/activities",
    response={201: ActivityDetailOut, **WRITE_ERRORS},
    summary="Record a visit or activity (登记台账)",
)
def activity_create(request, payload: ActivityIn):
    user = user_of(request)
    refs = References()
    if payload.helper_ids is None:
        helpers = [user.organisation] if user.organisation_id else []
    else:
        helpers = refs.many(
            Organisation.objects.visible_to(user).helpers(), payload.helper_ids, "helper_ids"
        )
    institution = refs.one(
        Organisation.objects.visible_to(user).institutions(),
        payload.institution_id,
        "institution_id",
    )
    area = refs.one(Region.objects.visible_to(user), payload.area_code, "area_code")
    refs.check()
    activity = services.activity_record(
        actor=user,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        occurred_on=payload.occurred_on,
        helpers=helpers,
        institution=institution,
        area=area,
        participants=payload.participants,
        beneficiaries=payload.beneficiaries,
        notes=payload.notes,
        materials=[m.line() for m in payload.materials],
    )
    return Status(201, activity_detail_of(user, activity.pk))


@router.post(
    "/activities/{int:id}/confirm",
    response={200: ActivityDetailOut, **WRITE_ERRORS},
    summary="The institution confirms what it received (确认)",
)
def activity_confirm(request, id: int, payload: ConfirmIn | None = None):
    user = user_of(request)
    activity = visible_or_404(Activity, user, pk=id)
    services.activity_confirm(actor=user, activity=activity, note=payload.note if payload else "")
    return activity_detail_of(user, id)

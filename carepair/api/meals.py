"""Meal assistance (老年助餐): recording meals at a point, one by one or an offline
point's records in a batch. Money is given as integer fen and as yuan strings."""

import datetime
from decimal import Decimal

from django.http import JsonResponse
from ninja import Field, Router, Schema

from carepair.api.common import JSON_DUMPS_PARAMS, user_of
from carepair.api.errors import WRITE_ERRORS, ErrorOut
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.meals import services
from carepair.meals.models import Meal, Method, Slot

router = Router(tags=["meals"])


class RedemptionIn(Schema):
    site_id: int
    slot: Slot
    card_no: str = Field("", description="The diner's card number; or")
    id_number: str = Field("", description="the diner's ID number; or")
    qr: str = Field("", description="the code of the diner's QR code.")
    served_on: datetime.date | None = Field(None, description="Today if left out.")
    client_ref: str = Field(
        "", max_length=64, description="The point's own id of the record: sent twice, kept once."
    )


def _yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


class PaidBy(Schema):
    city_fen: int
    county_fen: int
    township_fen: int


class RedemptionOut(Schema):
    id: int
    site_id: int
    site_name: str
    diner_name: str = Field(..., description="Masked: 王*英.")
    card_no: str
    served_on: datetime.date
    slot: Slot
    method: Method
    price_fen: int
    subsidy_fen: int
    diner_fen: int = Field(..., description="What the diner pays.")
    subsidy_yuan: str
    diner_yuan: str
    paid_by: PaidBy
    rule: str | None
    late: bool


class ClaimedOut(Schema):
    detail: str
    meal: RedemptionOut


def redemption_out(meal: Meal) -> dict:
    return {
        "id": meal.pk,
        "site_id": meal.site_id,
        "site_name": meal.site.name,
        "diner_name": services.masked_name(meal.diner.person.name),
        "card_no": meal.diner.card_no,
        "served_on": meal.served_on,
        "slot": meal.slot,
        "method": meal.method,
        "price_fen": meal.price_fen,
        "subsidy_fen": meal.subsidy_fen,
        "diner_fen": meal.diner_fen,
        "subsidy_yuan": _yuan(meal.subsidy_fen),
        "diner_yuan": _yuan(meal.diner_fen),
        "paid_by": {
            "city_fen": meal.city_fen,
            "county_fen": meal.county_fen,
            "township_fen": meal.township_fen,
        },
        "rule": meal.rule.name if meal.rule_id else None,
        "late": meal.late,
    }


def _method(payload: RedemptionIn) -> str:
    if payload.card_no.strip():
        return Method.CARD
    if payload.qr.strip():
        return Method.QR
    return Method.ID


def _redeem(user, payload: RedemptionIn, *, late: bool):
    return services.redeem(
        actor=user,
        site_id=payload.site_id,
        slot=payload.slot,
        method=_method(payload),
        card_no=payload.card_no,
        id_number=payload.id_number,
        qr=payload.qr,
        served_on=payload.served_on,
        client_ref=payload.client_ref,
        late=late,
    )


@router.post(
    "/meals/redemptions",
    response={
        200: RedemptionOut,
        201: RedemptionOut,
        409: ClaimedOut | ErrorOut,
        **{k: v for k, v in WRITE_ERRORS.items() if k != 409},
    },
    summary="Record a meal (助餐核销)",
)
def redemption_create(request, payload: RedemptionIn):
    """201 with the subsidy and the diner's share; 409 when the diner has had this slot's
    meal today anywhere in the city (with that meal), or the month is locked; 200 when
    the same client_ref was recorded before (the first record, unchanged)."""
    user = user_of(request)
    try:
        meal, created = _redeem(user, payload, late=False)
    except services.AlreadyClaimed as exc:
        body, status = {"detail": exc.messages[0], "meal": redemption_out(exc.meal)}, 409
    else:
        body, status = redemption_out(meal), 201 if created else 200
    # Answered as built, not validated against the schemas again: a till posts meal
    # after meal and that check cost a tenth of each (benchmarks/redemption). The tests
    # hold these answers to the schemas.
    return JsonResponse(body, status=status, json_dumps_params=JSON_DUMPS_PARAMS)


class BatchIn(Schema):
    redemptions: list[RedemptionIn] = Field(..., max_length=2000)


class BatchItemOut(Schema):
    client_ref: str
    status: str = Field(..., description="created, duplicate (sent before), conflict, refused")
    detail: str = ""
    meal: RedemptionOut | None = None


class BatchOut(Schema):
    created: int
    duplicates: int
    conflicts: int
    refused: int
    results: list[BatchItemOut]


@router.post(
    "/meals/redemptions/batch",
    response={200: BatchOut, **WRITE_ERRORS},
    summary="Upload an offline point's records (离线补传)",
)
def redemption_batch(request, payload: BatchIn):
    """Each record on its own: written, already sent (same client_ref), in conflict with
    a meal recorded elsewhere (the diner had that slot's meal already: reported, not
    dropped), or refused with the reason. Nothing is silently lost."""
    user = user_of(request)
    results, counts = [], {"created": 0, "duplicates": 0, "conflicts": 0, "refused": 0}
    for item in payload.redemptions:
        try:
            meal, created = _redeem(user, item, late=True)
        except services.AlreadyClaimed as exc:
            status, detail, meal = "conflict", exc.messages[0], exc.meal
        except (ValidationError, IllegalTransition, NotAllowed) as exc:
            status, detail, meal = (
                "refused",
                " ".join(exc.messages if hasattr(exc, "messages") else [str(exc)]),
                None,
            )
        else:
            status, detail = ("created" if created else "duplicate"), ""
        counts[
            {
                "created": "created",
                "duplicate": "duplicates",
                "conflict": "conflicts",
                "refused": "refused",
            }[status]
        ] += 1
        results.append(
            {
                "client_ref": item.client_ref,
                "status": status,
                "detail": detail,
                "meal": redemption_out(meal) if meal is not None else None,
            }
        )
    return {**counts, "results": results}

"""The programme's figures (工作成效), as `carepair report summary --json` prints them."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema
from pydantic import WithJsonSchema, field_serializer

from carepair.accounts.roles import Perm
from carepair.api.common import RegionCode, check_period, user_of
from carepair.api.errors import READ_ERRORS, ErrorOut
from carepair.lib.errors import NotAllowed
from carepair.lib.scoping import visible_or_404
from carepair.regions.models import Region
from carepair.reports.selectors import Period, cached_summary

router = Router(tags=["summary"])


class SummaryOut(Schema):
    period_from: datetime.date | None
    period_to: datetime.date | None
    region_code: str | None
    research_visits: int
    activities: int
    activities_by_category: dict[str, int]
    material_value_fen: int
    material_value_yuan: Annotated[Decimal, WithJsonSchema({"type": "number"})] = Field(
        ..., description="A JSON number, exact to the fen (material_value_fen / 100)."
    )
    beneficiaries: int
    participants: int
    activities_confirmed: int
    problems_raised: int
    problems_solved: int
    problems_solved_environment: int
    problems_solved_safety: int
    problems_open: int
    problems_overdue: int
    departments: int
    county_departments: int
    institutions: int
    social_organisations: int
    enterprises: int
    pairs_active: int
    pairs_adjusted: int
    household_visits: int = Field(
        ...,
        description="Door-knocking visits (入户走访) made in the period. Like the other two "
        "figures of the registry, zero for a role that may not see the registry.",
    )
    people_registered: int = Field(
        ..., description="People in need on the registry today (active), in reach."
    )
    left_behind_children: int = Field(
        ..., description="Children under 18 holding 留守儿童 today, among them."
    )
    meal_points: int = Field(
        ...,
        description="Meal points (助餐点) open today, in reach; zero for a role that "
        "may not see meal assistance, like the two figures after it.",
    )
    meals_served: int = Field(..., description="Meals served (老年助餐) in the period.")
    meal_subsidy_fen: int = Field(..., description="Their subsidy, net of adjustments, in fen.")
    meal_subsidy_yuan: Decimal = Field(
        ..., description="A JSON number, exact to the fen (meal_subsidy_fen / 100)."
    )

    @field_serializer("material_value_yuan", "meal_subsidy_yuan")
    def as_json_number(self, value: Decimal):
        # The JSON renderer writes Decimal as a string; the summary promises a number.
        # A float's shortest repr carries the decimal's digits exactly up to 15 significant
        # digits, i.e. below 10^13 yuan; beyond that the exact figure is material_value_fen.
        return float(value)


class SummaryFilter(Schema):
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")
    region: str | None = RegionCode


@router.get(
    "/summary",
    response={200: SummaryOut, 403: ErrorOut, **READ_ERRORS},
    summary="The programme's summary figures for a period and a region in reach",
)
def summary(request, filters: Query[SummaryFilter]):
    user = user_of(request)
    if not user.can(Perm.VIEW_DASHBOARD):
        raise NotAllowed()
    check_period(filters.date_from, filters.date_to)
    region = filters.region.ljust(12, "0") if filters.region else None
    if region is not None:
        visible_or_404(Region, user, code=region)  # out of reach answers as unknown
    return cached_summary(
        user=user,
        period=Period(start=filters.date_from, end=filters.date_to),
        region_code=region,
    )

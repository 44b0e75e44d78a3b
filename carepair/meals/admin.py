"""Back office for the meal network (助餐服务网络) and the subsidy standards: sites are kept
here (operator, address, position, capacity, hours, which kitchen supplies them, status),
scoped like the pages; the subsidy rules are the city's. Diners, meals and settlements
are written by the services behind the meal pages, never typed in here."""

from django.contrib import admin

from carepair.accounts.admin import CitywideAdmin, RelatedOnly, ScopedHistoryAdmin
from carepair.meals.models import MealSite, SubsidyRule


@admin.register(MealSite)
class MealSiteAdmin(ScopedHistoryAdmin):
    list_display = ("name", "kind", "region", "operator", "capacity", "status")
    list_filter = ("kind", "status", ("region", RelatedOnly))
    search_fields = ("name", "address", "region__name", "operator__name")
    list_select_related = ("region", "operator")
    fieldsets = (
        (None, {"fields": ("name", "kind", "status", "opened_on")}),
        (None, {"fields": ("operator", "supplied_by", "capacity", "hours")}),
        (None, {"fields": ("region", "address", "latitude", "longitude")}),
    )


@admin.register(SubsidyRule)
class SubsidyRuleAdmin(CitywideAdmin, ScopedHistoryAdmin):
    """The standards are the city's."""

    list_display = (
        "name", "category", "min_age", "max_age", "price_fen", "subsidy_fen", "monthly_cap",
        "effective_from", "effective_to",
    )  # fmt: skip
    list_filter = ("category",)

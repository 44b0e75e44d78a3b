from django.contrib import admin

from carepair.accounts.admin import RelatedOnly, ScopedHistoryAdmin
from carepair.orgs.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(ScopedHistoryAdmin):
    list_display = ("name", "kind", "institution_type", "region", "is_active")
    list_filter = ("kind", "institution_type", "operator", "is_active", ("region", RelatedOnly))
    search_fields = ("name", "address", "contact_person", "region__name")
    list_select_related = ("region",)
    fieldsets = (
        (None, {"fields": ("name", "kind", "region", "is_active")}),
        (None, {"fields": ("address", "contact_person", "phone")}),
        (
            None,
            {
                "fields": (
                    "institution_type",
                    "operator",
                    "beds",
                    "elderly_residents",
                    "child_residents",
                    "latitude",
                    "longitude",
                )
            },
        ),
        (None, {"fields": ("sector",)}),
    )

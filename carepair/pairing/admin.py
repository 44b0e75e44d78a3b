from django.contrib import admin

from carepair.accounts.admin import RelatedOnly, ScopedHistoryAdmin
from carepair.pairing.models import Pairing


@admin.register(Pairing)
class PairingAdmin(ScopedHistoryAdmin):
    list_display = ("__str__", "tier", "region", "started_on", "ended_on")
    list_filter = ("tier", ("region", RelatedOnly), ("helper", RelatedOnly))
    search_fields = ("helper__name", "institution__name", "area__name", "leader__full_name")
    list_select_related = ("helper", "leader", "institution", "area", "region")
    date_hierarchy = "started_on"
    fields = (
        "tier",
        "helper",
        "leader",
        "institution",
        "area",
        "started_on",
        "ended_on",
        "end_reason",
        "previous",
        "note",
        "region",
        "created_by",
    )
    readonly_fields = ("region", "created_by")

    def save_model(self, request, obj, form, change):
        # Where the pair works follows from its parties, as in pairing_create.
        obj.region = obj.institution.region if obj.institution_id else obj.area
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

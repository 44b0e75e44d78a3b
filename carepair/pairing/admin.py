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

    # Pairs are made, adjusted and ended on the pairing pages, through the services that
    # check the tiers' rules and keep the chain; here they are looked up and read.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin

from carepair.accounts.admin import RelatedOnly, ScopedAdmin
from carepair.regions.models import Region


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level", ("parent", RelatedOnly))
    search_fields = ("code", "name")
    ordering = ("code",)

    def get_readonly_fields(self, request, obj=None):
        # The code is the region's identity and the key of every scope; it is not retyped.
        return ("code",) if obj is not None else ()

from django.contrib import admin

from carepair.accounts.admin import ReadOnlyInline, RelatedOnly, ScopedAdmin, ScopedInline
from carepair.ledger.models import Activity, Material, Photo
from carepair.ledger.services import activity_totals_refresh
from carepair.reports import rollup


class MaterialInline(ScopedInline, admin.TabularInline):
    model = Material
    fields = ("item", "quantity", "unit", "value_fen")


class PhotoInline(ReadOnlyInline, admin.TabularInline):
    # Photos arrive through the pages and the API, which check their type and size.
    model = Photo
    fields = ("image", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ("title", "kind", "category", "occurred_on", "institution", "region")
    list_filter = ("kind", "category", ("region", RelatedOnly), ("institution", RelatedOnly))
    search_fields = ("title", "notes", "institution__name")
    list_select_related = ("institution", "region")
    date_hierarchy = "occurred_on"
    filter_horizontal = ("helpers",)
    fields = (
        "kind",
        "category",
        "title",
        "occurred_on",
        "helpers",
        "institution",
        "area",
        "participants",
        "beneficiaries",
        "notes",
        "region",
        "recorded_by",
        "confirmed_by",
        "confirmed_at",
        "confirmation_note",
    )
    # The institution's confirmation is its own act (activity_confirm), not an edit here.
    readonly_fields = ("region", "recorded_by", "confirmed_by", "confirmed_at", "confirmation_note")
    inlines = [MaterialInline, PhotoInline]

    def save_model(self, request, obj, form, change):
        # Where it happened follows from the place, as in activity_record.
        obj.region = obj.institution.region if obj.institution_id else obj.area
        if not change:
            obj.recorded_by = request.user
        # The monthly totals of the place and month it was in before are counted again too.
        obj._cells_before = set()
        if change:
            before = Activity.objects.filter(pk=obj.pk).first()
            obj._cells_before = rollup.activity_cells(before) if before else set()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The materials inline may have changed: the entry's total follows them.
        activity = form.instance
        activity_totals_refresh(Activity.objects.filter(pk=activity.pk))
        rollup.refresh_activities(getattr(activity, "_cells_before", set()))


class ActivityChildAdmin(ScopedAdmin):
    """Materials and photos are seen through their activity's scope."""

    def scoped(self, queryset, user):
        return queryset.filter(activity__in=Activity.objects.visible_to(user).values("pk"))


@admin.register(Material)
class MaterialAdmin(ActivityChildAdmin):
    list_display = ("item", "quantity", "unit", "value_fen", "activity")
    search_fields = ("item", "activity__title")
    list_select_related = ("activity",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        activity_totals_refresh(Activity.objects.filter(pk=obj.activity_id))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        activity_totals_refresh(Activity.objects.filter(pk=obj.activity_id))

    def delete_queryset(self, request, queryset):
        activities = list(queryset.values_list("activity_id", flat=True))
        super().delete_queryset(request, queryset)
        activity_totals_refresh(Activity.objects.filter(pk__in=activities))


@admin.register(Photo)
class PhotoAdmin(ActivityChildAdmin):
    list_display = ("image", "activity", "content_type", "size", "uploaded_at")
    fields = ("activity", "image", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    list_select_related = ("activity",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django import forms
from django.contrib import admin

from carepair.accounts.admin import ReadOnlyInline, RelatedOnly, ScopedAdmin, ScopedHistoryAdmin
from carepair.problems.models import Evidence, Problem, ProblemEvent
from carepair.problems.services import validate_category
from carepair.reports import rollup


class EventInline(ReadOnlyInline, admin.TabularInline):
    model = ProblemEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "organisation", "note")
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline, admin.TabularInline):
    model = Evidence
    fields = ("image", "event", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class ProblemForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        validate_category(data.get("category", ""), data.get("subcategory", ""))
        return data


# The loop's steps (assign, start, resolve, verify, reopen) are service functions that
# write their own events; here only the description of a problem is corrected.
WORKFLOW_FIELDS = (
    "status",
    "source",
    "institution",
    "region",
    "activity",
    "raised_by",
    "raised_by_org",
    "raised_at",
    "assigned_to",
    "assigned_at",
    "resolved_at",
    "resolution",
    "verified_at",
    "escalation_level",
    "escalated_at",
)


@admin.register(Problem)
class ProblemAdmin(ScopedHistoryAdmin):
    form = ProblemForm
    list_display = ("title", "category", "status", "due_on", "region", "institution")
    list_filter = (
        "status",
        "category",
        "severity",
        "escalation_level",
        ("region", RelatedOnly),
        ("assigned_to", RelatedOnly),
    )
    search_fields = ("title", "description", "institution__name")
    list_select_related = ("region", "institution")
    date_hierarchy = "raised_at"
    fields = ("title", "description", "category", "subcategory", "severity", "due_on")
    fields += WORKFLOW_FIELDS
    readonly_fields = WORKFLOW_FIELDS
    inlines = [EventInline, EvidenceInline]

    def has_add_permission(self, request):
        # A problem is raised through problem_raise (pages, API), which opens its loop.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A corrected category moves the problem between the monthly totals' categories.
        rollup.refresh_problems(rollup.problem_cells(obj))


class ProblemChildAdmin(ScopedAdmin):
    """Events and evidence are seen through their problem's scope, and never edited: they
    are the record of what happened."""

    def scoped(self, queryset, user):
        return queryset.filter(problem__in=Problem.objects.visible_to(user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProblemEvent)
class ProblemEventAdmin(ProblemChildAdmin):
    list_display = ("problem", "action", "from_status", "to_status", "actor", "at")
    list_filter = ("action", "to_status")
    search_fields = ("problem__title", "note")
    list_select_related = ("problem", "actor")
    readonly_fields = ("problem", "action", "from_status", "to_status", "actor", "organisation")
    readonly_fields += ("at", "note")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(ProblemChildAdmin):
    list_display = ("image", "problem", "content_type", "size", "uploaded_at")
    list_select_related = ("problem",)
    readonly_fields = ("problem", "event", "image", "content_type", "size", "uploaded_by")
    readonly_fields += ("uploaded_at",)

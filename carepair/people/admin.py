"""Back office for the registry's settings: the visit rules (kept by the city) and the
mental-health service points. People themselves are kept on the registry's pages, where
numbers stay masked and every reveal is audited."""

from django.contrib import admin

from carepair.accounts.admin import CitywideAdmin, RelatedOnly, ScopedAdmin
from carepair.people.models import IdReveal, Person, ServicePoint, VisitRule
from carepair.people.services import plan_refresh


@admin.register(VisitRule)
class VisitRuleAdmin(CitywideAdmin):
    """The rules are the city's."""

    list_display = ("name", "category", "also_category", "min_age", "every_days", "active")
    list_filter = ("active", "category")
    list_editable = ("every_days", "active")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Everyone's interval may follow from this rule: the plans are worked out again.
        plan_refresh()


@admin.register(ServicePoint)
class ServicePointAdmin(ScopedAdmin):
    list_display = ("name", "kind", "region", "contact", "phone")
    list_filter = ("kind", ("region", RelatedOnly))
    search_fields = ("name", "contact")


@admin.register(IdReveal)
class IdRevealAdmin(ScopedAdmin):
    """Who saw which full ID number, when, why and from where (查看留痕): read only, for
    the back office of the region the person lives in."""

    list_display = ("at", "user", "person", "reason", "address")
    list_filter = (("user", RelatedOnly),)
    search_fields = ("reason", "user__username", "person__name")
    date_hierarchy = "at"
    list_select_related = ("user", "person")
    readonly_fields = ("at", "user", "person", "reason", "address")

    def scoped(self, queryset, user):
        return queryset.filter(person__in=Person.objects.visible_to(user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

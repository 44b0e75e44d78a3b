"""The back office (Django admin), scoped like every page.

ScopedAdmin is the base of every app's ModelAdmin:
- rows come from `visible_to(request.user)`;
- foreign-key and many-to-many choices are limited to what the user may see;
- who may use it is `user.can(Perm.USE_ADMIN)` (superusers: everything), not Django's
  per-model permissions, which CarePair does not hand out;
- an object outside the scope answers 404, and so does a missing one (Django would
  redirect with "doesn't exist", which for a scoped-out object would still say too much);
- a save that would move the object out of the user's sight is rolled back.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from carepair.accounts.models import ApiToken, User
from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.errors import PermissionDenied
from carepair.lib.freshness import records_changed

admin.site.site_header = "CarePair"
admin.site.site_title = "CarePair"


def may_use_admin(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.can(Perm.USE_ADMIN)


def visible(model, user):
    """The rows of `model` the user may see; models without a scope of their own (Django's
    content types, for instance) are not narrowed."""
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        return manager.visible_to(user)
    return manager.all()


class ScopedFormfields:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", visible(db_field.related_model, request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", visible(db_field.related_model, request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(ScopedFormfields, admin.ModelAdmin):
    def scoped(self, queryset, user):
        """Narrow `queryset` to what `user` may see. Child records (materials, events)
        override this to follow their parent's scope."""
        return queryset.visible_to(user)

    def get_queryset(self, request):
        return self.scoped(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request):
        return may_use_admin(request)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request)

    def has_add_permission(self, request):
        return may_use_admin(request)

    def has_change_permission(self, request, obj=None):
        return may_use_admin(request)

    def has_delete_permission(self, request, obj=None):
        # Records of the programme end (pairings), go inactive (organisations, users) or
        # close (problems); deleting would take their history along, and Django's delete
        # page lists related records whatever their region.
        return request.user.is_active and request.user.is_superuser

    def check_still_visible(self, request, obj) -> None:
        if obj.pk is not None and not self.get_queryset(request).filter(pk=obj.pk).exists():
            raise PermissionDenied(_("That change would put the record outside your scope."))

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            self.check_still_visible(request, obj)
        records_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        records_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        records_changed()

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields and inlines can change what the user may see (an
        # activity's organisations); Django runs this inside the change view's transaction.
        super().save_related(request, form, formsets, change)
        self.check_still_visible(request, form.instance)


class CitywideAdmin(ScopedAdmin):
    """For the city's own settings (visit rules, subsidy standards): seen and changed by a
    city-wide back-office user only."""

    def scoped(self, queryset, user):
        return queryset if scope_of(user).citywide else queryset.none()

    def _citywide(self, request) -> bool:
        return may_use_admin(request) and scope_of(request.user).citywide

    def has_module_permission(self, request):
        return self._citywide(request)

    def has_view_permission(self, request, obj=None):
        return self._citywide(request)

    def has_add_permission(self, request):
        return self._citywide(request)

    def has_change_permission(self, request, obj=None):
        return self._citywide(request)


class ScopedHistoryAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """For models with history. simple_history's own views look records up without
    the admin's queryset; here they go through get_object first, so an out-of-scope
    object's history answers 404 too."""

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.get_object(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInline(ScopedFormfields):
    """Inlines follow their parent's permission; their rows are the parent's own."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request)

    def has_add_permission(self, request, obj=None):
        return may_use_admin(request)

    def has_change_permission(self, request, obj=None):
        return may_use_admin(request)

    def has_delete_permission(self, request, obj=None):
        return may_use_admin(request)


class ReadOnlyInline(ScopedInline):
    """Rows written by the services (events, uploaded photos): shown, never typed in."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RelatedOnly(admin.RelatedOnlyFieldListFilter):
    """A foreign-key filter offering only values present in the user's own rows, so the
    filter list names nothing of another region."""


class ApiTokenInline(ReadOnlyInline, admin.TabularInline):
    model = ApiToken
    fields = ("name", "created_at", "last_used_at")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return may_use_admin(request)


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "region", "organisation", "is_active")
    list_filter = ("role", "is_active", "is_staff", ("region", RelatedOnly))
    search_fields = ("username", "full_name", "phone", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("role"),
            {"fields": ("full_name", "role", "region", "organisation", "phone", "email")},
        ),
        (None, {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (None, {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "region",
                    "organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()
    inlines = [ApiTokenInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser makes superusers or hands out Django groups.
            fields += ["is_superuser", "groups"]
        return fields

    def scoped(self, queryset, user):
        queryset = super().scoped(queryset, user)
        return queryset if user.is_superuser else queryset.filter(is_superuser=False)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # An account's region and organisation decide what it sees: an administrator
        # hands out only what lies in their own region, not what a pairing lets them see.
        scope = scope_of(request.user)
        owned = {"organisation": "region__code__prefix", "region": "code__prefix"}
        if not scope.everything and db_field.name in owned:
            model = db_field.related_model
            kwargs["queryset"] = (
                model.objects.filter(**{owned[db_field.name]: scope.prefix})
                if scope.prefix
                else model.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        scope = scope_of(request.user)
        places = [obj.region_id, obj.organisation.region_id if obj.organisation_id else None]
        if any(code and not scope.owns(code) for code in places):
            raise PermissionDenied(
                _("Accounts can only be given a region and organisation in your own region.")
            )
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Tokens are issued by `carepair token`; here they are listed and revoked."""

    list_display = ("user", "name", "created_at", "last_used_at")
    search_fields = ("user__username", "name")
    fields = ("user", "name", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

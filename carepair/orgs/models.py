"""Organisations (单位): departments, care institutions, townships, social organisations
and enterprises."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carepair.accounts.scope import scope_of
from carepair.lib.geofields import latitude_field, longitude_field
from carepair.lib.history import History


class Kind(models.TextChoices):
    CITY_DEPARTMENT = "city_department", _("City department")
    COUNTY_DEPARTMENT = "county_department", _("County department")
    TOWNSHIP = "township", _("Township or street office")
    INSTITUTION = "institution", _("Care institution")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    ENTERPRISE = "enterprise", _("Enterprise")


HELPER_KINDS = (
    Kind.CITY_DEPARTMENT,
    Kind.COUNTY_DEPARTMENT,
    Kind.TOWNSHIP,
    Kind.SOCIAL_ORGANISATION,
    Kind.ENTERPRISE,
)


class InstitutionType(models.TextChoices):
    RURAL_HOME = "rural_home", _("Rural elderly home (敬老院)")
    ELDERLY_HOME = "elderly_home", _("Elderly care home (养老院)")
    WELFARE_HOME = "welfare_home", _("Welfare home (福利院)")
    CHILDREN_HOME = "children_home", _("Children's welfare home (儿童福利院)")
    REGIONAL_CENTRE = "regional_centre", _("Regional elderly-care centre (区域养老中心)")
    MINOR_PROTECTION = "minor_protection", _("Minors' rescue and protection centre")


CHILD_TYPES = (InstitutionType.CHILDREN_HOME, InstitutionType.MINOR_PROTECTION)


class Operator(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class Sector(models.TextChoices):
    BANK = "bank", _("Bank")
    TELECOM = "telecom", _("Telecoms")
    INSURER = "insurer", _("Insurer")
    OTHER = "other", _("Other")


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisations in the user's region, their own, the institutions it is paired with,
        and the helpers paired with institutions or areas in reach: a county sees the city
        departments that work in it, a home sees who helps it."""
        scope = scope_of(user)
        if scope.everything:
            return self
        from carepair.pairing.models import Pairing

        q = models.Q(pk__in=scope.institution_ids)
        pairs = models.Q(institution_id__in=scope.institution_ids)
        if scope.prefix:
            q |= models.Q(region__code__prefix=scope.prefix)
            pairs |= models.Q(region__code__prefix=scope.prefix)
        if scope.organisation_id:
            q |= models.Q(pk=scope.organisation_id)
        q |= models.Q(
            pk__in=Pairing.objects.filter(pairs, helper__isnull=False).values("helper_id")
        )
        return self.filter(q)

    def institutions(self):
        return self.filter(kind=Kind.INSTITUTION)

    def helpers(self):
        return self.filter(kind__in=HELPER_KINDS)


class Organisation(models.Model):
    """A unit of the programme: a city or county department (市级/县级部门), a township or
    street office (乡镇街道), a care institution (养老、儿童机构), a social organisation
    (社会组织) or an enterprise (企业: banks, telecoms, insurers)."""

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("region"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Institutions only.
    institution_type = models.CharField(
        _("institution type"), max_length=32, choices=InstitutionType.choices, blank=True
    )
    operator = models.CharField(_("operator"), max_length=16, choices=Operator.choices, blank=True)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    elderly_residents = models.PositiveIntegerField(_("elderly residents"), null=True, blank=True)
    child_residents = models.PositiveIntegerField(_("child residents"), null=True, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    # Enterprises only.
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind="institution") | models.Q(institution_type=""),
                name="organisation_type_only_for_institutions",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="institution") | ~models.Q(institution_type=""),
                name="organisation_institution_has_type",
            ),
        ]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self):
        return self.name

    @property
    def is_institution(self) -> bool:
        return self.kind == Kind.INSTITUTION

    @property
    def serves_children(self) -> bool:
        return self.institution_type in CHILD_TYPES

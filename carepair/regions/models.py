"""Administrative divisions (行政区划) on 12-digit statistical codes.

The code is already a path: city 511100000000, county 511102000000, township
511102001000, village 511102001001. "This region and everything below it" is a prefix
filter on an indexed column, so the tree needs no other structure.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carepair.lib.geofields import latitude_field, longitude_field


class Level(models.IntegerChoices):
    CITY = 1, _("City")
    COUNTY = 2, _("County")
    TOWNSHIP = 3, _("Township or street")
    VILLAGE = 4, _("Village or community")


# How many leading digits of the code name a region at each level.
PREFIX_LENGTH = {Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}


def prefix_of(code: str) -> str:
    """The significant digits of a 12-digit code: 511102000000 -> '511102'."""
    for length in (4, 6, 9):
        if code[length:].strip("0") == "":
            return code[:length]
    return code


def level_of(code: str) -> Level:
    return {4: Level.CITY, 6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}[
        len(prefix_of(code))
    ]


def full_code(prefix: str) -> str:
    return prefix.ljust(12, "0")


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from carepair.accounts.scope import scope_of

        scope = scope_of(user)
        if scope.everything:
            return self
        q = models.Q(pk__in=[])
        if scope.prefix:
            q |= models.Q(code__prefix=scope.prefix)
        if scope.institution_ids:
            from carepair.orgs.models import Organisation

            q |= models.Q(
                code__in=Organisation.objects.filter(pk__in=scope.institution_ids).values(
                    "region_id"
                )
            )
        return self.filter(q)

    def under(self, code: str):
        """This region and everything below it."""
        return self.filter(code__prefix=prefix_of(code))


class Region(models.Model):
    """A division (行政区划): the city, a county (县市区), a township or street (乡镇街道),
    or a village or community (村社区)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Where a township's seat (驻地) or a village's centre is: the meal-point planner's
    # demand and candidate sites, and the map. Empty where not known.
    latitude = latitude_field()
    longitude = longitude_field()

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"), name="region_code_12_digits"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)


def in_region(queryset, code: str | None, field: str = "region__code"):
    """Rows of `queryset` in this region and below; `code` is a full code or its
    significant digits (511102 or 511102000000). No code: the queryset unchanged."""
    if not code:
        return queryset
    return queryset.filter(**{f"{field}__prefix": prefix_of(code.ljust(12, "0"))})

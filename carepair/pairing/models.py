"""Pairings (结对) across the four tiers (四级联动)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepair.accounts.scope import scope_of
from carepair.lib.history import History


class Tier(models.IntegerChoices):
    CITY_DEPARTMENT = 1, _("City department ↔ institution")
    COUNTY_LEADER = 2, _("County leader ↔ area (分片区挂联)")
    COUNTY_DEPARTMENT = 3, _("County department ↔ institution (一对一)")
    TOWNSHIP = 4, _("Township ↔ village (全覆盖走访)")


INSTITUTION_TIERS = (Tier.CITY_DEPARTMENT, Tier.COUNTY_DEPARTMENT)
AREA_TIERS = (Tier.COUNTY_LEADER, Tier.TOWNSHIP)


class PairingQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        q = models.Q(institution_id__in=scope.institution_ids)
        if scope.prefix:
            q |= models.Q(region__code__prefix=scope.prefix)
        if scope.organisation_id:
            q |= models.Q(helper_id=scope.organisation_id)
        if getattr(user, "pk", None):
            q |= models.Q(leader_id=user.pk)
        return self.filter(q)

    def active(self, on=None):
        """Pairs in force on a day (today by default)."""
        on = on or timezone.localdate()
        return self.filter(started_on__lte=on).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=on)
        )


class Pairing(models.Model):
    """A pairing (结对): a helper — a city or county department, a township, or a county
    leader in person — paired with a care institution or an area, from a start date until
    it ends. Adjusting a pair (调整帮扶对子) ends it and starts its successor, with a
    reason; the chain through `previous` is the pair's history."""

    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    helper = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings_as_helper",
        verbose_name=_("helper organisation"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="area_pairings",
        verbose_name=_("county leader"),
    )
    institution = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings_as_institution",
        verbose_name=_("institution"),
    )
    area = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="area_pairings",
        verbose_name=_("area"),
    )
    # Where the pair works: the institution's region, or the area itself. Scope filters on it.
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("region"),
    )
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=255, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("replaces"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairingQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="pairing_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        tier__in=[1, 3],
                        helper__isnull=False,
                        institution__isnull=False,
                        area__isnull=True,
                        leader__isnull=True,
                    )
                    | models.Q(
                        tier=2, leader__isnull=False, area__isnull=False, institution__isnull=True
                    )
                    | models.Q(
                        tier=4,
                        helper__isnull=False,
                        area__isnull=False,
                        institution__isnull=True,
                        leader__isnull=True,
                    )
                ),
                name="pairing_parties_match_tier",
            ),
            # County departments pair one to one (一对一): one open pair per department
            # and per institution.
            models.UniqueConstraint(
                fields=["helper"],
                condition=models.Q(tier=3, ended_on__isnull=True),
                name="pairing_county_department_one_open",
            ),
            models.UniqueConstraint(
                fields=["institution"],
                condition=models.Q(tier=3, ended_on__isnull=True),
                name="pairing_county_institution_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["helper", "ended_on"]),
            models.Index(fields=["institution", "ended_on"]),
            models.Index(fields=["region"]),
        ]

    def __str__(self):
        return f"{self.helper_name} ↔ {self.target_name}"

    @property
    def helper_name(self) -> str:
        return str(self.leader if self.tier == Tier.COUNTY_LEADER else self.helper)

    @property
    def target_name(self) -> str:
        return str(self.institution if self.institution_id else self.area)

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.started_on <= on and (self.ended_on is None or self.ended_on > on)

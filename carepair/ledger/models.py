"""The ledger (台账): research visits and assistance activities, with what they gave."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from carepair.accounts.scope import scope_of


class Kind(models.TextChoices):
    RESEARCH_VISIT = "research_visit", _("Research visit (调研走访)")
    ASSISTANCE = "assistance", _("Assistance activity (帮扶活动)")


class Category(models.TextChoices):
    ENVIRONMENT = "environment", _("Environment improvement (环境提升)")
    FESTIVAL = "festival", _("Warm festivals (温暖过节)")
    SAFETY = "safety", _("Safety and security (安全保卫)")
    HARDSHIP = "hardship", _("Relief of hardship (纾困解难)")
    CULTURE = "culture", _("Culture and recreation (文娱活动)")
    HEALTH = "health", _("Medical and health (医疗健康)")
    TRAINING = "training", _("Training and guidance (培训指导)")
    DONATION = "donation", _("Donation (捐赠)")


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self
        q = models.Q(institution_id__in=scope.institution_ids)
        if scope.prefix:
            q |= models.Q(region__code__prefix=scope.prefix)
        if scope.organisation_id:
            q |= models.Q(
                pk__in=Activity.helpers.through.objects.filter(
                    organisation_id=scope.organisation_id
                ).values("activity_id")
            )
        return self.filter(q)


class Activity(models.Model):
    """A research visit (调研走访) or an assistance activity (帮扶活动) by one or more
    helper organisations at an institution or in an area, with the people who took part,
    the person-times who benefited (惠及人次) and the materials given. The institution
    confirms what it received."""

    kind = models.CharField(_("entry type"), max_length=16, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    occurred_on = models.DateField(_("date"), db_index=True)
    helpers = models.ManyToManyField(
        "orgs.Organisation", related_name="activities", verbose_name=_("helper organisations")
    )
    institution = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities_received",
        verbose_name=_("institution"),
    )
    area = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="activities"
    )
    participants = models.PositiveIntegerField(_("participants"), default=0)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries (person-times)"), default=0)
    # The entry's total, written with its materials by activity_record (materials are not
    # edited afterwards). Kept on the entry because every figure of the programme sums it,
    # and a join to the materials for each sum costs the dashboard most of its time.
    material_value_fen = models.BigIntegerField(
        _("value of materials (fen)"), default=0, editable=False
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_note = models.CharField(_("confirmation note"), max_length=255, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=False) | models.Q(area__isnull=False),
                name="activity_has_place",
            ),
            models.CheckConstraint(
                condition=models.Q(material_value_fen__gte=0),
                name="activity_material_value_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "occurred_on"]),
            models.Index(fields=["institution", "occurred_on"]),
            models.Index(fields=["occurred_on", "kind", "category"]),
            # The dashboard's figures by region, kind and category read this index alone,
            # in its order, without touching the table or sorting (reports.selectors.tally).
            models.Index(
                fields=[
                    "region",
                    "kind",
                    "category",
                    "occurred_on",
                    "beneficiaries",
                    "participants",
                    "confirmed_at",
                    "material_value_fen",
                ],
                name="activity_dashboard_idx",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def place(self):
        return self.institution or self.area

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class PhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A photo is seen by whoever may see its activity."""
        return self.filter(activity__in=Activity.objects.visible_to(user))


class Material(models.Model):
    """Materials given (帮扶物资): an item, its quantity and unit, and its value in fen."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    item = models.CharField(_("item"), max_length=128)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=16)
    value_fen = models.BigIntegerField(
        _("value (fen)"), validators=[MinValueValidator(0)], help_text=_("1 yuan = 100 fen")
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value_fen__gte=0), name="material_value_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="material_quantity_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.quantity}{self.unit}"


class Photo(models.Model):
    """A photo of an activity, checked for type and size on upload."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="activities/%Y/%m/")
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.image.name

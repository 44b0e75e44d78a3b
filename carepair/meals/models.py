"""Meal assistance (老年助餐): the network of kitchens, canteens and meal points, the
diners, the subsidy rules, every meal served, and the monthly settlement with operators.
Money is integer fen."""

import datetime
import functools

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.freshness import Stamp
from carepair.lib.geofields import latitude_field, longitude_field
from carepair.lib.history import History
from carepair.lib.loaded import loaded


class SiteKind(models.TextChoices):
    KITCHEN = "kitchen", _("Central kitchen (乐养大厨房)")
    CANTEEN = "canteen", _("Canteen (乐养小食堂)")
    POINT = "point", _("Meal point (乐养助餐点)")
    MUTUAL = "mutual", _("Village mutual-aid canteen (打平伙)")


class SiteStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Slot(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")


def _reach(user) -> tuple | None:
    """What meal records the user sees: None for none, () for all, otherwise (the region
    code prefix, the organisation) of which they see those in the region or operated by
    the organisation."""
    if not getattr(user, "is_authenticated", False) or not user.can(Perm.VIEW_MEALS):
        return None
    scope = scope_of(user)
    return () if scope.everything else (scope.prefix, scope.organisation_id)


def _within(queryset, reach: tuple | None, region_field: str, operator_field: str):
    if reach is None:
        return queryset.none()
    if not reach:
        return queryset
    prefix, organisation_id = reach
    q = Q(pk__in=[])
    if prefix:
        q |= Q(**{f"{region_field}__startswith": prefix})
    if organisation_id:
        q |= Q(**{operator_field: organisation_id})
    return queryset.filter(q)


def _scoped(queryset, user, region_field: str, operator_field: str):
    """Records of the user's region; for an organisation's people, those it operates."""
    return _within(queryset, _reach(user), region_field, operator_field)


class MealSiteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, "region__code", "operator_id")


# What a redemption reads of its site.
TILL_FIELDS = ("name", "kind", "status", "operator_id", "region_id")


def site_at_till(user, pk: int):
    """MealSite.objects.visible_to(user).only(*TILL_FIELDS).filter(pk=pk).first(): the
    same query, built once per scope and site and then only run, for a till asks it at
    every meal and building it cost several times running it (benchmarks/redemption)."""
    reach = _reach(user)
    if reach is None:
        return None
    sql, params = _site_at_till_sql(reach, pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description]
    return None if row is None else loaded(MealSite, **dict(zip(names, row, strict=True)))


@functools.lru_cache(maxsize=2048)
def _site_at_till_sql(reach: tuple, pk: int) -> tuple[str, tuple]:
    queryset = MealSite.objects.only(*TILL_FIELDS).filter(pk=pk).order_by()
    return _within(queryset, reach, "region__code", "operator_id").query.sql_with_params()


class MealSite(models.Model):
    """A place of the meal network (助餐服务网络): a central kitchen that cooks for others,
    a canteen, a meal point that serves what a kitchen sends, or a village's mutual-aid
    canteen where everyone chips in."""

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=SiteKind.choices)
    operator = models.ForeignKey(
        "orgs.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meal_sites",
        verbose_name=_("operator"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    capacity = models.PositiveIntegerField(_("meals a day"), null=True, blank=True)
    hours = models.CharField(_("opening hours"), max_length=64, blank=True)
    supplied_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplies",
        limit_choices_to={"kind": SiteKind.KITCHEN},
        verbose_name=_("supplied by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SiteStatus.choices, default=SiteStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    objects = MealSiteQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("meal site")
        verbose_name_plural = _("meal sites")
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self):
        return self.name


class DinerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, "person__region__code", "enrolled_at__operator_id")


class Diner(models.Model):
    """An older person enrolled for subsidised meals (助餐对象), from the registry, with
    the card and the QR code they show at any point of the city."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        LEFT = "left", _("Left")

    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="diner", verbose_name=_("person")
    )
    card_no = models.CharField(_("card number"), max_length=20, unique=True)
    qr_token = models.CharField(max_length=32, unique=True, editable=False)
    enrolled_at = models.ForeignKey(
        MealSite, on_delete=models.PROTECT, related_name="diners", verbose_name=_("enrolled at")
    )
    enrolled_on = models.DateField(_("enrolled on"), default=datetime.date.today)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    objects = DinerQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["card_no"]
        verbose_name = _("diner")
        verbose_name_plural = _("diners")

    def __str__(self):
        return f"{self.person.name} ({self.card_no})"


class SubsidyRule(models.Model):
    """A subsidy standard (助餐补贴标准), in force from a date: for people of a category
    or an age band, the subsidy per meal, the slots it covers, the monthly cap, and who
    pays what share (city, county, township; percent)."""

    name = models.CharField(_("name"), max_length=64)
    category = models.CharField(
        _("category"), max_length=32, blank=True, help_text=_("Blank: by age alone.")
    )
    min_age = models.PositiveSmallIntegerField(_("from age"), default=60)
    max_age = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    price_fen = models.PositiveIntegerField(_("standard meal price (fen)"))
    subsidy_fen = models.PositiveIntegerField(_("subsidy per meal (fen)"))
    slots = models.JSONField(_("slots"), default=list)
    monthly_cap = models.PositiveSmallIntegerField(_("subsidised meals a month"), default=62)
    city_share = models.PositiveSmallIntegerField(_("city share (%)"), default=50)
    county_share = models.PositiveSmallIntegerField(_("county share (%)"), default=30)
    township_share = models.PositiveSmallIntegerField(_("township share (%)"), default=20)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["-effective_from", "-subsidy_fen"]
        verbose_name = _("subsidy rule")
        verbose_name_plural = _("subsidy rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(city_share=100 - models.F("county_share") - models.F("township_share")),
                name="subsidy_shares_add_up_to_100",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_fen__lte=models.F("price_fen")),
                name="subsidy_at_most_the_price",
            ),
        ]

    def __str__(self):
        return self.name

    def in_force(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


# Changed when a rule is saved or deleted and that is committed: a process keeps the
# rules it read until then (services._rules), for a till reads them at every meal.
RULES_CHANGED = Stamp("subsidy-rules-version")


@receiver([post_save, post_delete], sender=SubsidyRule)
def _rules_changed(**kwargs):
    transaction.on_commit(RULES_CHANGED.touch)


class MealQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, "site__region__code", "site__operator_id")


class Method(models.TextChoices):
    CARD = "card", _("Card")
    ID = "id", _("ID number")
    QR = "qr", _("QR code")


class Meal(models.Model):
    """A meal served to a diner (用餐记录), with the subsidy the rule of the day gave and
    who pays it. One per diner, day and slot across the whole city."""

    diner = models.ForeignKey(Diner, on_delete=models.PROTECT, related_name="meals")
    site = models.ForeignKey(MealSite, on_delete=models.PROTECT, related_name="meals")
    served_on = models.DateField(_("served on"))
    slot = models.CharField(_("slot"), max_length=16, choices=Slot.choices)
    method = models.CharField(_("redeemed by"), max_length=8, choices=Method.choices)
    rule = models.ForeignKey(SubsidyRule, null=True, on_delete=models.PROTECT, related_name="+")
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    subsidy_fen = models.PositiveIntegerField(_("subsidy (fen)"))
    city_fen = models.PositiveIntegerField(default=0)
    county_fen = models.PositiveIntegerField(default=0)
    township_fen = models.PositiveIntegerField(default=0)
    diner_fen = models.PositiveIntegerField(_("paid by the diner (fen)"))
    # The point's own reference for a record made offline and uploaded later: an upload
    # sent twice writes it once.
    client_ref = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    late = models.BooleanField(_("uploaded later"), default=False)

    objects = MealQuerySet.as_manager()

    class Meta:
        ordering = ["-served_on", "-pk"]
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        constraints = [
            models.UniqueConstraint(
                fields=["diner", "served_on", "slot"], name="one_meal_per_diner_slot_day"
            ),
            models.UniqueConstraint(
                fields=["site", "client_ref"],
                condition=~Q(client_ref=""),
                name="meal_client_ref_once_per_site",
            ),
        ]
        indexes = [models.Index(fields=["site", "served_on"])]

    def __str__(self):
        return f"{self.diner} {self.served_on} {self.get_slot_display()}"


class SettlementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, "operator__region__code", "operator_id")


class Settlement(models.Model):
    """A month settled with an operator (月度结算): its meals, the subsidy each payer owes
    and what the diners paid. Locked, the month's meals stay as they are; a correction
    is an adjustment in a month still open."""

    operator = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="meal_settlements"
    )
    month = models.DateField(_("month"))  # its first day
    meals = models.PositiveIntegerField(_("meals"), default=0)
    subsidy_fen = models.BigIntegerField(_("subsidy (fen)"), default=0)
    city_fen = models.BigIntegerField(default=0)
    county_fen = models.BigIntegerField(default=0)
    township_fen = models.BigIntegerField(default=0)
    diner_fen = models.BigIntegerField(_("paid by diners (fen)"), default=0)
    adjustments_fen = models.BigIntegerField(_("adjustments (fen)"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = SettlementQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["-month", "operator_id"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["operator", "month"], name="one_settlement_a_month"),
        ]

    def __str__(self):
        return f"{self.operator} {self.month:%Y-%m}"

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class Adjustment(models.Model):
    """A correction of a meal of a locked month (结算调整), booked in an open month."""

    operator = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("booked in month"))
    meal = models.ForeignKey(Meal, on_delete=models.PROTECT, related_name="adjustments")
    subsidy_fen = models.IntegerField(_("subsidy change (fen)"))
    reason = models.CharField(_("reason"), max_length=200)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)
    booked_on = models.DateField(_("booked on"), default=datetime.date.today)

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")

    def __str__(self):
        return f"{self.meal} {self.subsidy_fen:+d}"


class SharedMealQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The region's records, the operator's for its staff, and a cadre's own."""
        scoped = _scoped(self, user, "site__region__code", "site__operator_id")
        if getattr(user, "is_authenticated", False):
            scoped = scoped | self.filter(cadre_id=user.pk)
        return scoped


RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class SharedMeal(models.Model):
    """A cadre's shared meal (干部陪餐): a cadre eats with the older people at a site and
    rates the meal, 1 to 5, for taste, hygiene, portion and service, with what the diners
    said. A complaint becomes a problem in the platform's loop in the same step."""

    site = models.ForeignKey(
        MealSite, on_delete=models.PROTECT, related_name="shared_meals", verbose_name=_("site")
    )
    served_on = models.DateField(_("date"))
    slot = models.CharField(_("meal"), max_length=16, choices=Slot.choices)
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="shared_meals",
        verbose_name=_("cadre"),
    )
    cadre_title = models.CharField(
        _("cadre's post"), max_length=64, blank=True, help_text=_("For example 县民政局副局长.")
    )
    diners_present = models.PositiveSmallIntegerField(_("older people at the table"))
    taste = models.PositiveSmallIntegerField(_("taste"), validators=RATING_VALIDATORS)
    hygiene = models.PositiveSmallIntegerField(_("hygiene"), validators=RATING_VALIDATORS)
    portion = models.PositiveSmallIntegerField(_("portion"), validators=RATING_VALIDATORS)
    service = models.PositiveSmallIntegerField(_("service"), validators=RATING_VALIDATORS)
    feedback = models.TextField(_("what the diners and the cadre said"), blank=True)
    problem = models.OneToOneField(
        "problems.Problem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shared_meal",
        verbose_name=_("problem raised"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = SharedMealQuerySet.as_manager()

    class Meta:
        ordering = ["-served_on", "-pk"]
        verbose_name = _("shared meal")
        verbose_name_plural = _("shared meals")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "served_on", "slot", "cadre"], name="one_shared_meal_a_sitting"
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"shared_meal_{name}_1_to_5",
                )
                for name in ("taste", "hygiene", "portion", "service")
            ),
        ]

    def __str__(self):
        return f"{self.site} {self.served_on} {self.cadre}"

    @property
    def scores(self) -> list[tuple[str, int]]:
        """(label, rating) of the four ratings, in the order the pages show them."""
        names = ("taste", "hygiene", "portion", "service")
        return [(self._meta.get_field(n).verbose_name, getattr(self, n)) for n in names]

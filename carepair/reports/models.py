"""Monthly totals by county (月度汇总): the dashboard's activity and problem figures for
whole months, kept up to date by the write services (reports.rollup) so that the city's
dashboard reads a few thousand rows instead of every entry ever recorded.

They hold nothing that is not in the ledger and the problems: `carepair report rollup`
rebuilds them from those, and `--check` compares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityMonth(models.Model):
    """The entries of one county (the first six digits of their region; 511100 is the
    city's own) in one month, of one kind and category."""

    county = models.CharField(_("county"), max_length=6)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    kind = models.CharField(_("entry type"), max_length=16)
    category = models.CharField(_("category"), max_length=16)
    entries = models.PositiveIntegerField(_("entries"))
    beneficiaries = models.PositiveBigIntegerField(_("beneficiaries"))
    participants = models.PositiveBigIntegerField(_("participants"))
    confirmed = models.PositiveIntegerField(_("confirmed"))
    material_value_fen = models.PositiveBigIntegerField(_("material value (fen)"))

    class Meta:
        verbose_name = _("monthly activity totals")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month", "kind", "category"], name="activity_month_cell"
            )
        ]

    def __str__(self):
        return f"{self.county} {self.month:%Y-%m} {self.kind}/{self.category}"


class ProblemMonth(models.Model):
    """The problems of one county and category raised in a month (by local time), and
    those verified as solved in that month."""

    county = models.CharField(_("county"), max_length=6)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    category = models.CharField(_("category"), max_length=16)
    raised = models.PositiveIntegerField(_("raised"))
    solved = models.PositiveIntegerField(_("solved"))

    class Meta:
        verbose_name = _("monthly problem totals")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month", "category"], name="problem_month_cell"
            )
        ]

    def __str__(self):
        return f"{self.county} {self.month:%Y-%m} {self.category}"


class VisitMonth(models.Model):
    """The household visits (入户走访) made in one county in one month."""

    county = models.CharField(_("county"), max_length=6)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    visits = models.PositiveIntegerField(_("household visits"))

    class Meta:
        verbose_name = _("monthly visit totals")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["county", "month"], name="visit_month_cell")]

    def __str__(self):
        return f"{self.county} {self.month:%Y-%m}"


class MealDay(models.Model):
    """The meals served (老年助餐) in one county on one day, and their subsidy, net of the
    adjustments booked that day. Kept by day, not month: a period's meals are then a sum
    of a few hundred rows whatever its ends, and a busy city's meals are many.

    A county's day is split over a few rows (`part`, by diner): every meal adds to its
    row inside the meal's own transaction, and one row for the whole county would put
    every point of it in a queue behind that row's lock until each commit is on disk.
    Readers sum the rows, as they sum the days."""

    county = models.CharField(_("county"), max_length=6)
    day = models.DateField(_("day"))
    part = models.PositiveSmallIntegerField(default=0)
    meals = models.PositiveIntegerField(_("meals"), default=0)
    subsidy_fen = models.BigIntegerField(_("subsidy (fen)"), default=0)

    class Meta:
        verbose_name = _("daily meal totals")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["county", "day", "part"], name="meal_day_cell")
        ]

    def __str__(self):
        return f"{self.county} {self.day}"


class RegistryCount(models.Model):
    """The registry of one county as of a day: people on it (active) and left-behind
    children (under 18, holding 留守儿童). Ages and category dates move at midnight, so a
    count is good for its day only (reports.rollup.registry_counts)."""

    county = models.CharField(_("county"), max_length=6, unique=True)
    as_of = models.DateField(_("as of"))
    people = models.PositiveIntegerField(_("people registered"))
    left_behind = models.PositiveIntegerField(_("left-behind children"))

    class Meta:
        verbose_name = _("registry count")
        verbose_name_plural = _("registry counts")

    def __str__(self):
        return f"{self.county} {self.as_of}"

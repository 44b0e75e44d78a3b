"""Meal assistance's writes: enrolling a diner, redeeming a meal (one subsidised meal per
diner, slot and day across the city, whatever two points do at the same moment), and
settling a month with an operator (locked after; corrections are adjustments)."""

import datetime
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.lib.dates import age_on
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.lib.freshness import records_changed
from carepair.lib.loaded import loaded
from carepair.lib.vault import vault
from carepair.meals.models import (
    RULES_CHANGED,
    Adjustment,
    Diner,
    Meal,
    MealSite,
    Method,
    Settlement,
    SiteKind,
    SiteStatus,
    Slot,
    SubsidyRule,
    site_at_till,
)
from carepair.people import idnumber
from carepair.people.models import Person, Status
from carepair.reports import rollup


class AlreadyClaimed(IllegalTransition):
    """The diner has had this slot's meal today (HTTP 409); `meal` is that meal."""

    def __init__(self, meal: Meal):
        self.meal = meal
        super().__init__(
            _("%(name)s has had the %(slot)s of %(day)s already, at %(site)s.")
            % {
                "name": masked_name(meal.diner.person.name),
                "slot": meal.get_slot_display(),
                "day": meal.served_on.isoformat(),
                "site": meal.site.name,
            }
        )


def masked_name(name: str) -> str:
    """王秀英 -> 王*英, 李明 -> 李*: enough for the point to greet the person."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _may(actor, perm: str) -> None:
    if not actor.can(perm):
        raise NotAllowed(_("Your role may not do this."))


# --- diners --------------------------------------------------------------------------


def new_card_no() -> str:
    return f"LS{secrets.randbelow(10**10):010d}"


@transaction.atomic
def diner_enroll(*, actor, person: Person, site: MealSite, card_no: str = "") -> Diner:
    """Enrol a person of the registry (aged 60 or over) at a meal site, with a card
    number (given, or made) and a QR code."""
    _may(actor, Perm.MANAGE_MEALS)
    if not MealSite.objects.visible_to(actor).filter(pk=site.pk).exists():
        raise NotAllowed(_("That meal site lies outside your region."))
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise NotAllowed(_("That person lies outside your region."))
    if person.status != Status.ACTIVE:
        raise ValidationError({"person": _("Only people on the registry can be enrolled.")})
    return _new_diner(actor, person, site, card_no, field="person")


@transaction.atomic
def diner_enroll_at_site(*, actor, site: MealSite, id_number: str, name: str) -> Diner:
    """Enrol at the point (现场登记): the point's staff give the person's ID number and
    name, and the registry is checked for them. Staff may not browse the registry, so
    the two must match a registered person together, and any miss answers the same
    words: the point learns nothing about who is registered."""
    if not (actor.can(Perm.MANAGE_MEALS) or actor.can(Perm.REDEEM_MEALS)):
        raise NotAllowed(_("Your role may not do this."))
    if not MealSite.objects.visible_to(actor).filter(pk=site.pk).exists():
        raise NotAllowed(_("That meal site lies outside your region."))
    try:
        number = idnumber.parse(id_number).number
    except idnumber.InvalidIdNumber as exc:
        raise ValidationError({"id_number": str(exc)}) from None
    person = (
        Person.objects.filter(id_hash=vault().digest(number), name=name.strip())
        .select_for_update()
        .first()
    )
    if person is None or person.status != Status.ACTIVE:
        raise ValidationError(
            {
                "id_number": _(
                    "Nobody of this name and ID number is on the registry: ask the township "
                    "to register them first."
                )
            }
        )
    return _new_diner(actor, person, site, field="id_number")


def _new_diner(actor, person: Person, site: MealSite, card_no: str = "", *, field: str) -> Diner:
    """The checks both ways of enrolling share, then the diner; `field` is where the
    caller's form shows a refusal about the person."""
    if site.status != SiteStatus.OPEN or site.kind == SiteKind.KITCHEN:
        raise ValidationError({"site": _("Diners are enrolled at an open canteen or meal point.")})
    if age_on(person.birth_date, timezone.localdate()) < 60:
        raise ValidationError({field: _("Meal assistance is for people of 60 and over.")})
    if Diner.objects.filter(person=person).exists():
        raise ValidationError({field: _("This person is enrolled already.")})
    card_no = card_no.strip() or new_card_no()
    if Diner.objects.filter(card_no=card_no).exists():
        raise ValidationError({"card_no": _("This card number is taken.")})
    diner = Diner(person=person, enrolled_at=site, card_no=card_no, qr_token=secrets.token_hex(16))
    diner._history_user = actor
    diner.save()
    return diner


# --- subsidy -------------------------------------------------------------------------


@dataclass(frozen=True)
class Subsidy:
    rule: SubsidyRule | None
    price_fen: int
    subsidy_fen: int
    city_fen: int
    county_fen: int
    township_fen: int

    @property
    def diner_fen(self) -> int:
        return self.price_fen - self.subsidy_fen


DEFAULT_PRICE_FEN = 1200  # a meal's price where no rule names one


def rule_for(rules, *, categories: set[str], age: int, day: datetime.date, slot: str):
    """The rule that gives this person the most on that day and slot, if any."""
    fitting = [
        r
        for r in rules
        if r.in_force(day)
        and slot in r.slots
        and age >= r.min_age
        and (r.max_age is None or age <= r.max_age)
        and (not r.category or r.category in categories)
    ]
    return max(fitting, key=lambda r: (r.subsidy_fen, r.pk or 0), default=None)


def split(rule: SubsidyRule | None, subsidy_fen: int, price_fen: int) -> Subsidy:
    """The subsidy shared out by percent; any odd fen go to the township."""
    if rule is None or subsidy_fen == 0:
        return Subsidy(rule, price_fen, 0, 0, 0, 0)
    city = subsidy_fen * rule.city_share // 100
    county = subsidy_fen * rule.county_share // 100
    return Subsidy(rule, price_fen, subsidy_fen, city, county, subsidy_fen - city - county)


def subsidy_of(diner: Diner, day: datetime.date, slot: str) -> Subsidy:
    """What a meal on that day and slot costs the diner (as find_diner gives them, with
    the categories they hold that day) and the payers, before the cap."""
    age = age_on(diner.person.birth_date, day)
    rule = rule_for(_rules(), categories=diner.categories, age=age, day=day, slot=slot)
    if rule is None:
        return split(None, 0, DEFAULT_PRICE_FEN)
    return split(rule, rule.subsidy_fen, rule.price_fen)


# --- redemption ----------------------------------------------------------------------
#
# A till posts meal after meal, so what a redemption reads and writes is written out in
# SQL: building each query through the ORM cost several times what the database took to
# answer it (benchmarks/redemption). The site is still found through
# MealSite.objects.visible_to (its query built once per scope: models.site_at_till); the
# rare paths (a second claim, an upload sent twice) keep the ORM.


_kept_rules: tuple[str, list[SubsidyRule]] = ("", [])


def _rules() -> list[SubsidyRule]:
    """Every subsidy rule, as SubsidyRule.objects.all() gives them: read again only when
    a change to them was committed since (models.RULES_CHANGED). Inside a transaction,
    where a change not yet committed may be in sight, they are read afresh."""
    global _kept_rules
    if connection.in_atomic_block:
        return list(SubsidyRule.objects.all())
    version = RULES_CHANGED.read()  # before the rules: a change after it is seen next time
    if _kept_rules[0] != version:
        _kept_rules = (version, list(SubsidyRule.objects.all()))
    return _kept_rules[1]


_DINER_BY = {"card": "d.card_no", "qr": "d.qr_token", "id": "p.id_hash"}


def find_diner(
    *, card_no: str = "", id_number: str = "", qr: str = "", day: datetime.date | None = None
) -> Diner:
    """The diner a card, an ID number or a QR code belongs to, with the categories they
    hold on the day (today if not given); a clear error otherwise. (Found by the
    credential they show, as at a till: the answer names them masked.)"""
    if card_no.strip():
        by, value = "card", card_no.strip()
    elif qr.strip():
        by, value = "qr", qr.strip().removeprefix("carepair-meal:")
    elif id_number.strip():
        try:
            number = idnumber.parse(id_number).number
        except idnumber.InvalidIdNumber as exc:
            raise ValidationError({"id_number": str(exc)}) from None
        by, value = "id", vault().digest(number)
    else:
        raise ValidationError({"card_no": _("Give the card number, the ID number or the QR code.")})
    # What a redemption reads of the diner, no more: their name to greet them by, their
    # birth date for the age band, and (a row each) the categories in force on the day,
    # as PersonCategory.objects.current() has them.
    on = connection.ops.adapt_datefield_value(day or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.card_no, d.status, d.person_id, p.name, p.birth_date, c.category"
            " FROM meals_diner d JOIN people_person p ON p.id = d.person_id"
            " LEFT JOIN people_personcategory c ON c.person_id = p.id"
            " AND c.start_on <= %s AND (c.end_on IS NULL OR c.end_on > %s)"
            f" WHERE {_DINER_BY[by]} = %s",
            [on, on, value],
        )
        rows = cursor.fetchall()
    if not rows:
        raise ValidationError({"diner": _("No diner has this card, ID number or QR code.")})
    pk, card_no, status, person_id, name, birth_date, _category = rows[0]
    diner = loaded(Diner, id=pk, card_no=card_no, status=status, person_id=person_id)
    diner.person = loaded(Person, id=person_id, name=name, birth_date=birth_date)
    diner.categories = {row[-1] for row in rows if row[-1] is not None}
    if diner.status != Diner.Status.ACTIVE:
        raise ValidationError({"diner": _("This diner's enrolment is suspended or ended.")})
    return diner


class _Collision(Exception):
    """A constraint stopped the meal's insert: the transaction is rolled back first."""

    def __init__(self, diner: Diner):
        self.diner = diner


def redeem(
    *,
    actor,
    site_id: int,
    slot: str,
    method: str,
    card_no: str = "",
    id_number: str = "",
    qr: str = "",
    served_on: datetime.date | None = None,
    client_ref: str = "",
    late: bool = False,
) -> tuple[Meal, bool]:
    """Record a meal at a point; returns (meal, created). A second claim of the same
    diner, slot and day anywhere in the city raises AlreadyClaimed; the same upload sent
    twice (same point, same client_ref) returns the first meal, not created. A site
    outside the actor's scope answers 404 (Http404), as if it did not exist.

    Who the diner is and what their subsidy would be are read first; what another
    redemption or a settlement may change at the same moment (the site's state, a
    locked month, the diner's meals) is read again inside the write's transaction, and
    the unique constraint has the last word. On SQLite, where one write runs at a time,
    that keeps the write short."""
    site = site_at_till(actor, site_id)
    if site is None:
        raise Http404(MealSite._meta.verbose_name)
    _may(actor, Perm.REDEEM_MEALS)
    if slot not in Slot.values:
        raise ValidationError({"slot": _("Choose breakfast, lunch or dinner.")})
    if method not in Method.values:
        raise ValidationError({"method": _("Card, ID number or QR code.")})
    day = served_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"served_on": _("A meal cannot be recorded for a future day.")})
    client_ref = client_ref.strip()[:64]
    if client_ref:
        sent = Meal.objects.filter(site=site, client_ref=client_ref).first()
        if sent is not None:
            return sent, False
    diner = find_diner(card_no=card_no, id_number=id_number, qr=qr, day=day)
    subsidy = subsidy_of(diner, day, slot)
    try:
        meal = _record(
            actor=actor,
            site=site,
            diner=diner,
            subsidy=subsidy,
            slot=slot,
            method=method,
            day=day,
            client_ref=client_ref,
            late=late,
        )
    except _Collision:
        # The constraint is the guarantee: whatever slipped past the checks (a meal
        # committed in between). The transaction is over; what won is committed.
        if client_ref:
            sent = Meal.objects.filter(site=site, client_ref=client_ref).first()
            if sent is not None:
                return sent, False
        raise AlreadyClaimed(_claimed(diner, day, slot).get()) from None
    # After the commit: SQLite's write lock is not held while the cache is written.
    records_changed()
    return meal, True


def _claimed(diner: Diner, day: datetime.date, slot: str):
    return Meal.objects.filter(diner=diner, served_on=day, slot=slot).select_related(
        "site", "diner__person", "rule"
    )


# Inside the write's transaction, in one statement: the site's state, whether its
# operator's month is locked, and the diner's meals that day's slot and that month.
_STATE_SQL = """
SELECT s.status, s.kind,
  EXISTS (SELECT 1 FROM meals_settlement z
          WHERE z.operator_id = s.operator_id AND z.month = %s AND z.locked_at IS NOT NULL),
  (SELECT COUNT(*) FROM meals_meal m
   WHERE m.diner_id = %s AND m.served_on = %s AND m.slot = %s),
  (SELECT COUNT(*) FROM meals_meal m
   WHERE m.diner_id = %s AND m.served_on >= %s AND m.served_on < %s AND m.subsidy_fen > 0)
FROM meals_mealsite s WHERE s.id = %s
"""


_MEAL_FIELDS = [f for f in Meal._meta.concrete_fields if not f.primary_key]


@transaction.atomic
def _record(
    *,
    actor,
    site: MealSite,
    diner: Diner,
    subsidy: Subsidy,
    slot: str,
    method: str,
    day: datetime.date,
    client_ref: str,
    late: bool,
) -> Meal:
    date = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            # The diner's row lock puts redemptions of one diner in a row, so that the
            # month's count below is never read by two at once. (SQLite's immediate
            # transactions run one at a time already.)
            cursor.execute("SELECT id FROM meals_diner WHERE id = %s FOR UPDATE", [diner.pk])
        cursor.execute(
            _STATE_SQL,
            [
                date(month_of(day)),
                diner.pk,
                date(day),
                slot,
                diner.pk,
                date(month_of(day)),
                date(_next_month(day)),
                site.pk,
            ],
        )
        state = cursor.fetchone()
    if state is None:
        raise NotAllowed(_("You do not record meals at this point."))
    status, kind, locked, claimed, subsidised = state
    if status != SiteStatus.OPEN:
        raise ValidationError({"site": _("This meal point is not open.")})
    if kind == SiteKind.KITCHEN:
        raise ValidationError({"site": _("A central kitchen does not serve diners itself.")})
    if locked:
        raise IllegalTransition(
            _("%(month)s is settled and locked: a correction is an adjustment.")
            % {"month": f"{day:%Y-%m}"}
        )
    if claimed:
        raise AlreadyClaimed(_claimed(diner, day, slot).get())
    if subsidy.subsidy_fen and subsidised >= subsidy.rule.monthly_cap:
        subsidy = split(subsidy.rule, 0, subsidy.price_fen)  # past the cap: full price
    meal = Meal(
        diner=diner,
        site=site,
        served_on=day,
        slot=slot,
        method=method,
        rule=subsidy.rule,
        price_fen=subsidy.price_fen,
        subsidy_fen=subsidy.subsidy_fen,
        city_fen=subsidy.city_fen,
        county_fen=subsidy.county_fen,
        township_fen=subsidy.township_fen,
        diner_fen=subsidy.diner_fen,
        client_ref=client_ref,
        recorded_by=actor,
        recorded_at=timezone.now(),
        late=late,
    )
    values = {
        f.column: f.get_db_prep_save(getattr(meal, f.attname), connection) for f in _MEAL_FIELDS
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO meals_meal ({', '.join(values)})"
                f" VALUES ({', '.join(['%s'] * len(values))}) RETURNING id",
                list(values.values()),
            )
            meal.pk = cursor.fetchone()[0]
    except IntegrityError as exc:
        # Leave the transaction (PostgreSQL refuses any further query in it) and look
        # at what won outside.
        raise _Collision(diner) from exc
    meal._state.adding, meal._state.db = False, connection.alias
    rollup.count_meal(site.region_id, day, meals=1, subsidy_fen=meal.subsidy_fen, diner_id=diner.pk)
    return meal


def _next_month(day: datetime.date) -> datetime.date:
    first = month_of(day)
    return (first + datetime.timedelta(days=32)).replace(day=1)


# --- settlement ----------------------------------------------------------------------


def month_totals(operator_id: int, month: datetime.date) -> dict:
    """The month's meals at the operator's sites and the adjustments booked in it."""
    meals = Meal.objects.filter(
        site__operator_id=operator_id, served_on__gte=month, served_on__lt=_next_month(month)
    ).aggregate(
        meals=Count("pk"),
        subsidy_fen=Sum("subsidy_fen", default=0),
        city_fen=Sum("city_fen", default=0),
        county_fen=Sum("county_fen", default=0),
        township_fen=Sum("township_fen", default=0),
        diner_fen=Sum("diner_fen", default=0),
    )
    meals["adjustments_fen"] = Adjustment.objects.filter(
        operator_id=operator_id, month=month
    ).aggregate(total=Sum("subsidy_fen", default=0))["total"]
    return meals


@transaction.atomic
def settle(*, actor, operator, month: datetime.date, lock: bool = True) -> Settlement:
    """Count a month with an operator and (by default) lock it. A month not yet over
    cannot be locked; a locked one is not counted again."""
    _may(actor, Perm.MANAGE_MEALS)
    if not MealSite.objects.visible_to(actor).filter(operator=operator).exists():
        raise NotAllowed(_("This operator runs no meal site in your region."))
    month = month_of(month)
    settlement, _created = Settlement.objects.select_for_update().get_or_create(
        operator=operator, month=month
    )
    if settlement.locked:
        raise IllegalTransition(_("This month is settled and locked."))
    if lock and _next_month(month) > timezone.localdate():
        raise ValidationError({"month": _("A month can be locked once it is over.")})
    for key, value in month_totals(operator.pk, month).items():
        setattr(settlement, key, value)
    if lock:
        settlement.locked_at, settlement.locked_by = timezone.now(), actor
    settlement._history_user = actor
    settlement.save()
    return settlement


@transaction.atomic
def adjust(*, actor, meal: Meal, subsidy_fen: int, reason: str) -> Adjustment:
    """Correct a meal's subsidy after its month was locked: booked in the current month
    (which must be open), never an edit of the locked one."""
    _may(actor, Perm.MANAGE_MEALS)
    if not Meal.objects.visible_to(actor).filter(pk=meal.pk).exists():
        raise NotAllowed(_("That meal lies outside your region."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the meal is corrected.")})
    operator_id = meal.site.operator_id
    month = month_of(timezone.localdate())
    if Settlement.objects.filter(
        operator_id=operator_id, month=month, locked_at__isnull=False
    ).exists():
        raise IllegalTransition(_("This month is settled and locked."))
    adjustment = Adjustment.objects.create(
        operator_id=operator_id,
        month=month,
        meal=meal,
        subsidy_fen=subsidy_fen,
        reason=reason.strip(),
        made_by=actor,
        booked_on=timezone.localdate(),
    )
    rollup.count_meal(
        meal.site.region_id,
        adjustment.booked_on,
        meals=0,
        subsidy_fen=subsidy_fen,
        diner_id=meal.diner_id,
    )
    records_changed()
    return adjustment

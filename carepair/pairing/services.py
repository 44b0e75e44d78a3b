"""Pair, adjust and end pairings (结对、调整、结束). Each writes its own history."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm, Role
from carepair.accounts.scope import scope_of
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.lib.freshness import changes_records
from carepair.orgs.models import Kind
from carepair.pairing.models import INSTITUTION_TIERS, Pairing, Tier
from carepair.regions.models import Level

# Which kinds of helper each tier takes.
HELPER_KINDS_BY_TIER = {
    Tier.CITY_DEPARTMENT: (
        Kind.CITY_DEPARTMENT,
        Kind.ENTERPRISE,
        Kind.SOCIAL_ORGANISATION,
    ),
    Tier.COUNTY_DEPARTMENT: (Kind.COUNTY_DEPARTMENT,),
    Tier.TOWNSHIP: (Kind.TOWNSHIP,),
}


def _open_on(day: datetime.date) -> Q:
    """Pairs not ended on or before `day` (in force then, or yet to start)."""
    return Q(ended_on__isnull=True) | Q(ended_on__gt=day)


def _validate(*, tier, helper, leader, institution, area, started_on, previous=None) -> None:
    errors = {}
    if tier in INSTITUTION_TIERS:
        if institution is None or institution.kind != Kind.INSTITUTION:
            errors["institution"] = _("Choose a care institution.")
        elif not institution.is_active:
            errors["institution"] = _("This institution is marked inactive.")
        if helper is None or helper.kind not in HELPER_KINDS_BY_TIER[tier]:
            errors["helper"] = _("This kind of organisation cannot take this tier of pairing.")
        elif not helper.is_active:
            errors["helper"] = _("This organisation is marked inactive.")
        elif (
            tier == Tier.COUNTY_DEPARTMENT
            and "institution" not in errors
            and not institution.region_id.startswith(helper.region_id[:6])
        ):
            errors["institution"] = _("The institution must lie in the department's county.")
    elif tier == Tier.COUNTY_LEADER:
        if leader is None or leader.role != Role.COUNTY_LEADER or not leader.is_active:
            errors["leader"] = _("Choose a county leader.")
        elif not leader.region_id:
            errors["leader"] = _("This leader has no county on record.")
        if area is None or area.level != Level.TOWNSHIP:
            errors["area"] = _("A county leader liaises with a township or street.")
        elif "leader" not in errors and not area.code.startswith(leader.region.prefix):
            errors["area"] = _("The area must lie in the leader's county.")
    elif tier == Tier.TOWNSHIP:
        if helper is None or helper.kind != Kind.TOWNSHIP:
            errors["helper"] = _("Choose a township or street office.")
        elif not helper.is_active:
            errors["helper"] = _("This organisation is marked inactive.")
        if area is None or area.level != Level.VILLAGE:
            errors["area"] = _("A township pairs with its villages and communities.")
        elif "helper" not in errors and not area.code.startswith(helper.region.prefix):
            errors["area"] = _("The village must lie in the township.")
    else:
        errors["tier"] = _("Unknown tier.")
    if errors:
        raise ValidationError(errors)

    others = Pairing.objects.filter(_open_on(started_on))
    if previous is not None:
        others = others.exclude(pk=previous.pk)
    if tier == Tier.COUNTY_DEPARTMENT:
        # County departments pair one to one (一对一).
        if others.filter(tier=tier, helper=helper).exists():
            errors["helper"] = _("This county department already has its one-to-one pair.")
        if others.filter(tier=tier, institution=institution).exists():
            errors["institution"] = _(
                "This institution already has a county department paired with it one to one."
            )
    else:
        same = others.filter(tier=tier, helper=helper, leader=leader)
        same = same.filter(institution=institution) if institution else same.filter(area=area)
        if same.exists():
            errors["__all__"] = _("This pair is already in force.")
    if errors:
        raise ValidationError(errors)


def _check_still_visible(actor, pairing: Pairing) -> None:
    # Runs inside the write's transaction: raising here rolls the write back.
    if not Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists():
        raise NotAllowed(_("That pairing would lie outside your area of work."))


def tiers_open_to(user) -> tuple[Tier, ...]:
    """The tiers this user may pair in: the city tier is the city's own."""
    if not user.can(Perm.MANAGE_PAIRINGS):
        return ()
    return tuple(t for t in Tier if t != Tier.CITY_DEPARTMENT or scope_of(user).citywide)


@changes_records
@transaction.atomic
def pairing_create(
    *,
    actor,
    tier: int,
    started_on: datetime.date,
    helper=None,
    leader=None,
    institution=None,
    area=None,
    note: str = "",
    previous: Pairing | None = None,
) -> Pairing:
    """Pair a helper with an institution or an area (结对), from `started_on`."""
    if not actor.can(Perm.MANAGE_PAIRINGS):
        raise NotAllowed(_("Your role may not manage pairings."))
    if tier not in tiers_open_to(actor):
        raise NotAllowed(_("City departments are paired by the city."))
    _validate(
        tier=tier,
        helper=helper,
        leader=leader,
        institution=institution,
        area=area,
        started_on=started_on,
        previous=previous,
    )
    pairing = Pairing(
        tier=tier,
        # Only the parties of the tier: an adjusted pair must not carry stale ones.
        helper=helper if tier != Tier.COUNTY_LEADER else None,
        leader=leader if tier == Tier.COUNTY_LEADER else None,
        institution=institution if tier in INSTITUTION_TIERS else None,
        area=area if tier not in INSTITUTION_TIERS else None,
        region=institution.region if tier in INSTITUTION_TIERS else area,
        started_on=started_on,
        note=note.strip(),
        previous=previous,
        created_by=actor,
    )
    pairing._history_user = actor
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as exc:
        # Another writer took the one-to-one slot between our check and our insert.
        raise ValidationError(
            _("This county department or institution already has an open one-to-one pair.")
        ) from exc
    _check_still_visible(actor, pairing)
    return pairing


@changes_records
@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, ended_on: datetime.date, reason: str) -> Pairing:
    """End a pair (结束结对) on `ended_on`, with the reason. It is no longer in force from
    that day."""
    if not actor.can(Perm.MANAGE_PAIRINGS):
        raise NotAllowed(_("Your role may not manage pairings."))
    try:
        pairing = Pairing.objects.visible_to(actor).select_for_update().get(pk=pairing.pk)
    except Pairing.DoesNotExist as exc:
        raise NotAllowed(_("That pairing lies outside your area of work.")) from exc
    if pairing.tier not in tiers_open_to(actor):
        raise NotAllowed(_("City departments are paired by the city."))
    if pairing.ended_on is not None:
        raise IllegalTransition(_("This pairing has already ended."))
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for ending the pairing.")
    if ended_on < pairing.started_on:
        errors["ended_on"] = _("A pairing cannot end before it started.")
    elif ended_on > timezone.localdate():
        errors["ended_on"] = _("The end date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    pairing.ended_on = ended_on
    pairing.end_reason = reason
    pairing._history_user = actor
    pairing.save(update_fields=["ended_on", "end_reason"])
    return pairing


@changes_records
@transaction.atomic
def pairing_adjust(
    *,
    actor,
    pairing: Pairing,
    reason: str,
    on: datetime.date | None = None,
    helper=None,
    leader=None,
    institution=None,
    area=None,
) -> Pairing:
    """Adjust a pair (调整帮扶对子): end it and start its successor on the same day, with
    the parties that change given and the others kept. The successor's `previous` is the
    ended pair, so the chain is the pair's history."""
    on = on or timezone.localdate()
    helper = helper or pairing.helper
    leader = leader or pairing.leader
    institution = institution or pairing.institution
    area = area or pairing.area
    if (helper, leader, institution, area) == (
        pairing.helper,
        pairing.leader,
        pairing.institution,
        pairing.area,
    ):
        raise ValidationError(_("Change the helper or the paired party to adjust the pair."))
    ended = pairing_end(actor=actor, pairing=pairing, ended_on=on, reason=reason)
    return pairing_create(
        actor=actor,
        tier=ended.tier,
        started_on=on,
        helper=helper,
        leader=leader,
        institution=institution,
        area=area,
        previous=ended,
        note=ended.end_reason,
    )

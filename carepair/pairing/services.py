"""Pair, adjust and end pairings (结对、调整、结束). Each writes its own history."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm, Role
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.orgs.models import Kind
from carepair.pairing.models import Pairing, Tier
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


def _validate(*, tier, helper, leader, institution, area) -> None:
    errors = {}
    if tier in (Tier.CITY_DEPARTMENT, Tier.COUNTY_DEPARTMENT):
        if institution is None or institution.kind != Kind.INSTITUTION:
            errors["institution"] = _("Choose a care institution.")
        if helper is None or helper.kind not in HELPER_KINDS_BY_TIER[tier]:
            errors["helper"] = _("This kind of organisation cannot take this tier of pairing.")
    elif tier == Tier.COUNTY_LEADER:
        if leader is None or leader.role != Role.COUNTY_LEADER:
            errors["leader"] = _("Choose a county leader.")
        if area is None or area.level != Level.TOWNSHIP:
            errors["area"] = _("A county leader liaises with a township or street.")
        elif (
            leader is not None
            and leader.region_id
            and not area.code.startswith(leader.region.prefix)
        ):
            errors["area"] = _("The area must lie in the leader's county.")
    elif tier == Tier.TOWNSHIP:
        if helper is None or helper.kind != Kind.TOWNSHIP:
            errors["helper"] = _("Choose a township or street office.")
        if area is None or area.level != Level.VILLAGE:
            errors["area"] = _("A township pairs with its villages and communities.")
        elif helper is not None and not area.code.startswith(helper.region.prefix):
            errors["area"] = _("The village must lie in the township.")
    else:
        errors["tier"] = _("Unknown tier.")
    if errors:
        raise ValidationError(errors)


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
    if not actor.can(Perm.MANAGE_PAIRINGS):
        raise NotAllowed(_("Your role may not manage pairings."))
    _validate(tier=tier, helper=helper, leader=leader, institution=institution, area=area)
    pairing = Pairing(
        tier=tier,
        helper=helper,
        leader=leader,
        institution=institution,
        area=area,
        region=institution.region if institution is not None else area,
        started_on=started_on,
        note=note,
        previous=previous,
        created_by=actor,
    )
    pairing._history_user = actor
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("This county department or institution already has an open one-to-one pair.")
        ) from exc
    if not Pairing.objects.visible_to(actor).filter(pk=pairing.pk).exists():
        raise NotAllowed(_("That pairing would lie outside your region."))
    return pairing


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, ended_on: datetime.date, reason: str) -> Pairing:
    if not actor.can(Perm.MANAGE_PAIRINGS):
        raise NotAllowed(_("Your role may not manage pairings."))
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.ended_on is not None:
        raise IllegalTransition(_("This pairing has already ended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for ending the pairing.")})
    if ended_on < pairing.started_on:
        raise ValidationError({"ended_on": _("A pairing cannot end before it started.")})
    pairing.ended_on = ended_on
    pairing.end_reason = reason
    pairing._history_user = actor
    pairing.save(update_fields=["ended_on", "end_reason"])
    return pairing


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
    the parties that change given and the others kept."""
    on = on or timezone.localdate()
    ended = pairing_end(actor=actor, pairing=pairing, ended_on=on, reason=reason)
    return pairing_create(
        actor=actor,
        tier=ended.tier,
        started_on=on,
        helper=helper or ended.helper,
        leader=leader or ended.leader,
        institution=institution or ended.institution,
        area=area or ended.area,
        previous=ended,
        note=reason,
    )

"""Keep the organisation registry (单位名录): register and edit departments, institutions,
townships, social organisations and enterprises. Each write keeps its history."""

import copy
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.freshness import changes_records
from carepair.orgs.models import Kind, Organisation
from carepair.regions.models import Level

# What a registry page may set. Everything else (created_at, history) is the system's.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "region",
    "address",
    "contact_person",
    "phone",
    "is_active",
    "institution_type",
    "operator",
    "beds",
    "elderly_residents",
    "child_residents",
    "latitude",
    "longitude",
    "sector",
)
INSTITUTION_FIELDS = (
    "institution_type",
    "operator",
    "beds",
    "elderly_residents",
    "child_residents",
    "latitude",
    "longitude",
)

# Departments and townships sit at their own level of the division tree; institutions,
# social organisations and enterprises may sit anywhere (市儿童福利院 is the city's).
LEVEL_OF_KIND = {
    Kind.CITY_DEPARTMENT: Level.CITY,
    Kind.COUNTY_DEPARTMENT: Level.COUNTY,
    Kind.TOWNSHIP: Level.TOWNSHIP,
}


def _blank(value) -> bool:
    return value is None or value == ""


def _validate(organisation: Organisation, *, was: Organisation | None) -> None:
    errors: dict[str, str] = {}
    org = organisation
    org.name = (org.name or "").strip()
    if not org.name:
        errors["name"] = _("Give the organisation's name.")
    elif Organisation.objects.filter(kind=org.kind, name=org.name).exclude(pk=org.pk).exists():
        errors["name"] = _("An organisation of this kind with this name is already registered.")

    level = LEVEL_OF_KIND.get(org.kind)
    if level is not None and org.region_id and org.region.level != level:
        errors["region"] = {
            Level.CITY: _("A city department belongs to the city itself."),
            Level.COUNTY: _("A county department belongs to a county."),
            Level.TOWNSHIP: _("A township or street office belongs to a township or street."),
        }[level]

    if org.kind == Kind.INSTITUTION:
        if not org.institution_type:
            errors["institution_type"] = _("Choose the type of institution.")
        if not org.operator:
            errors["operator"] = _("Say whether the institution is public or private.")
        if _blank(org.latitude) != _blank(org.longitude):
            field = "longitude" if _blank(org.longitude) else "latitude"
            errors[field] = _("Give both latitude and longitude, or neither.")
    else:
        for field in INSTITUTION_FIELDS:
            if not _blank(getattr(org, field)):
                errors[field] = _("Only care institutions have this.")
    if org.kind != Kind.ENTERPRISE and org.sector:
        errors["sector"] = _("Only enterprises have a sector.")

    if was is not None:
        if was.kind != org.kind and (
            org.pairings_as_helper.exists() or org.pairings_as_institution.exists()
        ):
            errors["kind"] = _(
                "This organisation has pairings on record; its kind can no longer change."
            )
        if was.is_active and not org.is_active and _active_pairings(org).exists():
            errors["is_active"] = _("End its pairings in force before marking it inactive.")
    if errors:
        raise ValidationError(errors)


def _candidate(fields: dict[str, Any], organisation: Organisation | None) -> Organisation:
    candidate = copy.copy(organisation) if organisation is not None else Organisation()
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            setattr(candidate, name, value)
    return candidate


def organisation_check(*, fields: dict[str, Any], organisation: Organisation | None = None):
    """The rules about the organisation as a whole, without writing anything: a form
    calls it to name every problem at once, not one round at a time."""
    _validate(_candidate(fields, organisation), was=organisation)


def _active_pairings(org: Organisation):
    from carepair.pairing.models import Pairing

    return Pairing.objects.active().filter(helper=org) | Pairing.objects.active().filter(
        institution=org
    )


def _check_still_visible(actor, organisation: Organisation) -> None:
    # Runs inside the write's transaction: raising here rolls the write back.
    if not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise ValidationError({"region": _("This region lies outside your area of work.")})


def _check_owned(actor, organisation: Organisation, *, as_field: bool = False) -> None:
    """The registry of a region is kept by that region: a county sees the city departments
    paired with its homes but does not edit or move them. `as_field`: the region is the
    one just chosen on the form, so the refusal belongs on that field."""
    if scope_of(actor).owns(organisation.region_id):
        return
    if as_field:
        raise ValidationError({"region": _("That place lies outside your area of work.")})
    raise NotAllowed(_("Only the organisation's own region keeps its registry entry."))


@changes_records
@transaction.atomic
def organisation_create(*, actor, fields: dict[str, Any]) -> Organisation:
    """Register an organisation (登记单位)."""
    if not actor.can(Perm.MANAGE_ORGS):
        raise NotAllowed(_("Your role may not keep the organisation registry."))
    organisation = _candidate(fields, None)
    _check_owned(actor, organisation, as_field=True)
    _validate(organisation, was=None)
    organisation._history_user = actor
    organisation.save()
    _check_still_visible(actor, organisation)
    return organisation


@changes_records
@transaction.atomic
def organisation_update(
    *, actor, organisation: Organisation, fields: dict[str, Any]
) -> Organisation:
    """Correct or update a registry entry. An institution that moves takes its pairings'
    region with it, so that they stay in the scope of the county that now holds it."""
    if not actor.can(Perm.MANAGE_ORGS):
        raise NotAllowed(_("Your role may not keep the organisation registry."))
    was = Organisation.objects.select_for_update().get(pk=organisation.pk)
    _check_owned(actor, was)
    organisation = _candidate(fields, Organisation.objects.get(pk=organisation.pk))
    _check_owned(actor, organisation, as_field=True)
    _validate(organisation, was=was)
    organisation._history_user = actor
    organisation.save()
    if organisation.region_id != was.region_id and organisation.is_institution:
        for pairing in organisation.pairings_as_institution.all():
            pairing.region_id = organisation.region_id
            pairing._history_user = actor
            pairing.save(update_fields=["region"])
    _check_still_visible(actor, organisation)
    return organisation

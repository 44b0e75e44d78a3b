"""Record and confirm ledger entries (台账登记与确认)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.ledger.models import Activity, Material, Photo
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.lib.freshness import changes_records
from carepair.lib.uploads import validate_photo
from carepair.orgs.models import HELPER_KINDS, Kind
from carepair.reports import rollup


@dataclass(frozen=True)
class MaterialLine:
    item: str
    quantity: Decimal
    unit: str
    value_fen: int


def yuan_to_fen(value) -> int:
    """Exact conversion of a yuan amount (str, int or Decimal; never float) to fen."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    amount = Decimal(str(value))
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValidationError(_("Amounts have at most two decimal places (fen)."))
    return int(fen)


@changes_records
@transaction.atomic
def activity_record(
    *,
    actor,
    kind: str,
    category: str,
    title: str,
    occurred_on: datetime.date,
    helpers,
    institution=None,
    area=None,
    participants: int = 0,
    beneficiaries: int = 0,
    notes: str = "",
    materials: list[MaterialLine] = (),
    photos=(),
) -> Activity:
    """Record a visit or activity with its materials and photos, all or nothing."""
    if not actor.can(Perm.LOG_ACTIVITY):
        raise NotAllowed(_("Your role may not record activities."))
    errors = {}
    if institution is None and area is None:
        errors["institution"] = _("Choose the institution or the area visited.")
    if institution is not None and institution.kind != Kind.INSTITUTION:
        errors["institution"] = _("This organisation is not a care institution.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date cannot be in the future.")
    helpers = list(helpers)
    if not helpers:
        errors["helpers"] = _("Name at least one organisation that took part.")
    elif any(h.kind not in HELPER_KINDS for h in helpers):
        errors["helpers"] = _("Only helper organisations take part in activities.")
    # Check every photo before anything is written, so that a bad file leaves neither a
    # row nor a stray file behind.
    photos = list(photos or ())
    checked = []
    for upload in photos:
        try:
            checked.append((upload, validate_photo(upload)))
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    activity = Activity(
        kind=kind,
        category=category,
        title=title,
        occurred_on=occurred_on,
        institution=institution,
        area=area,
        region=institution.region if institution is not None else area,
        participants=participants,
        beneficiaries=beneficiaries,
        material_value_fen=sum(m.value_fen for m in materials),
        notes=notes,
        recorded_by=actor,
    )
    activity.full_clean(exclude=["recorded_by", "region"])
    activity.save()
    activity.helpers.set(helpers)
    lines = [
        Material(
            activity=activity, item=m.item, quantity=m.quantity, unit=m.unit, value_fen=m.value_fen
        )
        for m in materials
    ]
    for line in lines:
        line.full_clean(exclude=["activity"])
    Material.objects.bulk_create(lines)
    for upload, content_type in checked:
        Photo.objects.create(
            activity=activity,
            image=upload,
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
    if not Activity.objects.visible_to(actor).filter(pk=activity.pk).exists():
        raise NotAllowed(_("That activity would lie outside what you may see."))
    rollup.refresh_activities(rollup.activity_cells(activity))
    return activity


def activity_totals_refresh(activities=None) -> int:
    """Rewrite each entry's material total from its materials, in one statement (after a
    bulk load or a repair). Returns the number of entries updated."""
    totals = (
        Material.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(total=Sum("value_fen"))
        .values("total")
    )
    if activities is None:
        updated = Activity.objects.update(material_value_fen=Coalesce(Subquery(totals), 0))
        rollup.rebuild()
        return updated
    cells = {
        (region[: rollup.COUNTY_DIGITS], day.replace(day=1))
        for region, day in activities.values_list("region_id", "occurred_on")
    }
    updated = activities.update(material_value_fen=Coalesce(Subquery(totals), 0))
    rollup.refresh_activities(cells)
    return updated


@changes_records
@transaction.atomic
def activity_confirm(*, actor, activity: Activity, note: str = "") -> Activity:
    """The institution confirms it received what the entry says (机构确认)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not actor.can(Perm.CONFIRM_RECEIPT) or actor.organisation_id != activity.institution_id:
        raise NotAllowed(_("Only the institution that received the help can confirm it."))
    if activity.confirmed_at is not None:
        raise IllegalTransition(_("This entry has already been confirmed."))
    activity.confirmed_by = actor
    activity.confirmed_at = timezone.now()
    activity.confirmation_note = note
    activity.save(update_fields=["confirmed_by", "confirmed_at", "confirmation_note"])
    rollup.refresh_activities(rollup.activity_cells(activity))
    return activity

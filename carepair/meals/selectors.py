"""Reads of the meal pages that other apps show: a person's meal assistance (老年助餐) on
their registry page."""

from django.utils import timezone

from carepair.accounts.roles import Perm
from carepair.lib.dates import age_on
from carepair.meals.models import Diner, MealSite, SiteKind, SiteStatus
from carepair.people.models import Status


def meal_panel(user, person) -> dict | None:
    """Nothing for a role without meals; else the person's diner record, and, for those
    who keep diners, the open sites of the person's county to enrol an older person at
    (their own township's first)."""
    if not user.can(Perm.VIEW_MEALS):
        return None
    diner = Diner.objects.visible_to(user).select_related("enrolled_at").filter(person=person)
    panel = {"diner": diner.first(), "sites": []}
    eligible = (
        person.status == Status.ACTIVE and age_on(person.birth_date, timezone.localdate()) >= 60
    )
    if panel["diner"] is None and eligible and user.can(Perm.MANAGE_MEALS):
        township = person.region_id[:9]
        sites = (
            MealSite.objects.visible_to(user)
            .filter(
                region__code__startswith=person.region_id[:6],
                status=SiteStatus.OPEN,
            )
            .exclude(kind=SiteKind.KITCHEN)
            .order_by("name")
        )
        panel["sites"] = sorted(sites, key=lambda s: (not s.region_id.startswith(township), s.name))
    return panel

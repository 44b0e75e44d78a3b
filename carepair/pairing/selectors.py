"""Reads of the pairings (结对) and of their coverage (覆盖): who is paired with whom, who
is not paired at all, and which pairs have gone quiet. Every read starts from
visible_to(user)."""

import datetime

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from carepair.accounts.models import User
from carepair.accounts.roles import Role
from carepair.ledger.models import Activity
from carepair.orgs.models import Kind, Organisation
from carepair.pairing.models import Pairing, Tier
from carepair.regions.models import Level, Region

QUIET_AFTER_DAYS = 90
# How many links of a pair's history the detail page follows each way.
CHAIN_LIMIT = 50


def pairings_for(
    user, *, tier: str = "", status: str = "", county: str = "", q: str = ""
) -> QuerySet:
    queryset = Pairing.objects.visible_to(user).select_related(
        "helper", "leader", "institution", "area"
    )
    if tier:
        queryset = queryset.filter(tier=tier)
    if status == "active":
        queryset = queryset.active()
    elif status == "ended":
        today = timezone.localdate()
        queryset = queryset.filter(ended_on__lte=today)
    if county:
        queryset = queryset.filter(region__code__prefix=county[:6])
    if q:
        queryset = queryset.filter(
            Q(helper__name__icontains=q)
            | Q(institution__name__icontains=q)
            | Q(area__name__icontains=q)
            | Q(leader__full_name__icontains=q)
            | Q(end_reason__icontains=q)
            | Q(note__icontains=q)
        )
    return queryset


def pairing_chain(pairing: Pairing, user) -> tuple[list[Pairing], list[Pairing]]:
    """The pairs this one replaced (oldest first) and the pairs that replaced it, as far
    as the user can see them: a link outside their scope ends the walk."""
    visible = Pairing.objects.visible_to(user).select_related(
        "helper", "leader", "institution", "area"
    )
    before: list[Pairing] = []
    link = pairing
    while link.previous_id and len(before) < CHAIN_LIMIT:
        link = visible.filter(pk=link.previous_id).first()
        if link is None:
            break
        before.insert(0, link)
    after: list[Pairing] = []
    link = pairing
    while len(after) < CHAIN_LIMIT:
        link = visible.filter(previous_id=link.pk).first()
        if link is None:
            break
        after.append(link)
    return before, after


def leaders_visible_to(user) -> QuerySet:
    """County leaders (县级领导) whose county the user can see."""
    return (
        User.objects.filter(role=Role.COUNTY_LEADER, is_active=True)
        .filter(region__in=Region.objects.visible_to(user))
        .select_related("region")
        .order_by("region_id", "full_name", "username")
    )


# Coverage (覆盖情况) --------------------------------------------------------------------


def _in_force(today=None):
    return Pairing.objects.active(today)


def institutions_unpaired(user, today=None) -> QuerySet:
    """Active care institutions with no pair in force, of any tier."""
    paired = _in_force(today).filter(institution_id=OuterRef("pk"))
    return (
        Organisation.objects.visible_to(user)
        .filter(kind=Kind.INSTITUTION, is_active=True)
        .filter(~Exists(paired))
        .select_related("region")
    )


def townships_without_liaison(user, today=None) -> QuerySet:
    """Townships and streets with no county leader liaising with them (分片区挂联)."""
    liaison = _in_force(today).filter(tier=Tier.COUNTY_LEADER, area_id=OuterRef("pk"))
    return Region.objects.visible_to(user).filter(level=Level.TOWNSHIP).filter(~Exists(liaison))


def villages_without_township_pair(user, today=None) -> QuerySet:
    """Villages and communities that no township office has taken on (全覆盖走访)."""
    pair = _in_force(today).filter(tier=Tier.TOWNSHIP, area_id=OuterRef("pk"))
    return (
        Region.objects.visible_to(user)
        .filter(level=Level.VILLAGE)
        .filter(~Exists(pair))
        .select_related("parent")
    )


def quiet_pairings(user, days: int = QUIET_AFTER_DAYS, today=None) -> QuerySet:
    """Pairs in force for at least `days` days with no activity in the last `days` days
    in which the helper took part: at the pair's institution for departments, within the
    area for townships, and recorded by the leader in person within the township for
    county leaders. Each row carries `last_activity`, the date of the pair's latest
    activity (or None)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=days)
    at_institution = Activity.objects.filter(
        institution_id=OuterRef("institution_id"), helpers=OuterRef("helper_id")
    )
    # Activities at an institution carry its region, so "within the area" is a prefix
    # match on the activity's region: a township's nine digits, a village's twelve.
    in_area_by_helper = Activity.objects.filter(
        region__code__startswith=OuterRef("area_prefix"), helpers=OuterRef("helper_id")
    )
    in_area_by_leader = Activity.objects.filter(
        region__code__startswith=OuterRef("area_prefix"), recorded_by_id=OuterRef("leader_id")
    )

    def latest(activities):
        return Subquery(activities.order_by("-occurred_on").values("occurred_on")[:1])

    def recent(activities):
        return Exists(activities.filter(occurred_on__gte=since, occurred_on__lte=today))

    return (
        Pairing.objects.visible_to(user)
        .active(today)
        # A pair younger than the window has not yet had the time to go quiet.
        .filter(started_on__lte=since)
        .annotate(
            area_prefix=Case(
                When(tier=Tier.COUNTY_LEADER, then=Substr("area_id", 1, 9)),
                When(tier=Tier.TOWNSHIP, then=F("area_id")),
                default=None,
                output_field=CharField(),
            )
        )
        .filter(~recent(at_institution) & ~recent(in_area_by_helper) & ~recent(in_area_by_leader))
        .annotate(
            last_activity=Coalesce(
                latest(at_institution), latest(in_area_by_helper), latest(in_area_by_leader)
            )
        )
        .select_related("helper", "leader", "institution", "area", "region")
        .order_by("started_on", "pk")
    )

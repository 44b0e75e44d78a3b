"""Cadres' shared meals (干部陪餐制): a cadre eats with the older people at a meal site,
rates the meal and writes down what the diners said; a complaint is raised as a problem
in the platform's loop in the same step, placed at the site's village (or at the care
institution that runs it)."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.meals.models import MealSite, SharedMeal, SiteKind, SiteStatus
from carepair.orgs.models import Kind
from carepair.problems.models import Source
from carepair.problems.services import Found, problem_raise
from carepair.regions.models import Level

RATINGS = ("taste", "hygiene", "portion", "service")
LOW = 2  # a rating at or below it is shown as a warning


def may_record(user) -> bool:
    """Cadres who log their work and may see meal sites record shared meals."""
    return user.can(Perm.LOG_ACTIVITY) and user.can(Perm.VIEW_MEALS)


@transaction.atomic
def shared_meal_record(
    *,
    actor,
    site: MealSite,
    served_on: datetime.date,
    slot: str,
    diners_present: int,
    taste: int,
    hygiene: int,
    portion: int,
    service: int,
    feedback: str = "",
    cadre_title: str = "",
    complaint: Found | None = None,
) -> SharedMeal:
    """Record a shared meal; with a complaint, raise it as a problem too (both or neither)."""
    if not may_record(actor):
        raise NotAllowed(_("Your role may not record shared meals."))
    if not MealSite.objects.visible_to(actor).filter(pk=site.pk).exists():
        raise NotAllowed(_("That site lies outside your area of work."))
    if site.kind == SiteKind.KITCHEN:
        raise ValidationError({"site": _("A central kitchen serves no table to share.")})
    if site.status != SiteStatus.OPEN:
        raise ValidationError({"site": _("This site is not open.")})
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": _("The date cannot be in the future.")})
    meal = SharedMeal(
        site=site,
        served_on=served_on,
        slot=slot,
        cadre=actor,
        cadre_title=cadre_title.strip(),
        diners_present=diners_present,
        taste=taste,
        hygiene=hygiene,
        portion=portion,
        service=service,
        feedback=feedback.strip(),
    )
    meal.full_clean(exclude=["site", "cadre", "problem"], validate_unique=False)
    if complaint is not None:
        meal.problem = _raise(actor, site, complaint, meal.feedback)
    try:
        with transaction.atomic():
            meal.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"served_on": _("You have already recorded this meal at this site.")}
        ) from exc
    return meal


def _raise(actor, site: MealSite, complaint: Found, feedback: str):
    place = {}
    if site.operator is not None and site.operator.kind == Kind.INSTITUTION:
        place["institution"] = site.operator
    elif site.region.level == Level.VILLAGE:
        place["region"] = site.region
    else:
        raise ValidationError(
            {
                "raise_problem": _(
                    "A problem of a township canteen is raised from the problems page."
                )
            }
        )
    description = complaint.description or feedback
    return problem_raise(
        actor=actor,
        title=complaint.title,
        category=complaint.category,
        subcategory=complaint.subcategory,
        due_on=complaint.due_on,
        severity=complaint.severity,
        description=f"{site.name}：{description}" if description else site.name,
        source=Source.SHARED_MEAL,
        **place,
    )


def ratings_of(queryset) -> dict:
    """Count, average of each rating and the share of sittings with a low one."""
    low = Q()
    for name in RATINGS:
        low |= Q(**{f"{name}__lte": LOW})
    figures = queryset.aggregate(
        n=Count("pk"),
        low=Count("pk", filter=low),
        complaints=Count("problem"),
        **{name: Avg(name) for name in RATINGS},
    )
    for name in RATINGS:
        figures[name] = round(figures[name], 1) if figures[name] is not None else None
    return figures

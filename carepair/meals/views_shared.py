"""Cadres' shared meals (干部陪餐) pages: record one at a site from a phone, a complaint
raised as a problem in the same step; the list of shared meals in reach with their
ratings. Every record is reached through its model's `visible_to(user)`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.ledger.forms import apply_errors
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.pages import paginate
from carepair.lib.scoping import visible_or_404
from carepair.meals import shared
from carepair.meals.forms import SharedMealForm
from carepair.meals.models import MealSite, SharedMeal
from carepair.meals.views import slot_now
from carepair.problems.services import Found


@login_required
def shared_meal_create(request, pk: int):
    """Record a shared meal at a site (陪餐记录)."""
    if not shared.may_record(request.user):
        raise NotAllowed
    site = visible_or_404(
        MealSite.objects.select_related("region", "operator"), request.user, pk=pk
    )
    can_raise = request.user.can(Perm.RAISE_PROBLEM)
    form = SharedMealForm(request.POST or None, can_raise=can_raise, initial={"slot": slot_now()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaint = None
        if form.raises():
            complaint = Found(
                title=data["problem_title"],
                category=data["problem_category"],
                due_on=data["problem_due_on"],
                severity=data["problem_severity"],
            )
        try:
            meal = shared.shared_meal_record(
                actor=request.user,
                site=site,
                complaint=complaint,
                **{k: data[k] for k in ("served_on", "slot", "cadre_title", "diners_present",
                                        "feedback", *shared.RATINGS)},
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if meal.problem_id:
                messages.success(
                    request,
                    _("The shared meal is recorded and the complaint raised: it is now followed."),
                )
                return redirect("problem_detail", pk=meal.problem_id)
            messages.success(request, _("The shared meal is recorded."))
            return redirect("meals:site", pk=site.pk)
    return render(request, "meals/shared_meal_form.html", {"form": form, "site": site})


@login_required
def shared_meals(request):
    """Shared meals in reach, newest first, with the average of each rating."""
    if not request.user.can(Perm.VIEW_MEALS):
        raise NotAllowed
    rows = SharedMeal.objects.visible_to(request.user).select_related("site", "cadre", "problem")
    return render(
        request,
        "meals/shared_meals.html",
        {
            "page": paginate(request, rows),
            "figures": shared.ratings_of(rows),
            "low": shared.LOW,
        },
    )

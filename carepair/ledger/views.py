"""Ledger pages (台账): list, export, detail, record, confirm, photos. Views parse, call a
selector or a service, and render; scope comes from `visible_to`, rights from `user.can`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carepair.accounts.roles import Perm
from carepair.ledger import selectors, services
from carepair.ledger.forms import (
    ActivityFilterForm,
    ActivityForm,
    ConfirmForm,
    MaterialFormSet,
    apply_errors,
    material_lines,
)
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.excel import xlsx_response

PER_PAGE = 25


def refuse(request, message: str, status: int = 403):
    """A clear answer for a step the user may not take (403) or that cannot be taken now
    (409); nothing has been changed."""
    return render(request, "ledger/refused.html", {"message": message}, status=status)


def paginate(request, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def serve_photo(photo):
    """A stored photo, streamed to a user who may see it; a lost file is a 404."""
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def activity_list(request):
    form = ActivityFilterForm(request.GET, user=request.user)
    activities = selectors.activity_list(user=request.user, filters=form.filters())
    if request.GET.get("format") == "xlsx":
        if not request.user.can(Perm.EXPORT):
            return refuse(request, _("Your role may not export lists."))
        return xlsx_response(
            _("ledger"),
            _("Ledger"),
            [
                _("Date"),
                _("Entry type"),
                _("Category"),
                _("Title"),
                _("Helper organisations"),
                _("County"),
                _("Institution or area"),
                _("Participants"),
                _("Beneficiaries (person-times)"),
                _("Material value (yuan)"),
                _("Confirmed on"),
                _("Notes"),
            ],
            selectors.activity_rows(activities),
        )
    return render(
        request,
        "ledger/activity_list.html",
        {
            "form": form,
            "page": paginate(request, activities),
            "can_record": request.user.can(Perm.LOG_ACTIVITY),
            "can_export": request.user.can(Perm.EXPORT),
        },
    )


def _detail(request, activity, *, confirm_form=None, refusal: str = "", status: int = 200):
    user = request.user
    can_confirm = (
        user.can(Perm.CONFIRM_RECEIPT)
        and user.organisation_id is not None
        and user.organisation_id == activity.institution_id
        and not activity.is_confirmed
    )
    materials = list(activity.materials.all())
    return render(
        request,
        "ledger/activity_detail.html",
        {
            "activity": activity,
            "materials": materials,
            "total_fen": sum(m.value_fen for m in materials),
            "problems": selectors.activity_problems(user=user, activity=activity),
            "can_confirm": can_confirm,
            "confirm_form": confirm_form or ConfirmForm(),
            "can_raise": user.can(Perm.RAISE_PROBLEM),
            "refusal": refusal,
        },
        status=status,
    )


@login_required
def activity_detail(request, pk: int):
    return _detail(request, selectors.activity_detail(user=request.user, pk=pk))


@login_required
def activity_create(request):
    user = request.user
    if not user.can(Perm.LOG_ACTIVITY):
        return refuse(request, _("Your role may not record activities."))
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, user=user)
        formset = MaterialFormSet(request.POST, prefix="materials")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                activity = services.activity_record(
                    actor=user,
                    kind=data["kind"],
                    category=data["category"],
                    title=data["title"],
                    occurred_on=data["occurred_on"],
                    helpers=data["helpers"],
                    institution=data["institution"],
                    area=data["area"],
                    participants=data["participants"],
                    beneficiaries=data["beneficiaries"],
                    notes=data["notes"],
                    materials=material_lines(formset),
                    photos=data["photos"],
                )
            except NotAllowed as exc:
                return refuse(request, str(exc))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The activity has been recorded."))
                return redirect("activity_detail", pk=activity.pk)
    else:
        form = ActivityForm(user=user)
        formset = MaterialFormSet(prefix="materials")
    return render(request, "ledger/activity_form.html", {"form": form, "formset": formset})


@login_required
@require_POST
def activity_confirm(request, pk: int):
    activity = selectors.activity_detail(user=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _detail(request, activity, confirm_form=form)
    try:
        services.activity_confirm(
            actor=request.user, activity=activity, note=form.cleaned_data["note"]
        )
    except NotAllowed as exc:
        return _detail(request, activity, refusal=str(exc), status=403)
    except ValidationError as exc:
        return _detail(request, activity, refusal=" ".join(exc.messages), status=409)
    messages.success(request, _("Receipt confirmed. Thank you."))
    return redirect("activity_detail", pk=activity.pk)


@login_required
def activity_photo(request, pk: int):
    return serve_photo(selectors.photo_for(user=request.user, pk=pk))

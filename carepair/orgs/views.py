"""Registry pages (单位名录): list, detail, register and edit. Every read goes through
visible_to(user); a record out of scope answers 404 like a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.excel import xlsx_response
from carepair.lib.pages import errors_to_form, history_rows, paginate, wants_xlsx
from carepair.lib.scoping import visible_or_404
from carepair.orgs import services
from carepair.orgs.forms import OrganisationFilterForm, OrganisationForm
from carepair.orgs.models import Organisation
from carepair.orgs.selectors import county_names, organisations_for, place_label
from carepair.pairing.models import Pairing


def _export(queryset, counties):
    headers = [
        _("Name"),
        _("Kind"),
        _("County"),
        _("Region"),
        _("Region code"),
        _("Institution type"),
        _("Operator"),
        _("Beds"),
        _("Elderly residents"),
        _("Child residents"),
        _("Address"),
        _("Latitude"),
        _("Longitude"),
        _("Contact person"),
        _("Phone"),
        _("Active"),
        _("In a pairing in force"),
    ]
    yes, no = _("Yes"), _("No")
    rows = (
        [
            o.name,
            o.get_kind_display(),
            counties.get(o.region_id[:6], ""),
            o.region.name,
            o.region_id,
            o.get_institution_type_display(),
            o.get_operator_display(),
            o.beds,
            o.elderly_residents,
            o.child_residents,
            o.address,
            o.latitude,
            o.longitude,
            o.contact_person,
            o.phone,
            yes if o.is_active else no,
            yes if o.paired else no,
        ]
        for o in queryset.iterator(chunk_size=500)
    )
    return xlsx_response(_("organisation-registry"), _("Organisation registry"), headers, rows)


@login_required
def org_list(request):
    form = OrganisationFilterForm(request.GET or None, user=request.user)
    queryset = organisations_for(request.user, **form.filters())
    counties = county_names()
    if wants_xlsx(request):
        return _export(queryset, counties)
    page = paginate(request, queryset)
    for org in page:
        org.place = place_label(org.region, counties)
    return render(
        request,
        "orgs/org_list.html",
        {
            "form": form,
            "page": page,
            "can_manage": request.user.can(Perm.MANAGE_ORGS),
            "can_export": request.user.can(Perm.EXPORT),
        },
    )


@login_required
def org_detail(request, pk: int):
    org = visible_or_404(Organisation.objects.select_related("region"), request.user, pk=pk)
    pairings = (
        Pairing.objects.visible_to(request.user)
        .filter(Q(helper=org) | Q(institution=org))
        .select_related("helper", "leader", "institution", "area")
        .order_by("-started_on", "-pk")
    )
    pairings = list(pairings)
    history = history_rows(org.history.select_related("history_user"), limit=20)
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "place": place_label(org.region, county_names()),
            "active_pairings": [p for p in pairings if p.is_active()],
            "past_pairings": [p for p in pairings if not p.is_active()],
            "history": history,
            "can_manage": request.user.can(Perm.MANAGE_ORGS),
            "can_pair": request.user.can(Perm.MANAGE_PAIRINGS) and org.is_active,
        },
    )


@login_required
def org_create(request):
    if not request.user.can(Perm.MANAGE_ORGS):
        raise NotAllowed
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, fields=form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Registered %(name)s.") % {"name": org.name})
            return redirect("org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": None})


@login_required
def org_edit(request, pk: int):
    org = visible_or_404(Organisation, request.user, pk=pk)
    if not request.user.can(Perm.MANAGE_ORGS):
        raise NotAllowed
    form = OrganisationForm(request.POST or None, user=request.user, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_update(
                actor=request.user, organisation=org, fields=form.cleaned_data
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": org.name})
            return redirect("org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": org})

"""Pairing pages (结对): list, detail with its history, pair, adjust, end; and the
coverage page (覆盖情况). Reads go through visible_to(user); writes through services."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepair.accounts.roles import Perm
from carepair.lib.errors import NotAllowed, ValidationError
from carepair.lib.excel import xlsx_response
from carepair.lib.pages import errors_to_form, history_rows, paginate, wants_xlsx
from carepair.lib.scoping import visible_or_404
from carepair.orgs.selectors import county_names, place_label
from carepair.pairing import selectors, services
from carepair.pairing.forms import (
    PairingAdjustForm,
    PairingCreateForm,
    PairingEndForm,
    PairingFilterForm,
)
from carepair.pairing.models import AREA_TIERS, INSTITUTION_TIERS, Pairing, Tier

TIER_HELP = {
    Tier.CITY_DEPARTMENT: gettext_lazy(
        "A city department, bank, telecom or social organisation helps a care institution."
    ),
    Tier.COUNTY_LEADER: gettext_lazy(
        "A county leader liaises with a township or street (分片区挂联)."
    ),
    Tier.COUNTY_DEPARTMENT: gettext_lazy(
        "A county department pairs one to one with a care institution of its county."
    ),
    Tier.TOWNSHIP: gettext_lazy("A township or street office visits every household of a village."),
}


def _status(p: Pairing) -> str:
    if p.is_active():
        return _("In force")
    return _("Ended") if p.ended_on else _("Not yet started")


def _pairing_rows(pairings, counties):
    for p in pairings.iterator(chunk_size=500):
        yield [
            p.pk,
            p.get_tier_display(),
            p.helper_name,
            p.target_name,
            counties.get(p.region_id[:6], ""),
            p.region_id,
            p.started_on,
            p.ended_on,
            _status(p),
            p.end_reason,
            p.previous_id,
            p.note,
        ]


def _pairing_headers():
    return [
        _("ID"),
        _("Tier"),
        _("Helper"),
        _("Paired with"),
        _("County"),
        _("Region code"),
        _("Start date"),
        _("End date"),
        _("Status"),
        _("Reason for ending"),
        _("Replaces"),
        _("Note"),
    ]


@login_required
def pairing_list(request):
    form = PairingFilterForm(request.GET or None, user=request.user)
    queryset = selectors.pairings_for(request.user, **form.filters())
    if wants_xlsx(request):
        return xlsx_response(
            _("pairings"),
            _("Paired assistance"),
            _pairing_headers(),
            _pairing_rows(queryset, county_names()),
        )
    return render(
        request,
        "pairing/pairing_list.html",
        {
            "form": form,
            "page": paginate(request, queryset),
            "can_manage": request.user.can(Perm.MANAGE_PAIRINGS),
            "can_export": request.user.can(Perm.EXPORT),
        },
    )


@login_required
def pairing_detail(request, pk: int):
    pairing = visible_or_404(
        Pairing.objects.select_related(
            "helper", "leader", "institution", "area", "region", "created_by"
        ),
        request.user,
        pk=pk,
    )
    before, after = selectors.pairing_chain(pairing, request.user)
    return render(
        request,
        "pairing/pairing_detail.html",
        {
            "pairing": pairing,
            "place": place_label(pairing.region, county_names()),
            "before": before,
            "after": after,
            "history": history_rows(pairing.history.select_related("history_user")),
            "can_manage": request.user.can(Perm.MANAGE_PAIRINGS) and pairing.ended_on is None,
        },
    )


@login_required
def pairing_create(request):
    if not request.user.can(Perm.MANAGE_PAIRINGS):
        raise NotAllowed
    open_tiers = services.tiers_open_to(request.user)
    try:
        tier = Tier(int(request.POST.get("tier") or request.GET.get("tier") or 0))
    except ValueError:
        # Coming from an institution or an area, only the tiers that fit it are offered.
        if "institution" in request.GET:
            tiers = INSTITUTION_TIERS
        elif "area" in request.GET:
            tiers = AREA_TIERS
        else:
            tiers = tuple(Tier)
        tiers = [t for t in tiers if t in open_tiers]
        return render(
            request,
            "pairing/pairing_tiers.html",
            {"tiers": [(t, TIER_HELP[t]) for t in tiers], "query": request.GET.urlencode()},
        )
    if tier not in open_tiers:
        raise NotAllowed(_("City departments are paired by the city."))
    initial = {
        name: request.GET[name] for name in ("helper", "institution", "area") if name in request.GET
    }
    form = PairingCreateForm(request.POST or None, tier=tier, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("tier")
        try:
            pairing = services.pairing_create(actor=request.user, tier=tier, **data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Paired %(pair)s.") % {"pair": pairing})
            return redirect("pairing_detail", pk=pairing.pk)
    return render(
        request,
        "pairing/pairing_form.html",
        {"form": form, "tier": tier, "tier_help": TIER_HELP[tier]},
    )


def _writable(request, pk: int) -> Pairing:
    pairing = visible_or_404(
        Pairing.objects.select_related("helper", "leader", "institution", "area"),
        request.user,
        pk=pk,
    )
    if not request.user.can(Perm.MANAGE_PAIRINGS):
        raise NotAllowed
    return pairing


def _already_ended(request, pairing: Pairing):
    messages.error(request, _("This pairing has already ended."))
    return redirect("pairing_detail", pk=pairing.pk)


@login_required
def pairing_adjust(request, pk: int):
    pairing = _writable(request, pk)
    if pairing.ended_on is not None:
        return _already_ended(request, pairing)
    form = PairingAdjustForm(request.POST or None, pairing=pairing, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            successor = services.pairing_adjust(
                actor=request.user,
                pairing=pairing,
                reason=data["reason"],
                on=data["ended_on"],
                helper=data.get("helper"),
                leader=data.get("leader"),
                institution=data.get("institution"),
                area=data.get("area"),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The pair was adjusted; this is its successor."))
            return redirect("pairing_detail", pk=successor.pk)
    return render(request, "pairing/pairing_adjust.html", {"form": form, "pairing": pairing})


@login_required
def pairing_end(request, pk: int):
    pairing = _writable(request, pk)
    if pairing.ended_on is not None:
        return _already_ended(request, pairing)
    form = PairingEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_end(
                actor=request.user,
                pairing=pairing,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The pairing was ended."))
            return redirect("pairing_detail", pk=pairing.pk)
    return render(request, "pairing/pairing_end.html", {"form": form, "pairing": pairing})


# Coverage (覆盖情况) --------------------------------------------------------------------

COVERAGE_LISTS = ("institutions", "townships", "villages", "quiet")


def _coverage_querysets(user, today: datetime.date):
    return {
        "institutions": selectors.institutions_unpaired(user, today),
        "townships": selectors.townships_without_liaison(user, today),
        "villages": selectors.villages_without_township_pair(user, today),
        "quiet": selectors.quiet_pairings(user, today=today),
    }


def _coverage_export(show: str, queryset, counties):
    if show == "institutions":
        headers = [_("Name"), _("Institution type"), _("County"), _("Region"), _("Region code")]
        headers += [_("Beds"), _("Elderly residents"), _("Child residents"), _("Contact person")]
        headers += [_("Phone")]
        rows = (
            [
                o.name,
                o.get_institution_type_display(),
                counties.get(o.region_id[:6], ""),
                o.region.name,
                o.region_id,
                o.beds,
                o.elderly_residents,
                o.child_residents,
                o.contact_person,
                o.phone,
            ]
            for o in queryset.iterator(chunk_size=500)
        )
        title = _("Institutions without a pair")
    elif show in ("townships", "villages"):
        headers = [_("Name"), _("Code"), _("County"), _("Township or street")]
        rows = (
            [
                r.name,
                r.code,
                counties.get(r.code[:6], ""),
                r.parent.name if show == "villages" and r.parent_id else "",
            ]
            for r in queryset.iterator(chunk_size=500)
        )
        title = (
            _("Townships without a county leader")
            if show == "townships"
            else _("Villages without a township pair")
        )
    else:
        headers = [_("Tier"), _("Helper"), _("Paired with"), _("County"), _("Start date")]
        headers += [_("Last activity")]
        rows = (
            [
                p.get_tier_display(),
                p.helper_name,
                p.target_name,
                counties.get(p.region_id[:6], ""),
                p.started_on,
                p.last_activity or _("None"),
            ]
            for p in queryset.iterator(chunk_size=500)
        )
        title = _("Pairs with no activity in 90 days")
    return xlsx_response(title, title, headers, rows)


@login_required
def coverage(request):
    show = request.GET.get("show")
    if show not in COVERAGE_LISTS:
        show = COVERAGE_LISTS[0]
    today = timezone.localdate()
    querysets = _coverage_querysets(request.user, today)
    counties = county_names()
    if wants_xlsx(request):
        return _coverage_export(show, querysets[show], counties)
    page = paginate(request, querysets[show])
    if show == "institutions":
        for org in page:
            org.place = place_label(org.region, counties)
    elif show in ("townships", "villages"):
        for region in page:
            township = region.parent.name if show == "villages" and region.parent_id else ""
            region.place = place_label(region, counties, township)
    tabs = [
        (name, label, querysets[name].count())
        for name, label in (
            ("institutions", _("Institutions without a pair")),
            ("townships", _("Townships without a county leader")),
            ("villages", _("Villages without a township pair")),
            ("quiet", _("Pairs with no activity in 90 days")),
        )
    ]
    return render(
        request,
        "pairing/coverage.html",
        {
            "show": show,
            "tabs": tabs,
            "page": page,
            "quiet_days": selectors.QUIET_AFTER_DAYS,
            "since": today - datetime.timedelta(days=selectors.QUIET_AFTER_DAYS),
            "can_manage": request.user.can(Perm.MANAGE_PAIRINGS),
            "can_export": request.user.can(Perm.EXPORT),
        },
    )

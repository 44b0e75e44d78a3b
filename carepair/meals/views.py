"""Meal assistance pages (老年助餐): the network, a meal point's page where its staff
record meals by card, ID number or QR code, a diner's printable card, the monthly
settlements, and the planner that places new meal points on a map. Every record is
reached through its model's `visible_to(user)`."""

import datetime

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.templatetags.static import static as static_url
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from carepair.accounts.roles import Perm
from carepair.ledger.forms import apply_errors
from carepair.lib.errors import IllegalTransition, NotAllowed, ValidationError
from carepair.lib.excel import xlsx_response
from carepair.lib.money import fen_to_yuan
from carepair.lib.pages import paginate
from carepair.lib.scoping import visible_or_404
from carepair.meals import planner, planning, services, shared
from carepair.meals.models import (
    Diner,
    Meal,
    MealSite,
    Method,
    Settlement,
    SharedMeal,
    SiteKind,
    Slot,
)
from carepair.orgs.models import Organisation
from carepair.people.models import Person
from carepair.regions import geo
from carepair.regions.models import Level, Region, full_code, prefix_of


def _may(request, perm: str) -> None:
    if not request.user.can(perm):
        raise NotAllowed


@login_required
def index(request):
    """The network: every site the user may see, with its diners and today's meals."""
    _may(request, Perm.VIEW_MEALS)
    sites = MealSite.objects.visible_to(request.user).select_related("region", "operator")
    kind = request.GET.get("kind", "")
    if kind in SiteKind.values:
        sites = sites.filter(kind=kind)
    page = paginate(request, sites)
    # Counted for the page's sites only, each through its own index: joining the meals
    # into the list's query would read every meal the sites ever served.
    pks = [site.pk for site in page]
    diners = dict(
        Diner.objects.filter(enrolled_at__in=pks)
        .values_list("enrolled_at")
        .annotate(n=Count("pk"))
        .order_by()
    )
    today = dict(
        Meal.objects.filter(site__in=pks, served_on=timezone.localdate())
        .values_list("site")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for site in page:
        site.diner_count, site.meals_today = diners.get(site.pk, 0), today.get(site.pk, 0)
    return render(
        request,
        "meals/index.html",
        {"page": page, "kind": kind, "kinds": SiteKind.choices},
    )


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Card number, ID number or QR code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    slot = forms.ChoiceField(
        label=gettext_lazy("Meal"), choices=Slot.choices, widget=forms.RadioSelect
    )


def slot_now(moment: datetime.datetime | None = None) -> str:
    hour = timezone.localtime(moment).hour
    return Slot.BREAKFAST if hour < 10 else Slot.LUNCH if hour < 15 else Slot.DINNER


def _credentials(code: str) -> dict:
    """What the staff typed or scanned: a QR code's text, a card number or an ID number."""
    code = code.strip()
    if code.startswith("carepair-meal:"):
        return {"qr": code, "method": Method.QR}
    if code.upper().startswith("LS"):
        return {"card_no": code.upper(), "method": Method.CARD}
    return {"id_number": code, "method": Method.ID}


@login_required
def site_detail(request, pk: int):
    """A site's page; at a meal point its staff record meals here."""
    _may(request, Perm.VIEW_MEALS)
    site = visible_or_404(
        MealSite.objects.select_related("region", "operator", "supplied_by"), request.user, pk=pk
    )
    form = RedeemForm(initial={"slot": slot_now()})
    result = refused = None
    if request.method == "POST":
        _may(request, Perm.REDEEM_MEALS)
        form = RedeemForm(request.POST)
        if form.is_valid():
            given = _credentials(form.cleaned_data["code"])
            try:
                result, _created = services.redeem(
                    actor=request.user, site_id=site.pk, slot=form.cleaned_data["slot"], **given
                )
            except services.AlreadyClaimed as exc:
                refused = exc.messages[0]
            except (ValidationError, IllegalTransition) as exc:
                refused = " ".join(exc.messages)
            else:
                form = RedeemForm(initial={"slot": form.cleaned_data["slot"]})
    today = timezone.localdate()
    meals = site.meals.filter(served_on=today).select_related("diner__person")
    totals = meals.aggregate(n=Count("pk"), subsidy=Sum("subsidy_fen", default=0))
    return render(
        request,
        "meals/site.html",
        {
            "site": site,
            "form": form,
            "result": result,
            "result_name": services.masked_name(result.diner.person.name) if result else "",
            "refused": refused,
            "meals": meals[:50],
            "totals": totals,
            "may_redeem": request.user.can(Perm.REDEEM_MEALS) and site.status == "open",
            "shared_meals": (
                SharedMeal.objects.visible_to(request.user)
                .filter(site=site)
                .select_related("cadre", "problem")[:10]
                if site.kind != SiteKind.KITCHEN
                else None
            ),
            "may_share": shared.may_record(request.user) and site.status == "open",
            "low": shared.LOW,
            "diners": (
                Diner.objects.visible_to(request.user)
                .filter(enrolled_at=site)
                .select_related("person")[:200]
                if request.user.can(Perm.MANAGE_MEALS)
                else None
            ),
        },
    )


@login_required
def diner_card(request, pk: int):
    """A diner's card to print: the card number and the QR code points scan; for those
    who keep diners, and for the staff of the point they are enrolled at."""
    if not (request.user.can(Perm.MANAGE_MEALS) or request.user.can(Perm.REDEEM_MEALS)):
        raise NotAllowed
    diner = visible_or_404(
        Diner.objects.select_related("person", "enrolled_at"), request.user, pk=pk
    )
    qr = segno.make(f"carepair-meal:{diner.qr_token}", error="m")
    svg = qr.svg_inline(scale=6, border=2)
    return render(
        request,
        "meals/card.html",
        # segno's own SVG markup, made from a token of hex digits: nothing of the user's.
        {"diner": diner, "qr": mark_safe(svg), "name": diner.person.name},
    )


class EnrolForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)


@login_required
def diner_enrol(request, pk: int):
    """Enrol a diner at the point (现场登记), checked against the registry; then print
    their card."""
    if not (request.user.can(Perm.MANAGE_MEALS) or request.user.can(Perm.REDEEM_MEALS)):
        raise NotAllowed
    site = visible_or_404(MealSite, request.user, pk=pk)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            diner = services.diner_enroll_at_site(
                actor=request.user, site=site, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is enrolled with card %(card)s: print the card and hand it over.")
                % {"name": services.masked_name(diner.person.name), "card": diner.card_no},
            )
            return redirect("meals:card", pk=diner.pk)
    return render(request, "meals/enrol.html", {"form": form, "site": site})


@login_required
@require_POST
def diner_enrol_person(request, pk: int):
    """Enrol a person of the registry (from their page) at the site chosen there."""
    _may(request, Perm.MANAGE_MEALS)
    person = visible_or_404(Person, request.user, pk=pk)
    site = visible_or_404(MealSite, request.user, pk=request.POST.get("site"))
    try:
        diner = services.diner_enroll(actor=request.user, person=person, site=site)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("people:detail", pk=person.pk)
    messages.success(
        request,
        _("%(name)s is enrolled with card %(card)s: print the card and hand it over.")
        % {"name": person.name, "card": diner.card_no},
    )
    return redirect("meals:card", pk=diner.pk)


@login_required
def settlements(request):
    """Months by operator: count a month, lock it once over, download its statement."""
    _may(request, Perm.MANAGE_MEALS)
    rows = Settlement.objects.visible_to(request.user).select_related("operator", "locked_by")
    operators = Organisation.objects.filter(
        pk__in=MealSite.objects.visible_to(request.user).values("operator_id")
    )
    return render(
        request,
        "meals/settlements.html",
        {"page": paginate(request, rows), "operators": operators, "today": timezone.localdate()},
    )


@login_required
@require_POST
def settle(request):
    _may(request, Perm.MANAGE_MEALS)
    operator = visible_or_404(
        Organisation.objects.filter(
            pk__in=MealSite.objects.visible_to(request.user).values("operator_id")
        ),
        request.user,
        pk=request.POST.get("operator"),
    )
    try:
        month = datetime.date.fromisoformat(request.POST.get("month", "") + "-01")
        services.settle(
            actor=request.user, operator=operator, month=month, lock=bool(request.POST.get("lock"))
        )
    except (ValueError, ValidationError, IllegalTransition) as exc:
        return render(
            request,
            "meals/settlements.html",
            {
                "page": paginate(request, Settlement.objects.visible_to(request.user)),
                "operators": Organisation.objects.filter(pk=operator.pk),
                "today": timezone.localdate(),
                "error": " ".join(getattr(exc, "messages", [_("Give the month as 2026-03.")])),
            },
            status=400,
        )
    return redirect("meals:settlements")


STATEMENT_HEADERS = (
    "用餐日期", "餐次", "助餐点", "助餐卡号", "姓名", "餐价（元）", "补贴（元）",
    "市级（元）", "县级（元）", "乡镇（元）", "个人支付（元）", "核销方式", "离线补传",
)  # fmt: skip


@login_required
def statement(request, pk: int):
    """A settlement's statement as Excel: every meal of the month, then the totals."""
    _may(request, Perm.MANAGE_MEALS)
    settlement = visible_or_404(Settlement.objects.select_related("operator"), request.user, pk=pk)
    month = settlement.month
    meals = (
        Meal.objects.filter(
            site__operator=settlement.operator,
            served_on__gte=month,
            served_on__lt=(month + datetime.timedelta(days=32)).replace(day=1),
        )
        .select_related("site", "diner__person")
        .order_by("served_on", "site_id", "pk")
    )

    def rows():
        for m in meals.iterator(chunk_size=2000):
            yield (
                m.served_on, m.get_slot_display(), m.site.name, m.diner.card_no,
                services.masked_name(m.diner.person.name), fen_to_yuan(m.price_fen),
                fen_to_yuan(m.subsidy_fen), fen_to_yuan(m.city_fen), fen_to_yuan(m.county_fen),
                fen_to_yuan(m.township_fen), fen_to_yuan(m.diner_fen), m.get_method_display(),
                "是" if m.late else "",
            )  # fmt: skip
        s = settlement
        yield (
            "合计", "", f"{s.meals} 餐", "", "", "", fen_to_yuan(s.subsidy_fen),
            fen_to_yuan(s.city_fen), fen_to_yuan(s.county_fen), fen_to_yuan(s.township_fen),
            fen_to_yuan(s.diner_fen), "", "",
        )  # fmt: skip
        if s.adjustments_fen:
            yield ("本月调整", "", "", "", "", "", fen_to_yuan(s.adjustments_fen), *("",) * 6)

    return xlsx_response(
        f"助餐结算-{settlement.operator.name}-{month:%Y-%m}",
        f"{month:%Y-%m}",
        STATEMENT_HEADERS,
        rows(),
    )


class PlanForm(forms.Form):
    """The planner's settings (the command line's --p, --urban-radius, --rural-radius,
    --detour); the region is read apart, through visible_or_404."""

    p = forms.IntegerField(
        label=gettext_lazy("New meal points"), min_value=0, max_value=300, initial=10
    )
    urban = forms.IntegerField(
        label=gettext_lazy("Reach in towns (m)"), min_value=100, max_value=10000, initial=1000
    )
    rural = forms.IntegerField(
        label=gettext_lazy("Reach in villages (m)"), min_value=100, max_value=20000, initial=2000
    )
    detour = forms.DecimalField(
        label=gettext_lazy("Detour factor"),
        min_value=1,
        max_value=3,
        decimal_places=2,
        initial=1,
        help_text=gettext_lazy("Roads are longer than a straight line: 1.3 counts 1 km as 1.3."),
    )


def _plan_regions(user) -> list[Region]:
    """What a plan may cover: the city and the counties in the user's reach, and the
    user's own township if that is their reach."""
    reach = Region.objects.visible_to(user).order_by("code")
    regions = list(reach.filter(level__in=(Level.CITY, Level.COUNTY)))
    if not regions:
        regions = list(reach.filter(level=Level.TOWNSHIP)[:1])
    return regions


@login_required
def plan(request):
    """Where to open new meal points (助餐点选址): the planner on the villages of a county
    or the city, shown on a map with coverage by township and the villages left out."""
    _may(request, Perm.MANAGE_MEALS)
    regions = _plan_regions(request.user)
    raw = request.GET.get("region", "").strip()
    if raw:
        region = visible_or_404(
            Region.objects.filter(level__lte=Level.TOWNSHIP),
            request.user,
            code=full_code(raw) if raw.isdigit() else raw,
        )
    elif regions:
        region = regions[0]
    else:
        raise NotAllowed
    bound = "p" in request.GET  # a first visit plans with the defaults
    form = PlanForm(request.GET if bound else None)
    result = error = None
    if not bound or form.is_valid():
        settings = form.cleaned_data if bound else {n: f.initial for n, f in form.fields.items()}
        try:
            result = planning.make_plan(
                request.user,
                region,
                settings["p"],
                urban_radius=float(settings["urban"]),
                rural_radius=float(settings["rural"]),
                detour=float(settings["detour"]),
            )
        except planner.InputError as exc:
            error = str(exc)
    if result is not None and request.GET.get("format") == "xlsx":
        return _plan_workbook(result)
    county = prefix_of(region.code)[:6]
    shown = {
        "outline": static_url("vendor/maps/leshan.geojson"),
        "focus": geo.outline_name(county) if region.level >= Level.COUNTY else None,
        "bounds": geo.bounds(county) if region.level >= Level.COUNTY else None,
        "labels": {
            "before": _("Within reach now"),
            "new": _("Within reach with the plan"),
            "none": _("Left out"),
            "existing": _("Meal sites open now"),
            "chosen": _("New meal points"),
            "people": _("older people (weighted)"),
            "covers": _("within reach (weighted)"),
        },
        **(planning.map_data(result) if result is not None else {}),
    }
    return render(
        request,
        "meals/plan.html",
        {
            "form": form,
            "region": region,
            "regions": regions,
            "plan": result,
            "error": error,
            "map": shown,
            "query": request.GET.urlencode(),
            "uncovered_shown": planning.SHOWN_UNCOVERED,
            "township_rows": f":{TOWNSHIP_ROWS}",
            "rest_rows": f"{TOWNSHIP_ROWS}:",
        },
        status=400 if form.errors else 200,
    )


TOWNSHIP_ROWS = 15  # shown at once; the rest behind "show all" (a city has 140 or more)

PLAN_HEADERS = (
    "site_id",
    "chosen",
    "名称",
    "类型",
    "所在乡镇",
    "纬度",
    "经度",
    "服务范围内老人（加权）",
)


def _plan_workbook(result: planning.Plan):
    """Every site of the plan: the CLI's PLAN columns (site_id, chosen) first, then what a
    reader needs to find it."""
    chosen = {s.id for s in result.chosen}
    names = dict(
        Region.objects.filter(code__in={s.township for s in result.sites}).values_list(
            "code", "name"
        )
    )

    def rows():
        for s in result.sites:
            kind = "现有" if s.existing else "新增" if s.id in chosen else "备选"
            yield (
                s.id, 1 if s.existing or s.id in chosen else 0, s.name, kind,
                names.get(s.township, ""), s.lat, s.lon, s.covers,
            )  # fmt: skip

    return xlsx_response(
        f"助餐点选址-{result.region.name}-新增{result.p}个", "选址方案", PLAN_HEADERS, rows()
    )

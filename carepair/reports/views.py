"""The programme dashboard (工作成效): figures, charts and drill-down from the city to a
county to an institution, for a period and a place in the user's reach; `?format=xlsx`
hands the same over as a workbook for the briefing."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from carepair.accounts.roles import Perm
from carepair.accounts.scope import scope_of
from carepair.lib.excel import Sheet, xlsx_sheets_response
from carepair.lib.scoping import visible_or_404
from carepair.orgs.models import Organisation
from carepair.regions.models import Level, Region, full_code
from carepair.reports import selectors
from carepair.reports.labels import (
    ACTIVITY_CATEGORIES,
    ALERTS,
    CITY_LEVEL,
    FIGURES,
    GROUPS,
    PROBLEM_CATEGORIES,
)
from carepair.reports.selectors import Figures, Period

PRESETS = (
    ("all", gettext_lazy("All time")),
    ("this_year", gettext_lazy("This year")),
    ("last_year", gettext_lazy("Last year")),
    ("this_month", gettext_lazy("This month")),
)


class FilterForm(forms.Form):
    """The dashboard's choice of period and place, from the query string."""

    period = forms.ChoiceField(required=False, choices=PRESETS)
    region = forms.RegexField(required=False, regex=r"^[0-9]{4,12}$")
    institution = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return data


# "from" is a Python keyword: declared here, so the query string reads ?from=…&to=….
FilterForm.base_fields["from"] = forms.DateField(required=False, label=gettext_lazy("From"))
FilterForm.base_fields["to"] = forms.DateField(required=False, label=gettext_lazy("To"))


@dataclass
class Choice:
    form: FilterForm
    preset: str  # one of PRESETS, or "custom"
    period: Period
    region: Region | None
    institution: Organisation | None

    def query(self, **changes) -> str:
        """The query string of this choice with some parts changed (None drops a part)."""
        params = {}
        if self.preset == "custom":
            params["from"] = self.period.start.isoformat() if self.period.start else None
            params["to"] = self.period.end.isoformat() if self.period.end else None
        elif self.preset != "all":
            params["period"] = self.preset
        params["region"] = self.region.code if self.region else None
        params["institution"] = self.institution.pk if self.institution else None
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def read_choice(request) -> Choice:
    """Parse the query string; a region or institution out of reach answers 404."""
    form = FilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    raw_region = request.GET.get("region", "").strip()
    raw_institution = request.GET.get("institution", "").strip()
    if (raw_region and "region" not in data) or (raw_institution and "institution" not in data):
        raise Http404("no such place")
    start, end = data.get("from"), data.get("to")
    if (start or end) and not form.has_error("to"):
        preset, period = "custom", Period(start, end)
    else:
        preset = data.get("period") or "all"
        period = Period.preset(preset)
    user = request.user
    region = institution = None
    if data.get("region"):
        region = visible_or_404(Region, user, code=full_code(data["region"]))
    if data.get("institution"):
        institution = visible_or_404(
            Organisation.objects.institutions().select_related("region"),
            user,
            pk=data["institution"],
        )
    return Choice(form, preset, period, region, institution)


def _institution_url(choice: Choice, org: Organisation) -> str:
    """The institution's own page if the organisation pages provide one, else the
    dashboard for that institution alone."""
    for kwargs in ({"pk": org.pk}, None):
        try:
            if kwargs:
                return reverse("org_detail", kwargs=kwargs)
            return reverse("org_detail", args=[org.pk])
        except NoReverseMatch:
            continue
    return "?" + choice.query(institution=org.pk, region=None)


def _breadcrumbs(choice: Choice, user, reach: str) -> list[tuple[str, str | None]]:
    """My reach › county › township › institution, each but the last a link; only the
    levels between the user's own region and the place in view (all of them in reach)."""
    place = choice.institution.region if choice.institution else choice.region
    crumbs = [(reach, "?" + choice.query(region=None, institution=None))]
    scope = scope_of(user)
    if place is not None and (scope.everything or scope.prefix):
        own = "" if scope.everything else scope.prefix
        prefix = place.prefix
        codes = [
            full_code(prefix[:length])
            for length in (6, 9, 12)
            if len(own) < length <= len(prefix) and prefix.startswith(own)
        ]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        crumbs += [
            (names[code], "?" + choice.query(region=code, institution=None))
            for code in codes
            if code in names
        ]
    if choice.institution is not None:
        crumbs.append((choice.institution.name, None))
    last_name, _url = crumbs[-1]
    crumbs[-1] = (last_name, None)
    return crumbs


def _county_name(region: Region | None, figures: Figures) -> str:
    if region is None:
        return str(figures.key)
    return str(CITY_LEVEL) if region.level == Level.CITY else region.name


def _idle_city_row(region: Region | None, f: Figures) -> bool:
    """The city-level row (records of the city itself, such as its departments) is left
    out of the county table when nothing happened there."""
    return (
        region is not None
        and region.level == Level.CITY
        and not (f.activities or f.research_visits or f.problems_raised or f.institutions)
        and not (f.problems_open or f.material_value_fen)
    )


def _chart_data(board: selectors.Dashboard) -> dict:
    s = board.summary
    categories = sorted(
        ((str(ACTIVITY_CATEGORIES.get(k, k)), v) for k, v in s.activities_by_category.items()),
        key=lambda kv: -kv[1],
    )
    overdue = [(str(PROBLEM_CATEGORIES.get(k, k)), v) for k, v in s.overdue_by_category.items()]
    counties = [(_county_name(r, f), f) for r, f in board.counties if not _idle_city_row(r, f)]
    return {
        "locale": "ZH" if (get_language() or "zh").startswith("zh") else "EN",
        "categories": {
            "labels": [k for k, _v in categories],
            "values": [v for _k, v in categories],
        },
        "months": {
            "labels": [m for m, _r, _s in board.months],
            "raised": [r for _m, r, _s in board.months],
            "solved": [s_ for _m, _r, s_ in board.months],
        },
        "overdue": {"labels": [k for k, _v in overdue], "values": [v for _k, v in overdue]},
        "counties": {
            "labels": [name for name, _f in counties],
            "activities": [f.activities for _n, f in counties],
            "solved": [f.problems_solved for _n, f in counties],
            "overdue": [f.problems_overdue for _n, f in counties],
        },
        "text": {
            "activities": _("Assistance activities"),
            "raised": _("Problems raised"),
            "solved": _("Problems solved"),
            "overdue": _("Problems overdue"),
            "empty": _("Nothing recorded for this choice."),
        },
    }


def _title(choice: Choice, reach: str) -> str:
    if choice.institution is not None:
        return choice.institution.name
    if choice.region is not None:
        return choice.region.name
    return reach


def _reach_name(user) -> str:
    """What "everything I may see" is called: the user's own region, the whole city for
    the system-wide view, else "all in my reach" (a liaison's paired institutions)."""
    scope = scope_of(user)
    if scope.everything:
        return _("The whole city")
    if scope.prefix:
        region = Region.objects.filter(code=full_code(scope.prefix)).only("name").first()
        if region is not None:
            return region.name
    return _("All in my reach")


def _shown_figures(user) -> set[str]:
    """The figures a user's page and workbook show: the registry's only to roles that may
    see it (for the others they would read as zero, which says nothing)."""
    keys = {k for k, _label in FIGURES}
    if not user.can(Perm.VIEW_PEOPLE):
        keys -= set(selectors.PEOPLE_KEYS)
    if not user.can(Perm.VIEW_MEALS):
        keys -= set(selectors.MEAL_KEYS)
    return keys


def _period_text(period: Period) -> str:
    if period.start is None and period.end is None:
        return _("All time")
    return f"{period.start or '…'} – {period.end or '…'}"


@login_required
def dashboard(request):
    user = request.user
    if not user.can(Perm.VIEW_DASHBOARD):
        raise PermissionDenied
    choice = read_choice(request)
    wants_xlsx = request.GET.get("format") == "xlsx"
    if wants_xlsx and not user.can(Perm.EXPORT):
        raise PermissionDenied
    board = selectors.cached_dashboard(
        user=user,
        period=choice.period,
        region=choice.region,
        institution=choice.institution,
        with_institutions=True if wants_xlsx else None,
    )
    if wants_xlsx:
        return _workbook(choice, board, user)

    summary = selectors.summary_dict(board.summary, choice.period, None)
    reach = _reach_name(user)
    labels = dict(FIGURES)
    shown = _shown_figures(user)
    groups = [
        (
            title,
            [
                {
                    "key": k,
                    "label": labels[k],
                    "value": summary[k],
                    "alert": k in ALERTS and summary[k] > 0,
                }
                for k in keys
                if k in shown
            ],
        )
        for title, keys in GROUPS
        if any(k in shown for k in keys)
    ]
    counties = [
        {
            "name": _county_name(region, f),
            "url": (
                "?" + choice.query(region=region.code, institution=None)
                if region is not None and region.level != Level.CITY
                else None
            ),
            "f": f,
        }
        for region, f in board.counties
        if not _idle_city_row(region, f)
    ]
    institutions = None
    if board.institutions is not None:
        institutions = [
            {"org": org, "url": _institution_url(choice, org), "f": f}
            for org, f in board.institutions
        ]
    context = {
        "choice": choice,
        "form": choice.form,
        "title": _title(choice, reach),
        "reach_name": reach,
        "period_text": _period_text(choice.period),
        "presets": [
            (key, label, "?" + choice.query(period=key, **{"from": None, "to": None}))
            for key, label in PRESETS
        ],
        "regions": selectors.region_choices(user, choice.region),
        "breadcrumbs": _breadcrumbs(choice, user, reach),
        "groups": groups,
        # One county's row repeats the cards: the table shows when it compares counties.
        "counties": (
            counties
            if choice.institution is None and (len(counties) > 1 or board.institutions is None)
            else None
        ),
        "institutions": institutions,
        "chart": _chart_data(board),
        "export_url": "?" + choice.query(format="xlsx"),
    }
    return render(request, "reports/dashboard.html", context)


def _workbook(choice: Choice, board: selectors.Dashboard, request_user):
    s = board.summary
    summary = selectors.summary_dict(s, choice.period, None)
    place = _title(choice, _reach_name(request_user))
    shown = _shown_figures(request_user)
    overview = [
        (pgettext("dashboard filter", "Region"), place),
        (_("Period"), _period_text(choice.period)),
        *((label, summary[key]) for key, label in FIGURES if key in shown),
        *(
            (
                _("Activities: %(category)s") % {"category": label},
                s.activities_by_category.get(k, 0),
            )
            for k, label in ACTIVITY_CATEGORIES.items()
        ),
        *(
            (_("Overdue: %(category)s") % {"category": label}, s.overdue_by_category.get(k, 0))
            for k, label in PROBLEM_CATEGORIES.items()
        ),
    ]
    county_headers = [
        _("County"),
        _("Research visits"),
        _("Assistance activities"),
        _("Materials given (yuan)"),
        _("Beneficiaries (person-times)"),
        _("Problems raised"),
        _("Problems solved (verified)"),
        _("Problems open"),
        _("Problems overdue"),
        _("Care institutions"),
        _("Pairs in force"),
    ]
    county_rows = (
        (
            _county_name(region, f),
            f.research_visits,
            f.activities,
            f.material_value_yuan,
            f.beneficiaries,
            f.problems_raised,
            f.problems_solved,
            f.problems_open,
            f.problems_overdue,
            f.institutions,
            f.pairs_active,
        )
        for region, f in board.counties
        if not _idle_city_row(region, f)
    )
    institution_headers = [
        _("Institution"),
        _("Location"),
        _("Research visits"),
        _("Assistance activities"),
        _("Materials given (yuan)"),
        _("Problems raised"),
        _("Problems solved (verified)"),
        _("Problems open"),
        _("Problems overdue"),
        _("Pairs in force"),
    ]
    institution_rows = (
        (
            org.name,
            org.region.name,
            f.research_visits,
            f.activities,
            f.material_value_yuan,
            f.problems_raised,
            f.problems_solved,
            f.problems_open,
            f.problems_overdue,
            f.pairs_active,
        )
        for org, f in board.institutions or ()
    )
    months = ((m, r, s_) for m, r, s_ in board.months)
    return xlsx_sheets_response(
        _("programme-figures"),
        [
            Sheet(_("Figures"), [_("Figure"), _("Value")], overview),
            Sheet(_("Counties"), county_headers, county_rows),
            Sheet(_("Institutions"), institution_headers, institution_rows),
            Sheet(_("By month"), [_("Month"), _("Problems raised"), _("Problems solved")], months),
        ],
    )

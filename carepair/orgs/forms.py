"""Forms of the registry pages. They parse and offer only what the user can see; the
rules about an organisation as a whole live in services.py."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from carepair.orgs import services
from carepair.orgs.models import InstitutionType, Kind, Operator, Organisation
from carepair.orgs.selectors import counties_visible_to
from carepair.orgs.services import EDITABLE_FIELDS, LEVEL_OF_KIND
from carepair.regions.models import Level, Region

ANY = [("", _("All"))]


class RegionChoiceField(forms.ModelChoiceField):
    """A region, labelled with its county and township so that two villages of the same
    name in different townships can be told apart."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, **kwargs)
        self._names: dict[str, str] | None = None

    def _ancestor_names(self) -> dict[str, str]:
        if self._names is None:
            self._names = dict(
                Region.objects.filter(level__in=(Level.COUNTY, Level.TOWNSHIP)).values_list(
                    "code", "name"
                )
            )
        return self._names

    def label_from_instance(self, obj: Region) -> str:
        if obj.level <= Level.COUNTY:
            return obj.name
        names = self._ancestor_names()
        parts = [names.get(obj.code[:6] + "000000")]
        if obj.level == Level.VILLAGE:
            parts.append(names.get(obj.code[:9] + "000"))
        return " · ".join([p for p in parts if p] + [obj.name])


class OrganisationForm(forms.Form):
    """Register or edit an organisation. Institution-only fields sit in their own group."""

    INSTITUTION_ONLY = (
        "institution_type",
        "operator",
        "beds",
        "elderly_residents",
        "child_residents",
        "latitude",
        "longitude",
    )

    def __init__(self, *args, user, instance: Organisation | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=EDITABLE_FIELDS))
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields = fields_for_model(Organisation, fields=EDITABLE_FIELDS)
        # Django's own catalogue already says 有效 for "active"; the registry says more.
        self.fields["is_active"].label = _("In operation")
        self.fields["is_active"].help_text = _(
            "Untick when the organisation closes or merges; its records stay."
        )
        regions = Region.objects.visible_to(user)
        self.fields["region"] = RegionChoiceField(
            regions, label=_("Region"), help_text=_("Where the organisation lies.")
        )
        # Only the kinds whose level the user can reach (a county administrator registers
        # no city department).
        levels = set(regions.values_list("level", flat=True).distinct())
        self.fields["kind"].choices = [("", "---------")] + [
            (value, label)
            for value, label in Kind.choices
            if LEVEL_OF_KIND.get(value) is None or LEVEL_OF_KIND[value] in levels
        ]
        for name, limit, example in (
            ("latitude", 90, "29.552100"),
            ("longitude", 180, "103.765600"),
        ):
            self.fields[name] = forms.DecimalField(
                label=self.fields[name].label,
                required=False,
                max_digits=9,
                decimal_places=6,
                min_value=-limit,
                max_value=limit,
                help_text=_("Decimal degrees, e.g. %(example)s") % {"example": example},
                widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            )
        for name in ("beds", "elderly_residents", "child_residents"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        # Capitalised labels: the lower-case field names are translated by the accounts
        # catalogue, which comes first, for the user's own fields.
        self.fields["phone"].label = _("Phone")
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self):
        data = super().clean()
        try:
            # Only the fields that parsed; the service checks everything again on save.
            services.organisation_check(fields=data, organisation=self.instance)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, errors)
        return data

    def general_fields(self):
        return [
            self[name]
            for name in self.fields
            if name not in self.INSTITUTION_ONLY and name != "sector"
        ]

    def institution_fields(self):
        return [self[name] for name in self.INSTITUTION_ONLY]

    @property
    def institution_errors(self) -> bool:
        return any(self[name].errors for name in self.INSTITUTION_ONLY)


class FilterForm(forms.Form):
    """A list page's filters (GET). A value not on offer is ignored, never an error page."""

    def filters(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def more_fields(self):
        return [self[name] for name in self.fields if name != "q"]

    @property
    def more_active(self) -> bool:
        return any(name != "q" for name in self.filters())


class OrganisationFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=ANY + Kind.choices)
    institution_type = forms.ChoiceField(
        label=_("Institution type"), required=False, choices=ANY + InstitutionType.choices
    )
    operator = forms.ChoiceField(
        label=_("Operator"), required=False, choices=ANY + Operator.choices
    )
    county = forms.ChoiceField(label=_("County"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*ANY, ("yes", _("Active")), ("no", _("Inactive"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, address or contact")
        counties = list(counties_visible_to(user).values_list("code", "name"))
        if len(counties) > 1:
            self.fields["county"].choices = ANY + counties
        else:
            del self.fields["county"]

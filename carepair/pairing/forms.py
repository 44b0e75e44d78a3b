"""Forms of the pairing pages. Every choice comes from what the user can see; the rules
of a pair live in services.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepair.orgs.forms import ANY, FilterForm, RegionChoiceField
from carepair.orgs.selectors import (
    counties_visible_to,
    county_names,
    helpers_visible_to,
    institutions_visible_to,
)
from carepair.pairing.models import INSTITUTION_TIERS, Pairing, Tier
from carepair.pairing.selectors import leaders_visible_to
from carepair.pairing.services import HELPER_KINDS_BY_TIER
from carepair.regions.models import Level, Region

HELPER_LABELS = {
    Tier.CITY_DEPARTMENT: _("City department or unit"),
    Tier.COUNTY_DEPARTMENT: _("County department"),
    Tier.TOWNSHIP: _("Township or street office"),
}
AREA_LABELS = {
    Tier.COUNTY_LEADER: _("Township or street (area)"),
    Tier.TOWNSHIP: _("Village or community"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationChoiceField(forms.ModelChoiceField):
    """An organisation, with its county, so that the 敬老院 of two counties differ."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset.select_related("region"), **kwargs)
        self._counties: dict[str, str] | None = None

    def label_from_instance(self, obj) -> str:
        if self._counties is None:
            self._counties = county_names()
        county = self._counties.get(obj.region_id[:6])
        return f"{obj.name}（{county}）" if county and county != obj.name else obj.name


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj}（{obj.region.name}）" if obj.region_id else str(obj)


def party_fields(tier: int, user, keep: Pairing | None = None) -> dict[str, forms.Field]:
    """The two parties of a pair of this tier, offering only what the user can see, plus
    (when adjusting) the pair's present parties, which the pair itself shows them."""

    def also(queryset, pk):
        return queryset | queryset.model.objects.filter(pk=pk) if pk else queryset

    fields: dict[str, forms.Field] = {}
    if tier == Tier.COUNTY_LEADER:
        fields["leader"] = LeaderChoiceField(
            also(leaders_visible_to(user), keep and keep.leader_id),
            label=_("County leader"),
            empty_label=_("Choose…"),
        )
    else:
        helpers = helpers_visible_to(user, HELPER_KINDS_BY_TIER[tier])
        fields["helper"] = OrganisationChoiceField(
            also(helpers, keep and keep.helper_id).order_by("kind", "name"),
            label=HELPER_LABELS[tier],
            empty_label=_("Choose…"),
        )
    if tier in INSTITUTION_TIERS:
        fields["institution"] = OrganisationChoiceField(
            also(institutions_visible_to(user), keep and keep.institution_id).order_by(
                "region_id", "name"
            ),
            label=_("Care institution"),
            empty_label=_("Choose…"),
        )
    else:
        level = Level.TOWNSHIP if tier == Tier.COUNTY_LEADER else Level.VILLAGE
        fields["area"] = RegionChoiceField(
            also(Region.objects.visible_to(user).filter(level=level), keep and keep.area_id),
            label=AREA_LABELS[tier],
            empty_label=_("Choose…"),
        )
    return fields


class PairingCreateForm(forms.Form):
    tier = forms.TypedChoiceField(
        label=_("Tier"), choices=Tier.choices, coerce=int, widget=forms.HiddenInput
    )

    def __init__(self, *args, tier: int, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier = tier
        self.fields["tier"].initial = tier
        self.fields.update(party_fields(tier, user))
        self.fields["started_on"] = forms.DateField(
            label=_("Start date"), initial=timezone.localdate, widget=DateInput()
        )
        self.fields["note"] = forms.CharField(
            label=_("Note"),
            required=False,
            max_length=255,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def clean_tier(self):
        if self.cleaned_data["tier"] != self.tier:
            raise forms.ValidationError(_("Unknown tier."))
        return self.tier


class PairingAdjustForm(forms.Form):
    """Adjust a pair: the parties start as they are; change the one that changes."""

    def __init__(self, *args, pairing: Pairing, user, **kwargs):
        initial = {
            "helper": pairing.helper_id,
            "leader": pairing.leader_id,
            "institution": pairing.institution_id,
            "area": pairing.area_id,
            "ended_on": timezone.localdate(),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(party_fields(pairing.tier, user, keep=pairing))
        self.fields["ended_on"] = forms.DateField(
            label=_("Adjusted on"),
            help_text=_("The pair ends and its successor starts on this day."),
            widget=DateInput(),
        )
        self.fields["reason"] = forms.CharField(
            label=_("Reason for the adjustment"),
            max_length=255,
            widget=forms.Textarea(attrs={"rows": 3}),
        )


class PairingEndForm(forms.Form):
    ended_on = forms.DateField(label=_("End date"), initial=timezone.localdate, widget=DateInput())
    reason = forms.CharField(
        label=_("Reason for ending"), max_length=255, widget=forms.Textarea(attrs={"rows": 3})
    )


class PairingFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=64)
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=ANY + Tier.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*ANY, ("active", _("In force")), ("ended", _("Ended"))],
    )
    county = forms.ChoiceField(label=_("County"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Helper, institution, area or reason")
        counties = list(counties_visible_to(user).values_list("code", "name"))
        if len(counties) > 1:
            self.fields["county"].choices = ANY + counties
        else:
            del self.fields["county"]

"""Forms of the ledger pages: they parse and check input; ledger.services writes."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepair.ledger import selectors
from carepair.ledger.models import Activity, Category, Kind, Material
from carepair.ledger.services import MaterialLine, yuan_to_fen
from carepair.lib.uploads import validate_photo
from carepair.orgs.models import Organisation
from carepair.regions.models import Region

PHOTO_TYPES = "image/jpeg,image/png,image/webp"
MAX_PHOTOS = 12


def label(model, name: str):
    return model._meta.get_field(name).verbose_name


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def region_path(region) -> str:
    """'市中区 · 凌云街道 · 凌云社区': a village name alone is ambiguous across counties."""
    names = []
    while region is not None and len(names) < 3:
        names.append(region.name)
        region = region.parent if region.level > 2 else None
    return " · ".join(reversed(names))


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return region_path(obj)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one field, each checked for type and size (validate_photo)."""

    def __init__(self, *, max_files: int = MAX_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_TYPES}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                _("Attach at most %(max)d photos.") % {"max": self.max_files}, code="too_many"
            )
        errors = []
        for upload in uploads:
            try:
                super().clean(upload)
                validate_photo(upload)
            except ValidationError as exc:
                errors.append(self.message_for(upload, exc))
        if errors:
            raise ValidationError(errors)
        return uploads

    @staticmethod
    def message_for(upload, exc: ValidationError) -> str:
        """Name the file and say what is wrong with it, in this app's words."""
        code = getattr(exc, "code", None)
        if code == "photo_too_large":
            return _("%(name)s is %(size)s; a photo may be at most %(limit)s.") % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.CAREPAIR_PHOTO_MAX_BYTES),
            }
        if code == "photo_not_image":
            return _("%(name)s is not a photo: choose a JPEG, PNG or WebP picture.") % {
                "name": upload.name
            }
        if code == "photo_wrong_type":
            return _("%(name)s is not a JPEG, PNG or WebP picture.") % {"name": upload.name}
        return f"{upload.name}: {' '.join(exc.messages)}"


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one,
    at the top of the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=label(Activity, "kind"), choices=Kind.choices)
    category = forms.ChoiceField(label=label(Activity, "category"), choices=Category.choices)
    title = forms.CharField(label=label(Activity, "title"), max_length=200)
    occurred_on = forms.DateField(label=label(Activity, "occurred_on"), widget=date_input())
    helpers = forms.ModelMultipleChoiceField(
        label=_("Helper organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    institution = forms.ModelChoiceField(
        label=label(Activity, "institution"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— none: an activity in an area —"),
    )
    area = RegionChoiceField(
        label=label(Activity, "area"),
        queryset=Region.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Only for an activity in a township or village rather than an institution."),
    )
    participants = forms.IntegerField(
        label=label(Activity, "participants"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    beneficiaries = forms.IntegerField(
        label=label(Activity, "beneficiaries"),
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=label(Activity, "notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(
        label=_("Photos"), help_text=_("JPEG, PNG or WebP; several may be chosen at once.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helpers"].queryset = selectors.helpers_for(user)
        self.fields["institution"].queryset = selectors.institutions_for(user)
        self.fields["area"].queryset = selectors.areas_for(user)
        if not self.is_bound:
            self.fields["occurred_on"].initial = timezone.localdate()
            institutions = list(self.fields["institution"].queryset[:2])
            if len(institutions) == 1:
                # A liaison's department is usually paired with one home: start there.
                self.fields["institution"].initial = institutions[0].pk
            if user.organisation_id and (
                self.fields["helpers"].queryset.filter(pk=user.organisation_id).exists()
            ):
                self.fields["helpers"].initial = [user.organisation_id]

    def clean(self):
        data = super().clean()
        institution, area = data.get("institution"), data.get("area")
        if institution and area:
            self.add_error("area", _("Choose the institution or the area, not both."))
        elif not (institution or area or self.has_error("institution") or self.has_error("area")):
            self.add_error("institution", _("Choose the institution or the area visited."))
        return data


class MaterialForm(forms.Form):
    """One line of materials given: the value is typed in yuan and kept as fen."""

    item = forms.CharField(label=label(Material, "item"), max_length=128)
    quantity = forms.DecimalField(
        label=label(Material, "quantity"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.CharField(label=label(Material, "unit"), max_length=16)
    value_yuan = forms.DecimalField(
        label=_("Value (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def line(self) -> MaterialLine:
        d = self.cleaned_data
        return MaterialLine(
            item=d["item"],
            quantity=d["quantity"],
            unit=d["unit"],
            value_fen=yuan_to_fen(d["value_yuan"]),
        )


MaterialFormSet = forms.formset_factory(
    MaterialForm, extra=1, max_num=100, validate_max=True, absolute_max=100
)


def material_lines(formset) -> list[MaterialLine]:
    return [f.line() for f in formset.forms if f.has_changed() and f.cleaned_data]


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=label(Activity, "confirmation_note"), max_length=255, required=False
    )


class ActivityFilterForm(forms.Form):
    """The list page's filters (GET); an invalid filter is shown and ignored."""

    kind = forms.ChoiceField(
        label=label(Activity, "kind"), choices=[("", _("All")), *Kind.choices], required=False
    )
    category = forms.ChoiceField(
        label=label(Activity, "category"),
        choices=[("", _("All")), *Category.choices],
        required=False,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=date_input())
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    institution = forms.ModelChoiceField(
        label=label(Activity, "institution"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    confirmed = forms.ChoiceField(
        label=_("Confirmation"),
        choices=[("", _("All")), ("yes", _("Confirmed")), ("no", _("Not yet confirmed"))],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = selectors.counties_for(user)
        self.fields["institution"].queryset = (
            Organisation.objects.visible_to(user).institutions().order_by("region_id", "name")
        )

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

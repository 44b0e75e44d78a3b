"""Forms of the registry's pages: they parse and check input; people.services writes."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carepair.ledger.forms import PhotosField, RegionChoiceField, date_input, label
from carepair.people.models import (
    Category,
    ChildArchive,
    Condition,
    Contact,
    Living,
    Person,
    PersonHealth,
    Seen,
    ServicePoint,
    Status,
    VisitorKind,
)
from carepair.people.services import visitors_for
from carepair.problems.forms import RaiseProblemForm
from carepair.regions.models import Level, Region

DAYS_TO_MEET_A_NEED = 14


def villages_for(user):
    """The villages and communities a user may register people in, with their township."""
    return (
        Region.objects.visible_to(user)
        .filter(level=Level.VILLAGE)
        .select_related("parent", "parent__parent")
        .order_by("code")
    )


def townships_for(user):
    return Region.objects.visible_to(user).filter(level=Level.TOWNSHIP).order_by("code")


class PersonFilterForm(forms.Form):
    q = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Category.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*Status.choices, ("", _("All, including moved away and deceased"))],
        required=False,
        initial=Status.ACTIVE,
    )
    township = RegionChoiceField(
        label=_("Township"), queryset=Region.objects.none(), required=False, empty_label=_("All")
    )
    due = forms.ChoiceField(
        label=_("Visits"),
        choices=[("", _("All")), ("week", _("Due this week")), ("overdue", _("Overdue"))],
        required=False,
    )
    mine = forms.BooleanField(label=_("Only the people I visit"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships_for(user)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"status": Status.ACTIVE}
        return dict(self.cleaned_data)


class PersonForm(forms.Form):
    """Registration (登记): the ID number decides birth date and sex; they are shown back."""

    name = forms.CharField(label=label(Person, "name"), max_length=64)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("18 characters, or an old 15-digit number; birth date and sex follow from it."),
    )
    birth_date = forms.DateField(
        label=label(Person, "birth_date"),
        required=False,
        widget=date_input(),
        help_text=_("Optional: if given, it is checked against the ID number."),
    )
    region = RegionChoiceField(label=_("Village or community"), queryset=Region.objects.none())
    phone = forms.CharField(label=label(Person, "phone"), max_length=32, required=False)
    address = forms.CharField(label=label(Person, "address"), max_length=200, required=False)
    household_address = forms.CharField(
        label=label(Person, "household_address"), max_length=200, required=False
    )
    living = forms.ChoiceField(label=label(Person, "living"), choices=Living.choices)
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories_from = forms.DateField(
        label=_("Categories held since"), widget=date_input(), initial=timezone.localdate
    )
    source = forms.CharField(
        label=_("Certified by"), max_length=64, required=False, help_text=_("e.g. 县民政局")
    )
    visitor_kind = forms.ChoiceField(
        label=label(Person, "visitor_kind"),
        choices=[("", "—"), *VisitorKind.choices],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = villages_for(user)


class VisitorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name or obj.username}（{obj.get_role_display()}）"


class PersonEditForm(forms.ModelForm):
    region = RegionChoiceField(label=_("Village or community"), queryset=Region.objects.none())
    visitor = VisitorChoiceField(
        label=label(Person, "visitor"), queryset=Region.objects.none(), required=False
    )

    class Meta:
        model = Person
        fields = [
            "name",
            "phone",
            "address",
            "household_address",
            "living",
            "region",
            "visitor",
            "visitor_kind",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = villages_for(user)
        self.fields["visitor"].queryset = visitors_for(user).order_by("username")


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["kind", "name", "relation", "phone", "age", "health"]


class HealthForm(forms.ModelForm):
    class Meta:
        model = PersonHealth
        fields = ["conditions", "disability_type", "disability_grade", "self_care", "mental_health"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=label(Person, "status"), choices=Status.choices)
    on = forms.DateField(label=_("Since"), widget=date_input(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    start_on = forms.DateField(label=_("From"), widget=date_input(), initial=timezone.localdate)
    source = forms.CharField(label=_("Certified by"), max_length=64, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        max_length=200,
        help_text=_("Your name, the time and this reason are kept."),
    )


class ConditionField(forms.ChoiceField):
    """Good / fair / poor as three large buttons a thumb can hit."""

    def __init__(self, **kwargs):
        # Nothing chosen in advance: each answer is the visitor's own. Required only when
        # the person was seen (VisitForm.clean).
        super().__init__(
            choices=Condition.choices,
            widget=forms.RadioSelect(attrs={"class": "chips"}),
            required=False,
            **kwargs,
        )


class VisitForm(RaiseProblemForm):
    """The door-knocking visit form, made for a phone (敲门行动)."""

    days_to_fix = DAYS_TO_MEET_A_NEED

    visited_on = forms.DateField(
        label=_("Visited on"), widget=date_input(), initial=timezone.localdate
    )
    seen = forms.ChoiceField(
        label=_("Seen"),
        choices=Seen.choices,
        widget=forms.RadioSelect(attrs={"class": "chips"}),
        help_text=_("Not at home: the visit stays due, and nothing below is rated."),
    )
    health = ConditionField(label=pgettext_lazy("person", "Health"))
    safety = ConditionField(label=_("Safety at home"))
    food = ConditionField(label=_("Food"))
    mood = ConditionField(label=_("Mood"))
    needs = forms.CharField(
        label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label=_("Photos"))

    def clean(self):
        data = super().clean()
        if data.get("seen") != Seen.NOT_HOME:
            for name in ("health", "safety", "food", "mood"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Choose one."))
        return data


class ArchiveForm(forms.ModelForm):
    class Meta:
        model = ChildArchive
        fields = [
            "school",
            "grade",
            "class_teacher",
            "teacher_phone",
            "schooling",
            "father_work",
            "father_phone",
            "father_home",
            "mother_work",
            "mother_phone",
            "mother_home",
            "risk",
            "risk_reasons",
        ]
        widgets = {"risk": forms.RadioSelect(attrs={"class": "chips"})}


class ReferralForm(forms.Form):
    point = forms.ModelChoiceField(label=_("Service point"), queryset=ServicePoint.objects.none())
    referred_on = forms.DateField(
        label=_("Referred on"), widget=date_input(), initial=timezone.localdate
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = ServicePoint.objects.visible_to(user)

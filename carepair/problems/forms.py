"""Forms of the problem pages: they parse and check input; problems.services writes."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepair.accounts.roles import Role
from carepair.ledger.forms import PhotosField, RegionChoiceField, date_input, label
from carepair.ledger.selectors import counties_for, institutions_for
from carepair.orgs.models import Organisation
from carepair.problems import selectors
from carepair.problems.models import SUBCATEGORIES, Category, Problem, Severity, Status
from carepair.regions.models import Level, Region

DEFAULT_DAYS_TO_FIX = 30


def subcategory_choices():
    """Subcategories grouped under their category, as the programme names them."""
    return [("", "—")] + [
        (Category(category).label, [(s.value, s.label) for s in subs])
        for category, subs in SUBCATEGORIES.items()
    ]


class ProblemForm(forms.Form):
    title = forms.CharField(label=label(Problem, "title"), max_length=200)
    category = forms.ChoiceField(label=label(Problem, "category"), choices=Category.choices)
    subcategory = forms.ChoiceField(
        label=label(Problem, "subcategory"), choices=subcategory_choices, required=False
    )
    severity = forms.TypedChoiceField(
        label=label(Problem, "severity"),
        choices=Severity.choices,
        coerce=int,
        initial=Severity.MEDIUM,
    )
    due_on = forms.DateField(label=label(Problem, "due_on"), widget=date_input())
    institution = forms.ModelChoiceField(
        label=label(Problem, "institution"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— none: a problem in a village —"),
    )
    region = RegionChoiceField(
        label=_("Village or community"),
        queryset=Region.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Only for a problem outside an institution."),
    )
    description = forms.CharField(
        label=label(Problem, "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = PhotosField(label=_("Photos"), help_text=_("Optional: photos of the problem."))

    def __init__(self, *args, user, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions_for(user)
        self.fields["region"].queryset = selectors.villages_for(user)
        if not self.is_bound:
            self.fields["due_on"].initial = timezone.localdate() + datetime.timedelta(
                days=DEFAULT_DAYS_TO_FIX
            )
        if user.role == Role.INSTITUTION_STAFF:
            # Institution staff raise problems of their own institution, nowhere else.
            self.fields["institution"].queryset = Organisation.objects.filter(
                pk=user.organisation_id
            )
            self.fields["institution"].initial = user.organisation_id
            self.fields["institution"].disabled = True
            self.fields["institution"].required = True
            del self.fields["region"]
        elif activity is not None and not self.is_bound:
            if activity.institution_id:
                self.fields["institution"].initial = activity.institution_id
            elif activity.area_id and activity.area.level == Level.VILLAGE:
                self.fields["region"].initial = activity.area_id
        elif user.role == Role.LIAISON and not self.is_bound:
            # A liaison's department is usually paired with one home: start there.
            institutions = list(self.fields["institution"].queryset[:2])
            if len(institutions) == 1:
                self.fields["institution"].initial = institutions[0].pk

    def clean(self):
        data = super().clean()
        institution, region = data.get("institution"), data.get("region")
        if institution and region:
            self.add_error("region", _("Choose the institution or the village, not both."))
        elif not (
            institution or region or self.has_error("institution") or self.has_error("region")
        ):
            self.add_error("institution", _("Choose the institution or the village."))
        category, subcategory = data.get("category"), data.get("subcategory")
        if subcategory and category and subcategory not in SUBCATEGORIES.get(category, ()):
            self.add_error(
                "subcategory", _("This subcategory does not belong to the chosen category.")
            )
        return data


class ProblemFilterForm(forms.Form):
    """The list page's filters (GET); an invalid filter is shown and ignored."""

    status = forms.ChoiceField(
        label=label(Problem, "status"), choices=[("", _("All")), *Status.choices], required=False
    )
    category = forms.ChoiceField(
        label=label(Problem, "category"),
        choices=[("", _("All")), *Category.choices],
        required=False,
    )
    severity = forms.TypedChoiceField(
        label=label(Problem, "severity"),
        choices=[("", _("All")), *Severity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    county = forms.ModelChoiceField(
        label=_("County"), queryset=Region.objects.none(), required=False, empty_label=_("All")
    )
    institution = forms.ModelChoiceField(
        label=label(Problem, "institution"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    mine = forms.ChoiceField(
        label=_("Whose"),
        choices=[
            ("", _("All")),
            ("raised", _("Raised by me")),
            ("assigned", _("Assigned to my organisation")),
        ],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    escalated = forms.BooleanField(label=_("Escalated only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties_for(user)
        self.fields["institution"].queryset = (
            Organisation.objects.visible_to(user).institutions().order_by("region_id", "name")
        )

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


# The forms of the steps on a problem's page; each posts to its own URL.


class StepForm(forms.Form):
    """A step's form, built with the user taking the step and the problem."""

    def __init__(self, *args, user, problem, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.problem = user, problem


class NoteForm(StepForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(NoteForm):
    helper = forms.ModelChoiceField(
        label=_("Helper organisation"), queryset=Organisation.objects.none()
    )
    field_order = ["helper", "note"]

    def __init__(self, *args, user, problem, **kwargs):
        super().__init__(*args, user=user, problem=problem, **kwargs)
        self.fields["helper"].queryset = selectors.assignees_for(user=user, problem=problem)
        self.takes_up = user.role in (Role.LIAISON, Role.TOWNSHIP_WORKER)
        self.own_organisation = user.organisation
        if self.takes_up:
            # A liaison takes the problem up for their own department: no choice to make.
            self.fields["helper"].initial = user.organisation_id
            self.fields["helper"].widget = forms.HiddenInput()


class ResolveForm(StepForm):
    resolution = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(
        label=_("Photos of the fix"),
        required=True,
        help_text=_("At least one photo: JPEG, PNG or WebP."),
    )


class ReopenForm(StepForm):
    reason = forms.CharField(
        label=_("Why the fix is not accepted"), widget=forms.Textarea(attrs={"rows": 2})
    )


STEP_FORMS = {
    "assign": AssignForm,
    "start": NoteForm,
    "resolve": ResolveForm,
    "verify": NoteForm,
    "reopen": ReopenForm,
}


class RaiseProblemForm(forms.Form):
    """The fields that raise what was found (at a door, at a shared meal) as a problem in
    the same step; dropped for a role that may not raise problems."""

    days_to_fix = 14

    raise_problem = forms.BooleanField(
        label=_("Raise the need as a problem to be fixed"), required=False
    )
    problem_title = forms.CharField(label=_("Problem"), max_length=200, required=False)
    problem_category = forms.ChoiceField(
        label=_("Problem category"), choices=Category.choices, required=False
    )
    problem_severity = forms.TypedChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        coerce=int,
        initial=Severity.MEDIUM,
        required=False,  # nothing to rate when no problem is raised
        empty_value=Severity.MEDIUM,
    )
    problem_due_on = forms.DateField(label=_("Fix by"), widget=date_input(), required=False)

    def __init__(self, *args, can_raise: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_raise = can_raise
        if not can_raise:
            for name in [n for n in self.fields if n.startswith("problem") or n == "raise_problem"]:
                del self.fields[name]
        else:
            self.fields["problem_due_on"].initial = timezone.localdate() + datetime.timedelta(
                days=self.days_to_fix
            )

    def clean(self):
        data = super().clean()
        if self.raises():
            if not data.get("problem_title"):
                self.add_error("problem_title", _("Say in a few words what must be fixed."))
            if not data.get("problem_category"):
                self.add_error("problem_category", _("Choose the problem's category."))
            if not data.get("problem_due_on"):
                self.add_error("problem_due_on", _("Give the date it must be fixed by."))
        return data

    def raises(self) -> bool:
        return self.can_raise and bool(self.cleaned_data.get("raise_problem"))

"""Forms of the meal pages that take more than a line: they parse and check input; the
services write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepair.ledger.forms import date_input
from carepair.meals.models import SharedMeal, Slot
from carepair.problems.forms import RaiseProblemForm

STARS = [(n, "★" * n) for n in range(5, 0, -1)]


def rating(label):
    return forms.TypedChoiceField(
        label=label, choices=STARS, coerce=int, widget=forms.RadioSelect(attrs={"class": "chips"})
    )


class SharedMealForm(RaiseProblemForm):
    """A cadre's shared meal (干部陪餐), made for a phone: the sitting, four ratings, what
    was said, and a complaint raised as a problem in the same step."""

    days_to_fix = 7  # a kitchen's fault is fixed within the week

    served_on = forms.DateField(label=_("Date"), widget=date_input(), initial=timezone.localdate)
    slot = forms.ChoiceField(
        label=_("Meal"), choices=Slot.choices, widget=forms.RadioSelect(attrs={"class": "chips"})
    )
    cadre_title = forms.CharField(
        label=SharedMeal._meta.get_field("cadre_title").verbose_name.capitalize(),
        max_length=64,
        required=False,
        help_text=SharedMeal._meta.get_field("cadre_title").help_text,
    )
    diners_present = forms.IntegerField(
        label=_("Older people at the table"), min_value=1, max_value=500
    )
    taste = rating(_("Taste"))
    hygiene = rating(_("Hygiene"))
    portion = rating(_("Portion"))
    service = rating(_("Service"))
    feedback = forms.CharField(
        label=_("What the diners and you noticed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "raise_problem" in self.fields:
            self.fields["raise_problem"].label = _("Raise a complaint as a problem to be fixed")

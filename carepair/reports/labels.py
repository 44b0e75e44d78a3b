"""The names the dashboard, its export and `carepair report` give to the figures, in the
programme's own words (工作成效), and the short category names that fit a chart's axis."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carepair.ledger.models import Category
from carepair.problems.models import Category as ProblemCategory

# (key of the summary, label); the order of the dashboard's cards and of the export.
FIGURES = (
    ("research_visits", _("Research visits")),
    ("activities", _("Assistance activities")),
    ("material_value_yuan", _("Materials given (yuan)")),
    ("beneficiaries", _("Beneficiaries (person-times)")),
    ("problems_raised", _("Problems raised")),
    ("problems_solved", _("Problems solved (verified)")),
    ("problems_solved_environment", _("Environmental problems solved")),
    ("problems_solved_safety", _("Safety hazards removed")),
    ("problems_open", _("Problems open")),
    ("problems_overdue", _("Problems overdue")),
    ("departments", _("City departments")),
    ("institutions", _("Care institutions")),
    ("social_organisations", _("Social organisations")),
    ("pairs_active", _("Pairs in force")),
    ("pairs_adjusted", _("Pairs adjusted")),
    ("people_registered", _("People in need on the registry")),
    ("left_behind_children", _("Left-behind children")),
    ("household_visits", _("Household visits")),
    ("meal_points", _("Meal points open")),
    ("meals_served", _("Meals served")),
    ("meal_subsidy_yuan", _("Meal subsidies (yuan)")),
)

# The dashboard's cards, in three groups.
GROUPS = (
    (
        pgettext_lazy("dashboard group", "Assistance"),
        ("research_visits", "activities", "material_value_yuan", "beneficiaries"),
    ),
    (
        pgettext_lazy("dashboard group", "Problems"),
        (
            "problems_raised",
            "problems_solved",
            "problems_solved_environment",
            "problems_solved_safety",
            "problems_open",
            "problems_overdue",
        ),
    ),
    (
        pgettext_lazy("dashboard group", "Helpers and pairs"),
        ("departments", "institutions", "social_organisations", "pairs_active", "pairs_adjusted"),
    ),
    (
        pgettext_lazy("dashboard group", "People in need"),
        ("people_registered", "left_behind_children", "household_visits"),
    ),
    (
        pgettext_lazy("dashboard group", "Meal assistance"),
        ("meal_points", "meals_served", "meal_subsidy_yuan"),
    ),
)

# Figures that the dashboard marks as needing attention when they are not zero.
ALERTS = frozenset({"problems_overdue"})

ACTIVITY_CATEGORIES = {
    Category.ENVIRONMENT: pgettext_lazy("activity category", "Environment"),
    Category.FESTIVAL: pgettext_lazy("activity category", "Festivals"),
    Category.SAFETY: pgettext_lazy("activity category", "Safety"),
    Category.HARDSHIP: pgettext_lazy("activity category", "Hardship relief"),
    Category.CULTURE: pgettext_lazy("activity category", "Culture"),
    Category.HEALTH: pgettext_lazy("activity category", "Health"),
    Category.TRAINING: pgettext_lazy("activity category", "Training"),
    Category.DONATION: pgettext_lazy("activity category", "Donation"),
}

PROBLEM_CATEGORIES = {
    ProblemCategory.ENVIRONMENT: pgettext_lazy("problem category", "Environment"),
    ProblemCategory.FACILITIES: pgettext_lazy("problem category", "Facilities"),
    ProblemCategory.CARE_SKILLS: pgettext_lazy("problem category", "Care skills"),
    ProblemCategory.SAFETY: pgettext_lazy("problem category", "Safety"),
    ProblemCategory.LIVELIHOOD: pgettext_lazy("problem category", "Livelihood"),
    ProblemCategory.HEALTH: pgettext_lazy("problem category", "Health"),
    ProblemCategory.EDUCATION: pgettext_lazy("problem category", "Education"),
    ProblemCategory.OTHER: pgettext_lazy("problem category", "Other"),
}

CITY_LEVEL = _("City level")

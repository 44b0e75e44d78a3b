from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # First: a till posts a meal a second, and every pattern tried before costs a little.
    path("api/v1/", include("carepair.api.urls")),
    path("", RedirectView.as_view(pattern_name="dashboard"), name="home"),
    path("accounts/", include("carepair.accounts.urls")),
    path("orgs/", include("carepair.orgs.urls")),
    path("pairings/", include("carepair.pairing.urls")),
    path("ledger/", include("carepair.ledger.urls")),
    path("problems/", include("carepair.problems.urls")),
    path("people/import/", include("carepair.people.urls_import")),
    path("matching/", include("carepair.matching.urls")),
    path("meals/", include("carepair.meals.urls")),
    path("people/", include("carepair.people.urls")),
    path("dashboard/", include("carepair.reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

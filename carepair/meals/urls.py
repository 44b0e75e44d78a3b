from django.urls import path

from carepair.meals import views, views_shared

app_name = "meals"

urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("diners/<int:pk>/card/", views.diner_card, name="card"),
    path("sites/<int:pk>/enrol/", views.diner_enrol, name="enrol"),
    path("people/<int:pk>/enrol/", views.diner_enrol_person, name="enrol_person"),
    path("settlements/", views.settlements, name="settlements"),
    path("settlements/settle/", views.settle, name="settle"),
    path("settlements/<int:pk>/statement.xlsx", views.statement, name="statement"),
    path("plan/", views.plan, name="plan"),
    path("shared-meals/", views_shared.shared_meals, name="shared_meals"),
    path(
        "sites/<int:pk>/shared-meals/new/",
        views_shared.shared_meal_create,
        name="shared_meal_new",
    ),
]

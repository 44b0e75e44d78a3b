from django.urls import path

from carepair.problems import views

urlpatterns = [
    path("", views.problem_list, name="problem_list"),
    path("new/", views.problem_create, name="problem_create"),
    path("<int:pk>/", views.problem_detail, name="problem_detail"),
    path("<int:pk>/<slug:action>/", views.problem_step, name="problem_step"),
    path("photos/<int:pk>/", views.problem_photo, name="problem_photo"),
]

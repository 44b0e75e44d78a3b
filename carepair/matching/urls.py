from django.urls import path

from carepair.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.index, name="index"),
    path("lists/<int:pk>/columns/", views.columns, name="columns"),
    path("lists/<int:pk>/delete/", views.list_delete, name="list_delete"),
    path("runs/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/status.json", views.run_status, name="run_status"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
]

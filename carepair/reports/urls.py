from django.urls import path

from carepair.reports import views

urlpatterns = [path("", views.dashboard, name="dashboard")]

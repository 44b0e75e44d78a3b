from django.urls import path

from carepair.api.api import api

urlpatterns = [path("", api.urls)]

from django.urls import path

from carepair.pairing import views

urlpatterns = [
    path("", views.pairing_list, name="pairing_list"),
    path("new/", views.pairing_create, name="pairing_create"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("<int:pk>/adjust/", views.pairing_adjust, name="pairing_adjust"),
    path("<int:pk>/end/", views.pairing_end, name="pairing_end"),
]

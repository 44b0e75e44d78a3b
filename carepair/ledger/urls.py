from django.urls import path

from carepair.ledger import views

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("new/", views.activity_create, name="activity_create"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/confirm/", views.activity_confirm, name="activity_confirm"),
    path("photos/<int:pk>/", views.activity_photo, name="activity_photo"),
]

from django.urls import path

from carepair.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("find/", views.person_find, name="find"),
    path("due/", views.due_list, name="due"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
    path("<int:pk>/status/", views.person_status, name="status"),
    path("<int:pk>/categories/", views.category_add, name="category_add"),
    path("<int:pk>/categories/<int:held>/end/", views.category_end, name="category_end"),
    path("<int:pk>/visit/", views.visit_create, name="visit"),
    path("<int:pk>/archive/", views.archive_edit, name="archive"),
    path("<int:pk>/health/", views.health_edit, name="health"),
    path("<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact>/remove/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/referrals/", views.referral_create, name="referral"),
    path("visit-photos/<int:pk>/", views.visit_photo, name="visit_photo"),
]

from django.urls import path

from carepair.people import views_import as views

app_name = "people_import"

urlpatterns = [
    path("", views.import_start, name="start"),
    path("template.xlsx", views.import_template, {"fmt": "xlsx"}, name="template_xlsx"),
    path("template.csv", views.import_template, {"fmt": "csv"}, name="template_csv"),
    path("jobs/<int:pk>/", views.import_job, name="job"),
    path("jobs/<int:pk>/status.json", views.import_job_status, name="status"),
    path("jobs/<int:pk>/report.xlsx", views.import_job_report, name="report"),
]

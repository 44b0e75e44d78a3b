from django.urls import path
from django.views.generic import TemplateView

# Placeholder until the dashboard lands (branch dashboard replaces this file).
urlpatterns = [path("", TemplateView.as_view(template_name="base.html"), name="dashboard")]

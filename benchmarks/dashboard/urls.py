"""The application's URLs plus the peer: a bare view returning a constant JSON."""

from django.http import JsonResponse
from django.urls import path

from carepair.urls import urlpatterns as app_urlpatterns


def constant(request):
    return JsonResponse({"status": "ok", "figures": [1, 2, 3]})


urlpatterns = [path("bench/constant/", constant), *app_urlpatterns]

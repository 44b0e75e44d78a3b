"""The application's URLs plus the peer: a bare POST endpoint answering a constant JSON
through the same middleware (no token check, no database)."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from carepair.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def constant(request):
    return JsonResponse({"status": "ok", "subsidy_fen": 900}, status=201)


urlpatterns = [path("bench/constant/", constant), *app_urlpatterns]

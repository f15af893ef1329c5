from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from events.models import Event


def one_query(request):
    """The baseline: the cheapest Django view that still asks the database once."""
    return HttpResponse(str(Event.objects.count()))


urlpatterns = [path("bench/one-query", one_query), *app_urlpatterns]

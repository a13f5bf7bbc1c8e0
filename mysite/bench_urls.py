"""The site's URLs plus Django's floor, for `make bench` only: settings pick this with POLLS_BENCH=1."""

from django.http import HttpResponse
from django.urls import path

from .urls import urlpatterns as site_urlpatterns


def floor(request):
    """Answer a constant through the full middleware stack: the fastest any page here can be."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*site_urlpatterns, path("bench/floor/", floor, name="bench-floor")]

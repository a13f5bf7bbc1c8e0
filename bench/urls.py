"""The site's URLs plus Django's floor; bench.settings selects them, production never does."""

from django.http import HttpResponse
from django.urls import path

from mysite.urls import urlpatterns as site_urlpatterns


def floor(request):
    """Answer a constant through the full middleware stack: the fastest any page here can be."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*site_urlpatterns, path("bench/floor/", floor, name="bench-floor")]

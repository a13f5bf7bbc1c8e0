import logging

from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse

logger = logging.getLogger(__name__)

# A restart or failover takes seconds; ask browsers and clients to come back after a few.
RETRY_AFTER_SECONDS = 5


class HumanMethodNotAllowedMiddleware:
    """Give a 405 from @require_POST and friends a page people can read (Django sends it empty)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method != "HEAD":
            page = TemplateResponse(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page.render()
        return response


class DatabaseUnavailableMiddleware:
    """
    Answer 503 with a "try again" page when the database cannot be reached, instead of a 500.

    OperationalError and InterfaceError are what a refused connection, a restart, a failover or a
    terminated backend raise; an IntegrityError or a DataError is a bug and stays a 500. Nothing
    is written when a request fails this way (each write is one transaction that was not committed),
    which is why the page can say so. Recovery needs no restart: Django drops the broken connection
    at the end of the request and the next one connects afresh.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        page = TemplateResponse(request, "503.html", status=503)
        page["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return page.render()

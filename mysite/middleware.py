import logging

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import UnreadablePostError
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


class RequestBodyMiddleware:
    """
    Refuse, with the site's own page, a body the site cannot take, before any view or CSRF reads it.

    The site takes forms, never files (issue 21): a body past DATA_UPLOAD_MAX_MEMORY_SIZE is a 413
    from its Content-Length alone, unread; a file part (DATA_UPLOAD_MAX_NUMBER_FILES = 0) or a form
    Django refuses to decode (a charset other than UTF-8) is a 400. Django raises the latter anew at
    each read of request.POST, and its 400 and 500 views read it again for their CSRF token, so left
    to them the error page itself fails and gunicorn answers with its bare one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _content_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            logger.warning("request body too large for %s %s", request.method, request.path)
            return TemplateResponse(request, "413.html", status=413).render()
        if request.method == "POST":
            try:
                request.POST  # noqa: B018  (parsed here, once, for CSRF and the view after)
            except (BadRequest, SuspiciousOperation, UnreadablePostError) as refused:
                logger.warning("unreadable form for %s %s: %s", request.method, request.path, refused)
                request._mark_post_parse_error()  # later reads see an empty form instead of raising
                return TemplateResponse(request, "400.html", status=400).render()
        return self.get_response(request)


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0

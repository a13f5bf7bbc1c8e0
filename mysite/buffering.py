"""
Slow clients wait in greenlets; Django runs in a few threads (docs/slow-clients.md, issue 21).

A gevent worker reads each request in a greenlet of its own, so a client that stalls mid-request or
trickles its body in costs a greenlet, not a thread. This wrapper (installed by gunicorn.conf.py
around the worker's app) reads the whole body too, then hands the request to a small pool of real
threads, as a buffering proxy in front of gthread would: Django sees a complete request, keeps its
one persistent database connection per thread (CONN_MAX_AGE, health checks), and a dyno holds as
many database connections as with gthread, whatever the number of clients. The answer is collected
in the thread and written to the socket by the greenlet, so a client slow to read holds no thread.
"""

import io

from django.conf import settings


class BufferedApplication:
    """A WSGI app: read the request in the caller's greenlet, run `app` in one of `threads` threads."""

    def __init__(self, app, threads):
        from gevent.threadpool import ThreadPool

        self.app = app
        self.pool = ThreadPool(threads)

    def __call__(self, environ, start_response):
        length = _content_length(environ)
        # A body past the limit stays unread: Django's RequestSizeMiddleware refuses it with a 413
        # from its Content-Length alone, and the connection is closed on it.
        body = environ["wsgi.input"].read(length) if length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE else b""
        environ["wsgi.input"] = io.BytesIO(body)
        status, headers, chunks = self.pool.apply(self._respond, (environ,))
        start_response(status, headers)
        return chunks

    def _respond(self, environ):
        """Run Django to the end of the response (its close() sends request_finished here)."""
        answer = []

        def start_response(status, headers, exc_info=None):
            answer[:] = [status, headers]
            return lambda data: chunks.append(data)  # PEP 3333's write(), which Django never uses

        chunks = []
        response = self.app(environ, start_response)
        try:
            chunks.extend(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        return *answer, chunks


def _content_length(environ):
    try:
        return max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0

"""
Slow clients wait in greenlets; Django runs in a few threads (docs/slow-clients.md, issue 21).

gunicorn's gevent worker reads each request in a greenlet of its own, so a client that stalls
mid-request or trickles its body in costs a greenlet, not a thread. BufferedApplication reads the
whole body too, then hands the request to a small pool of real threads, as a buffering proxy in
front of gthread would: Django sees a complete request, keeps its one persistent database
connection per thread (CONN_MAX_AGE, health checks), and a dyno holds as many database connections
as with gthread, whatever the number of clients. The answer is collected in the thread and written
to the socket by the greenlet, so a client slow to read holds no thread either.
"""

import io

from django.conf import settings
from gevent import socket
from gevent.threadpool import ThreadPool
from gunicorn.workers.ggevent import GeventWorker


class BufferingGeventWorker(GeventWorker):
    """gunicorn's gevent worker, serving the app through BufferedApplication, the stdlib unpatched."""

    def patch(self):
        # Only the listening sockets become gevent's, not the standard library (monkey.patch_all()):
        # no line of Django runs in a greenlet, and patched, its threads paid for gevent's locks and
        # select() on every request (docs/slow-clients.md).
        self.sockets = [
            socket.socket(listener.FAMILY, socket.SOCK_STREAM, fileno=listener.sock.detach())
            for listener in self.sockets
        ]

    def load_wsgi(self):
        super().load_wsgi()
        self.wsgi = BufferedApplication(self.wsgi, threads=self.cfg.threads)


class BufferedApplication:
    """A WSGI app: read the request in the caller's greenlet, run `app` in one of `threads` threads."""

    def __init__(self, app, threads):
        self.app = app
        self.pool = ThreadPool(threads)

    def __call__(self, environ, start_response):
        length = _content_length(environ)
        # A body past the limit stays unread: mysite.middleware.RequestBodyMiddleware refuses it with a 413
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

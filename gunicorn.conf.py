"""
How a web dyno runs the site (Procfile: `gunicorn -c gunicorn.conf.py mysite.wsgi`).

Settings: https://docs.gunicorn.org/en/stable/settings.html. On Heroku the Python buildpack also
exports GUNICORN_CMD_ARGS="--access-logfile -" and FORWARDED_ALLOW_IPS="*" at dyno boot; command
line arguments and GUNICORN_CMD_ARGS win over this file, so any value here can be overridden per
app, e.g. `heroku config:set GUNICORN_CMD_ARGS="--threads 8"`.
"""

import os

# Heroku's router only reaches a web dyno on the port it puts in PORT, on any interface.
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]

# The buildpack sets WEB_CONCURRENCY at dyno boot from the dyno's memory and CPUs (2 on Basic and
# Standard-1X); a config var of the same name overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# Slow clients (docs/slow-clients.md): gevent workers read every request in a greenlet of its own,
# so a connection that stalls mid-request or trickles its body in (Heroku's router buffers headers,
# not bodies) holds a greenlet, not a thread; with gthread each held a thread until it finished, and
# eight of them stopped the site. Django itself still runs in `threads` real threads per worker
# (mysite.buffering), each with its one persistent database connection (CONN_MAX_AGE):
# workers x threads x dynos must stay below the Postgres plan's connection limit (20 on
# essential-0). 2 threads: against 4, measured with gthread before issue 20, every page's p99 was
# lower and the vote about a tenth faster.
worker_class = "mysite.buffering.BufferingGeventWorker"
threads = 2
# Clients (most of them waiting) a worker holds at once; past it, new connections wait in the backlog.
worker_connections = 1000

# A listening socket of each worker's own (SO_REUSEPORT), across which the kernel spreads new
# connections. With one socket shared, the worker that woke first could accept every connection of
# a burst and keep them alive while the other worker (and core) idled: in `make bench`, 2 of 12
# samples had all 8 connections on one worker, at half the requests per second. The price:
# connections that reach a worker as it exits (a restart of a hung one) are reset, where a shared
# socket would hand them to another worker.
reuse_port = True

# Import Django once in the master: a missing DJANGO_SECRET_KEY (mysite/wsgi.py) stops the dyno at
# boot with one clear error instead of every worker failing in turn; forked workers share the memory.
preload_app = True

# The router gives up on a request after 30 s (H12); a worker silent for longer than this is
# restarted before the router's timeout. (For gevent this is a heartbeat, not a per-request limit.)
timeout = 25

# On SIGTERM (a deploy, a restart, scaling down) Heroku waits 30 s, then sends SIGKILL. Finish
# in-flight requests well within that.
graceful_timeout = 20

# Longer than the router's 90 s keep-alive idle timeout, so the router, never gunicorn, closes an
# idle connection: gunicorn closing one just as the router reuses it would fail that request.
# https://devcenter.heroku.com/articles/http-routing#keepalives
keepalive = 95

# A dyno is reachable only through the router, which sets X-Forwarded-Proto and X-Forwarded-For;
# its addresses are not fixed, so trust any peer (the buildpack sets the same).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# Heroku's log router collects stdout. The request id ties a line to the router's own log line.
# The path without its query string: a receipt looked up (/polls/7/receipt/?receipt=...) is not
# this log's to keep (docs/receipts.md).
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}i)s'

# Nobody drives a dyno's gunicorn through `gunicornc`, and the default socket path under $HOME would
# be shared by every gunicorn on one machine (heroku local, tests).
control_socket_disable = True

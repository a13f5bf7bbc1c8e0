"""
The process harness: what the specs start and drive, not specs themselves.

Real gunicorn servers on loopback (servers), Heroku's build, release and dynos through honcho (dynos),
a TCP proxy that cuts PostgreSQL off and a gunicorn behind it (outage), and simulated browsers voting
across several servers (browsers, multiserver; `make stress` runs the latter at a large size).
"""

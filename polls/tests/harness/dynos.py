"""
Heroku's build, release and dynos, run here from the Procfile through honcho (as `heroku local` does).

The dynos run with SLUG_BIN's `python` and `gunicorn`: `make heroku-local` points it at a fresh
virtualenv holding only requirements.txt, as the slug does; by default it is the test virtualenv.
"""

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
import requests
from django.db import connection

from .servers import free_ports

ROOT = Path(__file__).resolve().parents[3]
# The environment the slug runs in: `python` and `gunicorn` from requirements.txt alone.
SLUG_BIN = os.environ.get("SLUG_BIN", str(Path(sys.executable).parent))
PORTS = range(8150, 8200)  # this suite's own (servers.free_ports)
GRACE_PERIOD = 30  # Heroku sends SIGKILL this long after SIGTERM
HTTPS = {"X-Forwarded-Proto": "https"}  # what Heroku's router adds to every request


def platform_env(**config_vars):
    """What a dyno sees: the platform's few variables and the app's config vars, nothing else."""
    return {
        "PATH": f"{SLUG_BIN}:/usr/bin:/bin",
        "HOME": str(Path.home()),
        "LANG": "C.UTF-8",
        "PYTHONPATH": ".",
        "PYTHONUNBUFFERED": "1",
        **config_vars,
    }


def build(into):
    """Check out what `git push` would send, then collect static files as the buildpack does."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in tracked)):
        if (ROOT / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, into / name)
    # bin/steps/collectstatic: build time, no DATABASE_URL, no DJANGO_SECRET_KEY, no config var.
    collect = subprocess.run(
        ["python", "manage.py", "collectstatic", "--noinput", "--traceback"],
        cwd=into,
        env=platform_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr
    return collect.stdout


def honcho(app, *args, env, log=None):
    """Run the Procfile through honcho, as `heroku local` does."""
    command = [sys.executable, "-m", "honcho", "--no-colour", *args]
    if log is None:
        return subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=120)
    return subprocess.Popen(command, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def fresh_database():
    """A database of its own for the dynos, empty until the release phase migrates it."""
    settings = connection.settings_dict
    name = f"{settings['NAME']}_dynos"
    admin = psycopg2.connect(
        dbname="postgres",
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"],
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        yield f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Dyno:
    """One web dyno: `honcho start web` with its own PORT, logging to a file like Logplex would."""

    def __init__(self, app, name, port, config_vars, logs):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = logs / f"{name}.log"
        # Heroku's dynos bind 0.0.0.0:$PORT; on this shared machine, loopback only.
        env = platform_env(**config_vars, DYNO=name, WEB_CONCURRENCY="2")
        env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{port}"
        with self.log_path.open("w") as log:
            self.honcho = honcho(app, "start", "-p", str(port), "web", env=env, log=log)

    @property
    def log(self):
        return self.log_path.read_text()

    def wait_until_up(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.honcho.poll() is None, f"the dyno exited:\n{self.log}"
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"{self.url}/healthz never answered 200:\n{self.log}")

    def process_group(self):
        started = re.search(r"web\.1 started \(pid=(\d+)\)", self.log)
        assert started, self.log
        return int(started.group(1))

    def stop(self):
        """SIGTERM the dyno as Heroku does; return the seconds until its last process is gone."""
        group = self.process_group()
        began = time.monotonic()
        self.honcho.send_signal(signal.SIGTERM)
        while running_in_group(group) and time.monotonic() - began < GRACE_PERIOD + 5:
            time.sleep(0.05)
        self.honcho.wait(timeout=5)
        return time.monotonic() - began

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process_group(), signal.SIGKILL)
        self.honcho.kill()
        self.honcho.wait(timeout=5)


def running_in_group(group):
    """Processes of a process group that still run (zombies waiting for a reaper do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                alive.append(stat.parent.name)
    return alive


def one_off(app, config_vars, code):
    """`heroku run python manage.py shell -c ...`: a one-off dyno with the app's config vars."""
    env = platform_env(**config_vars, DYNO="run.1")
    ran = honcho(app, "run", "python", "manage.py", "shell", "--no-imports", "-c", code, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout.strip()


@contextlib.contextmanager
def web_dynos(app, config_vars, logs, count=2):
    dynos = []
    try:
        for n, port in enumerate(free_ports(count, PORTS), 1):
            dynos.append(Dyno(app, f"web.{n}", port, config_vars, logs))
        for dyno in dynos:
            dyno.wait_until_up()
        yield dynos
    finally:
        for dyno in dynos:
            if dyno.honcho.poll() is None:
                dyno.kill()


def stop_holding_idle_connections(dynos):
    """Like the router, keep an idle keep-alive connection to each dyno open while it stops."""
    idle = [http.client.HTTPConnection(dyno.url.removeprefix("http://"), timeout=10) for dyno in dynos]
    for held in idle:
        held.request("GET", "/healthz")
        assert held.getresponse().read() == b"ok\n"
    return [dyno.stop() for dyno in dynos]

"""Real gunicorn servers on loopback ports, started and stopped by the test or script that needs them."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parents[3]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def database_url(settings_dict):
    """The DATABASE_URL naming the database this process uses (the test database, under pytest)."""
    user = quote(settings_dict["USER"] or "")
    password = quote(settings_dict["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'])}"


def free_ports(count, candidates):
    """
    The first `count` ports of `candidates` that nothing on this machine holds.

    Each suite that starts servers has a range of its own and takes the first free ports in it, so
    two test runs on one machine (two checkouts) never answer each other's requests. The probe binds
    as gunicorn does (SO_REUSEADDR, not SO_REUSEPORT), so a port with any listener on it, even one
    that gunicorn.conf.py's reuse_port would let a second gunicorn share, counts as taken.
    """
    found = []
    for port in candidates:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"no {count} free ports in {candidates}")


def prepare_database(parser, purpose):
    """
    For a script run by hand: Django set up on the PostgreSQL database DATABASE_URL names, migrated,
    with the static files the servers serve (the hashed manifest) collected.
    """
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL=postgres://...: the servers share one PostgreSQL database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", f"{purpose}-only-" + secrets.token_urlsafe(32))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)


def server_env(database_url):
    """A dyno's settings (no DJANGO_DEBUG) on the given database, with this process's secret key."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "POLLS_"))}
    env |= {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],  # shared, so any server reads any cookie
        # What DYNO switches on at Heroku (DYNO itself would also demand database SSL): the client's
        # address is the router's last X-Forwarded-For entry, and the vote rate limit counts by it.
        "POLLS_BEHIND_ROUTER": "1",
        "PYTHONUNBUFFERED": "1",
    }
    return env


class Server:
    """One gunicorn master and its workers, like one Heroku dyno."""

    def __init__(self, port, env, workers=2, extra_args=()):
        self.port, self.env, self.workers, self.extra_args = port, env, workers, list(extra_args)
        self.url = f"http://127.0.0.1:{port}"
        self.process = None
        # Open as long as the server object lives (it outlives restarts); removed when it goes.
        self.log = tempfile.NamedTemporaryFile(prefix=f"gunicorn-{port}-", suffix=".log")  # noqa: SIM115

    def start(self, timeout=60):
        with socket.socket() as probe:  # a stale server on the port would answer in its place
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                raise RuntimeError(f"port {self.port} is already in use")
        # The dyno's own gunicorn.conf.py (gevent workers, preload, keep-alive), with what differs
        # here on the command line, which wins: a loopback port, the worker count, a quick stop
        # (and `extra_args`, to compare setups).
        command = [
            str(GUNICORN), "mysite.wsgi",
            "--config", str(ROOT / "gunicorn.conf.py"),
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--no-control-socket",
            "--graceful-timeout", "5",
            "--log-level", "warning",
            *self.extra_args,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            self._wait_until_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_healthy(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn on {self.port} exited:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or a first request still loading
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn on {self.port} was not healthy in {timeout}s:\n{self.log_tail()}")

    def worker_pids(self):
        """The pids of this master's workers (gunicorn replaces one that dies)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def stop(self):
        """Stop gracefully (SIGTERM: workers finish their request); kill the group if that stalls."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only what it started
            self.process.wait(timeout=5)

    def log_tail(self, lines=30):
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def pid_using_local_port(port, pids):
    """The process among `pids` owning the TCP socket bound to local `port` (Linux /proc)."""
    return next(iter(sockets_by_pid(port, pids)), None)


def sockets_by_pid(port, pids, state=None):
    """
    {pid: its TCP sockets bound to local `port`} for the processes among `pids` that own some
    (Linux /proc; sockets as inode numbers). `state` narrows them: "0A" listening, "01" connected.
    """
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and state in (None, fields[3]):
                inodes.add(fields[9])
    found = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:  # closed while looking
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                found.setdefault(pid, set()).add(target[8:-1])
    return found

"""Tools for the fault tests: a TCP proxy to cut PostgreSQL off, and a gunicorn behind it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from .servers import free_ports

ROOT = Path(__file__).resolve().parents[3]
PORTS = range(8210, 8250)  # the fault tests' own (servers.free_ports)


class TcpProxy:
    """
    Forward a local port to PostgreSQL; stop() is the database going away, start() its return.

    Stopping closes the listening socket (new connections are refused, as by a server that is down
    or restarting) and every open connection (as a crash or a failover does to the app's sessions).
    The shared PostgreSQL server itself is never touched.
    """

    def __init__(self, target=("127.0.0.1", 5432)):
        (self.port,) = free_ports(1, PORTS)
        self.target = target
        self._sockets = set()
        self._lock = threading.Lock()
        self._listener = None

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self):
        listener, self._listener = self._listener, None
        if listener:
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            _close(sock)


def _close(sock):
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class Server:
    """A gunicorn serving the site on `port`, with production settings, on the given database."""

    def __init__(self, database_url, log_path, **env):
        (port,) = free_ports(1, PORTS)
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DATABASE_CONNECT_TIMEOUT": "2",
            "PORT": str(port),
            "DJANGO_DEBUG": "0",
            **env,
        }
        bin_dir = Path(sys.executable).parent
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [bin_dir / "gunicorn", "mysite.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                 "--worker-class", "gthread", "--threads", "4", "--no-control-socket", "--timeout", "20",
                 "--graceful-timeout", "3"],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log()}")
            try:
                requests.get(self.base + "/healthz", timeout=10)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {seconds} s:\n{self.log()}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the master and its workers
            self.process.wait()

    def log(self):
        return Path(self.log_path).read_text(errors="replace")

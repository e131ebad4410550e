"""The app under gunicorn for a test, and clients that call its JSON API over HTTP.

A guarantee that must hold across processes or hosts (exactly-K, a worker
killed mid-transaction) is shown on the real stack: gunicorn started with
config/gunicorn.conf.py (sync workers, each with its own database connection)
on the test database, and clients that send their requests at the same instant.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import typing
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.api import document_body
from tests.concurrency import database_env

ROOT = Path(__file__).resolve().parent.parent
# The name clients use for the service (a load balancer in front of several
# hosts passes it on); the test settings allow it whatever address answers.
SERVICE_NAME = "localhost"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen
    log: typing.IO[bytes]

    def call(self, method: str, path: str, *, token: str, body=None) -> tuple[int, dict]:
        """(status, JSON answer). A fresh connection a request: sync workers close
        theirs after each answer."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=json.dumps(body if body is not None else {}), headers={
                "Host": SERVICE_NAME, "Authorization": f"Token {token}", "Content-Type": "application/json",
            })
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def wait_until_answering(self, timeout: float = 60) -> None:
        """Until a worker answers a request. The master listens before its workers have
        loaded Django, and a request sent then waits for a worker to boot: the tests that
        time what a worker is doing must not start that clock early."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log_tail()}")
            connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
            try:
                connection.request("GET", "/accounts/login/", headers={"Host": SERVICE_NAME})
                connection.getresponse().read()
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
            finally:
                connection.close()
        raise RuntimeError(f"gunicorn did not answer on {self.host}:{self.port}: {self.log_tail()}")

    def stop(self) -> None:
        """Kill the master and its workers at once. Their database connections close
        with them, before the test database goes. (A graceful stop took 3–8 s an
        instance on a busy 2-core machine, the workers tearing their interpreters
        down; by the time a test stops its server, nothing is in flight.)"""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.log.close()

    def log_tail(self, size: int = 2000) -> str:
        self.log.seek(0, os.SEEK_END)
        self.log.seek(max(0, self.log.tell() - size))
        return self.log.read().decode(errors="replace")


def file_and_submit(server: Server, token: str, *, one_request: bool = False, **fields) -> tuple[int, dict]:
    """What an outside system does: file a document (201), then submit it; or both
    in one request (?submit=1). The answer is the submission's, or the filing's
    when that was refused."""
    body = document_body(**fields)
    if one_request:
        return server.call("POST", "/api/v1/proposals/?submit=1", token=token, body={**body, "emergency": False})
    status, filed = server.call("POST", "/api/v1/proposals/", token=token, body=body)
    if status != 201:
        return status, filed
    return server.call("POST", f"/api/v1/proposals/{filed['id']}/submit/", token=token, body={"emergency": False})


@contextmanager
def gunicorn(**options):
    """gunicorn serving the test database until the block ends (see start_gunicorn)."""
    with gunicorns(options) as (server,):
        yield server


@contextmanager
def gunicorns(*options: dict):
    """Several gunicorn instances, booted side by side and stopped together."""
    servers = []
    try:
        for each in options:
            servers.append(start_gunicorn(**each))
        for server in servers:
            server.wait_until_answering()
        yield servers
    finally:
        for server in servers:
            server.stop()


def start_gunicorn(*, workers: int = 4, host: str = "127.0.0.1", port: int | None = None, env: dict | None = None,
                   wrapper: tuple = ()) -> Server:
    """gunicorn with config/gunicorn.conf.py on the test database, booting. `env`
    overrides the environment (another DATABASE_URL, say); `wrapper` is a command
    the server runs under (`ip netns exec NAME` puts it on another network host)."""
    port = port or free_port(host)
    env = {
        **os.environ, **database_env(), "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DJANGO_CONN_MAX_AGE": "0", "GUNICORN_WORKERS": str(workers), "GUNICORN_BIND": f"{host}:{port}",
        "GUNICORN_TIMEOUT": "60", **(env or {}),
    }
    # No control socket: every gunicorn would share one in the home directory.
    command = [*wrapper, str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.conf.py",
               "--no-control-socket", "config.wsgi:application"]
    log = tempfile.TemporaryFile()  # a file, not a pipe nobody reads: a full pipe would stall it
    # A process group of its own, so that the master and its workers stop together.
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
                               start_new_session=True)
    return Server(host, port, process, log)

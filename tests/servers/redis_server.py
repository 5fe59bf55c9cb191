"""A real redis-server for tests: its own process on 127.0.0.1, a free port, no persistence.

`start_redis(folder)` starts one and returns once it answers PING; `stop()` ends it.
Where no redis-server binary exists, `REDIS_SERVER` is None and `INSTALL_HINT` says how
to install it (tests skip with that message).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server")
INSTALL_HINT = ("redis-server is not installed; the distributed-crawl tests need it: "
                "apt-get install -y redis-server (Debian/Ubuntu) or brew install redis")


@dataclass
class RedisServer:
    """A running redis-server and the URL of its database 0."""

    url: str
    process: subprocess.Popen

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(folder: Path, *, timeout: float = 10) -> RedisServer:
    """Start redis-server on a free loopback port; returns once it answers PING."""
    if REDIS_SERVER is None:
        raise RuntimeError(INSTALL_HINT)
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = RedisServer(f"redis://127.0.0.1:{port}/0", process)
    _wait_until_ready(server, timeout)
    return server


def _wait_until_ready(server: RedisServer, timeout: float) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        try:
            server.client().ping()
            return
        except redis.ConnectionError:
            if server.process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.02)
